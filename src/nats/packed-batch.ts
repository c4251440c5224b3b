/**
 * A batch of stream messages packed into one ArrayBuffer, so a thread that only receives can hand them to the
 * thread that folds without copying them again (the buffer is transferred) and without structured-cloning a
 * thousand objects.
 *
 * Layout: a Float64 index of 5 numbers per message (seq, stream time ms, subject length, header length, data
 * length) followed by the bytes of every message (subject, header block, data) back to back.
 */
import { MessageHeaders, subjectTexts, type StreamMessage } from './raw-message';

const FIELDS = 5;

export interface PackedBatch {
  buffer: ArrayBuffer;
  count: number;
}

interface Packable {
  seq: number;
  streamTimestampMs: number;
  subjectBytes: Uint8Array;
  /** The raw header block, or null for a message without headers. */
  headerBytes: Uint8Array | null;
  data: Uint8Array;
}

export function packBatch(messages: readonly Packable[]): PackedBatch {
  let bytes = 0;
  for (const m of messages) bytes += m.subjectBytes.length + (m.headerBytes?.length ?? 0) + m.data.length;
  const indexBytes = messages.length * FIELDS * 8;
  const buffer = new ArrayBuffer(indexBytes + bytes);
  const index = new Float64Array(buffer, 0, messages.length * FIELDS);
  const body = new Uint8Array(buffer, indexBytes);
  let at = 0;
  messages.forEach((m, i) => {
    const o = i * FIELDS;
    index[o] = m.seq;
    index[o + 1] = m.streamTimestampMs;
    index[o + 2] = m.subjectBytes.length;
    index[o + 3] = m.headerBytes === null ? -1 : m.headerBytes.length;
    index[o + 4] = m.data.length;
    body.set(m.subjectBytes, at);
    at += m.subjectBytes.length;
    if (m.headerBytes !== null) {
      body.set(m.headerBytes, at);
      at += m.headerBytes.length;
    }
    body.set(m.data, at);
    at += m.data.length;
  });
  return { buffer, count: messages.length };
}

/** The messages of a packed batch, as the decoders read them; views into the buffer, nothing copied. */
export function unpackBatch(batch: PackedBatch): StreamMessage[] {
  const { buffer, count } = batch;
  const indexBytes = count * FIELDS * 8;
  const index = new Float64Array(buffer, 0, count * FIELDS);
  const body = new Uint8Array(buffer, indexBytes);
  const messages: StreamMessage[] = new Array<StreamMessage>(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const o = i * FIELDS;
    const subjectLength = index[o + 2]!;
    const headerLength = index[o + 3]!;
    const dataLength = index[o + 4]!;
    const subject = subjectTexts.get(body, at, at + subjectLength);
    at += subjectLength;
    const headerBlock = headerLength < 0 ? null : body.subarray(at, at + headerLength);
    at += Math.max(0, headerLength);
    const data = body.subarray(at, at + dataLength);
    at += dataLength;
    const headers = MessageHeaders.fromBlock(headerBlock);
    messages[i] = {
      subject,
      seq: index[o]!,
      streamTimestampMs: index[o + 1]!,
      data,
      header: (name) => headers.get(name),
      headerEntries: () => headers.entries(),
    };
  }
  return messages;
}
