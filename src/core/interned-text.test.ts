import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InternedText } from './interned-text';

const utf8 = new TextDecoder();
const decode = (b: Uint8Array, s: number, e: number) => utf8.decode(b.subarray(s, e));

describe('InternedText', () => {
  it('gives the decoder’s text for any bytes, and the same string for the same bytes', () => {
    const interned = new InternedText(decode, 50);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 30 }), (values) => {
        for (const v of [...values, ...values]) expect(interned.get(v)).toBe(utf8.decode(v));
      }),
    );
  });

  it('reads a range of a larger buffer', () => {
    const bytes = new TextEncoder().encode('xxwarehouse.1.product.Applesyy');
    expect(new InternedText(decode).get(bytes, 2, bytes.length - 2)).toBe('warehouse.1.product.Apples');
  });

  it('decodes once per distinct value and starts over past its limit', () => {
    let calls = 0;
    const counting = new InternedText((b, s, e) => {
      calls++;
      return decode(b, s, e);
    }, 3);
    const enc = (t: string) => new TextEncoder().encode(t);
    for (let round = 0; round < 5; round++) for (const t of ['a', 'b', 'c']) counting.get(enc(t));
    expect(calls).toBe(3);
    counting.get(enc('d'));
    counting.get(enc('a'));
    expect(calls).toBe(5);
  });
});
