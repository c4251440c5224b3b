import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** As many colours as the hourly chart has lines at most (MAX_CHARTED), so no two lines share one. */
const PALETTE = [
  '#0f766e',
  '#b45309',
  '#6d28d9',
  '#be123c',
  '#1d4ed8',
  '#4d7c0f',
  '#a21caf',
  '#0e7490',
  '#475569',
  '#ca8a04',
];

export function TopMoversChart({
  data,
  windowLabel,
}: {
  data: { product: string; sold: number }[];
  windowLabel: string;
}) {
  if (data.length === 0) return <div className="empty-state">Nothing sold in the {windowLabel}.</div>;
  return (
    <div className="chart-box" data-testid="top-movers-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 24, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis
            type="number"
            allowDecimals={false}
            label={{ value: `units sold, ${windowLabel}`, position: 'insideBottom', offset: -14 }}
          />
          <YAxis type="category" dataKey="product" width={120} interval={0} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(value) => [`${String(value)} units`, 'Sold']} />
          <Bar dataKey="sold" name="Units sold" fill={PALETTE[0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

// In the browser's language, like every number and time on the pages (src/common/ui/format.ts).
const hourFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: '2-digit' });

export interface HourlyPoint {
  hourStartMs: number;
  [product: string]: number;
}

/** One tick per local midnight inside the series, so each day is labelled once. */
function midnightTicks(data: HourlyPoint[]): number[] {
  const ticks: number[] = [];
  for (const point of data) {
    if (new Date(point.hourStartMs).getHours() === 0) ticks.push(point.hourStartMs);
  }
  return ticks;
}

export function HourlySalesChart({ data, products }: { data: HourlyPoint[]; products: string[] }) {
  if (products.length === 0)
    return <div className="empty-state">Select products in the table to chart them.</div>;
  return (
    <div className="chart-box" data-testid="hourly-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 4, right: 24, bottom: 24, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="hourStartMs"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            ticks={midnightTicks(data)}
            tickFormatter={(ms: number) => dayFormat.format(ms)}
            label={{ value: 'hour (local time), last 7 days', position: 'insideBottom', offset: -14 }}
          />
          <YAxis
            allowDecimals={false}
            label={{ value: 'units sold / hour', angle: -90, position: 'insideLeft', offset: 10 }}
          />
          <Tooltip labelFormatter={(ms) => hourFormat.format(Number(ms))} />
          <Legend verticalAlign="top" wrapperStyle={{ paddingBottom: 8 }} />
          {products.map((product, index) => (
            <Line
              key={product}
              type="monotone"
              dataKey={product}
              name={product}
              stroke={PALETTE[index % PALETTE.length]}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
