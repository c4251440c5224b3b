/**
 * Reading the values of the `stock_levels` and `stock_thresholds` buckets
 * (docs/architecture.md#jetstream-resources). Values written by anything else than the projector are
 * reported, not trusted.
 */
export type ParsedStockLevel =
  | {
      ok: true;
      warehouse: string;
      product_name: string;
      quantity: number;
      last_seq: number;
      updated_ms: number;
    }
  | { ok: false; reason: string };

const utf8 = new TextDecoder();

function parseObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(utf8.decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function parseStockLevel(bytes: Uint8Array): ParsedStockLevel {
  const body = parseObject(bytes);
  if (!body) return { ok: false, reason: 'value is not a JSON object' };
  const { warehouse, product_name, quantity, last_seq, updated_ms } = body;
  if (typeof warehouse !== 'string' || typeof product_name !== 'string') {
    return { ok: false, reason: 'warehouse or product_name missing' };
  }
  for (const [name, value] of [
    ['quantity', quantity],
    ['last_seq', last_seq],
    ['updated_ms', updated_ms],
  ] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      return { ok: false, reason: `${name} is not a whole number` };
    }
  }
  return {
    ok: true,
    warehouse,
    product_name,
    quantity: quantity as number,
    last_seq: last_seq as number,
    updated_ms: updated_ms as number,
  };
}

/** `{threshold}` as a whole number ≥ 0, or null when the value is unusable. */
export function parseThreshold(bytes: Uint8Array): number | null {
  const threshold = parseObject(bytes)?.threshold;
  return typeof threshold === 'number' && Number.isSafeInteger(threshold) && threshold >= 0
    ? threshold
    : null;
}
