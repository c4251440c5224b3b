import { decodeProcurementMessage, type RawMessage } from '../core/codec';
import type { HeaderNames } from '../core/events';
import type { LowStockAlert } from './protocol';

const KEEP = 200;

/** The newest low-stock alerts from PROCUREMENT_EVENTS, each counted once by event id. */
export class AlertFeed {
  private readonly seen = new Set<string>();
  private alerts: LowStockAlert[] = [];
  lastSeq = 0;
  problems = 0;

  apply(messages: readonly RawMessage[], names: HeaderNames): void {
    for (const message of messages) {
      if (message.seq <= this.lastSeq) continue;
      this.lastSeq = message.seq;
      const decoded = decodeProcurementMessage(message, names);
      if (decoded.kind === 'malformed') {
        this.problems += 1;
        continue;
      }
      if (decoded.kind !== 'low' || this.seen.has(decoded.meta.id)) continue;
      this.seen.add(decoded.meta.id);
      this.alerts.push({ seq: decoded.meta.seq, timestampMs: decoded.meta.timestampMs, low: decoded.low });
    }
    if (this.alerts.length > KEEP) this.alerts = this.alerts.slice(-KEEP);
  }

  newest(): LowStockAlert[] {
    return [...this.alerts].reverse();
  }
}
