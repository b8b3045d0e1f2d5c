import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { useState } from 'react';
import { api, type Envelope, type Query, type Recommendation } from '../api/client';
import { useAuth } from '../lib/auth';
import { useItemMap, useSiteMap, useSites } from '../lib/hooks';
import { withAcknowledged } from '../lib/optimistic';
import { fmtDateTime, fmtNumber } from '../lib/format';
import { byPriority } from '../lib/metrics';
import { useI18n } from '../lib/i18n';
import { CsvApiButton } from '../components/Csv';
import { Pager } from '../components/Pager';
import { QueryState, errorText } from '../components/States';

const LIMIT = 50;
const PRIO_STYLE: Record<string, string> = { CRITICAL: 'bg-red-700 text-white', HIGH: 'bg-red-100 text-red-800', MEDIUM: 'bg-amber-100 text-amber-900', LOW: 'bg-slate-100 text-slate-700' };

export default function Recommendations() {
  const { t, locale } = useI18n();
  const { can, me } = useAuth();
  const qc = useQueryClient();
  const [sp, setSp] = useSearchParams();
  const sites = useSites();
  const items = useItemMap();
  const siteMap = useSiteMap();
  const [flash, setFlash] = useState<string | null>(null);
  const f = { priority: sp.get('priority') ?? '', type: sp.get('type') ?? '', site_id: sp.get('site_id') ?? '', acknowledged: sp.get('acknowledged') ?? 'false' };
  const offset = Number(sp.get('offset') ?? 0) || 0;
  const set = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    n.set(k, v);
    if (!v && k !== 'acknowledged') n.delete(k);
    if (k !== 'offset') n.delete('offset');
    setSp(n, { replace: true });
  };
  // Most money at risk first (priority_score), unless the URL asks otherwise.
  const filters: Query = { priority: f.priority, type: f.type, site_id: f.site_id, acknowledged: f.acknowledged, sort: sp.get('sort') || '-priority' };
  const key = ['recommendations', { ...filters, limit: LIMIT, offset }];
  const list = useQuery({ queryKey: key, queryFn: () => api.recommendations({ ...filters, limit: LIMIT, offset }), placeholderData: keepPreviousData });

  const ack = useMutation({
    mutationFn: (id: number) => api.acknowledge(id),
    onMutate: async (id) => {
      setFlash(null);
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<Envelope<Recommendation[]>>(key);
      qc.setQueryData(key, withAcknowledged(before, id, me?.username ?? '', new Date().toISOString()));
      return { before };
    },
    onError: (err, _id, ctx) => {
      qc.setQueryData(key, ctx?.before); // roll back
      setFlash(errorText(err, t));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['recommendations'] }),
  });

  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">{t('recommendations')}</h1>
      <div className="card flex flex-wrap items-end gap-3">
        <label className="label">{t('priority')}
          <select className="input" name="priority" value={f.priority} onChange={(e) => set('priority', e.target.value)}>
            <option value="">{t('all')}</option>{['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
        <label className="label">{t('type')}
          <select className="input" name="type" value={f.type} onChange={(e) => set('type', e.target.value)}>
            <option value="">{t('all')}</option>{['REORDER', 'EXPEDITE', 'REALLOCATE', 'PROMO', 'HOLD'].map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
        <label className="label">{t('site')}
          <select className="input" name="site_id" value={f.site_id} onChange={(e) => set('site_id', e.target.value)}>
            <option value="">{t('allSites')}</option>{(sites.data ?? []).map((s) => <option key={s.site_id} value={s.site_id}>{s.name}</option>)}
          </select>
        </label>
        <label className="label">{t('acknowledgedFilter')}
          <select className="input" name="acknowledged" value={f.acknowledged} onChange={(e) => set('acknowledged', e.target.value)}>
            <option value="false">{t('open')}</option><option value="true">{t('acknowledged')}</option><option value="">{t('all')}</option>
          </select>
        </label>
        <CsvApiButton path="/recommendations" query={{ ...filters, limit: 1000 }} filename="recommendations.csv" />
      </div>
      {flash && <p role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800" data-testid="ack-error">{flash}</p>}
      <div className="card overflow-x-auto p-0">
        <QueryState q={list} empty={(d) => d.data.length === 0}>
          {(d) => (
            <>
              <table className="w-full min-w-[720px]" data-testid="recs-table">
                <thead><tr>
                  <th className="th">{t('priority')}</th><th className="th">{t('type')}</th><th className="th">{t('item')}</th><th className="th">{t('site')}</th>
                  <th className="th">{t('message')}</th><th className="th text-right">{t('quantity')}</th><th className="th">{t('status')}</th>
                </tr></thead>
                <tbody>
                  {[...d.data].sort(byPriority).map((r) => (
                    <tr key={r.recommendation_id} data-rec-id={r.recommendation_id}>
                      <td className="td"><span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${PRIO_STYLE[r.priority] ?? ''}`}>{r.priority}</span></td>
                      <td className="td">{r.type}</td>
                      <td className="td">{r.item_id ? <Link className="text-blue-800 underline" to={`/materials/${r.item_id}${r.site_id ? `?site=${r.site_id}` : ''}`}>{items.get(r.item_id)?.sku ?? r.sku ?? `#${r.item_id}`}</Link> : '—'}</td>
                      <td className="td">{r.site_id ? siteMap.get(r.site_id)?.name ?? r.site_name ?? `#${r.site_id}` : '—'}</td>
                      <td className="td max-w-md">{r.message}</td>
                      <td className="td text-right">{fmtNumber(r.quantity_recommended === null ? null : Number(r.quantity_recommended), locale)}</td>
                      <td className="td" data-testid="rec-status">
                        {r.acknowledged_at
                          ? <span className="text-green-800" data-acknowledged="true">✓ {t('acknowledged')} · {r.acknowledged_by} · {fmtDateTime(r.acknowledged_at, locale)}</span>
                          : can('write')
                            ? <button className="btn" data-testid="ack-button" disabled={ack.isPending} onClick={() => ack.mutate(r.recommendation_id)}>{t('acknowledge')}</button>
                            : <span className="text-slate-500">{t('open')}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager offset={offset} limit={LIMIT} total={Number(d.metadata.total_count ?? d.data.length)} onChange={(o) => set('offset', String(o))} />
            </>
          )}
        </QueryState>
      </div>
    </div>
  );
}
