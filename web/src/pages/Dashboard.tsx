import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { api, type Envelope, type ForecastLike } from '../api/client';
import { useAllItems, useAsOf, useItemMap, useKpis, useSiteMap } from '../lib/hooks';
import { kpiTrend, latestAndPrevious } from '../lib/metrics';
import { fmtDate, fmtMoney, fmtNumber, fmtPercent, fmtStake } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { KpiCard } from '../components/KpiCard';
import { RunsOutNext } from '../components/RunsOutNext';
import { ForecastChart, mergeSeries } from '../components/ForecastChart';
import { CsvRowsButton } from '../components/Csv';
import { SearchSelect } from '../components/SearchPicker';
import { Empty, ErrorBox, Loading, QueryState } from '../components/States';

export default function Dashboard() {
  const { t, locale } = useI18n();
  const kpis = useKpis();
  const asOf = useAsOf();
  const items = useAllItems();
  const itemMap = useItemMap();
  const siteMap = useSiteMap();
  // The five with the most money at risk (priority_score), not the oldest five.
  const alerts = useQuery({
    queryKey: ['alerts', { level: 'CRITICAL', sort: '-priority', top: 5 }],
    queryFn: () => api.alerts({ level: 'CRITICAL', resolved: false, sort: '-priority', limit: 5 }),
  });
  const recs = useQuery({
    queryKey: ['recommendations', { acknowledged: false, sort: '-priority', top: 5 }],
    queryFn: () => api.recommendations({ acknowledged: false, sort: '-priority', limit: 5 }),
  });

  // The portfolio (every item summed) by default; one item when picked.
  const [picked, setPicked] = useState<number | null>(null);
  const itemId = picked ?? undefined;
  // No dates: the API answers the last 90 days of data and says which in its metadata.
  const demand = useQuery({
    queryKey: ['demand', { item_id: itemId, site_id: undefined, last: 90, granularity: 'day' }],
    queryFn: () => api.demand({ item_id: itemId, granularity: 'day' }),
  });
  const today = (demand.data?.metadata.end_date as string | undefined) ?? asOf;
  const fc = useQuery({
    queryKey: itemId === undefined ? ['forecast-total', { horizon: 30 }] : ['forecasts', { item_id: itemId, horizon: 30 }],
    queryFn: (): Promise<Envelope<ForecastLike[]>> =>
      (itemId === undefined ? api.forecastTotal({ horizon: 30 }) : api.forecasts({ item_id: itemId, horizon: 30 })),
  });
  const rows = useMemo(() => mergeSeries(demand.data?.data ?? [], fc.data?.data ?? [], false), [demand.data, fc.data]);

  const k = kpis.data?.data ?? [];
  const cards = [
    { id: 'stockout_rate', label: t('stockoutRate'), fmt: (v: number | null) => fmtPercent(v, locale, 1), to: '/inventory?stockout=true' },
    { id: 'forecast_wape', label: t('forecastWape'), fmt: (v: number | null) => fmtPercent(v, locale, 1), to: '/forecasts' },
    { id: 'delayed_orders_pct', label: t('delayedOrders'), fmt: (v: number | null) => fmtPercent(v, locale, 1), to: '/alerts' },
    { id: 'avg_inventory_value', label: t('avgInventoryValue'), fmt: (v: number | null) => fmtMoney(v, locale, true), to: '/inventory' },
  ] as const;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-bold">{t('dashboard')}</h1>
        {k.length > 0 && <p className="text-sm text-slate-500" data-testid="as-of">{t('lastUpdate', { d: fmtDate(asOf, locale) })}</p>}
      </div>
      {kpis.isLoading ? <Loading /> : kpis.isError ? <ErrorBox error={kpis.error} onRetry={() => kpis.refetch()} /> : k.length === 0 ? <Empty /> : (
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="kpi-cards">
          {cards.map((c) => {
            const ch = latestAndPrevious(k, c.id);
            // Say which error it is and over what: MAPE alone read as a failure on intermittent demand.
            const note = c.id === 'forecast_wape'
              ? t('wapeNote', { m: fmtPercent(latestAndPrevious(k, 'forecast_mape').current, locale, 1) })
              : undefined;
            const tr = kpiTrend(k, c.id);
            return <KpiCard key={c.id} id={c.id} label={c.label} value={c.fmt(ch.current)} change={ch} note={note}
              rate={c.id !== 'avg_inventory_value'} trend={tr.values} through={tr.through ?? undefined} to={c.to} />;
          })}
        </div>
      )}

      <RunsOutNext />

      <section className="card" aria-labelledby="demand-title">
        <div className="mb-2 flex flex-wrap items-end justify-between gap-2">
          <h2 id="demand-title" className="font-semibold">{t('demand90')}</h2>
          <div className="flex flex-wrap items-end gap-2">
            <SearchSelect label={t('item')} name="dashboard-item" testId="dashboard-item" value={itemId === undefined ? '' : String(itemId)}
              onChange={(v) => setPicked(v ? Number(v) : null)} allLabel={t('allItemsTotal')}
              options={(items.data ?? []).map((i) => ({ value: String(i.item_id), label: `${i.sku} — ${i.name}` }))} />
            <CsvRowsButton filename={`demand-vs-forecast-${itemId ?? 'all'}.csv`} columns={['full_date', 'actual', 'yhat', 'yhat_lower', 'yhat_upper']}
              rows={rows.map((r) => ({ full_date: r.full_date, actual: r.actual, yhat: r.yhat, yhat_lower: r.band80?.[0], yhat_upper: r.band80?.[1] }))} />
          </div>
        </div>
        {items.isError ? <ErrorBox error={items.error} /> : demand.isError ? <ErrorBox error={demand.error} onRetry={() => demand.refetch()} />
          : fc.isError ? <ErrorBox error={fc.error} onRetry={() => fc.refetch()} />
          : demand.isLoading || fc.isLoading ? <Loading /> : rows.length === 0 ? <Empty /> : (
            <div data-testid="dashboard-chart" data-ready="true"><ForecastChart rows={rows} today={today} with95={false} /></div>
          )}
        {itemId === undefined && <p className="mt-1 text-xs text-slate-500">{t('bandIsSum')}</p>}
      </section>

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <section className="card" aria-labelledby="alerts-title">
          <h2 id="alerts-title" className="mb-2 font-semibold">{t('topAlerts')}</h2>
          <QueryState q={alerts} empty={(d) => d.data.length === 0}>
            {(d) => (
              <ul className="divide-y divide-slate-100" data-testid="top-alerts">
                {d.data.map((a) => (
                  <li key={a.alert_id} className="py-2 text-sm">
                    <span className="mr-2 rounded bg-red-100 px-1.5 text-xs font-semibold text-red-800">{a.category}</span>
                    {a.item_id ? <Link className="text-blue-800 underline" to={`/materials/${a.item_id}${a.site_id ? `?site=${a.site_id}` : ''}`}>
                      {itemMap.get(a.item_id)?.sku ?? a.sku ?? `#${a.item_id}`}</Link> : null}
                    {a.site_id ? <span className="text-slate-500"> · {siteMap.get(a.site_id)?.name ?? a.site_name ?? `#${a.site_id}`}</span> : null}
                    <span className="float-right font-semibold tabular-nums" data-testid="stake" title={t('stakeHint')}>{t('atStakeN', { v: fmtStake(a.priority_score, locale) })}</span>
                    <p className="text-slate-700">{a.message}</p>
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </section>
        <section className="card" aria-labelledby="recs-title">
          <h2 id="recs-title" className="mb-2 font-semibold">{t('criticalRecs')}</h2>
          <QueryState q={recs} empty={(d) => d.data.length === 0}>
            {(d) => (
              <ul className="divide-y divide-slate-100" data-testid="critical-recs">
                {d.data.map((r) => (
                  <li key={r.recommendation_id} className="py-2 text-sm">
                    <span className="mr-2 rounded bg-amber-100 px-1.5 text-xs font-semibold text-amber-900">{r.type}</span>
                    {r.item_id ? <Link className="text-blue-800 underline" to={`/materials/${r.item_id}${r.site_id ? `?site=${r.site_id}` : ''}`}>
                      {itemMap.get(r.item_id)?.sku ?? r.sku ?? `#${r.item_id}`}</Link> : null}
                    {r.quantity_recommended !== null && <span className="text-slate-500"> · {fmtNumber(Number(r.quantity_recommended), locale)}</span>}
                    <span className="float-right font-semibold tabular-nums" data-testid="stake" title={t('stakeHint')}>{t('atStakeN', { v: fmtStake(r.priority_score, locale) })}</span>
                    <p className="text-slate-700">{r.message}</p>
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </section>
      </div>
    </div>
  );
}
