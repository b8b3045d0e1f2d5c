import { api, ApiError, buildQuery, configureClient, fetchCsv, tokenStore } from './client';
import { withAcknowledged } from '../lib/optimistic';

type Call = { url: string; init: RequestInit };
function mockFetch(status: number, body: unknown, contentType = 'application/json') {
  const calls: Call[] = [];
  const fn = async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { 'Content-Type': contentType } });
  };
  configureClient({ fetch: fn as typeof fetch });
  return calls;
}

beforeEach(() => localStorage.clear());

describe('api client', () => {
  it('builds queries without empty values', () => {
    expect(buildQuery({ a: 1, b: '', c: undefined, d: null, e: false, q: 'a b&c' })).toBe('?a=1&e=false&q=a+b%26c');
    expect(buildQuery({})).toBe('');
  });
  it('unwraps the success envelope and keeps metadata', async () => {
    const calls = mockFetch(200, { status: 'success', data: [{ item_id: 1 }], metadata: { total_count: 7 } });
    tokenStore.set('tok', 3600);
    const r = await api.items({ family: 'ELECTRICAL', limit: 10, offset: 0 });
    expect(r.data).toEqual([{ item_id: 1 }]);
    expect(r.metadata.total_count).toBe(7);
    expect(calls[0].url).toBe('/api/v1/items?family=ELECTRICAL&limit=10&offset=0');
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });
  it('logs in without a token and accepts an enveloped or bare reply', async () => {
    let calls = mockFetch(200, { status: 'success', data: { access_token: 'A', token_type: 'Bearer', expires_in: 60 }, metadata: {} });
    expect((await api.login('u', 'p')).access_token).toBe('A');
    expect(calls[0].init.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ username: 'u', password: 'p' });
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBeUndefined();
    calls = mockFetch(200, { access_token: 'B', token_type: 'Bearer', expires_in: 60 });
    expect((await api.login('u', 'p')).access_token).toBe('B');
  });
  it('turns the error envelope into an ApiError', async () => {
    mockFetch(400, { status: 'error', error: 'invalid_parameter', detail: 'limit: must be <= 1000' });
    const e = await api.items({ limit: 5000 }).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_parameter');
    expect(e.message).toBe('limit: must be <= 1000');
  });
  it('clears the token and reports a 401', async () => {
    const lost = vi.fn();
    mockFetch(401, { status: 'error', error: 'unauthorized', detail: 'token expired' });
    configureClient({ onUnauthorized: lost });
    tokenStore.set('old', 3600);
    await expect(api.me()).rejects.toMatchObject({ status: 401 });
    expect(lost).toHaveBeenCalledOnce();
    expect(tokenStore.get()).toBeNull();
  });
  it('does not treat a failed login as a lost session', async () => {
    const lost = vi.fn();
    mockFetch(401, { status: 'error', error: 'invalid_credentials', detail: 'wrong username or password' });
    configureClient({ onUnauthorized: lost });
    await expect(api.login('u', 'bad')).rejects.toMatchObject({ detail: 'wrong username or password' });
    expect(lost).not.toHaveBeenCalled();
  });
  it('reports a non-JSON error readably', async () => {
    mockFetch(502, '<html>bad gateway</html>', 'text/html');
    const e = await api.sites().catch((x) => x);
    expect(e.status).toBe(502);
    expect(e.message).toMatch(/HTTP 502|Bad Gateway/);
  });
  it('reports a network failure readably', async () => {
    configureClient({ fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch });
    const e = await api.sites().catch((x) => x);
    expect(e.code).toBe('network_error');
  });
  it('sends PATCH for acknowledge and mark-read', async () => {
    const calls = mockFetch(200, { status: 'success', data: {}, metadata: {} });
    await api.acknowledge(5);
    await api.markRead(6);
    await api.resolve(7);
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'PATCH /api/v1/recommendations/5/acknowledge', 'PATCH /api/v1/alerts/6/mark-read', 'PATCH /api/v1/alerts/7/resolve',
    ]);
  });
  it('asks for CSV with the same filters', async () => {
    const calls = mockFetch(200, 'item_id,sku\r\n1,A\r\n', 'text/csv');
    expect(await fetchCsv('/items', { abc_class: 'A' })).toBe('item_id,sku\r\n1,A\r\n');
    expect(calls[0].url).toBe('/api/v1/items?abc_class=A&format=csv');
    expect((calls[0].init.headers as Record<string, string>).Accept).toBe('text/csv');
  });
  it('drops an expired token', () => {
    tokenStore.set('t', -1);
    expect(tokenStore.get()).toBeNull();
  });
});

describe('optimistic acknowledge', () => {
  it('marks only the chosen row', () => {
    const list = { data: [{ recommendation_id: 1 }, { recommendation_id: 2 }] as never[], metadata: {} };
    const out = withAcknowledged(list, 2, 'ana', 'now')!;
    expect(out.data.map((r) => r.acknowledged_by)).toEqual([undefined, 'ana']);
    expect(list.data[1]).toEqual({ recommendation_id: 2 });
  });
});
