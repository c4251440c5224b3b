/**
 * The replay's header scanner must answer what nats.js's own header parser answers, for any block a server
 * could deliver — and keep answering where that parser throws: a raw-protocol publisher can send a header name
 * nats.js refuses (e.g. with a space), and one such event must not stop every dashboard's replay.
 */
import fc from 'fast-check';
import { MsgHdrsImpl } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { HeaderNameSet, headerEntries } from '../core/header-block';

const NAMES = ['myorg_type', 'myorg_format', 'myorg_msg_id', 'Nats-Msg-Id', 'MYORG_TYPE', 'myorg_type ', 'x'];
const set = new HeaderNameSet(NAMES.slice(0, 4), ['myorg_type', 'myorg_format']);

const encoder = new TextEncoder();
const bytes = (...parts: (string | Uint8Array)[]) => {
  const chunks = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

const value = fc.oneof(
  fc.constantFrom(
    'stock.sold',
    'application/json',
    ' padded\t',
    '',
    ':',
    'a:b',
    'x\ny',
    '\u00e9t\u00e9',
    '\u00a0nbsp\u00a0',
  ),
  fc.string({ maxLength: 80 }),
  fc.uint8Array({ maxLength: 40 }).map((raw) => raw.filter((b) => b !== 0x0d)),
);
const line = fc.tuple(fc.constantFrom(...NAMES), value, fc.constantFrom(': ', ':', ' : ', ':\t'));
const statusLine = fc.constantFrom('NATS/1.0', 'NATS/1.0 100 Idle Heartbeat', 'NATS/1.0 503', 'garbage');

function block(status: string, lines: [string, string | Uint8Array, string][]): Uint8Array {
  const parts: (string | Uint8Array)[] = [status, '\r\n'];
  for (const [name, v, sep] of lines) parts.push(name, sep, v, '\r\n');
  parts.push('\r\n');
  return bytes(...parts);
}

/** The header grammar as nats.js reads it, written the obvious way. */
function modelEntries(raw: Uint8Array): [string, string][] {
  const lines = new TextDecoder().decode(raw).split('\r\n').slice(1);
  return lines.flatMap((l): [string, string][] => {
    const colon = l.indexOf(':');
    return l !== '' && colon > -1 ? [[l.slice(0, colon), l.slice(colon + 1).trim()]] : [];
  });
}

describe('HeaderNameSet.scan', () => {
  it('answers like nats.js MsgHdrs for arbitrary blocks', () => {
    fc.assert(
      fc.property(statusLine, fc.array(line, { maxLength: 8 }), (status, lines) => {
        const raw = block(status, lines);
        const model = modelEntries(raw);
        // Twice: the second scan goes through the remembered values.
        for (let round = 0; round < 2; round++) {
          const values = set.scan(raw);
          set.names.forEach((name, i) => expect(values[i]).toBe(model.find(([k]) => k === name)?.[1]));
        }
        expect(headerEntries(raw)).toEqual(model);
        let reference: MsgHdrsImpl | null = null;
        try {
          reference = MsgHdrsImpl.decode(raw);
        } catch {
          // nats.js refuses some names; the model above still defines the answer.
        }
        if (reference !== null) {
          // nats.js groups repeated names; compare name by name.
          const library = reference;
          expect(new Set(library.keys())).toEqual(new Set(model.map(([k]) => k)));
          for (const k of library.keys()) {
            expect(library.values(k)).toEqual(model.filter(([name]) => name === k).map(([, v]) => v));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the four event headers of a typical event', () => {
    const raw = block('NATS/1.0', [
      ['myorg_format', 'application/json', ': '],
      ['myorg_type', 'stock.sold', ': '],
      ['myorg_msg_id', '0b9f0c36-8a8f-4b8e-9a53-7c1f2a3b4c5d', ': '],
      ['Nats-Msg-Id', '0b9f0c36-8a8f-4b8e-9a53-7c1f2a3b4c5d', ': '],
    ]);
    expect(set.scan(raw)).toEqual([
      'stock.sold',
      'application/json',
      '0b9f0c36-8a8f-4b8e-9a53-7c1f2a3b4c5d',
      '0b9f0c36-8a8f-4b8e-9a53-7c1f2a3b4c5d',
    ]);
  });

  it('reports absent names and reuses the output array', () => {
    const out: (string | undefined)[] = ['stale'];
    expect(set.scan(bytes('NATS/1.0\r\n\r\n'), out)).toBe(out);
    expect(out).toEqual([undefined, undefined, undefined, undefined]);
  });
});
