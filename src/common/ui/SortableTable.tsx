import { useMemo, useState, type ReactNode } from 'react';
import { sortRows, type SortOrder } from './table-model';

export interface Column<Row> {
  key: string;
  title: string;
  numeric?: boolean;
  value: (row: Row) => number | string;
  render?: (row: Row) => ReactNode;
}

interface Props<Row> {
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  initialSort: { key: string; descending: boolean };
  label: string;
  empty: string;
  leading?: (row: Row) => ReactNode;
  /**
   * Given both, the caller owns the order: `rows` arrive sorted (and usually filtered and paged, which only
   * the caller can do once it has sorted) and a click on a heading asks `onSort` for another order.
   */
  sort?: SortOrder;
  onSort?: (sort: SortOrder) => void;
}

export function SortableTable<Row>({
  columns,
  rows,
  rowKey,
  initialSort,
  label,
  empty,
  leading,
  sort: controlledSort,
  onSort,
}: Props<Row>) {
  const [ownSort, setOwnSort] = useState(initialSort);
  const controlled = controlledSort !== undefined && onSort !== undefined;
  const sort = controlled ? controlledSort : ownSort;
  const setSort = controlled ? onSort : setOwnSort;
  const sorted = useMemo(() => {
    if (controlled) return rows;
    const column = columns.find((c) => c.key === sort.key);
    return column ? sortRows(rows, column.value, sort.descending, rowKey) : rows;
  }, [controlled, columns, rows, sort, rowKey]);

  return (
    <table className="data" aria-label={label}>
      <thead>
        <tr>
          {leading && <th aria-label="Select" />}
          {columns.map((column) => {
            const active = column.key === sort.key;
            return (
              <th
                key={column.key}
                className={column.numeric ? 'num' : undefined}
                aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  className="sort"
                  onClick={() =>
                    setSort({
                      key: column.key,
                      descending: active ? !sort.descending : column.numeric === true,
                    })
                  }
                >
                  {column.title}
                  {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
                </button>
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 && (
          <tr>
            <td colSpan={columns.length + (leading ? 1 : 0)} className="empty-state">
              {empty}
            </td>
          </tr>
        )}
        {sorted.map((row) => (
          <tr key={rowKey(row)} data-row={rowKey(row)}>
            {leading && <td>{leading(row)}</td>}
            {columns.map((column) => (
              <td key={column.key} className={column.numeric ? 'num' : undefined} data-col={column.key}>
                {column.render ? column.render(row) : column.value(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
