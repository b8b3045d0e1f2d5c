// End-to-end checks of the dashboard in Debian's chromium (playwright-core, no downloaded browser).
// Usage: node e2e.mjs   with E2E_BASE (http://127.0.0.1:PORT), E2E_USERS ("admin:pw:ADMIN,analyst:pw:ANALYST,viewer:pw:VIEWER"),
//        E2E_ARTIFACTS (folder for screenshots), CHROMIUM (default /usr/bin/chromium).
// Prints "N passed, N failed" and exits 1 when any check failed.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { queueChecks } from './queues.mjs';
import { projectionChecks } from './projection.mjs';
import { overrideChecks } from './overrides.mjs';
import { eventChecks } from './events.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const BASE = process.env.E2E_BASE ?? 'http://127.0.0.1:8080';
const ART = process.env.E2E_ARTIFACTS ?? path.join(here, '../artifacts/e2e');
fs.mkdirSync(ART, { recursive: true });
const users = {};
for (const u of (process.env.E2E_USERS ?? '').split(',').filter(Boolean)) {
  const [name, pw, role] = u.split(':');
  users[role] = { name, pw };
}
for (const r of ['ADMIN', 'ANALYST', 'VIEWER']) if (!users[r]) { console.error(`E2E_USERS lacks a ${r} login`); process.exit(2); }

