import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import Overrides, { actionsFor, draftFromQuery, historyOf } from './Overrides';
import { configureClient, tokenStore } from '../api/client';
import { AuthProvider } from '../lib/auth';
import { I18nProvider } from '../lib/i18n';
import { overrideLink } from './MaterialDetail';
import { overrideEtag, type Override } from '../api/client';

const ov = (state: Override['state'], author = 'ana'): Override => ({
  override_id: 7, kind: 'FORECAST', item_id: 1, site_id: 1, valid_from: '2026-12-07', valid_to: '2026-12-10',
  mode: 'PERCENT', value: 20, service_level: null, min_stock: null, max_stock: null, lead_time_days: null,
  recommendation_id: null, quantity: null, reason: 'promo', state, author, decided_by: null, decided_at: null,
  decision_note: null, version: 3, created_at: '', updated_at: '',
});

describe('override actions', () => {
  it('lets the author submit a draft and withdraw a submitted one', () => {
    expect(actionsFor(ov('DRAFT'), { username: 'ana', role: 'ANALYST' })).toEqual(['submit']);
    expect(actionsFor(ov('SUBMITTED'), { username: 'ana', role: 'ANALYST' })).toEqual(['withdraw']);
  });
  it('lets another analyst or an admin decide, never the author', () => {
    expect(actionsFor(ov('SUBMITTED'), { username: 'bob', role: 'ANALYST' })).toEqual(['approve', 'reject']);
    expect(actionsFor(ov('SUBMITTED', 'root'), { username: 'root', role: 'ADMIN' })).toEqual(['withdraw']);
    expect(actionsFor(ov('DRAFT'), { username: 'bob', role: 'ADMIN' })).toEqual([]);
  });
  it('offers nothing to a viewer or on a decided override', () => {
    expect(actionsFor(ov('SUBMITTED'), { username: 'vic', role: 'VIEWER' })).toEqual([]);
    expect(actionsFor(ov('APPROVED'), { username: 'bob', role: 'ANALYST' })).toEqual([]);
    expect(actionsFor(ov('REJECTED'), { username: 'ana', role: 'ANALYST' })).toEqual([]);
  });
  it('sends the version it read as If-Match, in the server\'s ETag form', () => {
    expect(overrideEtag(ov('DRAFT'))).toBe('"ov-7-v3"');
  });
});

describe('a draft started from the item page', () => {
  it('links to the overrides page with the item, the site and the week after the data', () => {
    expect(overrideLink(12, 3, '2026-12-31')).toBe('/overrides?kind=FORECAST&item=12&site=3&from=2027-01-01&to=2027-01-07');
  });
  it('fills the form from that link, and from nothing else', () => {
    expect(draftFromQuery(new URLSearchParams('kind=FORECAST&item=12&site=3&from=2027-01-01&to=2027-01-07')))
      .toEqual({ kind: 'FORECAST', item: '12', site: '3', from: '2027-01-01', to: '2027-01-07' });
    expect(draftFromQuery(new URLSearchParams('kind=PRICE&item=0&site=3x&from=tomorrow&to=2027-1-7')))
      .toEqual({ kind: 'FORECAST', item: '', site: '', from: '', to: '' });
    expect(draftFromQuery(new URLSearchParams('kind=POLICY')).kind).toBe('POLICY');
  });
});

function showPage(path = '/overrides', onPost?: (body: unknown) => void) {
  const fetchFn = async (url: RequestInfo | URL, init?: RequestInit) => {
    const u = String(url);
    const json = (data: unknown, status = 200) => new Response(JSON.stringify({ status: 'success', data, metadata: { total_count: Array.isArray(data) ? data.length : 1 } }),
      { status, headers: { 'Content-Type': 'application/json' } });
    if (u.startsWith('/api/v1/auth/me')) return json({ user_id: 1, username: 'ana', role: 'ANALYST' });
    if (u.startsWith('/api/v1/sites')) return json([{ site_id: 1, code: 'MAO', name: 'CD Manaus' }, { site_id: 2, code: 'REC', name: 'CD Recife' }]);
    if (u.startsWith('/api/v1/items')) return json([{ item_id: 12, sku: 'SKU-12', name: 'Valve' }]);
    if (u.startsWith('/api/v1/overrides/value-added')) return json([{ author: 'all', days: 0, statistical_wape: null, override_wape: null, value_added: null }]);
    if (init?.method === 'POST' && u === '/api/v1/overrides') { onPost?.(JSON.parse(String(init.body))); return json({ ...ov('DRAFT'), override_id: 9 }, 201); }
    return json([]);
  };
  return mountOverrides(fetchFn, path);
}

