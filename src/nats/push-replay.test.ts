import { describe, expect, it } from 'vitest';
import { parseAckReply as parseBytes } from './push-replay';

const parseAckReply = (reply: string) => parseBytes(new TextEncoder().encode(reply));

describe('parseAckReply', () => {
  it('reads the 2.9 form', () => {
    expect(parseAckReply('$JS.ACK.WAREHOUSE_EVENTS.sw_abc.1.4711.17.1764355200123456789.42')).toEqual({
      streamSeq: 4711,
      consumerSeq: 17,
      timestampMs: 1764355200123,
      pending: 42,
    });
  });

  it('reads the newer form with domain, account hash and a random token', () => {
    expect(parseAckReply('$JS.ACK.hub.ACCHASH.S.c.1.9.3.1764355200999000000.0.rnd')).toEqual({
      streamSeq: 9,
      consumerSeq: 3,
      timestampMs: 1764355200999,
      pending: 0,
    });
    expect(parseAckReply('$JS.ACK.hub.ACCHASH.S.c.1.9.3.1764355200999000000.5')?.pending).toBe(5);
  });

  it('refuses anything else instead of guessing', () => {
    for (const reply of [
      '$JS.ACK.S.c.1.x.3.1764355200999000000.0',
      '$JS.ACK.S.c.1.2.3.17643552009990000-0.0',
      '$JS.ACK.S.c.1.2.3.4',
      '$JS.ACK.S.c.1.2..1764355200999000000.0',
      '$JS.ACK.a.b.c.d.e.f.g.h.i.j.k.l.m',
      '',
    ]) {
      expect(parseAckReply(reply), reply).toBeNull();
    }
  });

  it('does not carry positions over from a longer reply', () => {
    parseAckReply('$JS.ACK.hub.ACCHASH.S.c.1.9.3.1764355200999000000.0.rnd');
    expect(parseAckReply('$JS.ACK.S.c.1.2.3.1000000.7')).toEqual({
      streamSeq: 2,
      consumerSeq: 3,
      timestampMs: 1,
      pending: 7,
    });
  });
});
