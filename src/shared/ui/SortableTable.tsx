import { useMemo, useState, type ReactNode } from 'react';

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
}

export function SortableTable<Row>({
  columns,
  rows,
  rowKey,
  initialSort,
  label,
  empty,
  leading,
}: Props<Row>) {
  const [sort, setSort] = useState(initialSort);
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.key === sort.key);
    if (!column) return rows;
    const direction = sort.descending ? -1 : 1;
    return [...rows].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return order * direction || rowKey(a).localeCompare(rowKey(b));
    });
  }, [columns, rows, sort, rowKey]);

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
