/**
 * Reading named values straight out of a NATS header block ("NATS/1.0\r\nName: value\r\n…\r\n\r\n") without
 * building a map of every header: a replay needs four short values per event, and decoding the whole block to
 * text first was the largest per-event cost in the browser
 * (docs/platform-notes.md#replay-speed-in-chromium).
 *
 * Semantics match nats.js `MsgHdrs.decode` + `get`: the first line (version and status) is skipped, names are
 * compared exactly, a value is everything after the first ':' with surrounding white space trimmed, and a name
 * that appears twice yields its first value.
 */

import { InternedText } from './interned-text';

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

const utf8 = new TextDecoder();

/** Names prepared once for scanning many blocks. */
export class HeaderNameSet {
  readonly names: readonly string[];
  private readonly bytes: Uint8Array[];
  /** Per name: its values so far, when the name was declared repeating (types, formats). */
  private readonly seen: (InternedText | null)[];

  /** `repeating`: names with few distinct values, whose strings are reused instead of built per message. */
  constructor(names: readonly string[], repeating: readonly string[] = []) {
    this.names = names;
    this.bytes = names.map((name) => new TextEncoder().encode(name));
    this.seen = names.map((name) => (repeating.includes(name) ? new InternedText(decodeTrimmed, 256) : null));
  }

  /**
   * The value of each name, in the order given to the constructor (undefined when absent), written into `out`
   * so that a hot loop can reuse one array.
   */
  scan(block: Uint8Array, out: (string | undefined)[] = []): (string | undefined)[] {
    const wanted = this.bytes;
    out.length = wanted.length;
    out.fill(undefined);
    let remaining = wanted.length;
    let line = skipLine(block, 0);
    while (line < block.length && remaining > 0) {
      const end = lineEnd(block, line);
      const colon = block.indexOf(COLON, line);
      if (colon !== -1 && colon < end) {
        for (let i = 0; i < wanted.length; i++) {
          if (out[i] === undefined && sameBytes(block, line, colon, wanted[i]!)) {
            const recent = this.seen[i];
            out[i] = recent ? recent.get(block, colon + 1, end) : decodeTrimmed(block, colon + 1, end);
            remaining--;
            break;
          }
        }
      }
      line = end + 2;
    }
    return out;
  }
}

/** Every header in order, for tools that list them all (the event log's detail, `cli tail`). */
export function headerEntries(block: Uint8Array): [string, string][] {
  const entries: [string, string][] = [];
  let line = skipLine(block, 0);
  while (line < block.length) {
    const end = lineEnd(block, line);
    const colon = block.indexOf(COLON, line);
    if (colon !== -1 && colon < end) {
      entries.push([utf8.decode(block.subarray(line, colon)), decodeTrimmed(block, colon + 1, end)]);
    }
    line = end + 2;
  }
  return entries;
}

/** Index of the "\r\n" ending the line that starts at `from`, or the block's length. */
function lineEnd(block: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    i = block.indexOf(CR, i);
    if (i === -1) return block.length;
    if (block[i + 1] === LF) return i;
    i++;
  }
}

function skipLine(block: Uint8Array, from: number): number {
  return lineEnd(block, from) + 2;
}

function sameBytes(block: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (block[start + i] !== name[i]) return false;
  return true;
}

/**
 * Short ASCII values (types, numbers) are built directly; longer ones (ids) and anything not ASCII go through
 * TextDecoder, which in Chromium beats per-character building from about two dozen characters on.
 */
function decodeTrimmed(block: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (block[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii || end - start > 24) return utf8.decode(block.subarray(start, end)).trim();
  while (start < end && isAsciiSpace(block[start]!)) start++;
  while (end > start && isAsciiSpace(block[end - 1]!)) end--;
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(block[i]!);
  return text;
}

/** The ASCII characters String.prototype.trim removes. */
function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}
