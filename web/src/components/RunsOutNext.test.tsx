import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configureClient, tokenStore } from '../api/client';
import { I18nProvider } from '../lib/i18n';
import { RunsOutNext } from './RunsOutNext';

const row = { full_date: '2026-12-06', item_id: 7, sku: 'TEL-00352', item_name: 'Splitter óptico 1x16', abc_class: 'A', criticality: 5, site_id: 1,
  site_name: 'CD Salvador', current_stock: 91, safety_stock: 813.9, reorder_point: 2074.7, days_to_rupture: 0, lead_time_days: 15, coverage_days: 0.7,
  stock_value: 30, money_at_stake: 24912.5, stockout: false, at_risk: true };

describe('RunsOutNext', () => {
  it('names each item beside its SKU, so a planner need not open it to know what runs out', async () => {
    configureClient({
      fetch: (async () => new Response(JSON.stringify({ status: 'success', data: [row], metadata: { total_count: 344 } }),
        { status: 200, headers: { 'Content-Type': 'application/json' } })) as typeof fetch,
    });
    tokenStore.set('tok', 3600);
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <I18nProvider initial="en"><MemoryRouter><RunsOutNext /></MemoryRouter></I18nProvider>
      </QueryClientProvider>,
    );
    const cell = (await screen.findByRole('link', { name: 'TEL-00352' })).closest('td') as HTMLElement;
    expect(within(cell).getByTestId('item-name').textContent).toBe('Splitter óptico 1x16');
    expect(screen.getByTestId('count-stockout').textContent).toBe('344 out of stock now');
  });
  it('shows each pair\'s money at stake, the order of pairs that run out on the same day', async () => {
    const rows = [{ ...row, money_at_stake: 24912.5 }, { ...row, item_id: 8, sku: 'TEL-00400', money_at_stake: 310 }];
    configureClient({
      fetch: (async () => new Response(JSON.stringify({ status: 'success', data: rows, metadata: { total_count: 2 } }),
        { status: 200, headers: { 'Content-Type': 'application/json' } })) as typeof fetch,
    });
    tokenStore.set('tok', 3600);
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <I18nProvider initial="pt-BR"><MemoryRouter><RunsOutNext /></MemoryRouter></I18nProvider>
      </QueryClientProvider>,
    );
    await screen.findByRole('link', { name: 'TEL-00400' });
    expect(screen.getByRole('columnheader', { name: 'Em jogo' })).toBeTruthy();
    expect(screen.getAllByTestId('runs-out-stake').map((c) => c.textContent?.replace(/\s/g, ' '))).toEqual(['R$ 24,9 mil', 'R$ 310']);
  });
});
