import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, CSV_ALL, type Alert, type Envelope, type Query, type QueueGroup } from '../api/client';
import { useAuth } from '../lib/auth';
import { useSites } from '../lib/hooks';
import { fmtDateTime, fmtNumber } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { patchRows, useBulk, useUrlFilters } from '../lib/queue';
import { CsvApiButton } from '../components/Csv';
import { BulkBar, QueueGroups, type QueueView } from '../components/GroupedQueue';
import { SearchSelect } from '../components/SearchPicker';
import { errorText } from '../components/States';
import { UndoToast } from '../components/UndoToast';

const LIMIT = 25; // groups per page
const LEVEL_STYLE: Record<string, string> = { CRITICAL: 'bg-red-700 text-white', WARNING: 'bg-amber-100 text-amber-900', NORMAL: 'bg-slate-100 text-slate-700' };
const CATEGORIES = ['STOCKOUT_IMMINENT', 'BELOW_SAFETY_STOCK', 'SUPPLIER_DELAY', 'FORECAST_DRIFT', 'STOCKOUT', 'OVERSTOCK'];
const opts = (xs: string[]) => xs.map((x) => ({ value: x, label: x }));

export default function Alerts() {
  const { t, locale } = useI18n();
  const { can } = useAuth();
  const qc = useQueryClient();
  const sites = useSites();
  const url = useUrlFilters();
  const f = { level: url.get('level'), category: url.get('category'), site_id: url.get('site_id'), abc_class: url.get('abc_class') };
  const unread = url.get('unread') === 'true';
  const sort = url.get('sort', '-priority');
  const offset = Number(url.get('offset', '0')) || 0;
  const filters: Query = { ...f, unread: unread ? true : undefined, resolved: false };
  const key = ['alerts', 'groups', { ...filters, sort, limit: LIMIT, offset }];
  // Not fetched again behind the user's back: acted rows stay in place until a reload or a new filter.
  const list = useQuery({ queryKey: key, queryFn: () => api.alertGroups({ ...filters, sort, limit: LIMIT, offset }), placeholderData: keepPreviousData, refetchOnWindowFocus: false });
  const bulk = useBulk<Alert>({
    key, stale: [['alerts']], refresh: [['alerts', 'unread-count']],
    rowId: (a) => a.alert_id,
    mark: (a, done) => ({ ...a, read_at: done ? a.read_at ?? new Date().toISOString() : null }),
    call: (ids, undo) => api.alertsBulk(ids, undo ? 'unread' : 'read'),
    doneText: (n, u) => `${t('readN', { n })}${u ? ` ${t('alreadyDone', { n: u })}` : ''}`,
    undoneText: t('undone'),
  });
  const resolve = useMutation({
    mutationFn: (id: number) => api.resolve(id),
    onSuccess: (a) => qc.setQueryData<Envelope<QueueGroup<Alert>[]>>(key, (env) => env && { ...env, data: patchRows(env.data, (x) => x.alert_id, new Set([a.alert_id]), (x) => ({ ...x, read_at: a.read_at, resolved_at: a.resolved_at })) }),
    onSettled: () => { void qc.invalidateQueries({ queryKey: ['alerts'], refetchType: 'none' }); void qc.invalidateQueries({ queryKey: ['alerts', 'unread-count'] }); },
  });
  const writer = can('write');
  const view: QueueView<Alert> = {
    rowId: (a) => a.alert_id,
    rowAttrs: (a) => ({ 'data-alert-id': String(a.alert_id), 'data-read': a.read_at ? 'true' : 'false' }),
    done: (a) => !!a.read_at,
    badge: (l) => l && <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${LEVEL_STYLE[l] ?? ''}`}>{l}</span>,
    groupLabel: (g) => g.top_level,
    groupCount: (g) => <span>{fmtNumber(g.count, locale)}{g.unread !== g.count ? ` (${t('unreadOf', { open: g.unread ?? 0, n: g.count })})` : ''}</span>,
    kind: (a) => a.category,
    stake: (a) => (a.priority_score === undefined ? null : Number(a.priority_score)),
    label: (a) => a.level,
    message: (a) => a.message,
    when: (a) => fmtDateTime(a.created_at, locale),
    actionWidth: 'w-[17.5rem]',
    action: (a) => {
      const id = a.alert_id;
      const state = <span data-testid="alert-state" className="sr-only">{a.resolved_at ? t('resolved') : a.read_at ? t('read') : t('unread')}</span>;
      if (!writer) return <span className="text-slate-500">{a.resolved_at ? t('resolved') : a.read_at ? t('read') : t('unread')}</span>;
      return (
        <span className="inline-flex items-center gap-2">
          {state}
          {bulk.recent.has(id) && !a.resolved_at && <button className="text-xs text-blue-800 underline" data-testid="row-undo" onClick={() => void bulk.undo([id])}>{t('undo')}</button>}
          {a.resolved_at
            ? <span className="text-green-800">✓ {t('resolved')}</span>
            : <button className="btn" data-testid="resolve" disabled={resolve.isPending} onClick={() => resolve.mutate(id)}>{t('resolve')}</button>}
          {a.read_at
            ? <button className="btn min-w-[8.5rem] justify-center" data-testid="read-done" disabled>✓ {t('read')}</button>
            : <button className="btn min-w-[8.5rem] justify-center" data-testid="mark-read" disabled={bulk.pending} onClick={() => void bulk.act([id])}>{t('markRead')}</button>}
        </span>
      );
    },
  };
  const err = bulk.error ?? resolve.error;

  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">{t('alerts')}</h1>
      <div className="card flex flex-wrap items-end gap-3">
        <SearchSelect label={t('level')} name="level" value={f.level} onChange={(v) => url.set({ level: v })} allLabel={t('all')} options={opts(['CRITICAL', 'WARNING', 'NORMAL'])} />
        <SearchSelect label={t('category')} name="category" value={f.category} onChange={(v) => url.set({ category: v })} allLabel={t('all')} options={opts(CATEGORIES)} />
        <SearchSelect label={t('site')} name="site_id" value={f.site_id} onChange={(v) => url.set({ site_id: v })} allLabel={t('allSites')}
          options={(sites.data ?? []).map((s) => ({ value: String(s.site_id), label: s.name }))} />
        <SearchSelect label={t('abcClass')} name="abc_class" value={f.abc_class} onChange={(v) => url.set({ abc_class: v })} allLabel={t('all')} options={opts(['A', 'B', 'C'])} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="unread" checked={unread} onChange={(e) => url.set({ unread: e.target.checked ? 'true' : '' })} />{t('unreadOnly')}
        </label>
        <CsvApiButton path="/alerts" query={{ ...filters, sort: '-priority', limit: CSV_ALL }} filename="alerts.csv" />
      </div>
      <BulkBar count={bulk.selected.size} label={t('markReadSelected')} pending={bulk.pending} onAct={() => void bulk.act([...bulk.selected])} onClear={() => bulk.select([...bulk.selected], false)} />
      {err ? <p role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800">{errorText(err, t)}</p> : null}
      <QueueGroups list={list} view={view} testId="alerts-list" selectable={writer} selected={bulk.selected} onSelect={bulk.select}
        sort={sort} onSort={(s) => url.set({ sort: s })} offset={offset} limit={LIMIT} onOffset={(o) => url.set({ offset: String(o) })} />
      <UndoToast toast={bulk.toast} onClose={bulk.closeToast} />
    </div>
  );
}
