import { render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configureClient, tokenStore } from '../api/client';
import { I18nProvider } from '../lib/i18n';
import MaterialDetail from './MaterialDetail';

globalThis.ResizeObserver ??= class { observe() {} unobserve() {} disconnect() {} } as unknown as typeof ResizeObserver;

const sites = [{ site_id: 1, name: 'North' }, { site_id: 2, name: 'South' }];
const projection = {
  item_id: 7, site_id: null, run_id: 3, as_of: '2026-03-01', horizon_days: 2, supplier: null,
  on_hand: 30, on_order: 0, avg_daily_demand: 5, safety_stock: 6, reorder_point: 20, order_up_to: 50, lead_time_days: 4,
  run_out_date: null, days_to_run_out: null,
  days: [{ full_date: '2026-03-02', forecast: 5, receipts: 0, projected: 25, lower: 22, upper: 28 },
    { full_date: '2026-03-03', forecast: 5, receipts: 0, projected: 20, lower: 16, upper: 24 }],
  orders: [], sites: [],
};
const inventory = [
  { full_date: '2026-03-01', site_id: 1, current_stock: 10 }, { full_date: '2026-03-01', site_id: 2, current_stock: 20 },
];
const policy = [{ site_id: 1, safety_stock: 2, reorder_point: 8, lead_time_days: 4 }, { site_id: 2, safety_stock: 4, reorder_point: 12, lead_time_days: 4 }];

function setup(url: string) {
  const calls: string[] = [];
  configureClient({
    fetch: (async (u: RequestInfo | URL) => {
      const s = String(u);
      calls.push(s);
      const reply = (data: unknown, metadata: object = {}) => new Response(JSON.stringify({ status: 'success', data, metadata }), { status: 200, headers: { 'Content-Type': 'application/json' } });
      if (s.startsWith('/api/v1/items/7/projection')) return reply(projection);
      if (s.startsWith('/api/v1/items/7')) return reply({ item_id: 7, sku: 'SKU-7', name: 'Valve', family: null, category: null, abc_class: 'A', criticality: 3 });
      if (s.startsWith('/api/v1/sites')) return reply(sites);
      if (s.startsWith('/api/v1/inventory/timeseries')) return reply(inventory, { policy, policy_run: { run_id: 3, as_of: '2026-03-01' } });
      if (s.startsWith('/api/v1/alerts')) return reply([{ alert_id: 5, level: 'CRITICAL', category: 'STOCKOUT_IMMINENT', message: 'Runs out in 2 days' }], { total_count: 3 });
      if (s.startsWith('/api/v1/recommendations')) return reply([{ recommendation_id: 9, type: 'REORDER', priority: 'HIGH', message: 'Order 40 units' }], { total_count: 1 });
      return reply([], { total_count: 0 });
    }) as typeof fetch,
  });
  tokenStore.set('tok', 3600);
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}><I18nProvider initial="en"><MemoryRouter initialEntries={[url]}>
      <Routes><Route path="/materials/:id" element={<MaterialDetail />} /></Routes>
    </MemoryRouter></I18nProvider></QueryClientProvider>,
  );
  return calls;
}

describe('item page, all sites', () => {
  it('opens on the projected stock of every site summed, with the item\u2019s queues beside it', async () => {
    const calls = setup('/materials/7');
    await screen.findByTestId('projected-stock');
    expect(screen.getByTestId('all-sites-note').textContent).toContain('summed');
    expect(screen.getByTestId('proj-on-hand').textContent).toBe('30.0');
    expect(calls).toContain('/api/v1/items/7/projection');
    await waitFor(() => expect(calls.some((c) => c.startsWith('/api/v1/alerts?item_id=7&resolved=false'))).toBe(true));
    expect(calls.some((c) => c.startsWith('/api/v1/recommendations?item_id=7&acknowledged=false'))).toBe(true);
    expect((await screen.findByTestId('item-alerts')).textContent).toBe('CRITICAL Runs out in 2 days');
    expect(screen.getByTestId('item-recs').textContent).toBe('REORDER Order 40 units');
    expect(screen.getByRole('heading', { name: 'Alerts (3)' })).toBeTruthy();
    expect(screen.getByTestId('open-orders-empty')).toBeTruthy();
    expect(screen.getByTestId('supplier').textContent).toBe('No supplier recorded.');
  });

  it('sums the inventory of every site instead of showing one', async () => {
    const calls = setup('/materials/7?tab=inventory');
    const note = await screen.findByTestId('policy-note');
    expect(calls).toContain('/api/v1/inventory/timeseries?item_id=7&limit=1000');
    // Safety stock 2 + 4, reorder point 8 + 12.
    expect(note.textContent).toContain('6.0');
    expect(note.textContent).toContain('20.0');
    expect(screen.getByText(/All 2 sites summed/)).toBeTruthy();
  });

  it('does not offer features across sites: it asks for a site', async () => {
    const calls = setup('/materials/7?tab=features');
    await screen.findByTestId('features-pick-site');
    await screen.findByRole('button', { name: 'South' });
    expect(calls.some((c) => c.startsWith('/api/v1/features'))).toBe(false);
  });

  it('asks for one site\u2019s projection when a site is chosen', async () => {
    const calls = setup('/materials/7?site=2');
    await screen.findByTestId('projected-stock');
    expect(calls).toContain('/api/v1/items/7/projection?site_id=2');
    expect(screen.queryByTestId('all-sites-note')).toBeNull();
  });
});
