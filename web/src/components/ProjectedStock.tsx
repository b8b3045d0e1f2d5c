import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Projection } from '../api/client';
import { fmtAxisDate, fmtAxisNumber, fmtDate, fmtNumber } from '../lib/format';
import { useI18n } from '../lib/i18n';

export interface ProjectionRow {
  full_date: string;
  projected: number;
  band80: [number, number];
  forecast: number;
  receipts: number;
}

/** The chart's rows: one per projected day, the band as [lower, upper]. */
export function projectionRows(p: Projection): ProjectionRow[] {
  return p.days.map((d) => ({
    full_date: d.full_date, projected: d.projected, band80: [d.lower, d.upper], forecast: d.forecast, receipts: d.receipts,
  }));
}

/**
 * Projected stock across the forecast horizon: on hand + open orders on their expected dates - the
 * forecast, computed by the API (GET /items/{id}/projection). Drawn with its 80% band, the reorder
 * point, the safety stock and the run-out date.
 */
export function ProjectedStock({ p, height = 320 }: { p: Projection; height?: number }) {
  const { t, locale } = useI18n();
  const rows = projectionRows(p);
  const n = (v: number | null | undefined, d = 0) => fmtNumber(v, locale, d);
  return (
    <div className="space-y-2" data-testid="projected-stock">
      <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-3 lg:grid-cols-6">
        <Fact label={t('onHand')} id="proj-on-hand" value={n(p.on_hand, 1)} />
        <Fact label={t('onOrder')} id="proj-on-order" value={n(p.on_order, 1)} />
        <Fact label={t('runOutDate')} id="run-out-date" value={p.run_out_date ? fmtDate(p.run_out_date, locale) : t('noRunOut', { n: p.horizon_days })}
          tone={p.run_out_date ? 'text-red-700' : 'text-green-800'} />
        <Fact label={t('reorderPoint')} id="proj-rop" value={n(p.reorder_point, 1)} />
        <Fact label={t('safetyStock')} id="proj-ss" value={n(p.safety_stock, 1)} />
        <Fact label={t('leadTimeDays')} id="proj-lead" value={n(p.lead_time_days, 1)} />
      </dl>
      <div style={{ width: '100%', height }} data-testid="projection-chart">
        <ResponsiveContainer>
          <ComposedChart data={rows} margin={{ top: 10, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="full_date" tickFormatter={(d) => fmtAxisDate(d, locale)} minTickGap={24} fontSize={12} />
            <YAxis fontSize={12} width={72} tickFormatter={(v) => fmtAxisNumber(v, locale)}
              label={{ value: t('unitsAxis'), angle: -90, position: 'insideLeft', fontSize: 12, fill: '#475569', style: { textAnchor: 'middle' } }} />
            <Tooltip labelFormatter={(d) => fmtDate(String(d), locale)}
              formatter={(v: unknown) => Array.isArray(v) ? `${n(v[0], 1)} – ${n(v[1], 1)}` : n(Number(v), 1)} />
            <Legend />
            <Area type="monotone" dataKey="band80" name={t('band80')} stroke="none" fill="#60a5fa" fillOpacity={0.35} isAnimationActive={false} className="proj-band" />
            <Line type="stepAfter" dataKey="projected" name={t('projectedStock')} stroke="#0f172a" strokeWidth={2} dot={false} isAnimationActive={false} className="proj-line" />
            <ReferenceLine y={0} ifOverflow="extendDomain" stroke="#94a3b8" />
            {p.reorder_point !== null && <ReferenceLine y={p.reorder_point} ifOverflow="extendDomain" stroke="#15803d" strokeDasharray="2 2" className="proj-rop"
              label={{ value: t('reorderPoint'), position: 'insideTopLeft', fill: '#15803d', fontSize: 11 }} />}
            {p.safety_stock !== null && <ReferenceLine y={p.safety_stock} ifOverflow="extendDomain" stroke="#b45309" strokeDasharray="6 3" className="proj-ss"
              label={{ value: t('safetyStock'), position: 'insideBottomLeft', fill: '#b45309', fontSize: 11 }} />}
            {p.run_out_date && <ReferenceLine x={p.run_out_date} stroke="#dc2626" className="proj-run-out"
              label={{ value: t('runOut'), position: 'insideTopRight', fill: '#dc2626', fontSize: 12 }} />}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <p className="text-xs text-slate-500">{t('projectionBandNote')}</p>
      <details>
        <summary className="cursor-pointer text-sm text-blue-800">{t('projectionTable')}</summary>
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="projection-table">
            <thead><tr>
              <th className="th">{t('date')}</th><th className="th text-right">{t('forecast')}</th><th className="th text-right">{t('receipts')}</th>
              <th className="th text-right">{t('projectedStock')}</th><th className="th text-right">{t('band80')}</th>
            </tr></thead>
            <tbody>
              {p.days.map((d) => (
                <tr key={d.full_date} data-date={d.full_date}>
                  <td className="td">{fmtDate(d.full_date, locale)}</td>
                  <td className="td text-right tabular-nums">{n(d.forecast, 1)}</td>
                  <td className="td text-right tabular-nums">{d.receipts ? n(d.receipts, 1) : ''}</td>
                  <td className="td text-right tabular-nums" data-projected={d.projected}>{n(d.projected, 1)}</td>
                  <td className="td text-right tabular-nums">{n(d.lower, 1)} – {n(d.upper, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

function Fact({ label, value, id, tone = '' }: { label: string; value: string; id: string; tone?: string }) {
  return (
    <div className="rounded border border-slate-200 px-2 py-1">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`font-semibold tabular-nums ${tone}`} data-testid={id}>{value}</dd>
    </div>
  );
}