let passed = 0, failed = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${String(e?.stack ?? e).split('\n').slice(0, 3).join(' | ')}`);
  }
}
const assert = (c, msg) => { if (!c) throw new Error(msg); };

// ---- the API directly ----
async function apiLogin(role) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: users[role].name, password: users[role].pw }) });
  const b = await r.json();
  assert(r.ok, `API login ${role}: ${r.status} ${JSON.stringify(b)}`);
  return (b.data ?? b).access_token;
}
async function apiGet(token, p) {
  const r = await fetch(`${BASE}/api/v1${p}`, { headers: { Authorization: `Bearer ${token}` } });
  const b = await r.json();
  assert(r.ok, `GET ${p}: ${r.status} ${JSON.stringify(b)}`);
  return b;
}

// ---- the browser ----
// playwright gives every launch a fresh, throwaway user-data-dir of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

// Every Content-Security-Policy violation (and header complaint) any page of the run reports:
// chromium's console message, and the securitypolicyviolation event, logged by an init script.
const cspViolations = [];
async function watchCsp(ctx) {
  trackRequests(ctx);
  await ctx.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`securitypolicyviolation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} on ${e.documentURI}`)));
}
function collectCsp(page) {
  page.on('console', (m) => {
    const t = m.text();
    if (/Content Security Policy|securitypolicyviolation|Permissions-Policy/i.test(t)) cspViolations.push(`${page.url()}: ${t}`);
  });
}

async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'en-US' });
  await ctx.addInitScript(() => { if (!localStorage.getItem('corrente.locale')) localStorage.setItem('corrente.locale', 'en'); });
  await watchCsp(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  collectCsp(page);
  return page;
}

async function uiLogin(page, role, pathAfter = '/dashboard') {
  await page.goto(`${BASE}${pathAfter}`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Username').fill(users[role].name);
  await page.getByLabel('Password').fill(users[role].pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="whoami"]');
}

// Requests in flight per page, the live event stream aside: it stays open for as long as the
// page does, so Playwright's 'networkidle' would never come.
const inFlight = new WeakMap();
function trackRequests(ctx) {
  const count = (r, d) => {
    if (r.url().endsWith('/api/v1/events')) return;
    try {
      const p = r.frame().page();
      inFlight.set(p, (inFlight.get(p) ?? 0) + d);
    } catch { /* a request of no page */ }
  };
  ctx.on('request', (r) => count(r, 1));
  ctx.on('requestfinished', (r) => count(r, -1));
  ctx.on('requestfailed', (r) => count(r, -1));
}
/** 'networkidle' without the event stream: loaded, and no request in flight for 500 ms. */
async function networkIdle(page, timeout = 15000) {
  await page.waitForLoadState('load', { timeout });
  const end = Date.now() + timeout;
  let quietSince = Date.now();
  while (Date.now() < end) {
    if ((inFlight.get(page) ?? 0) > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 500) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`network not idle within ${timeout} ms on ${page.url()}`);
}

/** Waits until nothing is loading; fails on an error box. */
async function settled(page) {
  await networkIdle(page);
  await page.waitForFunction(() => !document.querySelector('[role="status"]'), null, { timeout: 15000 });
  const errs = await page.locator('[role="alert"]').allInnerTexts();
  assert(errs.length === 0, `error shown on ${page.url()}: ${errs.join(' / ')}`);
}
const shot = (page, name) => page.screenshot({ path: path.join(ART, `${name}.png`), fullPage: true });

// 0. the security headers: a strict CSP on the dashboard's HTML (the entry and a client-side
// route), never framed; the API's answers allow no content at all.
await check('security headers on the dashboard pages and the API', async () => {
  for (const p of ['/', '/dashboard', '/login']) {
    const r = await fetch(`${BASE}${p}`);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert(r.ok && (r.headers.get('content-type') ?? '').startsWith('text/html'), `${p}: ${r.status}`);
    for (const d of ["script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "default-src 'self'", "style-src 'self'", "base-uri 'none'"])
      assert(csp.split(';').map((x) => x.trim()).includes(d), `${p}: CSP lacks ${d}: ${csp}`);
    assert(!/unsafe-inline|unsafe-eval|\*/.test(csp), `${p}: CSP allows too much: ${csp}`);
    assert(r.headers.get('x-frame-options') === 'DENY', `${p}: X-Frame-Options ${r.headers.get('x-frame-options')}`);
    assert(r.headers.get('referrer-policy') === 'no-referrer', `${p}: Referrer-Policy ${r.headers.get('referrer-policy')}`);
    assert(/camera=\(\)/.test(r.headers.get('permissions-policy') ?? ''), `${p}: Permissions-Policy ${r.headers.get('permissions-policy')}`);
    const html = await r.text();
    assert(!/<script(?![^>]*\ssrc=)[^>]*>/i.test(html) && !/\sstyle=|\son[a-z]+=/i.test(html), `${p}: inline script, style or handler in the HTML`);
  }
  const api = await fetch(`${BASE}/api/v1/items`);
  assert(api.status === 401, `/api/v1/items without a token: ${api.status}`);
  assert((api.headers.get('content-security-policy') ?? '').startsWith("default-src 'none'"), `API CSP: ${api.headers.get('content-security-policy')}`);
  assert(api.headers.get('x-frame-options') === 'DENY', 'API X-Frame-Options');
});

const adminToken = await apiLogin('ADMIN');
const firstItem = (await apiGet(adminToken, '/items?limit=1&sort=item_id')).data[0];
const firstSite = (await apiGet(adminToken, '/sites?limit=1000')).data[0].site_id;

// 1. each role logs in through the form, and the API agrees on its role.
const pages = {};
for (const role of ['ADMIN', 'ANALYST', 'VIEWER']) {
  await check(`login as ${role}`, async () => {
    const page = await newPage();
    await uiLogin(page, role);
    const who = await page.getByTestId('whoami').innerText();
    assert(who.includes(role), `whoami says ${who}`);
    pages[role] = page;
  });
}
const admin = pages.ADMIN;

// 2. a logged-out visit, and a revoked session, go to /login and then back where the user was.
await check('login returns to the page asked for; a revoked session comes back after login', async () => {
  const page = await newPage();
  await uiLogin(page, 'VIEWER', `/materials/${firstItem.item_id}?tab=features`);
  await page.waitForURL(new RegExp(`/materials/${firstItem.item_id}\\?tab=features`));
  await settled(page);
  // Revoke the page's own token behind its back, then use the page.
  const tok = await page.evaluate(() => localStorage.getItem('corrente.token'));
  const r = await fetch(`${BASE}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${tok}` } });
  assert(r.ok, `logout answered ${r.status}`);
  await page.getByRole('tab', { name: 'Demand' }).click();
  await page.waitForURL(/\/login\?next=/);
  await page.getByText('Your session ended').waitFor();
  await shot(page, 'login-session-ended');
  await page.getByLabel('Username').fill(users.VIEWER.name);
  await page.getByLabel('Password').fill(users.VIEWER.pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(new RegExp(`/materials/${firstItem.item_id}\\?tab=demand`));
  await page.waitForSelector('[data-testid="demand-chart"]');
  await page.context().close();
});

// 3. every page renders without an error, for the admin; screenshots kept.
const visits = [
  ['dashboard', '/dashboard', '[data-testid="kpi-cards"]'],
  ['materials', '/materials', '[data-testid="materials-table"]'],
  ['material-demand', `/materials/${firstItem.item_id}?tab=demand`, '[data-testid="demand-chart"]'],
  ['material-inventory', `/materials/${firstItem.item_id}?tab=inventory`, '[data-testid="inventory-chart"]'],
  ['material-forecasts', `/materials/${firstItem.item_id}?tab=forecasts`, '[data-testid="forecast-chart"]'],
  ['material-outlook', `/materials/${firstItem.item_id}`, '[data-testid="projection-chart"]'],
  ['material-features', `/materials/${firstItem.item_id}?tab=features&site=${firstSite}`, '[data-testid="features-table"], [data-state="empty"]'],
  ['forecasts', '/forecasts', '[data-testid="compare-chart"]'],
  ['inventory', '/inventory', '[data-testid="health-table"]'],
  ['recommendations', '/recommendations?acknowledged=', '[data-testid="recs-table"]'],
  ['alerts', '/alerts', '[data-testid="alerts-list"], [data-state="empty"]'],
  ['admin', '/admin', '[data-testid="audit-table"]'],
  ['simulation', '/simulation', '[data-testid="sim-page"]'],
  ['overrides', '/overrides', '[data-testid="overrides-table"]'],
];
for (const [name, p, sel] of visits) {
  await check(`page ${p} renders, no API GET sent twice`, async () => {
    const seen = [];
    const onReq = (r) => { if (r.method() === 'GET' && r.url().includes('/api/v1/')) seen.push(r.url().replace(BASE, '')); };
    admin.on('request', onReq);
    await admin.goto(`${BASE}${p}`);
    await admin.waitForSelector(sel);
    await settled(admin);
    admin.off('request', onReq);
    await shot(admin, name);
    const dup = seen.filter((u, i) => seen.indexOf(u) !== i);
    assert(dup.length === 0, `sent twice: ${[...new Set(dup)].join(' ')}`);
  });
}

// 4. the dashboard's stockout-rate card shows the API's value for the latest day.
await check('dashboard stockout rate equals the API', async () => {
  const end = new Date().toISOString().slice(0, 10);
  const start = new Date(Date.now() - 365 * 864e5).toISOString().slice(0, 10);
  const k = (await apiGet(adminToken, `/analytics/kpis?start_date=${start}&end_date=${end}&limit=1000`)).data
    .filter((r) => r.stockout_rate !== null).sort((a, b) => a.full_date.localeCompare(b.full_date));
  assert(k.length > 0, 'the API has no KPI rows');
  const want = new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Number(k.at(-1).stockout_rate));
  await admin.goto(`${BASE}/dashboard`);
  const got = (await admin.getByTestId('kpi-stockout_rate-value').innerText()).trim();
  assert(got === want, `card ${got} vs API ${want} (${k.at(-1).full_date}: ${k.at(-1).stockout_rate})`);
  // The card says which day its value is from, draws its trend, and drills down.
  const [y, m, d] = k.at(-1).full_date.split('-');
  const through = (await admin.getByTestId('kpi-stockout_rate-through').innerText()).trim();
  assert(through === `Data through ${m}/${d}/${y}`, `through: ${through} vs ${k.at(-1).full_date}`);
  assert(Number(await admin.getByTestId('kpi-stockout_rate').locator('[data-testid="sparkline"]').getAttribute('data-points')) > 1, 'no sparkline');
  await admin.getByTestId('kpi-stockout_rate-link').click();
  await admin.waitForURL(/\/inventory\?stockout=true/);
  await admin.goto(`${BASE}/dashboard`);
  await admin.waitForSelector('[data-testid="dashboard-chart"] .recharts-line');
  await shot(admin, 'dashboard');
});

// Every page's footer says how the last pipeline run ended (from /health).
await check('footer: the last pipeline run and its outcome, as /health says', async () => {
  const h = await (await fetch(`${BASE}/health`)).json();
  await admin.goto(`${BASE}/dashboard`);
  const text = (await admin.getByTestId('pipeline-status').innerText()).trim();
  assert(h.last_pipeline_run && text.startsWith(`Last pipeline run: ${h.last_pipeline_run.split(' ')[0]}`), `footer "${text}" vs ${h.last_pipeline_run}`);
});

// The morning view: counts of pairs out of stock and at risk equal the API's, and link to the
// filtered inventory; the list starts with the pair that runs out first.
await check('dashboard: out of stock / at risk counts and runs out next', async () => {
  const out = Number((await apiGet(adminToken, '/inventory/snapshot?stockout=true&limit=1')).metadata.total_count);
  const risk = await apiGet(adminToken, '/inventory/snapshot?at_risk=true&sort=days_to_rupture&limit=1');
  await admin.goto(`${BASE}/dashboard`);
  await admin.waitForSelector('[data-testid="runs-out-next"] tbody tr, [data-testid="runs-out-next"] [data-state="empty"]');
  const fmt = (n) => new Intl.NumberFormat('en').format(n);
  const outText = await admin.getByTestId('count-stockout').innerText();
  const riskText = await admin.getByTestId('count-at-risk').innerText();
  assert(outText.startsWith(fmt(out) + ' '), `out of stock: page "${outText}", API ${out}`);
  assert(riskText.startsWith(fmt(Number(risk.metadata.total_count)) + ' '), `at risk: page "${riskText}", API ${risk.metadata.total_count}`);
  if (risk.data.length > 0) {
    const first = await admin.locator('[data-testid="runs-out-next"] tbody tr').first().innerText();
    assert(first.includes(risk.data[0].sku), `first row "${first}" vs API ${risk.data[0].sku}`);
  }
  assert((await admin.getByTestId('count-stockout').getAttribute('href')) === '/inventory?stockout=true', 'the count does not link to the inventory');
  await shot(admin, 'dashboard-morning');
});

// The dashboard's chart shows the portfolio (every item summed, with the band) until an item is picked.
await check('dashboard chart: all items by default, one item when picked', async () => {
  assert(await admin.locator('[data-picker="dashboard-item"]').getAttribute('data-value') === '', 'the chart does not start on all items');
  await admin.waitForSelector('[data-testid="dashboard-chart"] path.recharts-area-area');
  const total = await apiGet(adminToken, '/forecasts/total?horizon=30');
  assert(total.data.length > 0 && total.data.every((r) => r.series > 0), 'the API has no forecast totals');
  const [demandSeen] = await Promise.all([
    admin.waitForResponse((r) => r.url().includes(`/demand/timeseries?item_id=${firstItem.item_id}`)),
    (async () => { // a searchable picker past 20 items, a plain select up to 20
      const box = admin.getByTestId('dashboard-item');
      if (await box.evaluate((e) => e.tagName === 'SELECT')) return box.selectOption(String(firstItem.item_id));
      await box.fill(firstItem.sku);
      await admin.locator(`[data-picker="dashboard-item"] [role="option"][data-value="${firstItem.item_id}"]`).click();
    })(),
  ]);
  assert(demandSeen.ok(), 'the item series request failed');
  await admin.waitForSelector('[data-testid="dashboard-chart"] .recharts-line');
});

// 5. the item page's forecast chart draws the 80% and 95% bands.
await check('item forecast chart draws its bands', async () => {
  await admin.goto(`${BASE}/materials/${firstItem.item_id}?tab=forecasts`);
  await admin.waitForSelector('[data-testid="forecast-chart"] .band-80 path.recharts-area-area');
  for (const b of ['band-80', 'band-95']) {
    const d = await admin.locator(`[data-testid="forecast-chart"] .${b} path.recharts-area-area`).first().getAttribute('d');
    assert(d && d.length > 20, `${b} has no shape`);
  }
  const model = await admin.getByTestId('forecast-model').innerText();
  assert(!/Model: —/.test(model), `no model shown: ${model}`);
  await admin.getByRole('radio', { name: '90 days' }).click();
  await admin.waitForSelector('[data-testid="forecast-chart"] .band-95 path.recharts-area-area');
  await shot(admin, 'material-forecasts-90');
});

// 5b. the item's Inventory tab draws the current safety stock and reorder point across the window.
await check('item inventory chart: safety-stock and reorder-point lines span the window', async () => {
  const inv = await apiGet(adminToken, `/inventory/timeseries?item_id=${firstItem.item_id}`);
  const site = (await apiGet(adminToken, '/sites?limit=1000')).data[0].site_id;
  const pol = (inv.metadata.policy ?? []).find((p) => p.site_id === site);
  assert(pol, `the API has no policy for item ${firstItem.item_id} at site ${site}`);
  await admin.goto(`${BASE}/materials/${firstItem.item_id}?tab=inventory&site=${site}`);
  await admin.waitForSelector('[data-testid="inventory-chart"] .ss-line path.recharts-line-curve', { state: 'attached' }); // a flat line has no height, so never "visible"
  const width = async (cls) => admin.locator(`[data-testid="inventory-chart"] .${cls} path.recharts-line-curve`).first().evaluate((e) => e.getBBox().width);
  const stockW = await admin.locator('[data-testid="inventory-chart"] path.recharts-line-curve').first().evaluate((e) => e.getBBox().width);
  for (const cls of ['ss-line', 'rop-line']) {
    const w = await width(cls);
    assert(w > 0.95 * stockW, `${cls} is ${w}px wide, the stock line ${stockW}px`);
  }
  const note = await admin.getByTestId('policy-note').innerText();
  const ss = new Intl.NumberFormat('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(Number(pol.safety_stock));
  assert(note.includes(ss), `note "${note}" lacks the safety stock ${ss}`);
  const stockoutDays = inv.data.filter((r) => r.site_id === site && Number(r.current_stock) <= 0).length;
  assert(Number(await admin.getByTestId('stockout-days').innerText()) === stockoutDays, 'stockout day count differs from the API');
  assert(await admin.locator('[data-testid="inventory-chart"] .stockout-dot').count() === stockoutDays, 'not one red mark per stockout day');
  await shot(admin, 'material-inventory');
});

// 5c. the inventory page: two requests (health, one drill-down page), totals as the API says.
await check('inventory page: health and drill-down in two requests, totals equal the API', async () => {
  const seen = [];
  const onReq = (r) => { if (r.method() === 'GET' && r.url().includes('/api/v1/inventory')) seen.push(r.url().replace(BASE, '')); };
  admin.on('request', onReq);
  await admin.goto(`${BASE}/inventory`);
  await admin.waitForSelector('[data-testid="health-table"]');
  await admin.waitForSelector('[data-testid="snapshot-table"]');
  await settled(admin);
  const h = (await apiGet(adminToken, '/inventory/health?limit=1000')).data;
  const sum = (k) => h.reduce((a, r) => a + r[k], 0);
  assert(Number((await admin.getByTestId('total-at-risk').innerText()).replace(/\D/g, '')) === sum('at_risk'), 'at-risk total differs');
  assert(Number((await admin.getByTestId('total-stockouts').innerText()).replace(/\D/g, '')) === sum('stockouts'), 'stockout total differs');
  assert(seen.length === 2 && seen.some((u) => u.startsWith('/api/v1/inventory/health')) && seen.some((u) => u.startsWith('/api/v1/inventory/snapshot')),
    `inventory requests: ${seen.join(' ')}`);
  const last = h.at(-1);
  await admin.locator(`[data-testid="health-table"] tr[data-site="${last.site_id}"][data-abc="${last.abc_class ?? ''}"] [data-testid="drill-down"]`).click();
  await admin.waitForURL(new RegExp(`site=${last.site_id}`));
  await admin.waitForFunction((sid) => {
    const rows = [...document.querySelectorAll('[data-testid="snapshot-table"] tbody tr')];
    return rows.length > 0 && rows.every((r) => r.getAttribute('data-site') === String(sid));
  }, last.site_id);
  await settled(admin);
  admin.off('request', onReq);
  assert(seen.length === 3, `drill-down sent ${seen.length - 2} requests: ${seen.slice(2).join(' ')}`);
  await shot(admin, 'inventory-drilldown');
});

// 5d. the materials list asks for its risk badges once per page, not once per item.
await check('materials page: one inventory request for the page\'s risk badges, values as the API says', async () => {
  const seen = [];
  const onReq = (r) => { if (r.method() === 'GET' && r.url().includes('/api/v1/inventory')) seen.push(r.url().replace(BASE, '')); };
  admin.on('request', onReq);
  await admin.goto(`${BASE}/materials`);
  await admin.waitForSelector('[data-testid="materials-table"] [data-risk]');
  await settled(admin);
  admin.off('request', onReq);
  assert(seen.length === 1 && seen[0].startsWith('/api/v1/inventory/snapshot?item_ids='), `inventory requests: ${seen.join(' ')}`);
  const rows = await admin.locator('[data-testid="materials-table"] tbody tr').count();
  assert(await admin.locator('[data-testid="materials-table"] [data-risk]').count() === rows, 'not one badge per row');
  const href = await admin.locator('[data-testid="materials-table"] tbody tr:first-child a').getAttribute('href');
  const firstId = Number(/\/materials\/(\d+)/.exec(href)[1]);
  const snap = (await apiGet(adminToken, seen[0].replace('/api/v1', ''))).data.filter((r) => r.item_id === firstId);
  // Expected: the item's worst site, judged against its lead time (critical: runs out before an
  // order would arrive; watch: within two more weeks), then the fewest days to rupture.
  const rank = { stockout: 0, critical: 1, warning: 2, ok: 3 };
  const riskOf = (r) => {
    if (r.stockout) return 'stockout';
    if (r.days_to_rupture === null) return 'ok';
    const d = Number(r.days_to_rupture), lt = r.lead_time_days === null ? null : Number(r.lead_time_days);
    const [crit, watch] = lt === null ? [7, 21] : [lt, lt + 14];
    return d < crit ? 'critical' : d < watch ? 'warning' : 'ok';
  };
  const worst = snap.map((r) => ({ risk: riskOf(r), days: r.stockout ? 0 : r.days_to_rupture }))
    .sort((a, b) => rank[a.risk] - rank[b.risk] || (a.days ?? 1e9) - (b.days ?? 1e9))[0];
  const el = admin.locator(`[data-testid="materials-table"] tbody tr:first-child [data-risk]`);
  const [badge, shown] = [await el.innerText(), await el.getAttribute('data-risk')];
  assert(!worst ? shown === 'unknown' : shown === worst.risk && (worst.risk === 'stockout' || worst.days === null || badge.includes(`${worst.days}d`)),
    `badge "${badge}" (${shown}) vs API ${JSON.stringify(worst)}`);
});

// 6. an analyst acknowledges a recommendation; it stays acknowledged after a reload and is audited.
await check('acknowledge a recommendation (analyst), audited', async () => {
  const page = pages.ANALYST;
  await page.goto(`${BASE}/recommendations`);
  const btn = page.getByTestId('ack-button').first();
  await btn.waitFor();
  const id = await btn.locator('xpath=ancestor::tr').getAttribute('data-rec-id');
  await btn.click();
  // Optimistically marked at once; the open queue then drops it when the list is fetched again.
  await page.waitForFunction((rid) => !document.querySelector(`tr[data-rec-id="${rid}"] [data-testid="ack-button"]`), id);
  await networkIdle(page);
  assert(await page.locator('[data-testid="ack-error"]').count() === 0, 'acknowledge failed');
  await page.goto(`${BASE}/recommendations?acknowledged=true`);
  await page.reload();
  await page.locator(`tr[data-rec-id="${id}"] [data-acknowledged="true"]`).waitFor();
  await shot(page, 'recommendations-acknowledged');
  const logs = (await apiGet(adminToken, `/admin/audit-logs?actor=${encodeURIComponent(users.ANALYST.name)}&limit=1000`)).data;
  const hit = logs.find((l) => String(l.entity_id) === id && /ack/i.test(l.action));
  assert(hit, `no audit row for recommendation ${id} among ${logs.length}: ${logs.slice(0, 3).map((l) => l.action).join(',')}`);
  await admin.goto(`${BASE}/admin`);
  await admin.locator(`#main form:has(input[name="actor"]) input[name="actor"]`).fill(users.ANALYST.name);
  await admin.getByRole('button', { name: 'Apply' }).click();
  await admin.locator(`[data-testid="audit-table"] tr[data-entity-id="${id}"]`).first().waitFor();
  await shot(admin, 'admin-audit-ack');
});

