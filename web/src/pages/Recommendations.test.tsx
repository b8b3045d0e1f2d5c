import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configureClient, tokenStore } from '../api/client';
import { AuthProvider } from '../lib/auth';
import { I18nProvider } from '../lib/i18n';
import Recommendations from './Recommendations';

const row = (id: number, msg: string) => ({ recommendation_id: id, item_id: 1, site_id: 1, type: 'REORDER', priority: 'CRITICAL', message: msg,
  quantity_recommended: 10, priority_score: 50 - id, created_at: '2026-01-01T00:00:00Z', acknowledged_at: null, acknowledged_by: null });
const group = { item_id: 1, sku: 'SKU-1', item_name: 'Bolt', abc_class: 'A', site_id: 1, site_name: 'North', count: 2, open: 2,
  top_priority_score: 41, top_priority: 'CRITICAL', latest_at: '2026-01-01T00:00:00Z', rows: [row(9, 'Order 10'), row(10, 'Order 20')] };

function setup(role: string, bulkStatus = 200, path = '/recommendations') {
  const calls: string[] = [];
  const bodies: { ids: number[]; action: string }[] = [];
  let release: () => void = () => {};
  const fetchFn = async (url: RequestInfo | URL, init?: RequestInit) => {
    const u = String(url);
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${u}`);
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    if (u.startsWith('/api/v1/auth/me')) return json(200, { status: 'success', data: { user_id: 1, username: 'ana', role }, metadata: {} });
    if (method === 'POST' && u === '/api/v1/recommendations/bulk') {
      const b = JSON.parse(String(init?.body));
      bodies.push(b);
      await new Promise<void>((r) => { release = r; });
      return bulkStatus === 200
        ? json(200, { status: 'success', data: { action: b.action, requested: b.ids.length, changed: b.ids, unchanged: [] }, metadata: {} })
        : json(bulkStatus, { status: 'error', error: 'forbidden', detail: 'needs role ANALYST' });
    }
    if (u.startsWith('/api/v1/recommendations/groups')) return json(200, { status: 'success', data: [group], metadata: { total_count: 1 } });
    return json(200, { status: 'success', data: [], metadata: { total_count: 0 } });
  };
  configureClient({ fetch: fetchFn as typeof fetch });
  tokenStore.set('tok', 3600);
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}><I18nProvider initial="en"><MemoryRouter initialEntries={[path]}>
      <AuthProvider><Recommendations /></AuthProvider>
    </MemoryRouter></I18nProvider></QueryClientProvider>,
  );
  return { calls, bodies, release: () => release() };
}
const rowOf = (id: number) => document.querySelector(`tr[data-rec-id="${id}"]`) as HTMLElement;

describe('Recommendations queue', () => {
  beforeEach(() => localStorage.clear());

  it('groups rows under their item x site; a double click acts once; the row stays; undo restores it', async () => {
    const s = setup('ANALYST');
    await screen.findAllByText('Order 10');
    expect(document.querySelector('tr[data-group="1:1"]')?.textContent).toContain('SKU-1');
    const btn = within(rowOf(9)).getByRole('button', { name: 'Acknowledge' });
    fireEvent.click(btn);
    fireEvent.click(btn);
    fireEvent.dblClick(btn);
    // In place, greyed, its button disabled under the pointer; the next row did not move up.
    const done = await within(rowOf(9)).findByTestId('acked-button');
    expect((done as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(done);
    expect(within(rowOf(10)).getByRole('button', { name: 'Acknowledge' })).toBeTruthy();
    s.release();
    await screen.findByText('1 acknowledged');
    expect(s.bodies).toEqual([{ ids: [9], action: 'acknowledge' }]);
    expect(rowOf(9)).toBeTruthy();
    fireEvent.click(screen.getByTestId('toast-undo'));
    await waitFor(() => expect(s.bodies.length).toBe(2));
    s.release();
    await within(rowOf(9)).findByRole('button', { name: 'Acknowledge' });
    expect(s.bodies[1]).toEqual({ ids: [9], action: 'unacknowledge' });
    await screen.findByText('Undone.');
  });

  it('selects all on the page and acknowledges them in one request', async () => {
    const s = setup('ANALYST');
    await screen.findAllByText('Order 10');
    fireEvent.click(screen.getByTestId('select-page'));
    await screen.findByText('2 selected');
    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge selected' }));
    await waitFor(() => expect(s.bodies.length).toBe(1));
    expect(s.bodies[0]).toEqual({ ids: [9, 10], action: 'acknowledge' });
    s.release();
    await screen.findByText('2 acknowledged');
    expect(screen.queryByTestId('bulk-bar')).toBeNull();
  });

  it('rolls back with the reason when the API refuses', async () => {
    const s = setup('ANALYST', 403);
    await screen.findAllByText('Order 10');
    fireEvent.click(within(rowOf(9)).getByRole('button', { name: 'Acknowledge' }));
    await within(rowOf(9)).findByTestId('acked-button');
    s.release();
    await screen.findByText(/needs role ANALYST/);
    expect(await within(rowOf(9)).findByRole('button', { name: 'Acknowledge' })).toBeTruthy();
  });

  it('reads filters and sort from the URL and sorts by a clicked header', async () => {
    const s = setup('ANALYST', 200, '/recommendations?type=REORDER&abc_class=A&sort=sku');
    await screen.findAllByText('Order 10');
    const get = () => s.calls.filter((c) => c.startsWith('GET /api/v1/recommendations/groups'));
    expect(get()[0]).toContain('type=REORDER');
    expect(get()[0]).toContain('abc_class=A');
    expect(get()[0]).toContain('sort=sku');
    fireEvent.click(screen.getByRole('button', { name: /^Item/ }));
    await waitFor(() => expect(get().some((c) => c.includes('sort=-sku'))).toBe(true));
    fireEvent.click(screen.getByRole('button', { name: /^Count/ }));
    await waitFor(() => expect(get().some((c) => c.includes('sort=-count'))).toBe(true));
  });

  it('shows the money at stake the queue is sorted by: the group\'s top and each row\'s, beside the quantity', async () => {
    setup('VIEWER');
    await screen.findAllByText('Order 10');
    expect(document.querySelector('tr[data-group="1:1"] [data-testid="group-stake"]')?.textContent).toBe('R$41');
    expect(within(rowOf(9)).getByTestId('row-stake').textContent).toBe('R$41');
    expect(within(rowOf(10)).getByTestId('row-stake').textContent).toBe('R$40');
    expect(rowOf(9).textContent).toContain('10'); // the quantity stays
    const heads = [...document.querySelectorAll('thead th')].map((th) => th.textContent);
    expect(heads.indexOf('At stake')).toBeGreaterThan(-1);
    expect(heads.indexOf('Quantity')).toBe(heads.indexOf('At stake') + 1);
  });

  it('shows a viewer no acknowledge button and no checkboxes', async () => {
    setup('VIEWER');
    await screen.findAllByText('Order 10');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull());
    expect(screen.queryAllByRole('checkbox').length).toBe(0);
    expect(screen.getAllByText('Open').length).toBeGreaterThan(0);
  });
});
