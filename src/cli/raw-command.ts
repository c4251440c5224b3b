/** `cli raw`: publish arbitrary bytes and headers, e.g. malformed events for reader tests. */
import { publishRaw } from '../nats/publish';
import { UsageError, parseArgs, required, single } from '../command-line/args';
import { CONNECTION_FLAGS, connectionTarget, openConnection } from '../command-line/connection-target';
import type { CommandIo } from './io';

const FLAGS = [...CONNECTION_FLAGS, 'subject', 'header', 'data'] as const;

export async function rawCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const subject = required(args, 'subject', '(the subject to publish to)');
  const headers = (args.flags.get('header') ?? []).map((h): [string, string] => {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new UsageError(`--header "${h}" must be name=value`);
    return [h.slice(0, eq), h.slice(eq + 1)];
  });
  const data = single(args, 'data') ?? '';
  const target = connectionTarget(args, 'admin', io.env);

  const nc = await openConnection(target, { follow: false });
  try {
    const result = await publishRaw(nc, subject, data, headers);
    if (result.ok) {
      io.out(
        result.duplicate
          ? `already stored as sequence ${result.seq} in ${result.stream} (duplicate not stored again)`
          : `stored as sequence ${result.seq} in ${result.stream}`,
      );
      return 0;
    }
    if (result.kind === 'invalid') throw new UsageError(result.message);
    io.err(`publish refused (${result.kind}): ${result.message}`);
    return 1;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