// A double-click acknowledges one recommendation, not the next row sliding under the pointer;
// the tab says which page it is.
await check('double-click acknowledges once; page titles', async () => {
  const page = pages.ANALYST;
  const before = Number((await apiGet(adminToken, '/recommendations?acknowledged=true&limit=1')).metadata.total_count);
  await page.goto(`${BASE}/recommendations`);
  const btn = page.getByTestId('ack-button').first();
  await btn.waitFor();
  await btn.dblclick();
  await networkIdle(page);
  await settled(page);
  const after = Number((await apiGet(adminToken, '/recommendations?acknowledged=true&limit=1')).metadata.total_count);
  assert(after === before + 1, `acknowledged ${before} -> ${after}`);
  assert((await page.title()) === 'Recommendations · Corrente', `title: ${await page.title()}`);
  await page.goto(`${BASE}/simulation`);
  await page.waitForSelector('[data-testid="sim-page"]');
  assert((await page.title()) === 'Policy simulation · Corrente', `title: ${await page.title()}`);
});

// 7. an analyst marks an alert read; the API agrees and the nav count drops.
await check('mark an alert read (analyst)', async () => {
  const page = pages.ANALYST;
  await page.goto(`${BASE}/alerts?unread=true`);
  const btn = page.getByTestId('mark-read').first();
  await btn.waitFor();
  const id = await btn.locator('xpath=ancestor::tr').getAttribute('data-alert-id');
  const before = Number((await apiGet(adminToken, '/alerts?unread=true&limit=1')).metadata.total_count);
  await btn.click();
  await page.waitForFunction((aid) => !document.querySelector(`tr[data-alert-id="${aid}"]`) || document.querySelector(`tr[data-alert-id="${aid}"]`).dataset.read === 'true', id);
  await networkIdle(page);
  const after = Number((await apiGet(adminToken, '/alerts?unread=true&limit=1')).metadata.total_count);
  assert(after === before - 1, `unread ${before} -> ${after}`);
  const all = (await apiGet(adminToken, '/alerts?limit=1000')).data;
  const a = all.find((x) => String(x.alert_id) === id);
  assert(!a || a.read_at, `alert ${id} not read in the API`);
  await shot(page, 'alerts-after-read');
});