/** The page at `path` over a fake fetch, signed in. */
function mountOverrides(fetchFn: (url: RequestInfo | URL, init?: RequestInit) => Promise<Response>, path = '/overrides') {
  configureClient({ fetch: fetchFn as typeof fetch });
  tokenStore.set('tok', 3600);
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}><I18nProvider initial="en"><MemoryRouter initialEntries={[path]}>
      <AuthProvider><Overrides /></AuthProvider>
    </MemoryRouter></I18nProvider></QueryClientProvider>,
  );
}

describe('the new-override form keeps what the planner typed', () => {
  beforeEach(() => sessionStorage.clear());
  it('across a lost session (the page unmounted and shown again), until it is saved', async () => {
    const first = showPage();
    await screen.findByText('CD Recife');
    fireEvent.change(screen.getByTestId('ov-site'), { target: { value: '2' } });
    fireEvent.change(screen.getByTestId('ov-value'), { target: { value: '35' } });
    fireEvent.change(screen.getByTestId('ov-reason'), { target: { value: 'Promotion with the retailer in week 50' } });
    first.unmount(); // a 401 sends the planner to /login, and back
    const posted: unknown[] = [];
    showPage('/overrides', (b) => posted.push(b));
    await screen.findByText('CD Recife');
    expect((screen.getByTestId('ov-reason') as HTMLInputElement).value).toBe('Promotion with the retailer in week 50');
    expect((screen.getByTestId('ov-value') as HTMLInputElement).value).toBe('35');
    expect((screen.getByTestId('ov-site') as HTMLSelectElement).value).toBe('2');
    // Saved: the form empties and nothing is kept for next time.
    fireEvent.change(screen.getByTestId('ov-from'), { target: { value: '2026-12-08' } });
    fireEvent.change(screen.getByTestId('ov-to'), { target: { value: '2026-12-14' } });
    const box = screen.getByTestId('ov-item');
    if (box.tagName === 'SELECT') fireEvent.change(box, { target: { value: '12' } });
    fireEvent.submit(screen.getByTestId('override-form'));
    await waitFor(() => expect(posted.length).toBe(1));
    expect(posted[0]).toMatchObject({ kind: 'FORECAST', item_id: 12, site_id: 2, mode: 'PERCENT', value: 35, reason: 'Promotion with the retailer in week 50' });
    await waitFor(() => expect((screen.getByTestId('ov-reason') as HTMLInputElement).value).toBe(''));
    expect(JSON.parse(sessionStorage.getItem('corrente.form.override') ?? '{}').reason).toBe('');
  });
  it('lets a link from the item page set its item, site and week over an older unsaved form', async () => {
    sessionStorage.setItem('corrente.form.override', JSON.stringify({ site: '1', reason: 'older note', from: '2026-01-01' }));
    showPage('/overrides?kind=FORECAST&item=12&site=2&from=2027-01-01&to=2027-01-07');
    await screen.findByText('CD Recife');
    expect((screen.getByTestId('ov-site') as HTMLSelectElement).value).toBe('2');
    expect((screen.getByTestId('ov-from') as HTMLInputElement).value).toBe('2027-01-01');
    expect((screen.getByTestId('ov-reason') as HTMLInputElement).value).toBe('older note');
  });
});

describe('the overrides page with none yet', () => {
  beforeEach(() => sessionStorage.clear());
  it('says there are none and where to start one, in both tables, and the site picker says nothing is chosen', async () => {
    const fetchFn = async (url: RequestInfo | URL) => {
      const u = String(url);
      const json = (data: unknown) => new Response(JSON.stringify({ status: 'success', data, metadata: { total_count: Array.isArray(data) ? data.length : 1 } }),
        { status: 200, headers: { 'Content-Type': 'application/json' } });
      if (u.startsWith('/api/v1/auth/me')) return json({ user_id: 1, username: 'ana', role: 'ANALYST' });
      if (u.startsWith('/api/v1/sites')) return json([{ site_id: 1, code: 'MAO', name: 'CD Manaus' }, { site_id: 2, code: 'REC', name: 'CD Recife' }]);
      if (u.startsWith('/api/v1/overrides/value-added')) return json([{ author: 'all', days: 0, statistical_wape: null, override_wape: null, value_added: null }]);
      return json([]);
    };
    mountOverrides(fetchFn);
    expect(await screen.findByText(/No overrides here yet/)).toBeTruthy();
    expect(await screen.findByText('No approved forecast override has actuals yet.')).toBeTruthy();
    expect(screen.queryByTestId('overrides-table')).toBeNull();
    const site = (await screen.findByTestId('ov-site')) as HTMLSelectElement;
    await screen.findByText('CD Recife');
    expect(site.selectedOptions[0].textContent).toBe('Choose…');
  });
});

