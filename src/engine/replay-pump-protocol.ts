/** Messages between the engine and its replay pump (replay-pump.ts). */
import type { PackedBatch } from '../nats/packed-batch';

export type ToPump =
  | {
      type: 'start';
      servers: string | string[];
      user: string;
      password: string;
      inboxPrefix: string;
      stream: string;
      fromSeq: number;
      /** The pump stops once it has delivered this sequence (the stream's end when the replay began). */
      untilSeq: number;
    }
  /** One batch was folded: the pump may send another. */
  | { type: 'taken' }
  | { type: 'stop' };

export type FromPump =
  | { type: 'batch'; packed: PackedBatch; caughtUp: boolean; streamLastSeq: number }
  | { type: 'done' }
  | { type: 'failed'; message: string };