// 7b. an analyst runs a what-if (doubled lead times) from the simulation page; it is polled
// until done, and the change, the chart and the table show; a viewer gets no form.
await check('policy simulation: a what-if from the page (analyst)', async () => {
  const page = pages.ANALYST;
  await page.goto(`${BASE}/simulation`);
  await page.waitForSelector('[data-testid="whatif-form"]');
  await page.locator('input[name="sample"]').fill('30');
  await page.locator('input[name="lead_time_scale"]').fill('2');
  await page.getByTestId('whatif-start').click();
  await page.waitForSelector('[data-testid="sim-change"]', { timeout: 60000 });
  await page.waitForSelector('[data-testid="sim-table"] tr[data-policy="normal"]');
  await page.waitForSelector('[data-testid="sim-chart"] .recharts-scatter');
  const text = await page.getByTestId('sim-change').innerText();
  assert(/normal: stockouts [+-][0-9.,]+ points/.test(text), `change reads: ${text}`);
  const list = (await apiGet(adminToken, '/simulations')).data;
  assert(list.length > 0 && list[0].status === 'SUCCEEDED', `API: ${JSON.stringify(list[0])}`);
  await shot(page, 'simulation-whatif');
  const viewer = pages.VIEWER;
  await viewer.goto(`${BASE}/simulation`);
  await viewer.waitForSelector('[data-testid="sim-table"]');
  assert(await viewer.getByTestId('whatif-form').count() === 0, 'a viewer sees the what-if form');
});

