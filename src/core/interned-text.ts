/**
 * Text for byte strings that repeat (subjects, event types): the same bytes give back the same string, decoded
 * once. A replay decodes a million subjects drawn from a few hundred; interning skips the decoder call and the
 * garbage, and hands maps a string whose hash is already computed.
 */
export class InternedText {
  private readonly buckets = new Map<number, { bytes: Uint8Array; text: string }[]>();
  private entries = 0;

  /**
   * @param decode how bytes become text (a value's trimming, a decoder's handling of bad UTF-8)
   * @param limit distinct texts kept; past it the table starts over, so junk cannot grow it without bound
   */
  constructor(
    private readonly decode: (bytes: Uint8Array, start: number, end: number) => string,
    private readonly limit = 10_000,
  ) {}

  get(bytes: Uint8Array, start = 0, end = bytes.length): string {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const bucket = this.buckets.get(hash);
    if (bucket) {
      for (const entry of bucket) if (sameBytes(entry.bytes, bytes, start, end)) return entry.text;
    }
    const text = this.decode(bytes, start, end);
    if (this.entries >= this.limit) {
      this.buckets.clear();
      this.entries = 0;
    }
    const entry = { bytes: bytes.slice(start, end), text };
    const current = this.buckets.get(hash);
    if (current) current.push(entry);
    else this.buckets.set(hash, [entry]);
    this.entries++;
    return text;
  }
}

function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== bytes[start + i]) return false;
  return true;
}
