// What the grouped queues (recommendations, alerts) share: filters kept in the URL, the
// selection, and bulk actions that patch the rows in place (they never vanish under the
// pointer) with an undo.
import { useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { BulkResult, Envelope, QueueGroup } from '../api/client';

/** Search params as filters: read with a default; set() drops empty values and the page offset. */
export function useUrlFilters() {
  const [sp, setSp] = useSearchParams();
  return {
    get: (k: string, dflt = '') => sp.get(k) ?? dflt,
    set: (patch: Record<string, string>) => {
      const n = new URLSearchParams(sp);
      for (const [k, v] of Object.entries(patch)) if (v) n.set(k, v); else n.delete(k);
      if (!('offset' in patch)) n.delete('offset');
      setSp(n, { replace: true });
    },
  };
}

/** The next sort when a column header is clicked: descending first, then ascending. */
export function nextSort(current: string, key: string, descFirst = true): string {
  if (current === `-${key}`) return key;
  if (current === key) return `-${key}`;
  return descFirst ? `-${key}` : key;
}

/** The groups with `patch` applied to the rows whose id is in `ids`. */
export function patchRows<R>(groups: QueueGroup<R>[], rowId: (r: R) => number, ids: Set<number>, patch: (r: R) => R): QueueGroup<R>[] {
  return groups.map((g) => (g.rows.some((r) => ids.has(rowId(r))) ? { ...g, rows: g.rows.map((r) => (ids.has(rowId(r)) ? patch(r) : r)) } : g));
}

/** Ids of the rows an action may still apply to. */
export function actionableIds<R>(groups: QueueGroup<R>[], rowId: (r: R) => number, done: (r: R) => boolean): number[] {
  return groups.flatMap((g) => g.rows.filter((r) => !done(r)).map(rowId));
}

/** A toast: its text, and an Undo or another action (such toasts stay longer). */
export interface Toast { id: number; message: string; undo?: () => void; action?: { label: string; run: () => void } }

interface BulkOpts<R> {
  key: QueryKey;                       // the list on screen: patched, not fetched again
  stale: QueryKey[];                   // other lists: marked stale (fetched when next shown)
  refresh?: QueryKey[];                // fetched again at once (counts elsewhere on screen)
  rowId: (r: R) => number;
  mark: (r: R, done: boolean) => R;    // the row once done (or undone)
  call: (ids: number[], undo: boolean) => Promise<BulkResult>;
  doneText: (n: number, unchanged: number) => string;
  undoneText: string;
}

/** Selection, bulk action and undo for one grouped queue. A row in flight ignores more clicks. */
export function useBulk<R>(o: BulkOpts<R>) {
  const qc = useQueryClient();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [recent, setRecent] = useState<Set<number>>(new Set());
  const [toast, setToast] = useState<Toast | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const inFlight = useRef(new Set<number>());

  const patch = (ids: number[], done: boolean) => {
    const set = new Set(ids);
    qc.setQueryData<Envelope<QueueGroup<R>[]>>(o.key, (env) => env && { ...env, data: patchRows(env.data, o.rowId, set, (r) => o.mark(r, done)) });
    for (const k of o.stale) void qc.invalidateQueries({ queryKey: k, refetchType: 'none' });
    for (const k of o.refresh ?? []) void qc.invalidateQueries({ queryKey: k });
  };

  const run = async (ids: number[], undo: boolean) => {
    const fresh = ids.filter((id) => !inFlight.current.has(id));
    if (!fresh.length) return;
    fresh.forEach((id) => inFlight.current.add(id));
    setPending(true);
    setError(null);
    if (!undo) { // at once; rolled back if the server refuses
      patch(fresh, true);
      setRecent((s) => new Set([...s, ...fresh]));
    }
    try {
      const res = await o.call(fresh, undo);
      if (undo) {
        patch(res.changed, false);
        setRecent((s) => new Set([...s].filter((id) => !res.changed.includes(id))));
        setToast({ id: Date.now(), message: o.undoneText });
      } else {
        // Done by someone else meanwhile: shown done, but not undoable from here.
        setRecent((s) => new Set([...s].filter((id) => !res.unchanged.includes(id))));
        setSelected(new Set());
        const changed = res.changed;
        setToast({ id: Date.now(), message: o.doneText(changed.length, res.unchanged.length), undo: changed.length ? () => void run(changed, true) : undefined });
      }
    } catch (e) {
      if (!undo) {
        patch(fresh, false);
        setRecent((s) => new Set([...s].filter((id) => !fresh.includes(id))));
      }
      setError(e);
    } finally {
      fresh.forEach((id) => inFlight.current.delete(id));
      setPending(false);
    }
  };

  return {
    selected, recent, toast, error, pending,
    select: (ids: number[], on: boolean) => setSelected((s) => {
      const n = new Set(s);
      for (const id of ids) if (on) n.add(id); else n.delete(id);
      return n;
    }),
    act: (ids: number[]) => run(ids, false),
    undo: (ids: number[]) => run(ids, true),
    closeToast: () => setToast(null),
  };
}