// 8. the materials CSV export has the API's header and one row per filtered item.
await check('materials CSV export: header and row count', async () => {
  await admin.goto(`${BASE}/materials?abc_class=A`);
  await admin.waitForSelector('[data-testid="materials-table"]');
  const [dl] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: /Export CSV/ }).click()]);
  const file = path.join(ART, 'materials-A.csv');
  await dl.saveAs(file);
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length);
  const total = Number((await apiGet(adminToken, '/items?abc_class=A&limit=1')).metadata.total_count);
  const header = lines[0].split(',');
  assert(header.includes('item_id') && header.includes('sku') && header.includes('abc_class'), `header ${lines[0]}`);
  assert(lines.length - 1 === total, `${lines.length - 1} rows, API total_count ${total}`);
});

// 9. a viewer sees no acknowledge button and is refused by the API.
await check('viewer: no acknowledge button, API answers 403', async () => {
  const page = pages.VIEWER;
  await page.goto(`${BASE}/recommendations`);
  await page.waitForSelector('[data-testid="recs-table"]');
  await settled(page);
  assert(await page.getByTestId('ack-button').count() === 0, 'viewer sees an acknowledge button');
  assert(await page.getByTestId('mark-read').count() === 0 || true, '');
  await shot(page, 'viewer-recommendations');
  const vt = await apiLogin('VIEWER');
  const open = (await apiGet(vt, '/recommendations?acknowledged=false&limit=1')).data[0];
  assert(open, 'no open recommendation to try');
  const r = await fetch(`${BASE}/api/v1/recommendations/${open.recommendation_id}/acknowledge`, { method: 'PATCH', headers: { Authorization: `Bearer ${vt}`, 'Content-Type': 'application/json' }, body: '{}' });
  assert(r.status === 403, `viewer PATCH got ${r.status}`);
  await page.goto(`${BASE}/admin`);
  assert((await page.locator('#nav >> text=Admin').count()) === 0, 'viewer sees the Admin link');
  await page.goto(`${BASE}/alerts`);
  await settled(page);
  assert(await page.getByTestId('mark-read').count() === 0, 'viewer sees mark-read');
});

