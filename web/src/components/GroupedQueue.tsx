import { Fragment, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { Envelope, QueueGroup } from '../api/client';
import { fmtDateTime, fmtStake } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { Pager } from './Pager';
import { SortHeader } from './SortHeader';
import { QueryState } from './States';

/** How a page shows its rows inside the shared grouped table. */
export interface QueueView<R> {
  rowId: (r: R) => number;
  rowAttrs: (r: R) => Record<string, string>;  // data-* attributes of the row
  done: (r: R) => boolean;                     // acknowledged / read: greyed, not selectable
  badge: (label: string | undefined) => ReactNode;
  groupLabel: (g: QueueGroup<R>) => string | undefined;
  groupCount: (g: QueueGroup<R>) => ReactNode;
  kind: (r: R) => ReactNode;
  amount?: (r: R) => ReactNode;                // a page's own figure (a quantity); no column without it
  stake: (r: R) => number | null;              // priority_score: money at risk, what the default sort follows
  label: (r: R) => string;
  message: (r: R) => string;
  when: (r: R) => string;
  action: (r: R) => ReactNode;
  amountHeader?: string;
  actionWidth: string;                         // a fixed width for the status cell, so acting never reflows the rows
}

/** priority_score as money, compact ("R$24.9K"); a dash when unknown. */
interface GroupedQueueProps<R> {
  groups: QueueGroup<R>[]; view: QueueView<R>; testId: string; selectable: boolean;
  selected: Set<number>; onSelect: (ids: number[], on: boolean) => void; sort: string; onSort: (s: string) => void;
}

/** Item x site groups (expanded; each can fold) with their rows, checkboxes and sortable headers. */
export function GroupedQueue<R>({ groups, view, testId, selectable, selected, onSelect, sort, onSort }: GroupedQueueProps<R>) {
  const { t, locale } = useI18n();
  const [folded, setFolded] = useState<Set<string>>(new Set());
  const open = (g: QueueGroup<R>) => g.rows.filter((r) => !view.done(r)).map(view.rowId);
  const pageIds = groups.flatMap(open);
  const box = (ids: number[], label: string, testid: string) => (
    <input type="checkbox" aria-label={label} data-testid={testid} disabled={ids.length === 0}
      checked={ids.length > 0 && ids.every((id) => selected.has(id))} onChange={(e) => onSelect(ids, e.target.checked)} />
  );
  return (
    <table className="w-full min-w-[880px]" data-testid={testId}>
      <thead><tr>
        {selectable && <th className="th w-8">{box(pageIds, t('selectAllOnPage'), 'select-page')}</th>}
        <SortHeader label={t('priority')} sortKey="priority" sort={sort} onSort={onSort} />
        <SortHeader label={t('item')} sortKey="sku" sort={sort} onSort={onSort} ascFirst />
        <th className="th">{t('abcClass')}</th>
        <SortHeader label={t('site')} sortKey="site" sort={sort} onSort={onSort} ascFirst />
        <SortHeader label={t('count')} sortKey="count" sort={sort} onSort={onSort} className="text-right" />
        <th className="th text-right" title={t('stakeHint')}>{t('score')}</th>
        {view.amount && <th className="th text-right">{view.amountHeader}</th>}
        <th className="th">{t('message')}</th>
        <SortHeader label={t('latest')} sortKey="latest" sort={sort} onSort={onSort} />
        <th className="th text-right">{t('status')}</th>
      </tr></thead>
      <tbody>
        {groups.map((g) => {
          const key = `${g.item_id ?? ''}:${g.site_id ?? ''}`;
          const isOpen = !folded.has(key);
          const sku = g.sku ?? (g.item_id ? `#${g.item_id}` : '—');
          return (
            <Fragment key={key}>
              <tr className="bg-slate-50" data-group={key} data-top-score={String(g.top_priority_score)}>
                {selectable && <td className="td">{box(open(g), t('selectGroup', { g: sku }), 'select-group')}</td>}
                <td className="td whitespace-nowrap">
                  <button type="button" className="mr-1 text-slate-600" aria-expanded={isOpen} aria-label={isOpen ? t('collapse') : t('expand')}
                    onClick={() => setFolded((s) => { const n = new Set(s); if (isOpen) n.add(key); else n.delete(key); return n; })}>{isOpen ? '▾' : '▸'}</button>
                  {view.badge(view.groupLabel(g))}
                </td>
                <td className="td font-medium">{g.item_id ? <Link className="text-blue-800 underline" to={`/materials/${g.item_id}${g.site_id ? `?site=${g.site_id}` : ''}`}>{sku}</Link> : sku}
                  {g.item_name && <span className="ml-1 text-xs text-slate-500">{g.item_name}</span>}</td>
                <td className="td">{g.abc_class ?? '—'}</td>
                <td className="td">{g.site_name ?? (g.site_id ? `#${g.site_id}` : '—')}</td>
                <td className="td text-right">{view.groupCount(g)}</td>
                <td className="td whitespace-nowrap text-right font-semibold tabular-nums" data-testid="group-stake">{fmtStake(g.top_priority_score, locale)}</td>
                {view.amount && <td className="td" />}
                <td className="td max-w-sm text-slate-700">{!isOpen && g.rows[0] ? view.message(g.rows[0]) : ''}</td>
                <td className="td min-w-[5.5rem]">{fmtDateTime(g.latest_at, locale)}</td>
                <td className="td" />
              </tr>
              {isOpen && g.rows.map((r) => {
                const id = view.rowId(r);
                const done = view.done(r);
                return (
                  <tr key={id} {...view.rowAttrs(r)} className={done ? 'bg-slate-50 text-slate-400' : ''}>
                    {selectable && <td className="td pl-4">{!done && box([id], t('selectRow', { id }), 'select-row')}</td>}
                    <td className="td pl-6">{view.badge(view.label(r))}</td>
                    <td className="td" colSpan={4} data-col="kind">{view.kind(r)}</td>
                    <td className="td whitespace-nowrap text-right tabular-nums" data-testid="row-stake">{fmtStake(view.stake(r), locale)}</td>
                    {view.amount && <td className="td text-right tabular-nums">{view.amount(r)}</td>}
                    <td className={`td min-w-[13rem] max-w-sm ${done ? 'line-through decoration-slate-300' : ''}`}>{view.message(r)}</td>
                    <td className="td min-w-[5.5rem]">{view.when(r)}</td>
                    <td className="td text-right whitespace-nowrap"><div className={`ml-auto flex items-center justify-end gap-2 ${view.actionWidth}`}>{view.action(r)}</div></td>
                  </tr>
                );
              })}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/** The bar above a queue: how many are chosen, the bulk action, clear. */
export function BulkBar({ count, label, pending, onAct, onClear }: { count: number; label: string; pending: boolean; onAct: () => void; onClear: () => void }) {
  const { t } = useI18n();
  if (!count) return null;
  return (
    <div className="card flex flex-wrap items-center gap-3 py-2" data-testid="bulk-bar">
      <span className="text-sm font-medium">{t('selectedN', { n: count })}</span>
      <button className="btn-primary" data-testid="bulk-act" disabled={pending} onClick={onAct}>{label}</button>
      <button className="btn" onClick={onClear}>{t('clearSelection')}</button>
    </div>
  );
}

/** A queue page's groups in a card (loading, error and empty states), its pager below. */
export function QueueGroups<R>({ list, offset, limit, onOffset, ...queue }: {
  list: { isLoading: boolean; isError: boolean; error: unknown; data: Envelope<QueueGroup<R>[]> | undefined; refetch: () => unknown };
  offset: number; limit: number; onOffset: (offset: number) => void;
} & Omit<GroupedQueueProps<R>, 'groups'>) {
  return (
    <div className="card overflow-x-auto p-0">
      <QueryState q={list} empty={(d) => d.data.length === 0}>
        {(d) => (
          <>
            <GroupedQueue groups={d.data} {...queue} />
            <Pager offset={offset} limit={limit} total={Number(d.metadata.total_count ?? d.data.length)} onChange={onOffset} />
          </>
        )}
      </QueryState>
    </div>
  );
}
