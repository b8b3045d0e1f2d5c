import { describe, expect, it } from 'vitest';
import { runsOf } from './Simulation';
import type { SimPolicyRun, Simulation } from '../api/client';

const run = (policy: string, service_level: number | null): SimPolicyRun => ({
  policy, service_level, by_class: {},
  total: { stockout_rate: 0.05, fill_rate: 0.95, demand: 100, lost: 5, zero_stock_days: 1, series_days: 10, avg_on_hand_units: 20,
    avg_on_hand_value: 100, turns: 12, orders: 3, alerts: 2, alert_precision: 0.5, stockout_episodes: 1, alert_recall: 1 },
});
const base = { simulation_id: 1, status: 'SUCCEEDED' as const, source: 'database', params: {}, created_by: 'cli', started_at: '', finished_at: '', error: null };
const labels = { before: 'as today', after: 'with the change' };

describe('runsOf', () => {
  it('labels a CLI run by policy, and sweep points by their level', () => {
    const sim: Simulation = { ...base, results: [run('spec', null), run('normal', 0.98)] };
    expect(runsOf(sim, labels).map((r) => r.label)).toEqual(['spec', 'normal@0.98']);
  });
  it('labels a what-if as before and after', () => {
    const sim: Simulation = { ...base, results: { series: 5, baseline: [run('normal', null)], what_if: [run('normal', null)], change: [] } };
    expect(runsOf(sim, labels).map((r) => r.label)).toEqual(['normal (as today)', 'normal (with the change)']);
  });
  it('has nothing while running', () => {
    expect(runsOf({ ...base, status: 'RUNNING', results: null }, labels)).toEqual([]);
  });
});
