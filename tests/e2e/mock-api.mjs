// A small stand-in for `corrente serve`, following the API contract (docs/dashboard.md), used only
// to develop the dashboard while the real server is being built. The e2e tests run against the real
// binary (run.sh); `node mock-api.mjs PORT WEB_ROOT` is a development aid, not a test target.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const port = Number(process.argv[2] ?? 8099);
const root = process.argv[3] ?? path.resolve(import.meta.dirname, '../../web/dist');
const asOf = new Date().toISOString().slice(0, 10);
const day = (d, n) => new Date(Date.parse(d + 'T00:00:00Z') + n * 864e5).toISOString().slice(0, 10);
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

const users = [
  { user_id: 1, username: 'admin', role: 'ADMIN', password: 'admin-pw', active: true, email: null, last_login: null },
  { user_id: 2, username: 'analyst', role: 'ANALYST', password: 'analyst-pw', active: true, email: null, last_login: null },
  { user_id: 3, username: 'viewer', role: 'VIEWER', password: 'viewer-pw', active: true, email: null, last_login: null },
];
const fams = ['ELECTRICAL', 'HYDRAULIC', 'MECHANICAL'];
const items = Array.from({ length: 30 }, (_, i) => ({
  item_id: i + 1, sku: `${fams[i % 3].slice(0, 3)}-${1000 + i}`, name: `Item ${i + 1}`, family: fams[i % 3], category: 'GENERAL',
  abc_class: i < 6 ? 'A' : i < 15 ? 'B' : 'C', criticality: (i % 10) + 1, active: true, unit_cost: 10 + i,
}));
const sites = [1, 2, 3].map((s) => ({ site_id: s, code: `S${s}`, name: `Site ${s}`, site_type: 'DC', active: true }));
const kpis = Array.from({ length: 120 }, (_, i) => ({
  full_date: day(asOf, i - 119), total_demand: 1000 + 100 * rnd(), stockout_rate: +(0.02 + 0.03 * rnd()).toFixed(4),
  abc_a_share: 0.8, delayed_orders_pct: +(0.05 * rnd()).toFixed(4), forecast_mape: +(0.1 + 0.1 * rnd()).toFixed(4), avg_inventory_value: 250000 + 50000 * rnd(),
}));
const recs = Array.from({ length: 12 }, (_, i) => ({
  recommendation_id: i + 1, item_id: (i % 30) + 1, site_id: (i % 3) + 1, type: ['REORDER', 'EXPEDITE', 'REALLOCATE'][i % 3],
  priority: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'][i % 4], message: `Reorder ${100 + i} units`, quantity_recommended: 100 + i,
  created_at: new Date().toISOString(), acknowledged_at: null, acknowledged_by: null,
}));
const alerts = Array.from({ length: 10 }, (_, i) => ({
  alert_id: i + 1, item_id: (i % 30) + 1, site_id: (i % 3) + 1, level: ['CRITICAL', 'WARNING', 'NORMAL'][i % 3], category: 'STOCKOUT_IMMINENT',
  message: `Item will stock out in ${i + 1} days`, created_at: new Date().toISOString(), read_at: null, resolved_at: null,
}));
const audit = [];
const tokens = new Map();

const send = (res, status, body, type = 'application/json') => { res.writeHead(status, { 'Content-Type': type }); res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)); };
const ok = (res, data, metadata = {}) => send(res, 200, { status: 'success', data, metadata });
const err = (res, status, code, detail) => send(res, status, { status: 'error', error: code, detail });
const csv = (rows) => { const c = rows.length ? Object.keys(rows[0]) : []; return [c.join(','), ...rows.map((r) => c.map((k) => r[k] ?? '').join(','))].join('\r\n') + '\r\n'; };
const list = (req, res, url, rows) => {
  const limit = Number(url.searchParams.get('limit') ?? 100), offset = Number(url.searchParams.get('offset') ?? 0);
  const page = rows.slice(offset, offset + limit);
  if (url.searchParams.get('format') === 'csv' || (req.headers.accept ?? '').includes('text/csv')) return send(res, 200, csv(page), 'text/csv');
  ok(res, page, { total_count: rows.length, limit, offset });
};

