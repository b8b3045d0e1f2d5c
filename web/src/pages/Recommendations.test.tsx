import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configureClient, tokenStore } from '../api/client';
import { AuthProvider } from '../lib/auth';
import { I18nProvider } from '../lib/i18n';
import Recommendations from './Recommendations';

const rec = { recommendation_id: 9, item_id: 1, site_id: 1, type: 'REORDER', priority: 'CRITICAL', message: 'Order 10',
  quantity_recommended: 10, created_at: '2026-01-01T00:00:00Z', acknowledged_at: null, acknowledged_by: null };

function setup(role: string, patchStatus: number) {
  const calls: string[] = [];
  let releasePatch: () => void = () => {};
  const fetchFn = async (url: RequestInfo | URL, init?: RequestInit) => {
    const u = String(url);
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${u}`);
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    if (u.startsWith('/api/v1/auth/me')) return json(200, { status: 'success', data: { user_id: 1, username: 'ana', role }, metadata: {} });
    if (method === 'PATCH') {
      await new Promise<void>((r) => { releasePatch = r; });
      return patchStatus === 200
        ? json(200, { status: 'success', data: { ...rec, acknowledged_at: 'x', acknowledged_by: 'ana' }, metadata: {} })
        : json(patchStatus, { status: 'error', error: 'conflict', detail: 'already acknowledged by bob' });
    }
    if (u.startsWith('/api/v1/recommendations')) return json(200, { status: 'success', data: [rec], metadata: { total_count: 1 } });
    return json(200, { status: 'success', data: [], metadata: { total_count: 0 } });
  };
  configureClient({ fetch: fetchFn as typeof fetch });
  tokenStore.set('tok', 3600);
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={qc}><I18nProvider initial="en"><MemoryRouter initialEntries={['/recommendations']}>
      <AuthProvider><Recommendations /></AuthProvider>
    </MemoryRouter></I18nProvider></QueryClientProvider>,
  );
  return { calls, release: () => releasePatch() };
}

describe('Recommendations', () => {
  beforeEach(() => localStorage.clear());

  it('acknowledges at once and rolls back with the reason when the API refuses', async () => {
    const s = setup('ANALYST', 409);
    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    await screen.findByText(/Acknowledged · ana/); // optimistic
    s.release();
    await screen.findByText('already acknowledged by bob (HTTP 409, conflict)');
    expect(await screen.findByRole('button', { name: 'Acknowledge' })).toBeTruthy(); // rolled back
    expect(s.calls).toContain('PATCH /api/v1/recommendations/9/acknowledge');
  });

  it('shows no acknowledge button to a viewer', async () => {
    setup('VIEWER', 403);
    await screen.findByText('Order 10');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull());
    expect(screen.getAllByText('Open').length).toBeGreaterThan(0);
  });
});
