import { actionableIds, nextSort, patchRows } from './queue';
import type { QueueGroup } from '../api/client';

type R = { id: number; done: boolean };
const g = (item: number, rows: R[]): QueueGroup<R> => ({ item_id: item, sku: `S${item}`, item_name: null, abc_class: 'A', site_id: 1, site_name: 'N',
  count: rows.length, top_priority_score: 1, latest_at: '2026-01-01T00:00:00Z', rows });

describe('queue helpers', () => {
  it('sorts descending first, then flips', () => {
    expect(nextSort('-priority', 'count')).toBe('-count');
    expect(nextSort('-count', 'count')).toBe('count');
    expect(nextSort('count', 'count')).toBe('-count');
    expect(nextSort('-priority', 'sku', false)).toBe('sku');
  });
  it('patches only the chosen rows and leaves other groups untouched', () => {
    const groups = [g(1, [{ id: 1, done: false }, { id: 2, done: false }]), g(2, [{ id: 3, done: false }])];
    const out = patchRows(groups, (r) => r.id, new Set([2]), (r) => ({ ...r, done: true }));
    expect(out[0].rows.map((r) => r.done)).toEqual([false, true]);
    expect(out[1]).toBe(groups[1]);
    expect(groups[0].rows[1].done).toBe(false);
  });
  it('lists the ids an action may still apply to', () => {
    const groups = [g(1, [{ id: 1, done: true }, { id: 2, done: false }]), g(2, [{ id: 3, done: false }])];
    expect(actionableIds(groups, (r) => r.id, (r) => r.done)).toEqual([2, 3]);
  });
});
