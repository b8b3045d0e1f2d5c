import type { ReactElement } from 'react';
import { Area, CartesianGrid, ComposedChart, Customized, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { num, type DemandPoint, type ForecastLike } from '../api/client';
import { fmtAxisDate, fmtAxisNumber, fmtDate, fmtNumber } from '../lib/format';
import { useI18n } from '../lib/i18n';

export interface ChartRow {
  full_date: string;
  actual?: number | null;
  yhat?: number | null;
  band80?: [number, number] | null;
  band95?: [number, number] | null;
  /** The forecast where the caller's own draft override sets it (GET /overrides/preview). */
  draft?: number | null;
}

/**
 * Sums forecasts over sites per date (the API returns one row per site when no site is chosen).
 * One series keeps its own bounds. Several: the band of a sum is not the sum of the bands (errors
 * partly cancel), so each series' half width is taken as z standard deviations, the series are
 * treated as independent and their variances added: total yhat +- sqrt(sum of half widths squared),
 * floored at zero demand.
 */
export function mergeSeries(
  actual: DemandPoint[],
  forecast: ForecastLike[],
  with95: boolean,
  preview: ForecastLike[] = [],
): ChartRow[] {
  const rows = new Map<string, ChartRow>();
  const spread = new Map<string, { n: number; v80: number; v95: number }>();
  const row = (d: string) => {
    let r = rows.get(d);
    if (!r) rows.set(d, (r = { full_date: d }));
    return r;
  };
  const half2 = (lo: number, hi: number) => ((hi - lo) / 2) ** 2;
  for (const a of actual) {
    const r = row(a.full_date.slice(0, 10));
    r.actual = (r.actual ?? 0) + (num(a.quantity) ?? 0);
  }
  for (const f of forecast) {
    const d = f.full_date.slice(0, 10);
    const r = row(d);
    const y = num(f.yhat) ?? 0;
    r.yhat = (r.yhat ?? 0) + y;
    const sp = spread.get(d) ?? { n: 0, v80: 0, v95: 0 };
    spread.set(d, sp);
    sp.n++;
    const lo = num(f.yhat_lower), hi = num(f.yhat_upper);
    if (lo !== null && hi !== null) {
      r.band80 = [lo, hi];
      sp.v80 += half2(lo, hi);
    }
    if (with95) {
      const lo95 = num(f.yhat_lower_95), hi95 = num(f.yhat_upper_95);
      if (lo95 !== null && hi95 !== null) {
        r.band95 = [lo95, hi95];
        sp.v95 += half2(lo95, hi95);
      }
    }
  }
  // The caller's drafts, from the preview (the same forecast with their drafts applied).
  for (const f of preview) {
    if (f.override_state !== 'DRAFT') continue;
    const r = row(f.full_date.slice(0, 10));
    r.draft = (r.draft ?? 0) + (num(f.yhat) ?? 0);
  }
  for (const [d, sp] of spread) {
    const r = rows.get(d)!;
    if (sp.n < 2 || r.yhat == null) continue;
    const band = (v: number): [number, number] => [Math.max(0, r.yhat! - Math.sqrt(v)), r.yhat! + Math.sqrt(v)];
    if (r.band80) r.band80 = band(sp.v80);
    if (r.band95) r.band95 = band(sp.v95);
  }
  return [...rows.values()].sort((a, b) => a.full_date.localeCompare(b.full_date));
}

/** `onPick` (a date clicked) and `overlay` (drawn with the axes' scales) make the chart an editor. */
export function ForecastChart({ rows, today, with95, height = 300, onPick, overlay }: {
  rows: ChartRow[]; today: string; with95: boolean; height?: number; onPick?: (date: string) => void; overlay?: ReactElement;
}) {
  const { t, locale } = useI18n();
  const hasDraft = rows.some((r) => r.draft != null);
  return (
    <div data-testid="forecast-chart" style={{ width: '100%', height }}>
      <ResponsiveContainer>
        <ComposedChart data={rows} margin={{ top: 10, right: 16, bottom: 0, left: 0 }}
          onClick={onPick && ((s) => s?.activeLabel && onPick(String(s.activeLabel)))} style={onPick && { cursor: 'crosshair' }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="full_date" tickFormatter={(d) => fmtAxisDate(d, locale)} minTickGap={24} fontSize={12} />
          <YAxis fontSize={12} tickFormatter={(v) => fmtAxisNumber(v, locale)} width={72}
            label={{ value: t('ovUnitsPerDay'), angle: -90, position: 'insideLeft', fontSize: 12, fill: '#475569', style: { textAnchor: 'middle' } }} />
          <Tooltip labelFormatter={(d) => fmtDate(String(d), locale)}
            formatter={(v: unknown) => Array.isArray(v) ? `${fmtNumber(v[0], locale, 1)} – ${fmtNumber(v[1], locale, 1)}` : fmtNumber(Number(v), locale, 1)} />
          <Legend />
          {with95 && <Area type="monotone" dataKey="band95" name={t('band95')} stroke="none" fill="#bfdbfe" fillOpacity={0.5} isAnimationActive={false} className="band-95" />}
          <Area type="monotone" dataKey="band80" name={t('band80')} stroke="none" fill="#60a5fa" fillOpacity={0.45} isAnimationActive={false} className="band-80" />
          <Line type="monotone" dataKey="actual" name={t('actual')} stroke="#0f172a" dot={false} strokeWidth={1.5} isAnimationActive={false} connectNulls={false} />
          <Line type="monotone" dataKey="yhat" name={t('forecast')} stroke="#1d4ed8" strokeDasharray="5 3" dot={false} strokeWidth={2} isAnimationActive={false} />
          {hasDraft && <Line type="monotone" dataKey="draft" name={t('ovDraftLine')} stroke="#ea580c" strokeWidth={2.5} dot={{ r: 2 }} isAnimationActive={false} connectNulls={false} className="draft-line" />}
          <ReferenceLine x={today} stroke="#dc2626" label={{ value: t('today'), position: 'insideTopRight', fill: '#dc2626', fontSize: 12 }} />
          {overlay && <Customized component={overlay} />}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