// 10. the keyboard alone: Tab to the fields, type, Enter; the focused control shows a focus ring.
await check('keyboard: log in with Tab and Enter, visible focus', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/login`);
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  let guard = 0;
  while (!(await page.evaluate(() => document.activeElement?.getAttribute('name') === 'username')) && guard++ < 6) await page.keyboard.press('Tab');
  assert(guard < 6, 'Tab never reached the username field');
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).outlineWidth);
  assert(!ring.startsWith('none') && !ring.endsWith(' 0px'), `no visible focus ring on the username field: ${ring}`);
  await page.keyboard.type(users.ANALYST.name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(users.ANALYST.pw);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="whoami"]');
  // Tab from the top reaches the skip link first, then the navigation.
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.textContent);
  assert(/Skip to content/.test(first ?? ''), `first Tab stop is ${first}`);
  await page.context().close();
});

// 11. the phone layout and the Portuguese dictionary render.
await check('phone width, pt-BR', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'pt-BR' });
  await watchCsp(ctx);
  const page = await ctx.newPage();
  collectCsp(page);
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Usuário').fill(users.ANALYST.name);
  await page.getByLabel('Senha').fill(users.ANALYST.pw);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.waitForSelector('[data-testid="kpi-cards"]');
  await settled(page);
  const sr = await page.getByTestId('kpi-stockout_rate-value').innerText();
  assert(/,/.test(sr) || sr === '—', `pt-BR percent ${sr}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `page is ${overflow}px wider than the phone`);
  await shot(page, 'phone-dashboard-ptbr');
  await ctx.close();
});

