import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import SimulationPage, { outliersOf, paramsText, runsOf } from './Simulation';
import { translate } from '../lib/i18n';
import { configureClient, tokenStore, type SimPolicyRun, type Simulation } from '../api/client';
import { AuthProvider } from '../lib/auth';
import { I18nProvider } from '../lib/i18n';
import type { Locale } from '../lib/format';

// jsdom has no ResizeObserver; recharts' ResponsiveContainer needs one.
globalThis.ResizeObserver ??= class { observe() {} unobserve() {} disconnect() {} } as unknown as typeof ResizeObserver;

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

describe('the outlier rule in a result', () => {
  const whatIf = { series: 200, baseline: [run('normal', null)], what_if: [run('normal', null)], change: [] };
  it('reads a what-if\'s days and series, out of the series it sampled', () => {
    const sim: Simulation = { ...base, params: { sample: 200, demand_outliers: { days: 37, concerned: 12 } } as never, results: whatIf };
    expect(outliersOf(sim)).toEqual({ days: 37, concerned: 12, series: 200, kept: false });
  });
  it('reads a CLI run\'s series from its params, and says when outliers were kept', () => {
    const sim: Simulation = { ...base, params: { series: 5000, keep_outliers: true, demand_outliers: { days: 0, concerned: 0 } } as never,
      results: [run('spec', null)] };
    expect(outliersOf(sim)).toEqual({ days: 0, concerned: 0, series: 5000, kept: true });
  });
  it('has nothing for a run that did not record it', () => {
    expect(outliersOf({ ...base, params: { sample: 10 } as never, results: whatIf })).toBeNull();
    expect(outliersOf({ ...base, status: 'RUNNING', params: { sample: 10 } as never, results: null })).toBeNull();
  });
});

describe('the simulation page', () => {
  function show(sim: Simulation, locale: Locale = 'en') {
    const fetchFn = async (url: RequestInfo | URL) => {
      const u = String(url);
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
      if (u.startsWith('/api/v1/auth/me')) return json({ status: 'success', data: { user_id: 1, username: 'vic', role: 'VIEWER' }, metadata: {} });
      if (u.startsWith(`/api/v1/simulations/${sim.simulation_id}`)) return json({ status: 'success', data: sim, metadata: {} });
      if (u.startsWith('/api/v1/simulations')) return json({ status: 'success', data: [{ ...sim, results: undefined }], metadata: { total_count: 1 } });
      return json({ status: 'success', data: [], metadata: { total_count: 0 } });
    };
    configureClient({ fetch: fetchFn as typeof fetch });
    tokenStore.set('tok', 3600);
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}><I18nProvider initial={locale}><MemoryRouter initialEntries={['/simulation']}>
        <AuthProvider><SimulationPage /></AuthProvider>
      </MemoryRouter></I18nProvider></QueryClientProvider>,
    );
  }
  const whatIf = (outliers: unknown): Simulation => ({ ...base, simulation_id: 4, params: { sample: 200, demand_outliers: outliers } as never,
    results: { series: 200, baseline: [run('normal', null)], what_if: [run('normal', null)],
      change: [{ policy: 'normal', stockout_rate_points: -0.5, avg_on_hand_units: 2, avg_on_hand_units_pct: 4.2 }] } });

  it('says how many demand days the outlier rule dropped, beside the what-if\'s change', async () => {
    show(whatIf({ days: 1234, concerned: 12 }));
    const note = await screen.findByTestId('sim-outliers');
    expect(note.textContent).toContain('Demand days read as zero by the outlier rule: 1,234, in 12 of 200 series.');
    expect(note.closest('[data-testid="sim-summary"]')?.querySelector('[data-testid="sim-change"]')?.textContent).toContain('normal: stockouts -0.50 points');
  });
  it('says so when the rule dropped nothing, in Portuguese too', async () => {
    show(whatIf({ days: 0, concerned: 0 }), 'pt-BR');
    expect((await screen.findByTestId('sim-outliers')).textContent).toContain('Dias de demanda lidos como zero pela regra de outliers: nenhum.');
  });
  it('shows a CLI run\'s count against the series it replayed', async () => {
    show({ ...base, simulation_id: 2, params: { series: 5000, keep_outliers: false, demand_outliers: { days: 9, concerned: 3 } } as never,
      results: [run('spec', null)] });
    expect((await screen.findByTestId('sim-outliers')).textContent).toContain('Demand days read as zero by the outlier rule: 9, in 3 of 5,000 series.');
  });
});

describe('what a run tried', () => {
  const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate('en', k, v);
  it('says a what-if\'s sample and the changes it asked for', () => {
    const sim: Simulation = { ...base, params: { sample: 300, lead_time_scale: 1.5, review_days: 7, service_level_a: 0.99, demand_outliers: { days: 1, concerned: 1 } } as never, results: null };
    expect(paramsText(sim, t, 'en')).toBe('300 series · lead times ×1.5 · review every 7 days · service level A 99.0%');
  });
  it('says a CLI run\'s period, series and policies; lead times only when scaled', () => {
    const sim: Simulation = { ...base, params: { from: '2025-12-07', to: '2026-12-06', series: 5000, policies: 'spec,normal', lead_time_scale: 1, review_days: 14 } as never, results: null };
    expect(paramsText(sim, t, 'en')).toBe('2025-12-07 – 2026-12-06 · 5,000 series · policy spec,normal · review every 14 days');
    expect(paramsText({ ...base, params: {} as never, results: null }, t, 'en')).toBe('');
  });
});
