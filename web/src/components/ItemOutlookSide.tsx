import { useQuery } from '@tanstack/react-query';
import { api, type OpenOrder, type Projection } from '../api/client';
import { fmtDate, fmtNumber, fmtPercent } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { useSiteMap } from '../lib/hooks';
import { QueryState } from './States';

/** Beside the projection: the supplier and lead time, the open orders, and the item's open alerts and recommendations. */
export function ItemOutlookSide({ p }: { p: Projection }) {
  const { t, locale } = useI18n();
  const s = p.supplier;
  return (
    <aside className="space-y-3 text-sm" data-testid="outlook-side">
      <section aria-labelledby="supplier-title">
        <h3 id="supplier-title" className="font-semibold">{t('supplier')}</h3>
        {s ? (
          <p data-testid="supplier">
            <strong>{s.name}</strong> <span className="text-slate-500">({s.code})</span><br />
            {t('leadTimeDays')}: <strong data-testid="lead-time">{fmtNumber(p.lead_time_days, locale, 1)}</strong>
            {s.on_time_delivery_rate !== null && <> · {t('onTime')}: {fmtPercent(Number(s.on_time_delivery_rate) / 100, locale)}</>}
          </p>
        ) : <p className="text-slate-500" data-testid="supplier">{t('noSupplier')}</p>}
      </section>
      <OpenOrders orders={p.orders} />
      <ItemQueues itemId={p.item_id} siteId={p.site_id ?? undefined} />
    </aside>
  );
}

export function OpenOrders({ orders }: { orders: OpenOrder[] }) {
  const { t, locale } = useI18n();
  const sites = useSiteMap();
  return (
    <section aria-labelledby="orders-title">
      <h3 id="orders-title" className="font-semibold">{t('openOrders')} ({orders.length})</h3>
      {orders.length === 0 ? <p className="text-slate-500">{t('noOpenOrders')}</p> : (
        <table className="w-full" data-testid="open-orders">
          <thead className="text-left text-xs uppercase text-slate-500">
            <tr><th>{t('expected')}</th><th>{t('site')}</th><th className="text-right">{t('quantity')}</th><th>{t('status')}</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {orders.map((o) => (
              <tr key={o.order_id} data-order={o.order_id} className={o.late ? 'text-red-800' : ''}>
                <td className="py-0.5">{o.expected_delivery_date ? fmtDate(o.expected_delivery_date, locale) : '—'}{o.late && <> · {t('overdue')}</>}</td>
                <td>{sites.get(o.site_id)?.name ?? `#${o.site_id}`}</td>
                <td className="text-right tabular-nums">{fmtNumber(Number(o.quantity), locale)}</td>
                <td>{o.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const count = (d?: { metadata: { total_count?: number } }) => (d ? Number(d.metadata.total_count ?? 0) : '…');

/** This item's open alerts and recommendations (of the site, when one is chosen), most at stake first. */
function ItemQueues({ itemId, siteId }: { itemId: number; siteId?: number }) {
  const { t } = useI18n();
  const alerts = useQuery({
    queryKey: ['alerts', { item_id: itemId, site_id: siteId, resolved: false, sort: '-priority', top: 10 }],
    queryFn: () => api.alerts({ item_id: itemId, site_id: siteId, resolved: false, sort: '-priority', limit: 10 }),
  });
  const recs = useQuery({
    queryKey: ['recommendations', { item_id: itemId, site_id: siteId, acknowledged: false, sort: '-priority', top: 10 }],
    queryFn: () => api.recommendations({ item_id: itemId, site_id: siteId, acknowledged: false, sort: '-priority', limit: 10 }),
  });
  return (
    <>
      <section aria-labelledby="item-alerts-title">
        <h3 id="item-alerts-title" className="font-semibold">{t('alerts')} ({count(alerts.data)})</h3>
        <QueryState q={alerts}>
          {(d) => d.data.length === 0 ? <p className="text-slate-500">{t('empty')}</p> : (
            <ul className="space-y-1" data-testid="item-alerts">
              {d.data.map((a) => <li key={a.alert_id} data-level={a.level}><strong>{a.level}</strong> {a.message}</li>)}
            </ul>
          )}
        </QueryState>
      </section>
      <section aria-labelledby="item-recs-title">
        <h3 id="item-recs-title" className="font-semibold">{t('recommendations')} ({count(recs.data)})</h3>
        <QueryState q={recs}>
          {(d) => d.data.length === 0 ? <p className="text-slate-500">{t('empty')}</p> : (
            <ul className="space-y-1" data-testid="item-recs">
              {d.data.map((r) => <li key={r.recommendation_id} data-type={r.type}><strong>{r.type}</strong> {r.message}</li>)}
            </ul>
          )}
        </QueryState>
      </section>
    </>
  );
}
