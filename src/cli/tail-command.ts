/** `cli tail`: follow the warehouse stream and print every event with everything it carries. */
import { decodeStockMessage } from '../core/codec';
import { stockSubject, tokenProblem, type HeaderNames } from '../core/events';
import { STREAMS } from '../core/resources';
import type { StreamMessage } from '../nats/raw-message';
import { replayStream, streamState } from '../nats/replay';
import { UsageError, parseArgs, single, wholeNumber } from '../command-line/args';
import {
  CONNECTION_FLAGS,
  connectionTarget,
  DEFAULT_CLI_USER,
  openConnection,
} from '../command-line/connection-target';
import { headerSetting } from '../command-line/header-prefix';
import type { CommandIo } from './io';

const FLAGS = [...CONNECTION_FLAGS, 'warehouse', 'product', 'from-seq'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function formatPayload(data: Uint8Array): string {
  if (data.byteLength === 0) return '(empty payload)';
  try {
    return utf8.decode(data);
  } catch {
    const hex = [...data.slice(0, 64)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return `(${data.byteLength} bytes, not UTF-8) ${hex}${data.byteLength > 64 ? ' …' : ''}`;
  }
}

export function formatMessage(m: StreamMessage, names: HeaderNames): string {
  const lines = [`#${m.seq} ${m.subject}  (stored ${new Date(m.streamTimestampMs).toISOString()})`];
  for (const [name, value] of m.headerEntries()) lines.push(`  ${name}: ${value}`);
  lines.push(`  ${formatPayload(m.data)}`);
  const decoded = decodeStockMessage(m, names);
  switch (decoded.kind) {
    case 'stock':
      lines.push(`  => ${decoded.event.type} (event id ${decoded.meta.id})`);
      break;
    case 'unknown':
      lines.push(`  => unknown type "${decoded.type}": kept, changes no view`);
      break;
    case 'malformed':
      lines.push(`  => malformed (${decoded.error.code}): ${decoded.error.message}`);
      break;
  }
  return lines.join('\n');
}

export async function tailCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const warehouse = single(args, 'warehouse');
  const product = single(args, 'product');
  const problem =
    (warehouse === undefined ? undefined : tokenProblem('--warehouse', warehouse)) ??
    (product === undefined ? undefined : tokenProblem('--product', product));
  if (problem) throw new UsageError(problem);
  const fromFlag = single(args, 'from-seq');
  const fromSeqArg = fromFlag === undefined ? undefined : wholeNumber('from-seq', fromFlag, 1);
  const filterSubject =
    warehouse === undefined && product === undefined
      ? undefined
      : stockSubject(warehouse ?? '*', product ?? '*');
  const target = connectionTarget(args, DEFAULT_CLI_USER, io.env);
  const { names } = headerSetting(io.env);

  const nc = await openConnection(target, { follow: true });
  try {
    // A live tail starts after the current last event, never with deliver_policy "new"
    // (docs/platform-notes.md#consumers-and-kv).
    const fromSeq = fromSeqArg ?? (await streamState(nc, STREAMS.warehouse)).lastSeq + 1;
    io.err(
      `tailing ${STREAMS.warehouse}${filterSubject ? ` (${filterSubject})` : ''} from sequence ${fromSeq} as ${target.user}; Ctrl-C stops`,
    );
    let announced = false;
    for await (const batch of replayStream(nc, {
      stream: STREAMS.warehouse,
      fromSeq,
      signal: io.signal,
      ...(filterSubject ? { filterSubject } : {}),
    })) {
      for (const m of batch.messages) io.out(formatMessage(m, names));
      if (batch.caughtUp && !announced) {
        announced = true;
        io.err(`caught up (stream at sequence ${batch.streamLastSeq}); waiting for new events`);
      }
    }
    return 0;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
