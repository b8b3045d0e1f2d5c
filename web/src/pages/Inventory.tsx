import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { api, CSV_ALL, num, type HealthRow, type PolicyRun, type Query, type SnapshotRow } from '../api/client';
import { fmtDate, fmtMoney, fmtNumber } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { CsvApiButton } from '../components/Csv';
import { Pager } from '../components/Pager';
import { Empty, ErrorBox, Loading, QueryState } from '../components/States';

const LIMIT = 25;
const SORTS = ['days_to_rupture', '-days_to_rupture', 'coverage_days', '-coverage_days', '-stock_value', 'sku'];
// What each sort key reads as: the columns' own names, not the API's.
const SORT_LABEL = { days_to_rupture: 'daysToRupture', coverage_days: 'coverage', stock_value: 'inventoryValue', sku: 'sku' } as const;

/** Health per site x ABC class (one request) and the item x site drill-down (one request a page). */
export default function Inventory() {
  const { t, locale } = useI18n();
  const [sp, setSp] = useSearchParams();
  const site = sp.get('site') ?? '';
  const abc = sp.get('abc_class') ?? '';
  const atRisk = sp.get('at_risk') === 'true';
  const stockout = sp.get('stockout') === 'true';
  const sort = sp.get('sort') ?? 'days_to_rupture';
  const offset = Number(sp.get('offset') ?? 0) || 0;
  const set = (patch: Record<string, string>) => {
    const n = new URLSearchParams(sp);
    for (const [k, v] of Object.entries(patch)) if (v) n.set(k, v); else n.delete(k);
    if (!('offset' in patch)) n.delete('offset');
    setSp(n, { replace: true });
  };

  const health = useQuery({ queryKey: ['inventory', 'health'], queryFn: api.inventoryHealth });
  const filters: Query = { site_id: site || undefined, abc_class: abc || undefined, at_risk: atRisk || undefined, stockout: stockout || undefined, sort };
  const snap = useQuery({
    queryKey: ['inventory', 'snapshot', { ...filters, limit: LIMIT, offset }],
    queryFn: () => api.inventorySnapshot({ ...filters, limit: LIMIT, offset }),
    placeholderData: keepPreviousData,
  });
  const cells = health.data?.data ?? [];
  const day = health.data?.metadata.date as string | undefined;
  const run = health.data?.metadata.policy_run as PolicyRun | null | undefined;
  const total = cells.reduce((a, c) => ({ items: a.items + c.items, at_risk: a.at_risk + c.at_risk, stockouts: a.stockouts + c.stockouts, value: a.value + (num(c.inventory_value) ?? 0) }),
    { items: 0, at_risk: 0, stockouts: 0, value: 0 });
  const siteName = (c: { site_id: number; site_name?: string }) => c.site_name ?? `#${c.site_id}`;
  const selected = (c: HealthRow) => String(c.site_id) === site && (c.abc_class ?? '') === abc;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-bold">{t('inventory')}</h1>
        <p className="text-sm text-slate-500">{t('lastUpdate', { d: fmtDate(day, locale) })}{run ? ` · ${t('policyNote', { run: run.run_id, d: fmtDate(run.as_of, locale) })}` : ''}</p>
      </div>
      <section className="card overflow-x-auto p-0" aria-labelledby="health-title">
        <div className="flex flex-wrap items-center justify-between gap-2 p-3">
          <div>
            <h2 id="health-title" className="font-semibold">{t('health')}</h2>
            <p className="text-xs text-slate-500">{t('atRiskHint')} {t('coverageHint')}</p>
          </div>
          <CsvApiButton path="/inventory/health" query={{ limit: CSV_ALL }} filename="inventory-health.csv" />
        </div>
        {health.isLoading ? <Loading /> : health.isError ? <ErrorBox error={health.error} onRetry={() => health.refetch()} /> : cells.length === 0 ? <Empty /> : (
          <table className="w-full min-w-[720px]" data-testid="health-table">
            <thead><tr>
              <th className="th">{t('site')}</th><th className="th">{t('abcClass')}</th><th className="th text-right">{t('itemsCount')}</th>
              <th className="th text-right">{t('atRisk')}</th><th className="th text-right">{t('stockouts')}</th>
              <th className="th text-right">{t('medianCoverage')}</th><th className="th text-right">{t('avgCoverage')}</th>
              <th className="th text-right">{t('inventoryValue')}</th><th className="th"><span className="sr-only">{t('drillDown')}</span></th>
            </tr></thead>
            <tbody>
              {cells.map((c) => (
                <tr key={`${c.site_id}-${c.abc_class}`} className={selected(c) ? 'bg-blue-50' : ''} data-site={c.site_id} data-abc={c.abc_class ?? ''}>
                  <td className="td">{siteName(c)}</td>
                  <td className="td">{c.abc_class ?? '—'}</td>
                  <td className="td text-right">{fmtNumber(c.items, locale)}</td>
                  <td className={`td text-right ${c.at_risk ? 'font-semibold text-amber-800' : ''}`}>{fmtNumber(c.at_risk, locale)}</td>
                  <td className={`td text-right ${c.stockouts ? 'font-semibold text-red-700' : ''}`}>{fmtNumber(c.stockouts, locale)}</td>
                  <td className="td text-right">{fmtNumber(num(c.median_coverage_days), locale, 1)}</td>
                  <td className="td text-right">{fmtNumber(num(c.avg_coverage_days), locale, 1)}</td>
                  <td className="td text-right">{fmtMoney(num(c.inventory_value), locale, true)}</td>
                  <td className="td">
                    <button className="text-blue-800 underline" aria-pressed={selected(c)} data-testid="drill-down"
                      onClick={() => set({ site: String(c.site_id), abc_class: c.abc_class ?? '' })}>{t('drillDown')} →</button>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot><tr className="font-semibold" data-testid="health-total">
              <td className="td" colSpan={2}>{t('total')}</td>
              <td className="td text-right">{fmtNumber(total.items, locale)}</td>
              <td className="td text-right" data-testid="total-at-risk">{fmtNumber(total.at_risk, locale)}</td>
              <td className="td text-right" data-testid="total-stockouts">{fmtNumber(total.stockouts, locale)}</td>
              <td className="td" colSpan={2} />
              <td className="td text-right">{fmtMoney(total.value, locale, true)}</td>
              <td className="td" />
            </tr></tfoot>
          </table>
        )}
      </section>

      <section className="card overflow-x-auto p-0" aria-labelledby="items-title">
        <div className="flex flex-wrap items-end gap-3 p-3">
          <h2 id="items-title" className="mr-auto font-semibold">
            {site || abc ? t('items_of', { site: cells.find((c) => String(c.site_id) === site)?.site_name ?? (site ? `#${site}` : t('allSites')), abc: abc || t('all') }) : t('items')}
          </h2>
          <label className="flex items-center gap-1 text-sm"><input type="checkbox" name="at_risk" checked={atRisk} onChange={(e) => set({ at_risk: e.target.checked ? 'true' : '' })} />{t('atRiskOnly')}</label>
          <label className="flex items-center gap-1 text-sm"><input type="checkbox" name="stockout" checked={stockout} onChange={(e) => set({ stockout: e.target.checked ? 'true' : '' })} />{t('stockoutsOnly')}</label>
          <label className="label">{t('sortBy')}
            <select className="input" name="sort" value={sort} onChange={(e) => set({ sort: e.target.value })}>
              {SORTS.map((s) => {
                const desc = s.startsWith('-');
                return <option key={s} value={s}>{`${t(SORT_LABEL[(desc ? s.slice(1) : s) as keyof typeof SORT_LABEL])} ${desc ? '↓' : '↑'}`}</option>;
              })}
            </select>
          </label>
          {(site || abc) && <button className="btn" onClick={() => set({ site: '', abc_class: '' })}>{t('allSites')}</button>}
          <CsvApiButton path="/inventory/snapshot" query={{ ...filters, limit: CSV_ALL }} filename="inventory-items.csv" />
        </div>
        <QueryState q={snap} empty={(d) => d.data.length === 0}>
          {(d) => (
            <>
              <table className="w-full min-w-[800px]" data-testid="snapshot-table">
                <thead><tr>
                  <th className="th">{t('sku')}</th><th className="th">{t('name')}</th><th className="th">{t('site')}</th><th className="th">{t('abcClass')}</th>
                  <th className="th text-right">{t('stock')}</th><th className="th text-right">{t('safetyStock')}</th><th className="th text-right">{t('reorderPoint')}</th>
                  <th className="th text-right">{t('coverage')}</th><th className="th text-right">{t('daysToRupture')}</th>
                  <th className="th text-right">{t('leadTimeDays')}</th><th className="th">{t('risk')}</th>
                </tr></thead>
                <tbody>
                  {d.data.map((r) => (
                    <tr key={`${r.item_id}-${r.site_id}`} data-site={r.site_id} data-at-risk={String(r.at_risk)}>
                      <td className="td font-mono"><Link className="text-blue-800 underline" to={`/materials/${r.item_id}?site=${r.site_id}&tab=inventory`}>{r.sku}</Link></td>
                      <td className="td">{r.item_name}</td>
                      <td className="td">{siteName(r)}</td>
                      <td className="td">{r.abc_class ?? '—'}</td>
                      <td className="td text-right">{fmtNumber(num(r.current_stock), locale, 1)}</td>
                      <td className="td text-right">{fmtNumber(num(r.safety_stock), locale, 1)}</td>
                      <td className="td text-right">{fmtNumber(num(r.reorder_point), locale, 1)}</td>
                      <td className="td text-right">{fmtNumber(num(r.coverage_days), locale, 1)}</td>
                      <td className="td text-right">{r.days_to_rupture ?? '—'}</td>
                      <td className="td text-right">{fmtNumber(num(r.lead_time_days), locale, 1)}</td>
                      <td className="td"><StatusBadge row={r} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager offset={offset} limit={LIMIT} total={Number(d.metadata.total_count ?? d.data.length)} onChange={(o) => set({ offset: String(o) })} />
            </>
          )}
        </QueryState>
      </section>
    </div>
  );
}

/** The API's own verdict (stockout, or days to rupture below the lead time), so list and totals agree. */
function StatusBadge({ row }: { row: SnapshotRow }) {
  const { t } = useI18n();
  const [cls, key] = row.stockout ? ['bg-red-700 text-white', 'risk_stockout'] as const
    : row.at_risk ? ['bg-red-100 text-red-800', 'atRisk'] as const : ['bg-green-100 text-green-800', 'risk_ok'] as const;
  return <span className={`whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-semibold ${cls}`} data-status={key}>{t(key)}</span>;
}
