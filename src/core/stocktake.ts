/**
 * A stocktake import (docs/architecture.md#stocktake-import): a CSV of counted rows becomes a preview against the
 * figures on screen, and the rows that differ become `stock.corrected` events. Pure: the file's text in, rows,
 * problems and events out.
 *
 * Each row's event id is derived from the file's content and the row's line, so importing the same file twice
 * names the same events twice, and the second time is a duplicate the engine recognises instead of a second
 * count of every shelf.
 */
import { csvField, unguardedCsvText } from './csv';
import { UNASSIGNED_LOCATION, locationProblem, tokenProblem, type StockCorrected } from './events';
import { lastSubjectSeq, locationQuantity, productStock, type WarehouseStockState } from './warehouse-stock';

/** Far more than a warehouse counts in one go; a bigger file is most likely the wrong file. */
export const MAX_STOCKTAKE_ROWS = 20_000;
export const STOCKTAKE_COLUMNS = ['product', 'location', 'counted'] as const;

export interface StocktakeRow {
  /** Line in the file, 1-based (the header is line 1). */
  line: number;
  product: string;
  location: string;
  counted: number;
}

export interface StocktakeProblem {
  line: number;
  message: string;
}

export interface ParsedStocktake {
  rows: StocktakeRow[];
  problems: StocktakeProblem[];
}

/** The file a person downloads to fill in. */
export function stocktakeTemplate(examples: readonly { product: string; location: string }[]): string {
  const lines = [STOCKTAKE_COLUMNS.join(',')];
  // A location is any text another publisher chose: guarded, it cannot run as a formula when the file opens.
  for (const { product, location } of examples) lines.push(`${csvField(product)},${csvField(location)},`);
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks), each with its first line. */
function records(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) out.push({ line: startLine, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else field += c;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return out;
}

/** The rows of a stocktake file, and every line that cannot be one, with what to fix. Never throws. */
export function parseStocktake(text: string): ParsedStocktake {
  const all = records(text);
  const header = all[0];
  if (!header) return { rows: [], problems: [{ line: 1, message: 'The file is empty' }] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const column = (name: string) => names.indexOf(name);
  const at = { product: column('product'), location: column('location'), counted: column('counted') };
  if (at.product < 0 || at.location < 0 || at.counted < 0) {
    return {
      rows: [],
      problems: [
        {
          line: header.line,
          message: `The first line must name the columns ${STOCKTAKE_COLUMNS.join(', ')} (download the template)`,
        },
      ],
    };
  }
  const body = all.slice(1);
  if (body.length > MAX_STOCKTAKE_ROWS) {
    return {
      rows: [],
      problems: [
        { line: 1, message: `${body.length} rows; at most ${MAX_STOCKTAKE_ROWS} are allowed per file` },
      ],
    };
  }
  const rows: StocktakeRow[] = [];
  const problems: StocktakeProblem[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of body) {
    const product = (fields[at.product] ?? '').trim();
    const location = unguardedCsvText((fields[at.location] ?? '').trim()) || UNASSIGNED_LOCATION;
    const countedText = (fields[at.counted] ?? '').trim();
    const problem =
      tokenProblem('Product', product) ??
      (location === UNASSIGNED_LOCATION ? undefined : locationProblem('Location', location)) ??
      (countedText === ''
        ? 'Counted is empty: write the number counted, 0 for an empty shelf'
        : !/^\d+$/.test(countedText) || !Number.isSafeInteger(Number(countedText))
          ? `Counted "${countedText.slice(0, 20)}" is not a whole number of 0 or more`
          : undefined);
    if (problem !== undefined) {
      problems.push({ line, message: problem });
      continue;
    }
    const key = `${product}\u0000${location}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ line, message: `${product} at ${location} is counted twice (first on line ${first})` });
      continue;
    }
    seen.set(key, line);
    rows.push({ line, product, location, counted: Number(countedText) });
  }
  return { rows, problems };
}

export type PreviewStatus = 'unchanged' | 'differs' | 'unknown_product';

export interface PreviewRow extends StocktakeRow {
  status: PreviewStatus;
  /** What the records say now at that location. */
  recorded: number;
  /** counted − recorded */
  difference: number;
  /** The product subject's last sequence the preview saw: a change after it refuses the row. */
  expectedSeq: number;
}

/** Each row against the figures on screen for `warehouse`. */
export function previewStocktake(
  rows: readonly StocktakeRow[],
  stock: WarehouseStockState,
  warehouse: string,
): PreviewRow[] {
  return rows.map((row) => {
    const known = productStock(stock, warehouse, row.product) !== undefined;
    const recorded = locationQuantity(stock, warehouse, row.product, row.location);
    const difference = row.counted - recorded;
    return {
      ...row,
      status: !known ? 'unknown_product' : difference === 0 ? 'unchanged' : 'differs',
      recorded,
      difference,
      expectedSeq: lastSubjectSeq(stock, warehouse, row.product),
    };
  });
}

export function stocktakeEvent(row: StocktakeRow): StockCorrected {
  return {
    type: 'stock.corrected',
    product_name: row.product,
    location: row.location,
    quantity: row.counted,
  };
}

/** A digest of the file's text, computed once per file; each row's id is derived from it. */
export function stocktakeFileDigest(fileText: string): string {
  return digest128(fileText);
}

/**
 * The event id of a row: a UUID-shaped digest of the file, the warehouse (a file may be imported into two) and
 * the row's line — the same for the same file however often it is imported.
 */
export function stocktakeEventId(fileDigest: string, warehouse: string, line: number): string {
  const hex = digest128(`${fileDigest}\u0000${warehouse}\u0000${line}`);
  // Version 8 (custom) and the RFC 4122 variant, so the id reads as a UUID and is stored compactly.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** 128 bits as 32 hex digits: four 32-bit FNV-1a style digests with different seeds. */
function digest128(text: string): string {
  return [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]
    .map((seed) => hash32(text, seed).toString(16).padStart(8, '0'))
    .join('');
}

function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}
