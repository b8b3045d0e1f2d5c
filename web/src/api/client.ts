// The one module that knows the API's paths, parameters and field names.
// Every call returns the envelope's `data` (and `metadata`), or throws ApiError.

import type { components } from './schema.gen';

export class ApiError extends Error {
  /** `retryAfter`: the seconds of a 429's or 503's Retry-After, when it sent one. */
  constructor(public status: number, public code: string, public detail: string, public retryAfter?: number) {
    super(detail || code || `HTTP ${status}`);
  }
}

export interface Envelope<T> {
  data: T;
  metadata: Record<string, unknown> & { total_count?: number; computed_at?: string };
}

const TOKEN_KEY = 'corrente.token';
const EXP_KEY = 'corrente.token_exp';

type FetchFn = typeof fetch;
let fetchImpl: FetchFn = (...args) => fetch(...args);
let onUnauthorized: () => void = () => {};

/** Tests replace fetch; the app registers what a 401 does (go to /login). */
export function configureClient(opts: { fetch?: FetchFn; onUnauthorized?: () => void }) {
  if (opts.fetch) fetchImpl = opts.fetch;
  if (opts.onUnauthorized) onUnauthorized = opts.onUnauthorized;
}

export const tokenStore = {
  get(): string | null {
    try {
      const t = localStorage.getItem(TOKEN_KEY);
      const exp = Number(localStorage.getItem(EXP_KEY) || 0);
      if (t && exp && Date.now() > exp) return null;
      return t;
    } catch {
      return null;
    }
  },
  expiresAt(): number {
    return Number(localStorage.getItem(EXP_KEY) || 0);
  },
  set(token: string, expiresInSeconds: number) {
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(EXP_KEY, String(Date.now() + expiresInSeconds * 1000));
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(EXP_KEY);
  },
};

export type Query = Record<string, string | number | boolean | undefined | null>;

export function buildQuery(q?: Query): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function parseError(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let detail = res.statusText || `HTTP ${res.status}`;
  try {
    const body = await res.json();
    if (body && typeof body === 'object') {
      code = body.error ?? code;
      detail = body.detail ?? body.message ?? detail;
    }
  } catch {
    /* not JSON: keep the status text */
  }
  const after = Number(res.headers.get('Retry-After') ?? NaN);
  return new ApiError(res.status, code, detail, Number.isFinite(after) && after >= 0 ? after : undefined);
}

