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
      {orders.length === 0 ? <p className="text-slate-500" data-testid="open-orders-empty">{t('noOpenOrders')}</p> : (
        <table className="w-full" data-testid="open-orders">
          <thead className="text-left text-xs uppercase text-slate-500">
            <tr><th>{t('expected')}</th><th>{t('site')}</th><th className="pr-2 text-right">{t('quantity')}</th><th>{t('status')}</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {orders.map((o) => (
              <tr key={o.order_id} data-order={o.order_id} className={o.late ? 'text-red-800' : ''}>
                <td className="py-0.5">{o.expected_delivery_date ? fmtDate(o.expected_delivery_date, locale) : '—'}{o.late && <> · {t('overdue')}</>}</td>
                <td>{sites.get(o.site_id)?.name ?? `#${o.site_id}`}</td>
                <td className="pr-2 text-right tabular-nums">{fmtNumber(Number(o.quantity), locale)}</td>
                <td>{o.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Listed = { key: number; label: string; message: string };

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
      <QueueList id="item-alerts" title={t('alerts')} q={alerts}
        rows={(d) => d.data.map((a) => ({ key: a.alert_id, label: a.level, message: a.message }))} />
      <QueueList id="item-recs" title={t('recommendations')} q={recs}
        rows={(d) => d.data.map((r) => ({ key: r.recommendation_id, label: r.type, message: r.message }))} />
    </>
  );
}

function QueueList<T extends { metadata: { total_count?: number } }>({ id, title, q, rows }: {
  id: string; title: string; rows: (d: T) => Listed[];
  q: { isLoading: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
}) {
  const { t } = useI18n();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="font-semibold">{title} ({q.data ? Number(q.data.metadata.total_count ?? 0) : '…'})</h3>
      <QueryState q={q}>
        {(d) => rows(d).length === 0 ? <p className="text-slate-500">{t('empty')}</p> : (
          <ul className="space-y-1" data-testid={id}>
            {rows(d).map((r) => <li key={r.key} data-label={r.label}><strong>{r.label}</strong> {r.message}</li>)}
          </ul>
        )}
      </QueryState>
    </section>
  );
}
