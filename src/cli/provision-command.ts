/** `cli provision` / `npm run provision`: create what is missing, report what differs. */
import { provision } from '../nats/provision';
import { UsageError, parseArgs } from '../command-line/args';
import { CONNECTION_FLAGS, connectionTarget, openConnection } from '../command-line/connection-target';
import type { CommandIo } from './io';

export async function provisionCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, CONNECTION_FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const target = connectionTarget(args, 'admin', io.env);

  const nc = await openConnection(target, { follow: false });
  try {
    const report = await provision(nc);
    for (const name of report.created) io.out(`created   ${name}`);
    for (const name of report.unchanged) io.out(`unchanged ${name}`);
    for (const d of report.drift) {
      io.err(
        `drift     ${d.resource}: ${d.field} is ${JSON.stringify(d.actual)}, expected ${JSON.stringify(d.expected)} ` +
          '(left as is: change it by hand if the expected value is right)',
      );
    }
    return 0;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
