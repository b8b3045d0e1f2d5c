import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, num, type InventoryPolicy, type PolicyRun } from '../api/client';
import { useAsOfReady, useSites } from '../lib/hooks';
import { addDays, fmtAxisDate, fmtDate, fmtDateTime, fmtNumber } from '../lib/format';
import { useI18n, type MsgKey } from '../lib/i18n';
import { ForecastChart, mergeSeries } from '../components/ForecastChart';
import { CsvRowsButton } from '../components/Csv';
import { Empty, ErrorBox, Loading, QueryState } from '../components/States';
import { ProjectedStock } from '../components/ProjectedStock';
import { SiteBalanceTable } from '../components/SiteBalanceTable';
import { ItemOutlookSide } from '../components/ItemOutlookSide';
import { weekMean, weekOf, type WeekEdit } from '../lib/weeks';

// The chart's override editor loads when an analyst first uses it (the page's JS stays in budget).
const editor = () => import('../components/ChartOverrideEditor');
const WeekEditForm = lazy(() => editor().then((m) => ({ default: m.WeekEditForm })));
const LazyHandle = lazy(() => editor().then((m) => ({ default: m.WeekHandle })));
/** recharts' <Customized> passes the axes to its element: on through Suspense to the handle. */
function WeekHandle(p: Parameters<typeof LazyHandle>[0]) {
  return <Suspense fallback={null}><LazyHandle {...p} /></Suspense>;
}
import { sumInventory } from '../lib/aggregate';
import { useAuth } from '../lib/auth';

type Tab = 'outlook' | 'demand' | 'inventory' | 'forecasts' | 'features';
const TABS: { id: Tab; key: MsgKey }[] = [
  { id: 'outlook', key: 'outlookTab' }, { id: 'demand', key: 'demandTab' }, { id: 'inventory', key: 'inventoryTab' },
  { id: 'forecasts', key: 'forecastsTab' }, { id: 'features', key: 'featuresTab' },
];

export default function MaterialDetail() {
  const { id } = useParams();
  const itemId = Number(id);
  const { t } = useI18n();
  const [sp, setSp] = useSearchParams();
  const siteParam = sp.get('site');
  const siteId = siteParam ? Number(siteParam) : undefined;
  const tab = (sp.get('tab') as Tab) || 'outlook';
  const sites = useSites();
  const item = useQuery({ queryKey: ['item', itemId], queryFn: () => api.item(itemId), enabled: Number.isFinite(itemId) });
  const setParam = (k: string, v: string | undefined) => {
    const n = new URLSearchParams(sp);
    if (v) n.set(k, v); else n.delete(k);
    setSp(n, { replace: true });
  };

  return (
    <div className="space-y-3">
      <QueryState q={item}>
        {(i) => (
          <header className="card flex flex-wrap items-end justify-between gap-3" data-testid="item-header">
            <div>
              <p className="font-mono text-sm text-slate-500">{i.sku}</p>
              <h1 className="text-2xl font-bold">{i.name}</h1>
              <p className="text-sm text-slate-600">
                {t('family')}: {i.family ?? '—'} · {t('abcClass')}: <strong>{i.abc_class ?? '—'}</strong> · {t('criticality')}: {i.criticality ?? '—'}
                {i.category ? ` · ${t('category')}: ${i.category}` : ''}
              </p>
            </div>
            <label className="label">{t('site')}
              <select className="input" name="site" value={siteParam ?? ''} onChange={(e) => setParam('site', e.target.value || undefined)}>
                <option value="">{t('allSites')}</option>
                {(sites.data ?? []).map((s) => <option key={s.site_id} value={s.site_id}>{s.name}</option>)}
              </select>
            </label>
          </header>
        )}
      </QueryState>
      <div role="tablist" aria-label="Item views" className="flex flex-wrap gap-1 border-b border-slate-200">
        {TABS.map((x) => (
          <button key={x.id} role="tab" id={`tab-${x.id}`} aria-selected={tab === x.id} aria-controls={`panel-${x.id}`}
            className={`rounded-t px-3 py-2 text-sm ${tab === x.id ? 'border-b-2 border-blue-700 font-semibold text-blue-900' : 'text-slate-600 hover:bg-slate-100'}`}
            onClick={() => setParam('tab', x.id)}>{t(x.key)}</button>
        ))}
      </div>
      <section role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="card">
        {tab === 'outlook' && <OutlookTab itemId={itemId} siteId={siteId} onPickSite={(s) => setParam('site', String(s))} />}
        {tab === 'demand' && <DemandTab itemId={itemId} siteId={siteId} />}
        {tab === 'inventory' && <InventoryTab itemId={itemId} siteId={siteId} />}
        {tab === 'forecasts' && <ForecastsTab itemId={itemId} siteId={siteId} />}
        {tab === 'features' && <FeaturesTab itemId={itemId} siteId={siteId} onPickSite={(s) => setParam('site', String(s))} />}
      </section>
    </div>
  );
}

