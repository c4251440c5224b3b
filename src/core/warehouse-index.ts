/**
 * The chain's warehouses, written by the checkpointer beside every set of checkpoints, so that a page learns
 * them before it folds anything: a manager's warehouse page needs one to show before its fold can read that
 * warehouse alone (docs/architecture.md#one-warehouse-or-the-chain). Found by name, like a warehouse's
 * checkpoints. Decoding never throws: a damaged index is no index.
 */
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export function warehouseIndexName(viewsVersion: number): string {
  return `warehouses/v${viewsVersion}/index`;
}

export function encodeWarehouseIndex(warehouses: readonly string[]): Uint8Array {
  return utf8.encode(JSON.stringify({ warehouses }));
}

/** The warehouses an index lists, in code-point order; null when the bytes are not an index. */
export function decodeWarehouseIndex(bytes: Uint8Array): string[] | null {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8.decode(bytes));
  } catch {
    return null;
  }
  const list = (value as { warehouses?: unknown } | null)?.warehouses;
  if (!Array.isArray(list) || !list.every((w): w is string => typeof w === 'string')) return null;
  return [...list].sort();
}
