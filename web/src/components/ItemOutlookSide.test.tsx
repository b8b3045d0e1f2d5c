import { render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configureClient, tokenStore, type Projection } from '../api/client';
import { I18nProvider } from '../lib/i18n';
import { ItemOutlookSide } from './ItemOutlookSide';

const p: Projection = {
  item_id: 7, site_id: 2, run_id: 3, as_of: '2026-03-01', horizon_days: 30,
  supplier: { supplier_id: 1, code: 'SUP-1', name: 'Acme', supplier_type: 'DOMESTIC', reliability_score: 90, on_time_delivery_rate: 87.5, avg_lead_time_days: 6 },
  on_hand: 10, on_order: 21, avg_daily_demand: 4, safety_stock: 3, reorder_point: 27, order_up_to: 83, lead_time_days: 6.5,
  run_out_date: null, days_to_run_out: null, days: [], sites: [],
  orders: [
    { order_id: 11, site_id: 2, order_date: '2026-02-10', expected_delivery_date: '2026-02-27', quantity: 15, status: 'DELAYED', late: true, arrives_on: '2026-03-02' },
    { order_id: 12, site_id: 2, order_date: '2026-02-20', expected_delivery_date: '2026-03-04', quantity: 6, status: 'PLACED', late: false, arrives_on: '2026-03-04' },
  ],
};

describe('ItemOutlookSide', () => {
  it('shows the supplier, lead time and open orders, overdue ones marked, and asks for the site\u2019s open queues', async () => {
    const calls: string[] = [];
    configureClient({
      fetch: (async (u: RequestInfo | URL) => {
        calls.push(String(u));
        const data = String(u).startsWith('/api/v1/sites') ? [{ site_id: 2, name: 'South' }] : [];
        return new Response(JSON.stringify({ status: 'success', data, metadata: { total_count: 0 } }), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }) as typeof fetch,
    });
    tokenStore.set('tok', 3600);
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(<QueryClientProvider client={qc}><I18nProvider initial="en"><ItemOutlookSide p={p} /></I18nProvider></QueryClientProvider>);
    expect(screen.getByTestId('supplier').textContent).toContain('Acme');
    expect(screen.getByTestId('lead-time').textContent).toBe('6.5');
    expect(screen.getByTestId('supplier').textContent).toContain('87.5%');
    const rows = [...screen.getByTestId('open-orders').querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-order'))).toEqual(['11', '12']);
    expect(rows[0].textContent).toContain('overdue');
    expect(rows[0].className).toContain('text-red-800');
    expect(rows[1].textContent).not.toContain('overdue');
    await screen.findByRole('heading', { name: 'Alerts (0)' });
    expect((await screen.findAllByText('South')).length).toBe(2);
    expect(calls).toContain('/api/v1/alerts?item_id=7&site_id=2&resolved=false&sort=-priority&limit=10');
    expect(calls).toContain('/api/v1/recommendations?item_id=7&site_id=2&acknowledged=false&sort=-priority&limit=10');
  });
});