function OutlookTab({ itemId, siteId, onPickSite }: { itemId: number; siteId?: number; onPickSite: (siteId: number) => void }) {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ['projection', itemId, siteId ?? null], queryFn: () => api.projection(itemId, siteId) });
  return (
    <QueryState q={q}>
      {(p) => p.run_id === null ? <Empty>{t('noProjection')}</Empty> : (
        <div className="grid gap-4 lg:grid-cols-3">
          <div className="min-w-0 space-y-3 lg:col-span-2">
            {siteId === undefined && <p className="text-xs text-slate-600" data-testid="all-sites-note">{t('allSitesSummed', { n: p.sites.length })}</p>}
            {p.days.length === 0 ? <Empty>{t('noForecast')}</Empty> : <ProjectedStock p={p} />}
            <h3 className="font-semibold">{t('perSite')}</h3>
            <SiteBalanceTable sites={p.sites} selected={siteId} onPick={onPickSite} />
          </div>
          <ItemOutlookSide p={p} />
        </div>
      )}
    </QueryState>
  );
}

function Segmented<T extends string | number>({ label, value, options, onChange }: { label: string; value: T; options: { v: T; label: string }[]; onChange: (v: T) => void }) {
  return (
    <div role="radiogroup" aria-label={label} className="inline-flex overflow-hidden rounded-md border border-slate-300">
      {options.map((o) => (
        <button key={String(o.v)} role="radio" aria-checked={value === o.v} onClick={() => onChange(o.v)}
          className={`px-3 py-1 text-sm ${value === o.v ? 'bg-blue-700 text-white' : 'bg-white hover:bg-slate-100'}`}>{o.label}</button>
      ))}
    </div>
  );
}