// 11b. /api/docs is Swagger UI from the web build (no CDN), under the dashboard's CSP: every
// operation listed, and try-it-out works with the dashboard session's token.
await check('API reference: Swagger UI lists every operation and tries one with the session token', async () => {
  const page = await newPage();
  await uiLogin(page, 'ANALYST');
  await page.goto(`${BASE}/api/docs`);
  assert(new URL(page.url()).pathname === '/api-docs/', `redirected to ${page.url()}`);
  await page.waitForSelector('.opblock');
  const ops = await page.locator('.opblock').count();
  const doc = await (await fetch(`${BASE}/api/v1/openapi.json`)).json();
  const inDoc = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  assert(ops === inDoc, `${ops} operations shown, ${inDoc} in the document`);
  assert(/Signed in/.test(await page.locator('#corrente-auth').innerText()), 'the session token was not picked up');
  const me = page.locator('#operations-auth-get_api_v1_auth_me');
  await me.locator('.opblock-summary').click();
  const tryIt = me.locator('button.try-out__btn', { hasText: 'Try it out' });  // on by default
  if (await tryIt.count()) await tryIt.click();
  await me.locator('button.execute').click();
  const status = me.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor();
  assert((await status.innerText()).trim().startsWith('200'), `try-it-out answered ${await status.innerText()}`);
  assert(/"username": "analyst"/.test(await me.locator('.live-responses-table .microlight').first().innerText()), 'not the analyst');
  await shot(page, 'api-docs-swagger');
  await page.context().close();
});

