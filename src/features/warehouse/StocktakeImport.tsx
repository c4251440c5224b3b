import { useState, type ChangeEvent } from 'react';
import {
  parseStocktake,
  previewStocktake,
  stocktakeEvent,
  stocktakeEventId,
  stocktakeFileDigest,
  stocktakeTemplate,
  type PreviewRow,
  type StocktakeProblem,
} from '../../core/stocktake';
import { locationRows, type WarehouseStockState } from '../../core/warehouse-stock';
import { saveFile } from '../../common/ui/save-file';
import { useEngine } from '../../common/engine-context';
import { formatCount } from '../../common/ui/format';
import type { PublishOutcome } from '../../engine/protocol';

interface Props {
  warehouse: string;
  /** The live stock view the preview compares against. */
  stock: WarehouseStockState;
}

interface Loaded {
  fileName: string;
  digest: string;
  rows: PreviewRow[];
  problems: StocktakeProblem[];
}

/** What became of one row once publishing reached it. */
type RowResult =
  | { kind: 'recorded'; seq: number | null }
  | { kind: 'already'; seq: number | null }
  | { kind: 'changed' }
  | { kind: 'failed'; message: string };

const RESULT_TEXT = (r: RowResult): string => {
  switch (r.kind) {
    case 'recorded':
      return r.seq === null ? 'recorded' : `recorded as #${r.seq}`;
    case 'already':
      return 'already imported from this file';
    case 'changed':
      return 'refused: the product changed since the preview; count it again';
    case 'failed':
      return `not recorded: ${r.message}`;
  }
};

const STATUS_TEXT = (row: PreviewRow): string =>
  row.status === 'unchanged'
    ? 'unchanged'
    : row.status === 'unknown_product'
      ? 'product not in this warehouse'
      : `differs by ${row.difference > 0 ? '+' : '−'}${formatCount(Math.abs(row.difference))}`;

/**
 * "Stocktake import" (docs/architecture.md#stocktake-import): a counted CSV, previewed against the figures on
 * screen, and the rows that differ recorded as counts, each refused when its product changed after the preview.
 */
