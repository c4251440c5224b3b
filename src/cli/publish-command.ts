/** `cli publish <type> …`: one stock event from the command line. */
import { randomUUID } from 'node:crypto';
import { UNASSIGNED_LOCATION, type StockEvent } from '../core/events';
import { publishStockEvent } from '../nats/publish';
import { UsageError, parseArgs, required, single, wholeNumber } from '../command-line/args';
import {
  CONNECTION_FLAGS,
  connectionTarget,
  DEFAULT_CLI_USER,
  openConnection,
} from '../command-line/connection-target';
import { headerSetting } from '../command-line/header-prefix';
import type { CommandIo } from './io';

const FLAGS = [
  ...CONNECTION_FLAGS,
  'warehouse',
  'product',
  'location',
  'quantity',
  'from',
  'to',
  'reason',
  'expected-seq',
  'id',
  'reverses',
] as const;

const TYPES = ['corrected', 'replenished', 'moved', 'sold', 'destroyed', 'returned', 'reversed'] as const;
type ShortType = (typeof TYPES)[number];

function isShortType(value: string): value is ShortType {
  return (TYPES as readonly string[]).includes(value);
}

/** Builds the event from the flags; the token and quantity rules are checked again by publishStockEvent. */
export function eventFromArgs(type: ShortType, args: ReturnType<typeof parseArgs>): StockEvent {
  const product_name = required(args, 'product', 'for every event');
  // An undo names the event it takes back and carries no quantity or place of its own.
  if (type === 'reversed') {
    for (const flag of ['quantity', 'location', 'from', 'to'] as const) {
      if (single(args, flag) !== undefined)
        throw new UsageError(`--${flag} is not used for a reversed event`);
    }
    return {
      type: 'stock.reversed',
      product_name,
      reverses: required(args, 'reverses', 'for a reversed event (the id of the event it undoes)'),
      reason: required(args, 'reason', 'for a reversed event'),
    };
  }
  const quantity = wholeNumber(
    'quantity',
    required(args, 'quantity', 'for every event'),
    type === 'corrected' ? 0 : 1,
  );
  const location = single(args, 'location');
  const forbid = (name: string) => {
    if (single(args, name) !== undefined) throw new UsageError(`--${name} does not apply to a ${type} event`);
  };
  switch (type) {
    case 'moved':
      forbid('location');
      forbid('reason');
      return {
        type: 'stock.moved',
        product_name,
        from: required(args, 'from', 'for a moved event'),
        to: required(args, 'to', 'for a moved event'),
        quantity,
      };
    case 'destroyed':
      forbid('from');
      forbid('to');
      return {
        type: 'stock.destroyed',
        product_name,
        location: required(args, 'location', 'for a destroyed event'),
        quantity,
        reason: required(args, 'reason', 'for a destroyed event'),
      };
    case 'corrected':
      forbid('from');
      forbid('to');
      forbid('reason');
      return {
        type: 'stock.corrected',
        product_name,
        location: required(args, 'location', 'for a corrected event (the counted location)'),
        quantity,
      };
    case 'returned':
      forbid('from');
      forbid('to');
      return {
        type: 'stock.returned',
        product_name,
        location: location ?? UNASSIGNED_LOCATION,
        quantity,
        reason: single(args, 'reason') ?? '',
      };
    case 'replenished':
    case 'sold':
      forbid('from');
      forbid('to');
      forbid('reason');
      return {
        type: type === 'sold' ? 'stock.sold' : 'stock.replenished',
        product_name,
        location: location ?? UNASSIGNED_LOCATION,
        quantity,
      };
  }
}

export async function publishCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  const [type, ...extra] = args.positionals;
  if (type === undefined) throw new UsageError(`publish needs an event type: ${TYPES.join(', ')}`);
  if (!isShortType(type))
    throw new UsageError(`unknown event type "${type}"; use one of ${TYPES.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const warehouse = required(args, 'warehouse', 'for every event');
  const event = eventFromArgs(type, args);
  const expected = single(args, 'expected-seq');
  const expectedLastSubjectSeq =
    expected === undefined ? undefined : wholeNumber('expected-seq', expected, 0);
  const id = single(args, 'id') ?? randomUUID();
  const target = connectionTarget(args, DEFAULT_CLI_USER, io.env);
  const { names } = headerSetting(io.env);

  const nc = await openConnection(target, { follow: false });
  try {
    const result = await publishStockEvent(nc, warehouse, event, {
      id,
      timestampMs: Date.now(),
      names,
      user: target.user,
      ...(expectedLastSubjectSeq === undefined ? {} : { expectedLastSubjectSeq }),
    });
    if (result.ok) {
      io.out(
        result.duplicate
          ? `already stored: ${event.type} id ${id} is sequence ${result.seq} in ${result.stream} (duplicate not stored again)`
          : `stored ${event.type} id ${id} as sequence ${result.seq} in ${result.stream}`,
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