function DemandTab({ itemId, siteId }: { itemId: number; siteId?: number }) {
  const { t, locale } = useI18n();
  const asOf = useAsOfReady();
  const [gran, setGran] = useState<'day' | 'week' | 'month'>('day');
  // Daily: no dates, the API's last 90 days. Weekly and monthly: a year or two back from the data's date.
  const start = asOf && gran !== 'day' ? addDays(asOf, gran === 'week' ? -364 : -729) : undefined;
  const end = gran !== 'day' ? asOf ?? undefined : undefined;
  const q = useQuery({
    queryKey: ['demand', gran === 'day' ? { item_id: itemId, site_id: siteId, last: 90, granularity: gran } : { item_id: itemId, site_id: siteId, start_date: start, end_date: end, granularity: gran }],
    queryFn: () => api.demand({ item_id: itemId, site_id: siteId, start_date: start, end_date: end, granularity: gran }),
    enabled: gran === 'day' || asOf !== null,
  });
  const rows = (q.data?.data ?? []).map((r) => ({ full_date: r.full_date.slice(0, 10), quantity: num(r.quantity) }));
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Segmented label={t('granularity')} value={gran} onChange={setGran}
          options={[{ v: 'day', label: t('day') }, { v: 'week', label: t('week') }, { v: 'month', label: t('month') }]} />
        <CsvRowsButton rows={rows} filename={`demand-${itemId}-${gran}.csv`} columns={['full_date', 'quantity']} />
      </div>
      {q.isLoading || q.isPending ? <Loading /> : q.isError ? <ErrorBox error={q.error} onRetry={() => q.refetch()} /> : rows.length === 0 ? <Empty /> : (
        <div style={{ height: 300 }} data-testid="demand-chart">
          <ResponsiveContainer>
            <ComposedChart data={rows}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
              <XAxis dataKey="full_date" tickFormatter={(d) => fmtAxisDate(d, locale)} minTickGap={24} fontSize={12} />
              <YAxis fontSize={12} width={56} tickFormatter={(v) => fmtNumber(v, locale)} />
              <Tooltip labelFormatter={(d) => fmtDate(String(d), locale)} formatter={(v: unknown) => fmtNumber(Number(v), locale, 1)} />
              <Bar dataKey="quantity" name={t('actual')} fill="#1d4ed8" isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}

function InventoryTab({ itemId, siteId }: { itemId: number; siteId?: number }) {
  const { t, locale } = useI18n();
  const sites = useSites();
  const site = siteId;
  // No dates: the API's last 90 days of inventory. Without a site: every site, summed per day below.
  const q = useQuery({
    queryKey: ['inventory', { item_id: itemId, site_id: site, last: 90 }],
    queryFn: () => api.inventory({ item_id: itemId, site_id: site }),
  });
  // The current policy (latest run) is drawn across the window: history only has it on as-of days.
  const policies = (q.data?.metadata.policy ?? []) as InventoryPolicy[];
  const run = q.data?.metadata.policy_run as PolicyRun | null | undefined;
  const agg = sumInventory(q.data?.data ?? [], policies, site);
  const policy = agg.policy;
  const ss = policy?.safety_stock ?? null, rop = policy?.reorder_point ?? null;
  const rows = agg.days.map((d) => ({ ...d, stockout: d.current_stock !== null && d.current_stock <= 0, safety_stock: ss, reorder_point: rop }));
  const stockouts = rows.filter((r) => r.stockout);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-slate-600">{t('site')}: {site === undefined ? t('allSitesSummed', { n: agg.sites }) : sites.data?.find((s) => s.site_id === site)?.name ?? '—'} · {t('stockoutDays')}: <strong data-testid="stockout-days">{stockouts.length}</strong></p>
        <CsvRowsButton rows={rows} filename={`inventory-${itemId}-${site ?? 'all'}.csv`} />
      </div>
      {q.data && (policy ? (
        <p className="text-xs text-slate-600" data-testid="policy-note">
          {t('policyNote', { run: run?.run_id ?? '—', d: fmtDate(run?.as_of, locale) })}: {t('safetyStock')} <strong>{fmtNumber(ss, locale, 1)}</strong> · {t('reorderPoint')} <strong>{fmtNumber(rop, locale, 1)}</strong>
          {site !== undefined && <>{' · '}{t('daysToRupture')} <strong>{policy.days_to_rupture ?? '—'}</strong></>} · {t('leadTime')} {fmtNumber(policy.lead_time_days, locale, 1)} {t('days')}
        </p>
      ) : <p className="text-xs text-slate-500" data-testid="no-policy">{t('noPolicy')}</p>)}
      {q.isLoading ? <Loading /> : q.isError ? <ErrorBox error={q.error} onRetry={() => q.refetch()} /> : rows.length === 0 ? <Empty /> : (
        <div style={{ height: 320 }} data-testid="inventory-chart">
          <ResponsiveContainer>
            <ComposedChart data={rows}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
              <XAxis dataKey="full_date" tickFormatter={(d) => fmtAxisDate(d, locale)} minTickGap={24} fontSize={12} />
              <YAxis fontSize={12} width={56} tickFormatter={(v) => fmtNumber(v, locale)} />
              <Tooltip labelFormatter={(d) => fmtDate(String(d), locale)} formatter={(v: unknown) => fmtNumber(Number(v), locale, 1)} />
              <Legend />
              <Line dataKey="current_stock" name={t('stock')} stroke="#0f172a" dot={false} isAnimationActive={false} />
              {ss !== null && <Line dataKey="safety_stock" name={t('safetyStock')} stroke="#b45309" strokeDasharray="6 3" dot={false} isAnimationActive={false} className="ss-line" />}
              {rop !== null && <Line dataKey="reorder_point" name={t('reorderPoint')} stroke="#15803d" strokeDasharray="2 2" dot={false} isAnimationActive={false} className="rop-line" />}
              {stockouts.map((s) => <ReferenceDot key={s.full_date} x={s.full_date} y={0} r={4} fill="#dc2626" stroke="none" className="stockout-dot" />)}
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}

/** The overrides page with a draft for this item and site over the week after `asOf`. */
export function overrideLink(itemId: number, siteId: number, asOf: string): string {
  return `/overrides?kind=FORECAST&item=${itemId}&site=${siteId}&from=${addDays(asOf, 1)}&to=${addDays(asOf, 7)}`;
}

function ForecastsTab({ itemId, siteId }: { itemId: number; siteId?: number }) {
  const { t, locale } = useI18n();
  const { can } = useAuth();
  const [horizon, setHorizon] = useState(30);
  const fc = useQuery({
    queryKey: ['forecasts', { item_id: itemId, site_id: siteId, horizon }],
    queryFn: () => api.forecasts({ item_id: itemId, site_id: siteId, horizon }),
  });
  // Recent actuals: the API's last 90 days (the same cached query as the Demand tab's daily view).
  const actual = useQuery({
    queryKey: ['demand', { item_id: itemId, site_id: siteId, last: 90, granularity: 'day' }],
    queryFn: () => api.demand({ item_id: itemId, site_id: siteId, granularity: 'day' }),
  });
  const asOf = (actual.data?.metadata.end_date as string | undefined) ?? '';
  const fcRows = (fc.data?.data ?? []).filter((f) => !f.horizon_days || f.horizon_days <= horizon);
  // A writer at one site also sees their own drafts (the preview), drawn as their own line.
  const canWrite = can('write') && siteId !== undefined;
  const preview = useQuery({
    queryKey: ['forecasts', 'preview', { item_id: itemId, site_id: siteId }],
    queryFn: () => api.overridePreview({ item_id: itemId, site_id: siteId! }),
    enabled: canWrite,
  });
  const rows = useMemo(() => mergeSeries(actual.data?.data ?? [], fcRows,
    true, (preview.data?.data ?? []).filter((f) => !f.horizon_days || f.horizon_days <= horizon)), [actual.data, fc.data, preview.data, horizon]); // eslint-disable-line
  const models = [...new Set(fcRows.map((f) => f.model_tag))];
  // Setting a week on the chart (ANALYST, ADMIN; one site): null until "Set on the chart".
  const [edit, setEdit] = useState<WeekEdit | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const canEdit = canWrite && !!asOf;
  const lastDay = rows[rows.length - 1]?.full_date ?? asOf;
  const pickWeek = (date: string) => {
    if (!canEdit || date <= asOf) return;
    const w = weekOf(date, asOf);
    setEdit({ ...w, value: weekMean(rows, w.from, w.to) });
  };
  const computedAt = (fc.data?.metadata.computed_at as string | undefined) ?? fcRows[0]?.computed_at;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Segmented label={t('horizon')} value={horizon} onChange={setHorizon}
          options={[7, 30, 60, 90].map((h) => ({ v: h, label: `${h} ${t('days')}` }))} />
        <p className="text-sm text-slate-600" data-testid="forecast-model">{t('model')}: <strong>{models.join(', ') || '—'}</strong> · {t('computedAt')}: {fmtDateTime(computedAt, locale)}</p>
        {can('write') && siteId !== undefined && asOf && (
          <Link className="btn" to={overrideLink(itemId, siteId, asOf)} data-testid="override-forecast">{t('overrideThis')}</Link>
        )}
        {canEdit && fcRows.length > 0 && (
          <button type="button" className="btn" aria-pressed={edit !== null} data-testid="edit-on-chart"
            onClick={() => { setSaved(null); if (edit) setEdit(null); else pickWeek(addDays(asOf, 1)); }}>{t('chartEdit')}</button>
        )}
        <CsvRowsButton filename={`forecast-${itemId}-${horizon}d.csv`}
          rows={fcRows.map((f) => ({ full_date: f.full_date, site_id: f.site_id, horizon_days: f.horizon_days, yhat: f.yhat, yhat_lower: f.yhat_lower, yhat_upper: f.yhat_upper, yhat_lower_95: f.yhat_lower_95, yhat_upper_95: f.yhat_upper_95, model_tag: f.model_tag }))} />
      </div>
      {fc.isLoading || actual.isLoading ? <Loading /> : fc.isError ? <ErrorBox error={fc.error} onRetry={() => fc.refetch()} />
        : actual.isError ? <ErrorBox error={actual.error} /> : fcRows.length === 0 ? <Empty>{t('noForecast')}</Empty> : (
          <>
            <ForecastChart rows={rows} today={asOf} with95 height={340} onPick={edit ? pickWeek : undefined}
              overlay={edit ? <WeekHandle edit={edit} label={t('chartEditHandle')} onValue={(value) => setEdit({ ...edit, value })}
                onWeek={(dir) => { const d = addDays(edit.from, 7 * dir); if (d > asOf && d <= lastDay) pickWeek(d); }} /> : undefined} />
            {edit && siteId !== undefined && (
              <Suspense fallback={<Loading />}>
                <WeekEditForm itemId={itemId} siteId={siteId} edit={edit} onValue={(value) => setEdit({ ...edit, value })}
                  onDone={(o) => { setEdit(null); setSaved(o.override_id); }} />
              </Suspense>
            )}
            {saved !== null && (
              <p className="text-sm text-orange-800" aria-live="polite" data-testid="week-edit-saved">
                {t('chartEditSaved', { id: saved })} <Link className="underline" to="/overrides?state=DRAFT">{t('overrides')}</Link>
              </p>
            )}
            {siteId === undefined && <p className="text-xs text-slate-500" data-testid="forecast-all-sites-note">{t('forecastAllSitesNote')}</p>}
          </>
        )}
    </div>
  );
}

function FeaturesTab({ itemId, siteId, onPickSite }: { itemId: number; siteId?: number; onPickSite: (siteId: number) => void }) {
  // Features (lags, rolling means, calendar flags) are per item x site and have no meaningful sum:
  // across all sites they are not offered; the user picks a site.
  const { t } = useI18n();
  const sites = useSites();
  if (siteId === undefined)
    return (
      <div className="space-y-2" data-testid="features-pick-site">
        <p className="text-sm text-slate-600">{t('featuresPerSite')}</p>
        <div className="flex flex-wrap gap-2">
          {(sites.data ?? []).map((s) => <button key={s.site_id} className="btn" onClick={() => onPickSite(s.site_id)}>{s.name}</button>)}
        </div>
      </div>
    );
  return <SiteFeatures itemId={itemId} siteId={siteId} />;
}

function SiteFeatures({ itemId, siteId }: { itemId: number; siteId: number }) {
  const { t, locale } = useI18n();
  const asOf = useAsOfReady();
  const start = asOf ? addDays(asOf, -13) : '';
  const q = useQuery({
    queryKey: ['features', { item_id: itemId, site_id: siteId, start_date: start, end_date: asOf }],
    queryFn: () => api.features({ item_id: itemId, site_id: siteId, start_date: start, end_date: asOf! }),
    enabled: asOf !== null,
  });
  const rows = [...(q.data?.data ?? [])].sort((a, b) => b.full_date.localeCompare(a.full_date));
  // One column per date (most recent first, at most 7), one row per feature.
  const dates = [...new Set(rows.map((r) => r.full_date.slice(0, 10)))].slice(0, 7);
  const byDate = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const d = r.full_date.slice(0, 10);
    if (!byDate.has(d)) byDate.set(d, r.features ?? {});
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.features ?? {})))].sort();
  const flat = rows.map((r) => ({ full_date: r.full_date, site_id: r.site_id, ...(r.features ?? {}) }));
  const show = (v: unknown) => (typeof v === 'number' ? fmtNumber(v, locale, 3) : v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return (
    <div className="space-y-2">
      <div className="flex justify-end"><CsvRowsButton rows={flat} filename={`features-${itemId}.csv`} columns={['full_date', 'site_id', ...keys]} /></div>
      {q.isLoading || asOf === null ? <Loading /> : q.isError ? <ErrorBox error={q.error} onRetry={() => q.refetch()} /> : keys.length === 0 ? <Empty /> : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="features-table">
            <thead><tr><th className="th">{t('feature')}</th>{dates.map((d) => <th key={d} className="th text-right">{fmtDate(d, locale)}</th>)}</tr></thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k}><td className="td font-mono">{k}</td>{dates.map((d) => <td key={d} className="td text-right tabular-nums">{show(byDate.get(d)?.[k])}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