export function StocktakeImport({ warehouse, stock }: Props) {
  const engine = useEngine();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [withUnknown, setWithUnknown] = useState(false);
  const [results, setResults] = useState<ReadonlyMap<number, RowResult>>(new Map());
  const [running, setRunning] = useState(false);

  const load = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const text = await file.text();
    const parsed = parseStocktake(text);
    setResults(new Map());
    setLoaded({
      fileName: file.name,
      digest: stocktakeFileDigest(text),
      rows: previewStocktake(parsed.rows, stock, warehouse),
      problems: parsed.problems,
    });
  };

  const template = () => {
    const cells = locationRows(stock, { warehouse }).map((r) => ({
      product: r.product,
      location: r.location,
    }));
    const url = URL.createObjectURL(new Blob([stocktakeTemplate(cells)], { type: 'text/csv;charset=utf-8' }));
    saveFile(`stocktake-${warehouse}.csv`, url);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const toRecord = (loaded?.rows ?? []).filter(
    (r) => r.status === 'differs' || (withUnknown && r.status === 'unknown_product'),
  );

  const record = async () => {
    if (!loaded) return;
    setRunning(true);
    const done = new Map<number, RowResult>();
    // Rows of one product follow each other: each expects the sequence the one before it was stored at.
    const expected = new Map<string, number | 'changed'>();
    for (const row of toRecord) {
      const before = expected.get(row.product) ?? row.expectedSeq;
      let result: RowResult;
      if (before === 'changed') result = { kind: 'changed' };
      else {
        const first = await engine.publish({
          warehouse,
          event: stocktakeEvent(row),
          expectedLastSubjectSeq: before,
          id: stocktakeEventId(loaded.digest, warehouse, row.line),
        });
        result = resultOf(await final(first));
      }
      if (result.kind === 'changed') expected.set(row.product, 'changed');
      else if ((result.kind === 'recorded' || result.kind === 'already') && result.seq !== null) {
        expected.set(row.product, result.seq);
      }
      done.set(row.line, result);
      setResults(new Map(done));
    }
    setRunning(false);
  };

  const final = (outcome: PublishOutcome): Promise<PublishOutcome> =>
    !outcome.ok && outcome.kind === 'queued' ? engine.settled(outcome.id) : Promise.resolve(outcome);

  const counts = loaded && {
    unchanged: loaded.rows.filter((r) => r.status === 'unchanged').length,
    differs: loaded.rows.filter((r) => r.status === 'differs').length,
    unknown: loaded.rows.filter((r) => r.status === 'unknown_product').length,
  };
  const outcomes = [...results.values()];
  const tally = (kind: RowResult['kind']) => outcomes.filter((r) => r.kind === kind).length;

  return (
    <>
      <p className="muted">
        A file of counted shelves — columns <code>product</code>, <code>location</code>, <code>counted</code>{' '}
        — is compared with the figures on this page; only the rows that differ are recorded, as counts. A
        product that changes after the preview is refused and listed, to be counted again.
      </p>
      <div className="stocktake-tools">
        <button type="button" onClick={template}>
          Download a template of warehouse {warehouse}
        </button>
        <label>
          Counted file
          <input type="file" accept=".csv,text/csv" onChange={(e) => void load(e)} disabled={running} />
        </label>
      </div>
      {loaded && counts && (
        <>
          <p data-testid="stocktake-summary">
            {loaded.fileName}: {formatCount(loaded.rows.length)} rows · {formatCount(counts.unchanged)}{' '}
            unchanged · {formatCount(counts.differs)} differ · {formatCount(counts.unknown)} unknown products
            {loaded.problems.length > 0
              ? ` · ${formatCount(loaded.problems.length)} lines with problems`
              : ''}
          </p>
          {loaded.problems.length > 0 && (
            <ul className="form-errors" role="alert" aria-label="Lines that cannot be read">
              {loaded.problems.slice(0, 50).map((p) => (
                <li key={p.line}>
                  Line {p.line}: {p.message}
                </li>
              ))}
              {loaded.problems.length > 50 && <li>… and {loaded.problems.length - 50} more</li>}
            </ul>
          )}
          {counts.unknown > 0 && (
            <label className="inline">
              <input
                type="checkbox"
                checked={withUnknown}
                onChange={(e) => setWithUnknown(e.target.checked)}
                disabled={running}
              />{' '}
              Also record the {formatCount(counts.unknown)} rows of products this warehouse has never stocked
            </label>
          )}
          <div className="stocktake-tools">
            <button
              type="button"
              className="primary"
              onClick={() => void record()}
              disabled={running || toRecord.length === 0 || results.size > 0}
            >
              Record {formatCount(toRecord.length)} counts
            </button>
            {results.size > 0 && (
              <>
                <progress value={results.size} max={toRecord.length} aria-label="Recorded so far" />
                <span data-testid="stocktake-progress" role="status">
                  {formatCount(results.size)} of {formatCount(toRecord.length)} ·{' '}
                  {formatCount(tally('recorded'))} recorded · {formatCount(tally('already'))} already imported
                  · {formatCount(tally('changed'))} changed since the preview · {formatCount(tally('failed'))}{' '}
                  failed
                </span>
              </>
            )}
          </div>
          <div className="table-scroll stocktake-rows">
            <table className="data" aria-label="Stocktake rows">
              <thead>
                <tr>
                  <th className="num">Line</th>
                  <th>Product</th>
                  <th>Location</th>
                  <th className="num">Records say</th>
                  <th className="num">Counted</th>
                  <th>Preview</th>
                  <th>Result</th>
                </tr>
              </thead>
              <tbody>
                {loaded.rows.map((row) => {
                  const result = results.get(row.line);
                  return (
                    <tr
                      key={row.line}
                      data-line={row.line}
                      data-status={row.status}
                      data-result={result?.kind ?? ''}
                    >
                      <td className="num">{row.line}</td>
                      <td>{row.product}</td>
                      <td>{row.location}</td>
                      <td className="num">{formatCount(row.recorded)}</td>
                      <td className="num">{formatCount(row.counted)}</td>
                      <td>{STATUS_TEXT(row)}</td>
                      <td data-testid="stocktake-result">{result ? RESULT_TEXT(result) : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

function resultOf(outcome: PublishOutcome): RowResult {
  if (outcome.ok)
    return outcome.duplicate ? { kind: 'already', seq: outcome.seq } : { kind: 'recorded', seq: outcome.seq };
  if (outcome.kind === 'conflict') return { kind: 'changed' };
  return { kind: 'failed', message: outcome.message };
}
