import { useMemo } from 'react';
import { useQueries } from '@tanstack/react-query';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, num, type ForecastPoint } from '../api/client';
import { useAllItems, useAsOf, useSites } from '../lib/hooks';
import { accuracy, type Accuracy } from '../lib/metrics';
import { fmtAxisDate, fmtDate, fmtNumber, fmtPercent } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { CsvRowsButton } from '../components/Csv';
import { SearchMulti, SearchSelect } from '../components/SearchPicker';
import { useUrlFilters } from '../lib/queue';
import { Empty, ErrorBox, Loading } from '../components/States';

const COLOURS = ['#1d4ed8', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

/** Accuracy the API reports (metadata.mape/wape/bias or metadata.accuracy), else computed on overlapping dates. */
export function seriesAccuracy(meta: Record<string, unknown> | undefined, actual: Map<string, number>, fc: ForecastPoint[]): Accuracy & { source: 'api' | 'computed' } {
  const m = (meta?.accuracy as Record<string, unknown> | undefined) ?? meta;
  if (m && (m.mape !== undefined || m.wape !== undefined)) {
    return { mape: num(m.mape), wape: num(m.wape), bias: num(m.bias), n: Number(m.n_points ?? 0), source: 'api' };
  }
  const f = new Map<string, number>();
  for (const p of fc) f.set(p.full_date.slice(0, 10), (f.get(p.full_date.slice(0, 10)) ?? 0) + (num(p.yhat) ?? 0));
  return { ...accuracy(actual, f), source: 'computed' };
}

export default function Forecasts() {
  const { t, locale } = useI18n();
  const items = useAllItems();
  const sites = useSites();
  const asOf = useAsOf();
  // The choices live in the URL, so a reload or Back keeps them.
  const url = useUrlFilters();
  const ids = (k: string) => url.get(k).split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const by: 'items' | 'sites' = url.get('by') === 'sites' ? 'sites' : 'items';
  const chosenItems = ids('items');
  const chosenSites = ids('sites');
  const baseItem = ids('item')[0] ?? null;
  const horizon = [7, 30, 60, 90].includes(Number(url.get('h'))) ? Number(url.get('h')) : 30;
  const itemsSel = chosenItems.length ? chosenItems : (items.data ?? []).slice(0, 3).map((i) => i.item_id);
  const sitesSel = chosenSites.length ? chosenSites : (sites.data ?? []).map((s) => s.site_id).slice(0, 3);
  const base = baseItem ?? items.data?.[0]?.item_id ?? null;
  const series = by === 'items' ? itemsSel.map((i) => ({ item_id: i, site_id: undefined as number | undefined }))
    : base === null ? [] : sitesSel.map((s) => ({ item_id: base, site_id: s as number | undefined }));
  const fcs = useQueries({ queries: series.map((s) => ({
    queryKey: ['forecasts', { item_id: s.item_id, site_id: s.site_id, horizon }],
    queryFn: () => api.forecasts({ item_id: s.item_id, site_id: s.site_id, horizon }),
  })) });
  const acts = useQueries({ queries: series.map((s) => ({
    queryKey: ['demand', { item_id: s.item_id, site_id: s.site_id, last: 90, granularity: 'day' }],
    queryFn: () => api.demand({ item_id: s.item_id, site_id: s.site_id, granularity: 'day' }),
  })) });
  const label = (s: { item_id: number; site_id?: number }) => by === 'items'
    ? (items.data?.find((i) => i.item_id === s.item_id)?.sku ?? `#${s.item_id}`)
    : (sites.data?.find((x) => x.site_id === s.site_id)?.name ?? `#${s.site_id}`);
  const loading = fcs.some((q) => q.isLoading) || acts.some((q) => q.isLoading) || items.isLoading;
  const err = [...fcs, ...acts].find((q) => q.isError)?.error ?? items.error ?? sites.error;

  const { rows, stats } = useMemo(() => {
    const byDate = new Map<string, Record<string, number | string>>();
    const stats: { name: string; acc: ReturnType<typeof seriesAccuracy>; model: string }[] = [];
    series.forEach((s, i) => {
      const name = label(s);
      const actual = new Map<string, number>();
      for (const a of acts[i]?.data?.data ?? []) {
        const d = a.full_date.slice(0, 10);
        actual.set(d, (actual.get(d) ?? 0) + (num(a.quantity) ?? 0));
        const r = byDate.get(d) ?? { full_date: d };
        r[`${name} (${t('actual')})`] = actual.get(d)!;
        byDate.set(d, r);
      }
      const fc = fcs[i]?.data?.data ?? [];
      for (const f of fc) {
        const d = f.full_date.slice(0, 10);
        const r = byDate.get(d) ?? { full_date: d };
        r[name] = ((r[name] as number) ?? 0) + (num(f.yhat) ?? 0);
        byDate.set(d, r);
      }
      stats.push({ name, acc: seriesAccuracy(fcs[i]?.data?.metadata, actual, fc), model: [...new Set(fc.map((f) => f.model_tag))].join(', ') });
    });
    return { rows: [...byDate.values()].sort((a, b) => String(a.full_date).localeCompare(String(b.full_date))), stats };
  }, [fcs, acts, by]); // eslint-disable-line

  const names = series.map(label);
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">{t('forecasts')}</h1>
      <div className="card flex flex-wrap items-end gap-3">
        <label className="label">{t('compareBy')}
          <select className="input" name="by" value={by} onChange={(e) => url.set({ by: e.target.value === 'sites' ? 'sites' : '' })}>
            <option value="items">{t('items')}</option><option value="sites">{t('sites')}</option>
          </select>
        </label>
        <label className="label">{t('horizon')}
          <select className="input" name="h" value={horizon} onChange={(e) => url.set({ h: e.target.value === '30' ? '' : e.target.value })}>
            {[7, 30, 60, 90].map((h) => <option key={h} value={h}>{h} {t('days')}</option>)}
          </select>
        </label>
        {by === 'sites' && (
          <SearchSelect label={t('item')} name="item" value={base === null ? '' : String(base)} onChange={(v) => url.set({ item: v })}
            options={(items.data ?? []).map((i) => ({ value: String(i.item_id), label: `${i.sku} — ${i.name}` }))} />
        )}
        {by === 'items'
          ? <SearchMulti label={t('items')} name="items" values={itemsSel.map(String)} onChange={(v) => url.set({ items: v.join(',') })}
              options={(items.data ?? []).map((i) => ({ value: String(i.item_id), label: `${i.sku} — ${i.name}` }))} />
          : <SearchMulti label={t('sites')} name="sites" values={sitesSel.map(String)} onChange={(v) => url.set({ sites: v.join(',') })}
              options={(sites.data ?? []).map((x) => ({ value: String(x.site_id), label: x.name }))} />}
        <CsvRowsButton rows={rows} filename="forecast-comparison.csv" />
      </div>
      {err ? <ErrorBox error={err} /> : loading ? <Loading /> : rows.length === 0 ? <Empty /> : (
        <>
          <div className="card" style={{ height: 360 }} data-testid="compare-chart">
            <ResponsiveContainer>
              <LineChart data={rows}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                <XAxis dataKey="full_date" tickFormatter={(d) => fmtAxisDate(d, locale)} minTickGap={24} fontSize={12} />
                <YAxis fontSize={12} width={56} tickFormatter={(v) => fmtNumber(v, locale)} />
                <Tooltip labelFormatter={(d) => fmtDate(String(d), locale)} formatter={(v: unknown) => fmtNumber(Number(v), locale, 1)} />
                <Legend />
                {names.map((n, i) => <Line key={`a-${n}`} dataKey={`${n} (${t('actual')})`} stroke={COLOURS[i % COLOURS.length]} strokeOpacity={0.45} dot={false} isAnimationActive={false} />)}
                {names.map((n, i) => <Line key={`f-${n}`} dataKey={n} stroke={COLOURS[i % COLOURS.length]} strokeWidth={2} strokeDasharray="5 3" dot={false} isAnimationActive={false} />)}
                <ReferenceLine x={asOf} stroke="#dc2626" label={{ value: t('today'), fill: '#dc2626', fontSize: 12, position: 'insideTopRight' }} />
              </LineChart>
            </ResponsiveContainer>
          </div>
          <div className="card overflow-x-auto p-0">
            <table className="w-full" data-testid="accuracy-table">
              <thead><tr><th className="th">{t('series')}</th><th className="th">{t('model')}</th><th className="th text-right">{t('mape')}</th><th className="th text-right">{t('wape')}</th><th className="th text-right">{t('bias')}</th><th className="th text-right">{t('points')}</th></tr></thead>
              <tbody>
                {stats.map((s) => (
                  <tr key={s.name}>
                    <td className="td">{s.name}</td><td className="td">{s.model || '—'}</td>
                    <td className="td text-right">{fmtPercent(s.acc.mape, locale)}</td>
                    <td className="td text-right">{fmtPercent(s.acc.wape, locale)}</td>
                    <td className="td text-right">{fmtPercent(s.acc.bias, locale)}</td>
                    <td className="td text-right">{s.acc.n || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
