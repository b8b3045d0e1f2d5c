import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configureClient, tokenStore } from '../api/client';
import { I18nProvider } from '../lib/i18n';
import Inventory from './Inventory';

const health = [
  { site_id: 1, site_name: 'North', abc_class: 'A', items: 10, at_risk: 2, stockouts: 1, median_coverage_days: 12.5, avg_coverage_days: 20, inventory_value: 1000 },
  { site_id: 2, site_name: 'South', abc_class: 'B', items: 5, at_risk: 1, stockouts: 0, median_coverage_days: null, avg_coverage_days: null, inventory_value: 50 },
];
const row = { full_date: '2026-01-01', item_id: 7, sku: 'SKU-7', item_name: 'Valve', abc_class: 'A', criticality: 5, site_id: 1, site_name: 'North',
  current_stock: 3, safety_stock: 4, reorder_point: 9, days_to_rupture: 2, lead_time_days: 6, coverage_days: 1.5, stock_value: 30, stockout: false, at_risk: true };

describe('inventory page', () => {
  it('asks once for health and once per drill-down page, never per item', async () => {
    const calls: string[] = [];
    configureClient({
      fetch: (async (url: RequestInfo | URL) => {
        const u = String(url);
        calls.push(u);
        const data = u.startsWith('/api/v1/inventory/health') ? health : u.startsWith('/api/v1/inventory/snapshot') ? [row] : [];
        return new Response(JSON.stringify({ status: 'success', data, metadata: { total_count: data.length, date: '2026-01-01', policy_run: { run_id: 4, as_of: '2026-01-01' } } }),
          { status: 200, headers: { 'Content-Type': 'application/json' } });
      }) as typeof fetch,
    });
    tokenStore.set('tok', 3600);
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}><I18nProvider initial="en"><MemoryRouter initialEntries={['/inventory']}>
        <Inventory />
      </MemoryRouter></I18nProvider></QueryClientProvider>,
    );
    await screen.findByTestId('health-table');
    await screen.findByText('SKU-7');
    expect(screen.getByTestId('total-at-risk').textContent).toBe('3');
    expect(screen.getByTestId('total-stockouts').textContent).toBe('1');
    // The sort reads in the columns' words, not the API's keys.
    expect([...(document.querySelector('select[name="sort"]') as HTMLSelectElement).options].map((o) => o.textContent))
      .toEqual(['Days to rupture ↑', 'Days to rupture ↓', 'Coverage (days) ↑', 'Coverage (days) ↓', 'Inventory value ↓', 'SKU ↑']);
    expect(calls).toEqual(['/api/v1/inventory/health?limit=1000', '/api/v1/inventory/snapshot?sort=days_to_rupture&limit=25&offset=0']);
    fireEvent.click(screen.getAllByTestId('drill-down')[1]);
    await waitFor(() => expect(calls.length).toBe(3));
    expect(calls[2]).toBe('/api/v1/inventory/snapshot?site_id=2&abc_class=B&sort=days_to_rupture&limit=25&offset=0');
  });
});
