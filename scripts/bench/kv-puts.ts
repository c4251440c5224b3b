/**
 * The yardstick of the projector goal (projector against raw pipelined KV puts): plain `kv.put`s with many in
 * flight into a scratch bucket, with the values the projector writes (stock-level JSON of the fold,
 * round-robin over its keys). Raw: no compare-and-set, no reads.
 */
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '../../src/nats/connection';
import { InFlight } from './window';

/**
 * Measured here (20k puts, 2 busy cores): 100–300 in flight ~10–11k puts/s, 1000 ~6–10k, 3000 ~4k — beyond a
 * few hundred, nats.js's per-request timers and bookkeeping cost more than the pipelining gains.
 */
const IN_FLIGHT = 256;

export async function kvPutRate(
  nc: NatsConnection,
  values: Map<string, string>,
  puts: number,
): Promise<{ ms: number; eps: number }> {
  const kvm = new Kvm(nc);
  const bucket = `bench_scratch_${process.pid}_${Date.now().toString(36)}`;
  const kv = await kvm.create(bucket, { history: 1, storage: 'file' });
  const entries = [...values].map(([key, json]) => ({ key, value: new TextEncoder().encode(json) }));
  if (entries.length === 0) throw new Error('no values to put');
  const window = new InFlight(IN_FLIGHT);
  const failures: string[] = [];
  try {
    const started = performance.now();
    for (let i = 0; i < puts && failures.length === 0; i++) {
      const { key, value } = entries[i % entries.length]!;
      await window.acquire();
      kv.put(key, value).then(
        () => window.release(),
        (error: Error) => {
          failures.push(error.message);
          window.release();
        },
      );
    }
    await window.drain();
    const ms = performance.now() - started;
    if (failures.length > 0) throw new Error(`KV puts failed: ${failures[0]}`);
    return { ms, eps: Math.round((puts / ms) * 1000) };
  } finally {
    await kv.destroy().catch(() => undefined);
  }
}