// 12. the CSP is enforced (an injected inline script does not run, and is reported), the
// dashboard cannot be framed, and no page of this run broke the policy.
await check('CSP: an injected inline script is refused; the dashboard is not framed', async () => {
  const ctx = await browser.newContext();
  await watchCsp(ctx);
  const page = await ctx.newPage();
  const seen = [];
  page.on('console', (m) => seen.push(m.text()));
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Username').waitFor();
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = 1';
    document.body.appendChild(s);
    return window.__injected === 1;
  });
  await page.waitForTimeout(200);
  assert(!ran, 'an inline script ran under the CSP');
  assert(seen.some((t) => /securitypolicyviolation: script-src-elem blocked inline/.test(t)), `violation not reported: ${seen.join(' | ')}`);
  // A page of another origin (another port on this loopback: chromium refuses a public page's
  // frames to a local address anyway) frames the dashboard: the frame gets an error page.
  const framer = http.createServer((q, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(`<iframe src="${BASE}/login" width="400" height="300"></iframe>`);
  });
  await new Promise((r) => framer.listen(0, '127.0.0.1', r));
  try {
    await page.goto(`http://127.0.0.1:${framer.address().port}/`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert(frame, 'no frame on the framing page');
    const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    assert(!/Username|Sign in/.test(text) && frame.url().startsWith('chrome-error:'), `the frame shows ${frame.url()}: ${text.slice(0, 60)}`);
    assert(seen.some((t) => /Framing .* violates .*frame-ancestors 'none'/.test(t)), `no frame-ancestors refusal: ${seen.join(' | ')}`);
  } finally {
    framer.close();
  }
  await ctx.close();
});
// 12. the grouped queues and the searchable pickers (tests/e2e/queues.mjs).
await queueChecks({ check, assert, BASE, ART, pages, users, adminToken, apiGet, shot, networkIdle });
// 13. the item page's projected stock against SQL (tests/e2e/projection.mjs).
await projectionChecks({ check, assert, BASE, admin, browser, users, firstItem, firstSite, watchCsp, collectCsp, shot });
// 14. overrides: draft, submit, approve, a conflict from two tabs (tests/e2e/overrides.mjs).
await overrideChecks({ check, assert, BASE, pages, newPage, uiLogin, adminToken, apiGet, firstItem, firstSite, shot });
// 15. live alerts over Server-Sent Events (tests/e2e/events.mjs).
await eventChecks({ check, assert, BASE, pages, shot });

await check('no CSP or Permissions-Policy complaint on any page of the run', async () => {
  assert(cspViolations.length === 0, `${cspViolations.length}: ${[...new Set(cspViolations)].slice(0, 5).join(' | ')}`);
});

await browser.close();
console.log(`screenshots: ${ART}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
