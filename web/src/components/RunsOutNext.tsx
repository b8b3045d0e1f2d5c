import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import { fmtNumber, fmtStake } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { QueryState } from './States';

/** The morning question: how many pairs are out of stock now and at risk within their lead
 *  time (each a link to the filtered inventory), and the pairs that run out next (the API orders
 *  pairs with the same days to rupture by money at stake, shown in the last column). */
export function RunsOutNext() {
  const { t, locale } = useI18n();
  const out = useQuery({ queryKey: ['snapshot', { stockout: true, count: 1 }], queryFn: () => api.inventorySnapshot({ stockout: true, limit: 1 }) });
  const risk = useQuery({ queryKey: ['snapshot', { at_risk: true, count: 1 }], queryFn: () => api.inventorySnapshot({ at_risk: true, limit: 1 }) });
  const next = useQuery({
    queryKey: ['snapshot', { at_risk: true, sort: 'days_to_rupture', top: 8 }],
    queryFn: () => api.inventorySnapshot({ at_risk: true, sort: 'days_to_rupture', limit: 8 }),
  });
  const count = (q: typeof out) => (q.data ? fmtNumber(Number(q.data.metadata.total_count ?? 0), locale) : '…');
  return (
    <section className="card" aria-labelledby="runs-out-title" data-testid="runs-out-next">
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-3">
        <h2 id="runs-out-title" className="font-semibold">{t('runsOutNext')}</h2>
        <div className="flex gap-4 text-sm">
          <Link className="font-semibold text-red-800 underline" to="/inventory?stockout=true" data-testid="count-stockout">
            {t('outOfStockNow', { n: count(out) })}</Link>
          <Link className="font-semibold text-amber-900 underline" to="/inventory?at_risk=true" data-testid="count-at-risk">
            {t('atRiskWithinLead', { n: count(risk) })}</Link>
        </div>
      </div>
      <QueryState q={next} empty={(d) => d.data.length === 0}>
        {(d) => (
          <table className="w-full text-sm">
            <thead className="text-left text-xs uppercase text-slate-500">
              <tr><th className="py-1">{t('item')}</th><th>{t('site')}</th><th className="text-right">{t('daysToRupture')}</th>
                <th className="hidden text-right sm:table-cell">{t('stock')}</th><th className="hidden text-right sm:table-cell">{t('leadTimeDays')}</th>
                <th className="text-right" title={t('stakeHint')}>{t('score')}</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {d.data.map((r) => (
                <tr key={`${r.item_id}-${r.site_id}`}>
                  <td className="py-1"><Link className="text-blue-800 underline" to={`/materials/${r.item_id}?site=${r.site_id}`}>{r.sku}</Link>
                    {r.item_name && <span className="ml-1 text-xs text-slate-500" data-testid="item-name">{r.item_name}</span>}</td>
                  <td>{r.site_name ?? r.site_code ?? `#${r.site_id}`}</td>
                  <td className="text-right tabular-nums">{fmtNumber(r.days_to_rupture, locale)}</td>
                  {/* On a phone the stock and lead time give way to the money at stake. */}
                  <td className="hidden text-right tabular-nums sm:table-cell">{fmtNumber(r.current_stock, locale)}</td>
                  <td className="hidden text-right tabular-nums sm:table-cell">{fmtNumber(r.lead_time_days, locale, 1)}</td>
                  <td className="whitespace-nowrap pl-2 text-right tabular-nums" data-testid="runs-out-stake">{fmtStake(r.money_at_stake, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <Link className="mt-2 inline-block text-sm text-blue-800 underline" to="/inventory?at_risk=true">{t('viewAll')}</Link>
    </section>
  );
}