describe('signing out', () => {
  it('forgets the kept forms, and only those', async () => {
    const { forgetForms } = await import('../lib/persisted');
    sessionStorage.setItem('corrente.form.override', '{"reason":"x"}');
    sessionStorage.setItem('corrente.expired', '1');
    forgetForms();
    expect(sessionStorage.getItem('corrente.form.override')).toBeNull();
    expect(sessionStorage.getItem('corrente.expired')).toBe('1');
  });
});

describe('a reviewer\'s note', () => {
  beforeEach(() => sessionStorage.clear());
  it('goes into the history: created by the author, then decided with the note', () => {
    const decided = { ...ov('REJECTED'), created_at: '2026-12-01T09:00:00Z', decided_by: 'bob', decided_at: '2026-12-02T10:00:00Z', decision_note: 'The promotion was cancelled' };
    expect(historyOf(decided)).toEqual([
      { key: 'ovCreated', who: 'ana', at: '2026-12-01T09:00:00Z' },
      { key: 'ovDecided_REJECTED', who: 'bob', at: '2026-12-02T10:00:00Z', note: 'The promotion was cancelled' },
    ]);
    expect(historyOf({ ...decided, state: 'APPROVED', decision_note: null })[1]).toEqual({ key: 'ovDecided_APPROVED', who: 'bob', at: '2026-12-02T10:00:00Z' });
    expect(historyOf(ov('SUBMITTED'))).toHaveLength(1);
  });
  it('is asked for on Approve and sent with the decision; Cancel sends nothing', async () => {
    const posts: { url: string; body: unknown; ifMatch: string | null }[] = [];
    const submitted = { ...ov('SUBMITTED', 'ana'), created_at: '2026-12-01T09:00:00Z' };
    const fetchFn = async (url: RequestInfo | URL, init?: RequestInit) => {
      const u = String(url);
      const json = (data: unknown) => new Response(JSON.stringify({ status: 'success', data, metadata: { total_count: Array.isArray(data) ? data.length : 1 } }),
        { status: 200, headers: { 'Content-Type': 'application/json' } });
      if (u.startsWith('/api/v1/auth/me')) return json({ user_id: 2, username: 'bob', role: 'ANALYST' });
      if (u.startsWith('/api/v1/overrides/value-added')) return json([]);
      if (init?.method === 'POST') {
        posts.push({ url: u, body: JSON.parse(String(init.body)), ifMatch: new Headers(init.headers).get('If-Match') });
        return json({ ...submitted, state: 'APPROVED', decided_by: 'bob', decision_note: 'Agreed with sales', version: 4 });
      }
      if (u.startsWith('/api/v1/overrides')) return json([submitted]);
      return json([]);
    };
    mountOverrides(fetchFn);
    fireEvent.click(await screen.findByTestId('ov-reject-7'));
    expect(screen.getByTestId('ov-note-input-7')).toBeTruthy();
    fireEvent.click(screen.getByText('Cancel'));
    expect(screen.queryByTestId('ov-note-input-7')).toBeNull();
    fireEvent.click(screen.getByTestId('ov-approve-7'));
    expect(screen.getByLabelText('Note for the author (Approve: why?)')).toBeTruthy();
    fireEvent.change(screen.getByTestId('ov-note-input-7'), { target: { value: '  Agreed with sales ' } });
    expect(posts).toHaveLength(0);
    fireEvent.click(screen.getByTestId('ov-confirm-7'));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/overrides/7/approve', body: { note: 'Agreed with sales' }, ifMatch: '"ov-7-v3"' });
    await waitFor(() => expect(screen.queryByTestId('ov-note-input-7')).toBeNull());
  });
});
