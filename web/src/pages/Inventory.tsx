import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, ApiError, type InventoryPoint, type Item } from '../api/client';
import { useAllItems, useAsOf, useItemMap, useKpis, useSiteMap } from '../lib/hooks';
import { healthBySiteAbc } from '../lib/health';
import { fmtDate, fmtNumber } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { CsvRowsButton } from '../components/Csv';
import { Empty, ErrorBox, Loading } from '../components/States';

async function perItem(items: Item[], date: string): Promise<InventoryPoint[]> {
  const out: InventoryPoint[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const it = items[next++];
      const r = await api.inventory({ item_id: it.item_id, start_date: date, end_date: date });
      for (const row of r.data) out.push({ ...row, item_id: it.item_id });
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return out;
}

export default function Inventory() {
  const { t, locale } = useI18n();
  const kpis = useKpis();
  const asOf = useAsOf();
  const items = useItemMap();
  const allItems = useAllItems();
  const sites = useSiteMap();
  const snap = useQuery({
    queryKey: ['inventory', 'snapshot', asOf],
    enabled: !kpis.isLoading && allItems.data !== undefined,
    queryFn: async () => {
      try {
        const rows: InventoryPoint[] = [];
        for (let offset = 0; offset < 20000; offset += 1000) {
          const r = await api.inventorySnapshot(asOf, offset);
          rows.push(...r.data);
          if (r.data.length < 1000 || rows.length >= Number(r.metadata.total_count ?? 0)) break;
        }
        return rows;
      } catch (e) {
        // The server wants an item_id: ask item by item, a few at a time.
        if (!(e instanceof ApiError) || e.status !== 400) throw e;
        return perItem(allItems.data ?? [], asOf);
      }
    },
  });
  const cells = snap.data ? healthBySiteAbc(snap.data, items) : [];
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-bold">{t('inventory')}</h1>
        <p className="text-sm text-slate-500">{t('lastUpdate', { d: fmtDate(asOf, locale) })}</p>
      </div>
      <section className="card overflow-x-auto p-0" aria-labelledby="health-title">
        <div className="flex items-center justify-between p-3">
          <h2 id="health-title" className="font-semibold">{t('health')}</h2>
          <CsvRowsButton rows={cells.map((c) => ({ ...c, site: sites.get(c.site_id)?.name }))} filename="inventory-health.csv" />
        </div>
        {snap.isLoading || kpis.isLoading ? <Loading /> : snap.isError ? <ErrorBox error={snap.error} onRetry={() => snap.refetch()} /> : cells.length === 0 ? <Empty /> : (
          <table className="w-full min-w-[600px]" data-testid="health-table">
            <thead><tr>
              <th className="th">{t('site')}</th><th className="th">{t('abcClass')}</th><th className="th text-right">{t('itemsCount')}</th>
              <th className="th text-right">{t('coverageDays')}</th><th className="th text-right">{t('atRisk')}</th><th className="th text-right">{t('stockouts')}</th><th className="th"><span className="sr-only">{t('drillDown')}</span></th>
            </tr></thead>
            <tbody>
              {cells.map((c) => (
                <tr key={`${c.site_id}-${c.abc_class}`}>
                  <td className="td">{sites.get(c.site_id)?.name ?? `#${c.site_id}`}</td>
                  <td className="td">{c.abc_class}</td>
                  <td className="td text-right">{fmtNumber(c.items, locale)}</td>
                  <td className="td text-right">{fmtNumber(c.coverage_days, locale, 1)}</td>
                  <td className={`td text-right ${c.at_risk ? 'font-semibold text-amber-800' : ''}`}>{fmtNumber(c.at_risk, locale)}</td>
                  <td className={`td text-right ${c.stockouts ? 'font-semibold text-red-700' : ''}`}>{fmtNumber(c.stockouts, locale)}</td>
                  <td className="td"><Link className="text-blue-800 underline" to={`/materials?site=${c.site_id}${c.abc_class !== '?' ? `&abc_class=${c.abc_class}` : ''}`}>{t('drillDown')} →</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