export async function request<T>(
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; auth?: boolean; headers?: Record<string, string> } = {},
): Promise<Envelope<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) };
  const token = tokenStore.get();
  if (opts.auth !== false && token) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetchImpl(`/api/v1${path}${buildQuery(opts.query)}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch (e) {
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and try again.');
  }
  if (!res.ok) {
    const err = await parseError(res);
    if (res.status === 401 && opts.auth !== false) {
      tokenStore.clear();
      onUnauthorized();
    }
    throw err;
  }
  if (res.status === 204) return { data: undefined as T, metadata: {} };
  const body = await res.json().catch(() => {
    throw new ApiError(res.status, 'bad_response', 'The server sent a response that is not JSON.');
  });
  // Success bodies are {"status":"success","data":...,"metadata":{...}}; accept a bare object too.
  if (body && typeof body === 'object' && 'status' in body && 'data' in body) {
    return { data: body.data as T, metadata: body.metadata ?? {} };
  }
  return { data: body as T, metadata: {} };
}

const get = <T>(path: string, query?: Query) => request<T>('GET', path, { query });

/** A non-JSON call (CSV, the event stream) with the token; a failure throws ApiError, a 401 logs out. */
async function fetchRaw(url: string, headers: Record<string, string>, init: RequestInit = {}): Promise<Response> {
  const token = tokenStore.get();
  const res = await fetchImpl(url, { ...init, headers: { ...headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
  if (!res.ok) {
    const err = await parseError(res);
    if (res.status === 401) {
      tokenStore.clear();
      onUnauthorized();
    }
    throw err;
  }
  return res;
}

/** The server's /health (outside /api/v1): data freshness, the last pipeline run and its schedule. */
export interface Health {
  status: string;
  data_freshness?: { latest_demand_date: string | null; latest_pipeline_run: string | null };
  last_pipeline_run?: string | null;
  pipeline_schedule?: { schedule: string; next_run: string | null; running: boolean; last_exit: number | null };
}
export async function fetchHealth(): Promise<Health> {
  return (await fetchRaw('/health', { Accept: 'application/json' }, { cache: 'no-store' })).json();
}

/** Fetches a list as CSV (same filters) and returns its text. */
export async function fetchCsv(path: string, query?: Query): Promise<string> {
  const res = await fetchRaw(`/api/v1${path}${buildQuery({ ...query, format: 'csv' })}`, { Accept: 'text/csv' });
  return res.text();
}

/**
 * Opens GET /events (Server-Sent Events) with fetch(), so the token goes in the Authorization
 * header (EventSource cannot send headers, and a token in the URL would reach logs). Resolves
 * with the response once its head has arrived.
 */
export function openEvents(lastEventId: string | null, signal: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (lastEventId) headers['Last-Event-ID'] = lastEventId;
  return fetchRaw('/api/v1/events', headers, { signal, cache: 'no-store' });
}

// ---- types: generated from the server's OpenAPI document (schema.gen.ts, `web.sh types`) ----
type Schemas = components['schemas'];
export type Role = Schemas['User']['role'];
export type OverrideKind = Schemas['Override']['kind'];
export type OverrideState = Schemas['Override']['state'];
export type OverrideAction = 'submit' | 'withdraw' | 'approve' | 'reject';
export type Override = Schemas['Override'];
/** The body of POST /overrides. */
export interface OverrideDraft {
  kind: OverrideKind; item_id: number; site_id: number; valid_from: string; valid_to: string; reason: string;
  mode?: 'ABSOLUTE' | 'PERCENT'; value?: number; service_level?: number; min_stock?: number; max_stock?: number; lead_time_days?: number;
}
export type OverrideValueAdded = Schemas['OverrideValueAdded'];
/** The ETag the server gives an override's version. */
export function overrideEtag(o: Pick<Override, 'override_id' | 'version'>): string {
  return `"ov-${o.override_id}-v${o.version}"`;
}

export type Me = Schemas['User'];
export type LoginReply = Schemas['LoginReply'];
/** A list row; GET /items/{id} adds the detail fields. */
export type Item = Schemas['Item'] & Partial<Schemas['ItemDetail']>;
export type Site = Schemas['Site'];
export type Region = Schemas['Region'];
export type Supplier = Schemas['Supplier'];
export type Kpi = Schemas['Kpi'];
export type DemandPoint = Schemas['DemandPoint'];
export type InventoryPoint = Schemas['InventoryPoint'];
/** The latest published run's policy for one site (metadata.policy of /inventory/timeseries). */
export interface InventoryPolicy {
  site_id: number; safety_stock: number | null; reorder_point: number | null; order_up_to?: number | null;
  days_to_rupture: number | null; lead_time_days: number | null; service_level?: number | null; avg_daily_demand?: number | null;
}
export interface PolicyRun { run_id: number; as_of: string; published_at: string | null }
/** One site x ABC class of /inventory/health. */
export type HealthRow = Schemas['HealthRow'];
/** One item x site of /inventory/snapshot. */
export type SnapshotRow = Schemas['SnapshotRow'];
export type ForecastPoint = Schemas['ForecastPoint'];
/** GET /forecasts/total: the latest run summed per day; bounds are sums of the series' bounds. */
export type ForecastTotalPoint = Schemas['ForecastTotal'];
/** What a chart needs of a forecast row: one series' or a total's. */
export type ForecastLike = Pick<ForecastPoint, 'full_date' | 'yhat' | 'yhat_lower' | 'yhat_upper'> &
  Partial<Omit<ForecastPoint, 'overridden'>> & { overridden?: boolean | number };
export type FeatureRow = Schemas['FeatureRow'];
/** GET /items/{id}/projection: one day of the projected stock (forecast and receipts of that day). */
export type ProjectionDay = Schemas['ProjectionDay'];
export type OpenOrder = Schemas['OpenOrder'];
export type SiteBalanceRow = Schemas['SiteBalance'];
export type ProjectionSupplier = Schemas['ProjectionSupplier'];
/** Levels are summed over sites when site_id is null. */
export type Projection = Schemas['Projection'];
export type Priority = Schemas['Recommendation']['priority'];
export type RecommendationType = Schemas['Recommendation']['type'];
export type Recommendation = Schemas['Recommendation'];
/** One item x site of /recommendations/groups or /alerts/groups, its rows inside (by priority). */
export type QueueGroup<R> = Omit<Schemas['RecommendationGroup'], 'rows' | 'top_priority' | 'open'> & {
  rows: R[]; open?: number; unread?: number; top_priority?: Priority; top_level?: AlertLevel;
};
/** The reply of POST /recommendations/bulk and /alerts/bulk. */
export type BulkResult = Schemas['BulkResult'];
/** A CSV export's limit: the whole filtered set (the server streams it). */
export const CSV_ALL = 10_000_000;
export type AlertLevel = Schemas['Alert']['level'];
export type AlertCategory = Schemas['Alert']['category'];
export type Alert = Schemas['Alert'];
export interface SimOutcome {
  stockout_rate: number; fill_rate: number; demand: number; lost: number; zero_stock_days: number; series_days: number;
  avg_on_hand_units: number; avg_on_hand_value: number; turns: number; orders: number;
  alerts: number; alert_precision: number | null; stockout_episodes: number; alert_recall: number | null;
}
export interface SimPolicyRun { policy: string; service_level: number | null; total: SimOutcome; by_class: Record<string, SimOutcome> }
export interface SimChange { policy: string; stockout_rate_points: number; avg_on_hand_units: number; avg_on_hand_units_pct: number }
export interface WhatIfResults { series: number; baseline: SimPolicyRun[]; what_if: SimPolicyRun[]; change: SimChange[] }
/** `results` is the policy table (a replay) or a what-if's comparison: typed here, free-form in the schema. */
export type Simulation = Omit<Schemas['Simulation'], 'results'> & { results?: SimPolicyRun[] | WhatIfResults | null };
export interface WhatIfRequest {
  sample?: number; policy?: string; lead_time_scale?: number; review_days?: number;
  service_level_a?: number; service_level_b?: number; service_level_c?: number;
}
export type User = Schemas['User'];
export type AuditLog = Schemas['AuditLog'];

// ---- endpoints ----
export const api = {
  async login(username: string, password: string): Promise<LoginReply> {
    const r = await request<LoginReply>('POST', '/auth/login', { body: { username, password }, auth: false });
    return r.data;
  },
  me: () => get<Me>('/auth/me').then((r) => r.data),
  refresh: () => request<LoginReply>('POST', '/auth/refresh').then((r) => r.data),
  logout: () => request<unknown>('POST', '/auth/logout').then(() => undefined),

  items: (q: Query) => get<Item[]>('/items', q),
  item: (id: number) => get<Item>(`/items/${id}`).then((r) => r.data),
  /** Without site_id: every site summed. */
  projection: (id: number, siteId?: number) => get<Projection>(`/items/${id}/projection`, { site_id: siteId }).then((r) => r.data),
  sites: () => get<Site[]>('/sites', { limit: 1000 }).then((r) => r.data),
  regions: () => get<Region[]>('/regions', { limit: 1000 }).then((r) => r.data),
  suppliers: () => get<Supplier[]>('/suppliers', { limit: 1000 }).then((r) => r.data),

  kpis: (q: { start_date?: string; end_date?: string }) => get<Kpi[]>('/analytics/kpis', { ...q, limit: 1000 }),
  /** Without item_id: every item summed. */
  demand: (q: { item_id?: number; site_id?: number; start_date?: string; end_date?: string; granularity?: string }) =>
    get<DemandPoint[]>('/demand/timeseries', { ...q, limit: 1000 }),
  inventory: (q: { item_id: number; site_id?: number; start_date?: string; end_date?: string }) =>
    get<InventoryPoint[]>('/inventory/timeseries', { ...q, limit: 1000 }),
  /** Per site x ABC class on the latest inventory day. */
  inventoryHealth: () => get<HealthRow[]>('/inventory/health', { limit: 1000 }),
  /** Item x site rows of the latest inventory day (filters, sort, page). */
  inventorySnapshot: (q: Query) => get<SnapshotRow[]>('/inventory/snapshot', q),
  forecasts: (q: { item_id: number; site_id?: number; horizon?: number; start_date?: string }) =>
    get<ForecastPoint[]>('/forecasts', { ...q, limit: 1000 }),
  forecastTotal: (q: { site_id?: number; horizon?: number }) => get<ForecastTotalPoint[]>('/forecasts/total', q),
  features: (q: { item_id: number; site_id?: number; start_date?: string; end_date?: string }) =>
    get<FeatureRow[]>('/features', { ...q, limit: 1000 }),

  recommendations: (q: Query) => get<Recommendation[]>('/recommendations', q),
  acknowledge: (id: number) =>
    request<Recommendation>('PATCH', `/recommendations/${id}/acknowledge`, { body: {} }).then((r) => r.data),
  recommendationGroups: (q: Query) => get<QueueGroup<Recommendation>[]>('/recommendations/groups', q),
  recommendationsBulk: (ids: number[], action: 'acknowledge' | 'unacknowledge') =>
    request<BulkResult>('POST', '/recommendations/bulk', { body: { ids, action } }).then((r) => r.data),
  alerts: (q: Query) => get<Alert[]>('/alerts', q),
  alertGroups: (q: Query) => get<QueueGroup<Alert>[]>('/alerts/groups', q),
  alertsBulk: (ids: number[], action: 'read' | 'unread') =>
    request<BulkResult>('POST', '/alerts/bulk', { body: { ids, action } }).then((r) => r.data),
  overrides: (q: Query) => get<Override[]>('/overrides', q),
  createOverride: (body: OverrideDraft) => request<Override>('POST', '/overrides', { body }).then((r) => r.data),
  /** A lifecycle step; `version` is what the caller read (sent as If-Match: 412 when stale). */
  overrideAction: (o: Pick<Override, 'override_id' | 'version'>, action: OverrideAction, note?: string) =>
    request<Override>('POST', `/overrides/${o.override_id}/${action}`, {
      body: note ? { note } : {},
      headers: { 'If-Match': overrideEtag(o) },
    }).then((r) => r.data),
  overrideValueAdded: () => get<OverrideValueAdded[]>('/overrides/value-added'),
  /** The effective forecast with the caller's own drafts applied (ANALYST, ADMIN; not cached). */
  overridePreview: (q: { item_id: number; site_id: number }) => get<ForecastPoint[]>('/overrides/preview', { ...q, limit: 1000 }),
  simulations: (q: Query) => get<Simulation[]>('/simulations', q),
  simulation: (id: number) => get<Simulation>(`/simulations/${id}`).then((r) => r.data),
  startSimulation: (body: WhatIfRequest) =>
    request<{ simulation_id: number; status: string }>('POST', '/simulations', { body }).then((r) => r.data),
  markRead: (id: number) => request<Alert>('PATCH', `/alerts/${id}/mark-read`, { body: {} }).then((r) => r.data),
  resolve: (id: number) => request<Alert>('PATCH', `/alerts/${id}/resolve`, { body: {} }).then((r) => r.data),

  users: (q: Query) => get<User[]>('/admin/users', q),
  createUser: (u: { username: string; password: string; role: Role; email?: string }) =>
    request<User>('POST', '/admin/users', { body: u }).then((r) => r.data),
  updateUser: (id: number, patch: { role?: Role; active?: boolean; password?: string }) =>
    request<User>('PATCH', `/admin/users/${id}`, { body: patch }).then((r) => r.data),
  auditLogs: (q: Query) => get<AuditLog[]>('/admin/audit-logs', q),
};

/** Numbers may arrive as JSON numbers or (NUMERIC) strings; null stays null. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}
