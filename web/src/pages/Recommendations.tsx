import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, CSV_ALL, type Query, type Recommendation } from '../api/client';
import { useAuth } from '../lib/auth';
import { useSites } from '../lib/hooks';
import { fmtDateTime, fmtNumber } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { useBulk, useUrlFilters } from '../lib/queue';
import { CsvApiButton } from '../components/Csv';
import { BulkBar, QueueGroups, type QueueView } from '../components/GroupedQueue';
import { SearchSelect } from '../components/SearchPicker';
import { errorText } from '../components/States';
import { UndoToast } from '../components/UndoToast';

const LIMIT = 25; // groups per page
const PRIO_STYLE: Record<string, string> = { CRITICAL: 'bg-red-700 text-white', HIGH: 'bg-red-100 text-red-800', MEDIUM: 'bg-amber-100 text-amber-900', LOW: 'bg-slate-100 text-slate-700' };
const opts = (xs: string[]) => xs.map((x) => ({ value: x, label: x }));

export default function Recommendations() {
  const { t, locale } = useI18n();
  const { can, me } = useAuth();
  const sites = useSites();
  const url = useUrlFilters();
  const f = { priority: url.get('priority'), type: url.get('type'), site_id: url.get('site_id'), abc_class: url.get('abc_class'), acknowledged: url.get('acknowledged', 'false') };
  const sort = url.get('sort', '-priority');
  const offset = Number(url.get('offset', '0')) || 0;
  const ack = f.acknowledged === 'all' ? '' : f.acknowledged; // '' = all
  const filters: Query = { ...f, acknowledged: ack };
  const key = ['recommendations', 'groups', { ...filters, sort, limit: LIMIT, offset }];
  // Not fetched again behind the user's back: acted rows stay in place until a reload or a new filter.
  const list = useQuery({ queryKey: key, queryFn: () => api.recommendationGroups({ ...filters, sort, limit: LIMIT, offset }), placeholderData: keepPreviousData, refetchOnWindowFocus: false });
  const bulk = useBulk<Recommendation>({
    key, stale: [['recommendations']],
    rowId: (r) => r.recommendation_id,
    mark: (r, done) => (done ? { ...r, acknowledged_at: r.acknowledged_at ?? new Date().toISOString(), acknowledged_by: r.acknowledged_by ?? me?.username ?? '' } : { ...r, acknowledged_at: null, acknowledged_by: null }),
    call: (ids, undo) => api.recommendationsBulk(ids, undo ? 'unacknowledge' : 'acknowledge'),
    doneText: (n, u) => `${t('ackedN', { n })}${u ? ` ${t('alreadyDone', { n: u })}` : ''}`,
    undoneText: t('undone'),
  });
  const writer = can('write');
  const view: QueueView<Recommendation> = {
    rowId: (r) => r.recommendation_id,
    rowAttrs: (r) => ({ 'data-rec-id': String(r.recommendation_id) }),
    done: (r) => !!r.acknowledged_at,
    badge: (p) => p && <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${PRIO_STYLE[p] ?? ''}`}>{p}</span>,
    groupLabel: (g) => g.top_priority,
    groupCount: (g) => <span title={t('openOf', { open: g.open ?? 0, n: g.count })}>{fmtNumber(g.count, locale)}{g.open !== g.count ? ` (${t('openOf', { open: g.open ?? 0, n: g.count })})` : ''}</span>,
    kind: (r) => r.type,
    stake: (r) => Number(r.priority_score),
    amount: (r) => fmtNumber(r.quantity_recommended === null ? null : Number(r.quantity_recommended), locale),
    label: (r) => r.priority,
    message: (r) => r.message,
    when: (r) => fmtDateTime(r.created_at, locale),
    actionWidth: 'w-[14rem]',
    amountHeader: t('quantity'),
    action: (r) => {
      const id = r.recommendation_id;
      if (!r.acknowledged_at) {
        return writer
          ? <button className="btn min-w-[9.5rem] justify-center" data-testid="ack-button" disabled={bulk.pending} onClick={() => void bulk.act([id])}>{t('acknowledge')}</button>
          : <span className="text-slate-500">{t('open')}</span>;
      }
      return (
        <span className="inline-flex items-center gap-2" data-acknowledged="true">
          {writer && bulk.recent.has(id) && <button className="text-xs text-blue-800 underline" data-testid="row-undo" onClick={() => void bulk.undo([id])}>{t('undo')}</button>}
          {bulk.recent.has(id)
            ? <button className="btn min-w-[9.5rem] justify-center" data-testid="acked-button" disabled>✓ {t('acknowledged')}</button>
            : <span className="text-green-800" title={fmtDateTime(r.acknowledged_at, locale)}>✓ {t('acknowledged')} · {r.acknowledged_by}</span>}
        </span>
      );
    },
  };

  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">{t('recommendations')}</h1>
      <div className="card flex flex-wrap items-end gap-3">
        <SearchSelect label={t('priority')} name="priority" value={f.priority} onChange={(v) => url.set({ priority: v })} allLabel={t('all')} options={opts(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'])} />
        <SearchSelect label={t('type')} name="type" value={f.type} onChange={(v) => url.set({ type: v })} allLabel={t('all')} options={opts(['REORDER', 'EXPEDITE', 'REALLOCATE', 'PROMO', 'HOLD'])} />
        <SearchSelect label={t('site')} name="site_id" value={f.site_id} onChange={(v) => url.set({ site_id: v })} allLabel={t('allSites')}
          options={(sites.data ?? []).map((s) => ({ value: String(s.site_id), label: s.name }))} />
        <SearchSelect label={t('abcClass')} name="abc_class" value={f.abc_class} onChange={(v) => url.set({ abc_class: v })} allLabel={t('all')} options={opts(['A', 'B', 'C'])} />
        <label className="label">{t('acknowledgedFilter')}
          <select className="input" name="acknowledged" value={ack || 'all'} onChange={(e) => url.set({ acknowledged: e.target.value })}>
            <option value="false">{t('open')}</option><option value="true">{t('acknowledged')}</option><option value="all">{t('all')}</option>
          </select>
        </label>
        <CsvApiButton path="/recommendations" query={{ ...filters, sort: '-priority', limit: CSV_ALL }} filename="recommendations.csv" />
      </div>
      <BulkBar count={bulk.selected.size} label={t('ackSelected')} pending={bulk.pending} onAct={() => void bulk.act([...bulk.selected])} onClear={() => bulk.select([...bulk.selected], false)} />
      {bulk.error !== null && <p role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800" data-testid="ack-error">{errorText(bulk.error, t)}</p>}
      <QueueGroups list={list} view={view} testId="recs-table" selectable={writer} selected={bulk.selected} onSelect={bulk.select}
        sort={sort} onSort={(s) => url.set({ sort: s })} offset={offset} limit={LIMIT} onOffset={(o) => url.set({ offset: String(o) })} />
      <UndoToast toast={bulk.toast} onClose={bulk.closeToast} />
    </div>
  );
}