function series(itemId, siteId, from, to, f) {
  const out = [];
  for (let d = from; d <= to; d = day(d, 1)) out.push(f(d, itemId * 7 + (siteId ?? 0)));
  return out;
}

http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  const q = (k) => url.searchParams.get(k);
  let body = '';
  for await (const c of req) body += c;
  if (!p.startsWith('/api/')) {
    const f = path.join(root, path.normalize(p));
    if (f.startsWith(root) && fs.existsSync(f) && fs.statSync(f).isFile()) return send(res, 200, fs.readFileSync(f), f.endsWith('.js') ? 'text/javascript' : f.endsWith('.css') ? 'text/css' : 'text/html');
    return send(res, 200, fs.readFileSync(path.join(root, 'index.html')), 'text/html');
  }
  const route = p.replace('/api/v1', '');
  if (route === '/auth/login' && req.method === 'POST') {
    const { username, password } = JSON.parse(body || '{}');
    const u = users.find((x) => x.username === username && x.password === password && x.active);
    audit.unshift({ audit_id: audit.length + 1, actor: username, action: u ? 'auth.login' : 'auth.login_failed', entity_type: 'user', entity_id: u?.user_id ?? null, details: {}, timestamp: new Date().toISOString() });
    if (!u) return err(res, 401, 'invalid_credentials', 'wrong username or password');
    const tok = `t${Math.random()}`; tokens.set(tok, u);
    return ok(res, { access_token: tok, token_type: 'Bearer', expires_in: 3600 });
  }
  const me = tokens.get((req.headers.authorization ?? '').replace('Bearer ', ''));
  if (!me) return err(res, 401, 'unauthorized', 'missing or invalid token');
  const write = me.role !== 'VIEWER';
  const id = Number(route.split('/')[2]);
  if (route === '/auth/me') return ok(res, { user_id: me.user_id, username: me.username, role: me.role });
  if (route === '/auth/refresh') return ok(res, { access_token: [...tokens].find(([, v]) => v === me)[0], token_type: 'Bearer', expires_in: 3600 });
  if (route === '/auth/logout') return ok(res, {});
  if (route === '/items') {
    let r = items.filter((i) => (!q('family') || i.family === q('family')) && (!q('abc_class') || i.abc_class === q('abc_class')) && (!q('q') || (i.sku + i.name).toLowerCase().includes(q('q').toLowerCase())));
    const s = q('sort') ?? 'item_id', k = s.replace('-', '');
    r = [...r].sort((a, b) => (a[k] > b[k] ? 1 : a[k] < b[k] ? -1 : 0) * (s.startsWith('-') ? -1 : 1));
    return list(req, res, url, r);
  }
  if (route.startsWith('/items/')) return items[id - 1] ? ok(res, items[id - 1]) : err(res, 404, 'not_found', 'no such item');
  if (route === '/sites') return list(req, res, url, sites);
  if (route === '/regions' || route === '/suppliers') return list(req, res, url, []);
  if (route === '/analytics/kpis') return list(req, res, url, kpis.filter((k) => (!q('start_date') || k.full_date >= q('start_date')) && (!q('end_date') || k.full_date <= q('end_date'))));
  if (route === '/demand/timeseries') return list(req, res, url, series(+q('item_id'), q('site_id'), q('start_date'), q('end_date'), (d, s) => ({ full_date: d, quantity: Math.round(10 + 5 * Math.sin(Date.parse(d) / 864e5 / 7 + s) + 3 * rnd()) })));
  if (route === '/inventory/timeseries') {
    const its = q('item_id') ? [+q('item_id')] : items.map((i) => i.item_id);
    const ss = q('site_id') ? [+q('site_id')] : [1, 2, 3];
    const rows = [];
    for (const it of its) for (const s of ss) rows.push(...series(it, s, q('start_date'), q('end_date') ?? asOf, (d, k) => {
      const st = Math.max(0, Math.round(80 + 60 * Math.sin(Date.parse(d) / 864e5 / 9 + k)));
      return { full_date: d, item_id: it, site_id: s, current_stock: st, safety_stock: 30, reorder_point: 50, days_to_rupture: Math.round(st / 8) };
    }));
    return list(req, res, url, rows);
  }
  if (route === '/forecasts') {
    const h = Number(q('horizon') ?? 30);
    const rows = series(+q('item_id'), q('site_id'), day(asOf, 1), day(asOf, h), (d, s) => { const y = 12 + 4 * Math.sin(Date.parse(d) / 864e5 / 7 + s); return { full_date: d, yhat: y, yhat_lower: y - 3, yhat_upper: y + 3, yhat_lower_95: y - 5, yhat_upper_95: y + 5, model_tag: 'ets@run1', horizon_days: 1 }; });
    return list(req, res, url, rows);
  }
  if (route === '/features') return list(req, res, url, series(+q('item_id'), 0, q('start_date'), q('end_date'), (d) => ({ full_date: d, site_id: null, features: { lag_7d: 10, rolling_mean_30d: 11.5, dow: 3 } })));
  if (route === '/recommendations') {
    const a = q('acknowledged');
    return list(req, res, url, recs.filter((r) => (!q('priority') || r.priority === q('priority')) && (!q('type') || r.type === q('type')) && (!q('site_id') || r.site_id === +q('site_id')) && (a === null || (a === 'true') === !!r.acknowledged_at)));
  }
  if (route.match(/^\/recommendations\/\d+\/acknowledge$/)) {
    if (!write) return err(res, 403, 'forbidden', 'role VIEWER cannot acknowledge');
    const r = recs.find((x) => x.recommendation_id === id); if (!r) return err(res, 404, 'not_found', 'no such recommendation');
    r.acknowledged_at = new Date().toISOString(); r.acknowledged_by = me.username;
    audit.unshift({ audit_id: audit.length + 1, actor: me.username, action: 'recommendation.acknowledge', entity_type: 'recommendation', entity_id: id, details: {}, timestamp: new Date().toISOString() });
    return ok(res, r);
  }
  if (route === '/alerts') {
    return list(req, res, url, alerts.filter((a) => !a.resolved_at && (!q('level') || a.level === q('level')) && (q('unread') !== 'true' || !a.read_at)));
  }
  const am = route.match(/^\/alerts\/(\d+)\/(mark-read|resolve)$/);
  if (am) {
    if (!write) return err(res, 403, 'forbidden', 'role VIEWER cannot change alerts');
    const a = alerts.find((x) => x.alert_id === id); if (!a) return err(res, 404, 'not_found', 'no such alert');
    a.read_at ??= new Date().toISOString(); if (am[2] === 'resolve') a.resolved_at = new Date().toISOString();
    return ok(res, a);
  }
  if (route.startsWith('/admin') && me.role !== 'ADMIN') return err(res, 403, 'forbidden', 'ADMIN only');
  if (route === '/admin/users' && req.method === 'GET') return list(req, res, url, users.map(({ password, ...u }) => u));
  if (route === '/admin/users' && req.method === 'POST') { const u = JSON.parse(body); u.user_id = users.length + 1; u.active = true; users.push(u); return ok(res, u); }
  if (route.startsWith('/admin/users/')) { const u = users.find((x) => x.user_id === id); Object.assign(u, JSON.parse(body)); return ok(res, u); }
  if (route === '/admin/audit-logs') return list(req, res, url, audit.filter((a) => (!q('actor') || a.actor === q('actor')) && (!q('action') || a.action.includes(q('action')))));
  err(res, 404, 'not_found', `no route ${req.method} ${p}`);
}).listen(port, '127.0.0.1', () => console.log(`mock api on http://127.0.0.1:${port} (web root ${root})`));
