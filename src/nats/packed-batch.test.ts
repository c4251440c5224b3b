import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packBatch, unpackBatch } from './packed-batch';

const encoder = new TextEncoder();
const block = (lines: [string, string][]) =>
  encoder.encode(`NATS/1.0\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);

describe('packed batches', () => {
  it('give back every message as it was packed, headers and bytes included', () => {
    const message = fc.record({
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      streamTimestampMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      subject: fc.stringMatching(/^warehouse\.[A-Za-z0-9_-]{1,8}\.product\.[A-Za-z0-9_-]{1,8}$/),
      headers: fc.option(
        fc.array(
          fc.tuple(fc.constantFrom('myorg_type', 'myorg_msg_id', 'X-Other'), fc.string({ maxLength: 20 })),
        ),
        { nil: null },
      ),
      data: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 40 }), (messages) => {
        const packed = packBatch(
          messages.map((m) => ({
            seq: m.seq,
            streamTimestampMs: m.streamTimestampMs,
            subjectBytes: encoder.encode(m.subject),
            headerBytes:
              m.headers === null ? null : block(m.headers.map(([k, v]) => [k, v.replace(/[\r\n]/g, '')])),
            data: m.data,
          })),
        );
        // What a worker receives is a copy made by the transfer: unpack from a clone, as the engine does.
        const unpacked = unpackBatch({ buffer: structuredClone(packed.buffer), count: packed.count });
        expect(unpacked).toHaveLength(messages.length);
        unpacked.forEach((u, i) => {
          const m = messages[i]!;
          expect([u.seq, u.streamTimestampMs, u.subject]).toEqual([m.seq, m.streamTimestampMs, m.subject]);
          expect([...u.data]).toEqual([...m.data]);
          const first = m.headers?.find(([k]) => k === 'myorg_type');
          expect(u.header('myorg_type')).toBe(first ? first[1].replace(/[\r\n]/g, '').trim() : undefined);
          expect(u.headerEntries().length).toBe(m.headers?.length ?? 0);
        });
      }),
    );
  });

  it('packs nothing into an empty batch', () => {
    expect(unpackBatch(packBatch([]))).toEqual([]);
  });
});
