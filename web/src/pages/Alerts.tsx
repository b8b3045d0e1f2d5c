import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { useState } from 'react';
import { api, type Alert, type Envelope, type Query } from '../api/client';
import { useAuth } from '../lib/auth';
import { useItemMap, useSiteMap } from '../lib/hooks';
import { withAlertPatch } from '../lib/optimistic';
import { fmtDateTime } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { Pager } from '../components/Pager';
import { QueryState, errorText } from '../components/States';

const LIMIT = 50;
const LEVEL_STYLE: Record<string, string> = { CRITICAL: 'bg-red-700 text-white', WARNING: 'bg-amber-100 text-amber-900', NORMAL: 'bg-slate-100 text-slate-700' };

export default function Alerts() {
  const { t, locale } = useI18n();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [sp, setSp] = useSearchParams();
  const items = useItemMap();
  const sites = useSiteMap();
  const [flash, setFlash] = useState<string | null>(null);
  const level = sp.get('level') ?? '';
  const unread = sp.get('unread') === 'true';
  const offset = Number(sp.get('offset') ?? 0) || 0;
  const set = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    if (v) n.set(k, v); else n.delete(k);
    if (k !== 'offset') n.delete('offset');
    setSp(n, { replace: true });
  };
  const filters: Query = { level, unread: unread ? true : undefined, resolved: false };
  const key = ['alerts', { ...filters, limit: LIMIT, offset }];
  const list = useQuery({ queryKey: key, queryFn: () => api.alerts({ ...filters, limit: LIMIT, offset }), placeholderData: keepPreviousData });

  const act = useMutation({
    mutationFn: ({ id, kind }: { id: number; kind: 'read' | 'resolve' }) => (kind === 'read' ? api.markRead(id) : api.resolve(id)),
    onMutate: async ({ id, kind }) => {
      setFlash(null);
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<Envelope<Alert[]>>(key);
      const now = new Date().toISOString();
      qc.setQueryData(key, withAlertPatch(before, id, kind === 'read' ? { read_at: now } : { resolved_at: now, read_at: now }));
      return { before };
    },
    onError: (err, _v, ctx) => { qc.setQueryData(key, ctx?.before); setFlash(errorText(err, t)); },
    onSettled: () => qc.invalidateQueries({ queryKey: ['alerts'] }),
  });

  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">{t('alerts')}</h1>
      <div className="card flex flex-wrap items-end gap-3">
        <label className="label">{t('level')}
          <select className="input" name="level" value={level} onChange={(e) => set('level', e.target.value)}>
            <option value="">{t('all')}</option>{['CRITICAL', 'WARNING', 'NORMAL'].map((l) => <option key={l}>{l}</option>)}
          </select>
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="unread" checked={unread} onChange={(e) => set('unread', e.target.checked ? 'true' : '')} />{t('unreadOnly')}
        </label>
      </div>
      {flash && <p role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800">{flash}</p>}
      <div className="card overflow-x-auto p-0">
        <QueryState q={list} empty={(d) => d.data.length === 0}>
          {(d) => (
            <>
              <ul className="divide-y divide-slate-100" data-testid="alerts-list">
                {d.data.map((a) => (
                  <li key={a.alert_id} data-alert-id={a.alert_id} data-read={a.read_at ? 'true' : 'false'}
                    className={`flex flex-wrap items-start gap-3 p-3 ${a.read_at ? 'bg-white' : 'bg-blue-50'}`}>
                    <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${LEVEL_STYLE[a.level] ?? ''}`}>{a.level}</span>
                    <div className="min-w-0 flex-1 text-sm">
                      <p className={a.read_at ? '' : 'font-semibold'}>{a.message}</p>
                      <p className="text-xs text-slate-500">
                        {a.category} · {a.item_id ? <Link className="text-blue-800 underline" to={`/materials/${a.item_id}${a.site_id ? `?site=${a.site_id}` : ''}`}>{items.get(a.item_id)?.sku ?? a.sku ?? `#${a.item_id}`}</Link> : '—'}
                        {a.site_id ? ` · ${sites.get(a.site_id)?.name ?? a.site_name ?? `#${a.site_id}`}` : ''} · {fmtDateTime(a.created_at, locale)}
                        {' · '}<span data-testid="alert-state">{a.resolved_at ? t('resolved') : a.read_at ? t('read') : t('unread')}</span>
                      </p>
                    </div>
                    {can('write') && (
                      <span className="flex gap-2">
                        {!a.read_at && <button className="btn" data-testid="mark-read" disabled={act.isPending} onClick={() => act.mutate({ id: a.alert_id, kind: 'read' })}>{t('markRead')}</button>}
                        {!a.resolved_at && <button className="btn" data-testid="resolve" disabled={act.isPending} onClick={() => act.mutate({ id: a.alert_id, kind: 'resolve' })}>{t('resolve')}</button>}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
              <Pager offset={offset} limit={LIMIT} total={Number(d.metadata.total_count ?? d.data.length)} onChange={(o) => set('offset', String(o))} />
            </>
          )}
        </QueryState>
      </div>
    </div>
  );
}
