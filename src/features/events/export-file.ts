/**
 * An export file assembled from the pieces the engine streams: each piece becomes a Blob part at once, so
 * the text of a million events is never one string in the page's memory.
 */
import type { EventLogFilter } from '../../core/event-log';
import type { ExportFormat } from '../../engine/event-log-protocol';

export const EXPORT_MIME: Record<ExportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  jsonl: 'application/x-ndjson;charset=utf-8',
};

export const FORMAT_LABELS: Record<ExportFormat, string> = { csv: 'CSV', jsonl: 'JSON lines' };

/** `stockwire-events-46-Apples-20261128T182247Z.csv`: what was exported and when (UTC). */
export function exportFileName(filter: EventLogFilter, format: ExportFormat, nowMs: number): string {
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const parts = ['stockwire-events', filter.warehouse, filter.product, stamp].filter((p) => p !== '');
  return `${parts.join('-')}.${format}`;
}

export class ExportParts {
  private readonly parts: Blob[] = [];
  private bytes = 0;

  add(chunk: string): void {
    if (chunk === '') return;
    const part = new Blob([chunk]);
    this.bytes += part.size;
    this.parts.push(part);
  }

  get size(): number {
    return this.bytes;
  }

  toBlob(format: ExportFormat): Blob {
    return new Blob(this.parts, { type: EXPORT_MIME[format] });
  }
}

/** Fraction done: rows read of the events the subject and time filters left (known exactly up front). */
export function exportFraction(scanned: number, matching: number): number {
  if (matching <= 0) return 1;
  return Math.min(1, scanned / matching);
}
