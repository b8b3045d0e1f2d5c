// The browser tests' shared state and helpers, as @playwright/test fixtures:
//   env      the server (E2E_BASE), the demo logins (E2E_USERS), its database (E2E_DSN)
//   api      the API as the ADMIN (get, token; as(role) for another), for the values the pages must show
//   sql      a query on the server's database through psql (one string back)
//   seed     the first item and site, as the API lists them (worker-scoped)
//   as(role) a page already signed in as ADMIN, ANALYST or VIEWER (one context and tab per role and worker)
//   page     the default page: signed out, English
// Every context a test opens reports Content-Security-Policy violations; a test fails on any
// unless it declares `test.use({ cspViolationExpected: true })`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';

export { expect };
export const ROLES = ['ADMIN', 'ANALYST', 'VIEWER'];

/** The run's settings, from tests/e2e/run.sh. */
export function env() {
  const base = process.env.E2E_BASE;
  if (!base) throw new Error('E2E_BASE is not set: run the browser tests with tests/e2e/run.sh BIN');
  const users = {};
  for (const u of (process.env.E2E_USERS ?? '').split(',').filter(Boolean)) {
    const [name, pw, role] = u.split(':');
    users[role] = { name, pw };
  }
  for (const r of ROLES) if (!users[r]) throw new Error(`E2E_USERS lacks a ${r} login`);
  return { base, users, dsn: process.env.E2E_DSN, artifacts: process.env.E2E_ARTIFACTS ?? path.join(os.tmpdir(), 'corrente-e2e-artifacts') };
}

/** Where global-setup.mjs keeps a role's signed-in storageState. */
export const authFile = (role) =>
  path.join(process.env.E2E_AUTH_DIR ?? path.join(os.tmpdir(), `corrente-e2e-auth-${new URL(env().base).port}`), `${role}.json`);

/** One value (or rows joined by newlines, columns by '|') from the server's database. */
export function sql(q) {
  const { dsn } = env();
  if (!dsn) throw new Error('E2E_DSN is not set');
  return execFileSync('psql', [dsn, '-qAtX', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
}

export async function apiLogin(role) {
  const { base, users } = env();
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: users[role].name, password: users[role].pw }) });
  const b = await r.json();
  expect(r.ok, `API login ${role}: ${r.status} ${JSON.stringify(b)}`).toBe(true);
  return (b.data ?? b).access_token;
}

/** GET /api/v1{p} with a token; the parsed body, which must be a success. */
export async function apiGet(token, p) {
  const r = await fetch(`${env().base}/api/v1${p}`, { headers: { Authorization: `Bearer ${token}` } });
  const b = await r.json();
  expect(r.ok, `GET ${p}: ${r.status} ${JSON.stringify(b)}`).toBe(true);
  return b;
}

/** A full-page screenshot kept in E2E_ARTIFACTS (the guide's pictures come from there). */
export async function shot(page, name) {
  const dir = env().artifacts;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Signs in through the login form, starting from `pathAfter` (which sends a signed-out visitor to /login). */
export async function uiLogin(page, role, pathAfter = '/dashboard') {
  const { users } = env();
  await page.goto(pathAfter);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Username').fill(users[role].name);
  await page.getByLabel('Password').fill(users[role].pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid="whoami"]');
}

// Requests in flight per page, the live event stream aside: it stays open as long as the page
// does, so Playwright's 'networkidle' would never come.
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
export async function networkIdle(page, timeout = 15000) {
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
export async function settled(page) {
  await networkIdle(page);
  await page.waitForFunction(() => !document.querySelector('[role="status"]'), null, { timeout: 15000 });
  const errs = await page.locator('[role="alert"]').allInnerTexts();
  expect(errs, `error shown on ${page.url()}`).toEqual([]);
}

/** Opens `p` and waits for `sel`; no API GET may be sent twice on the way. Screenshot `name`. */
export async function visit(page, p, sel, name) {
  const seen = [];
  const onReq = (r) => { if (r.method() === 'GET' && r.url().includes('/api/v1/')) seen.push(r.url().replace(env().base, '')); };
  page.on('request', onReq);
  await page.goto(p);
  await page.waitForSelector(sel);
  await settled(page);
  page.off('request', onReq);
  await shot(page, name);
  const dup = seen.filter((u, i) => seen.indexOf(u) !== i);
  expect([...new Set(dup)], 'GET requests sent twice').toEqual([]);
}

/** A context's init script (English by default; CSP violations logged) and its request counter. */
async function prepare(ctx) {
  trackRequests(ctx);
  await ctx.addInitScript(() => {
    try { // about:blank has no localStorage
      if (!localStorage.getItem('corrente.locale') && navigator.language.startsWith('en')) localStorage.setItem('corrente.locale', 'en');
    } catch { /* not an http page */ }
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`securitypolicyviolation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} on ${e.documentURI}`));
  });
}

/** The page reports CSP (and Permissions-Policy) complaints into `sink`; returns the unsubscribe. */
function listen(page, sink) {
  page.setDefaultTimeout(15000);
  const onConsole = (m) => {
    const t = m.text();
    if (/Content Security Policy|securitypolicyviolation|Permissions-Policy/i.test(t)) sink.push(`${page.url()}: ${t}`);
  };
  const onError = (e) => console.log(`  [page error] ${page.url()}: ${e.message}`);
  page.on('console', onConsole);
  page.on('pageerror', onError);
  return () => { page.off('console', onConsole); page.off('pageerror', onError); };
}

export const test = base.extend({
  cspViolationExpected: [false, { option: true }],
  cspViolations: async ({ cspViolationExpected }, use) => {
    const sink = [];
    await use(sink);
    if (!cspViolationExpected) expect([...new Set(sink)], 'CSP or Permissions-Policy complaints').toEqual([]);
  },
  context: async ({ context, cspViolations }, use) => {
    await prepare(context);
    context.pages().forEach((p) => listen(p, cspViolations));
    context.on('page', (p) => listen(p, cspViolations)); // this context ends with the test
    await use(context);
  },
  // One signed-in context and tab per role for the whole worker: its HTTP cache and compiled
  // scripts stay warm, as a planner's browser would be. Every test starts with a page.goto(),
  // which reloads the app, so no page state is carried from one test to the next.
  roles: [async ({ browser }, use, workerInfo) => {
    const { baseURL, viewport, locale, acceptDownloads } = workerInfo.project.use;
    const made = new Map();
    await use(async (role) => {
      let r = made.get(role);
      if (!r) {
        const ctx = await browser.newContext({ baseURL, viewport, locale, acceptDownloads, storageState: authFile(role) });
        await prepare(ctx);
        made.set(role, (r = { ctx, page: null }));
      }
      if (!r.page || r.page.isClosed()) r.page = await r.ctx.newPage();
      return r;
    });
    for (const r of made.values()) await r.ctx.close();
  }, { scope: 'worker' }],
  // as(role): a page signed in as ADMIN, ANALYST or VIEWER: the role's tab first, then new tabs
  // of its context (closed after the test). With context options (a phone's viewport, say) a
  // context of its own; browser.newContext() inside a test takes the config's `use`.
  as: async ({ browser, cspViolations, roles }, use) => {
    const opened = [], extra = [], unsubscribe = [], used = new Set();
    await use(async (role, options) => {
      let page;
      if (options) {
        const ctx = await browser.newContext({ storageState: authFile(role), ...options });
        await prepare(ctx);
        opened.push(ctx);
        page = await ctx.newPage();
      } else {
        const r = await roles(role);
        if (used.has(role)) extra.push((page = await r.ctx.newPage()));
        else { used.add(role); page = r.page; }
      }
      unsubscribe.push(listen(page, cspViolations));
      return page;
    });
    unsubscribe.forEach((off) => off());
    for (const p of extra) await p.close().catch(() => {});
    for (const c of opened) await c.close();
  },
  // The API, logged in once per worker and role (a login costs an argon2id hash on the server).
  api: [async ({}, use) => {
    const tokens = new Map();
    const session = async (role) => {
      if (!tokens.has(role)) tokens.set(role, await apiLogin(role));
      const token = tokens.get(role);
      return { token, get: (p) => apiGet(token, p) };
    };
    const admin = await session('ADMIN');
    await use({ ...admin, as: session });
  }, { scope: 'worker' }],
  seed: [async ({}, use) => {
    const token = await apiLogin('ADMIN');
    const item = (await apiGet(token, '/items?limit=1&sort=item_id')).data[0];
    const sites = (await apiGet(token, '/sites?limit=1000')).data;
    await use({ item, site: sites[0].site_id, sites });
  }, { scope: 'worker' }],
  env: [async ({}, use) => use(env()), { scope: 'worker' }],
});

/** A laptop's window (the config's 1280 px): in English and Portuguese, the table `table` at `path`
 *  is no wider than its box and the first `cell` (a row's last cell or button) is on screen. */
export async function fitsLaptop(page, path, table, cell) {
  try {
    for (const locale of ['en', 'pt-BR']) {
      await page.evaluate((l) => localStorage.setItem('corrente.locale', l), locale);
      await page.goto(path);
      await page.locator(cell).first().waitFor();
      const fit = await page.$eval(table, (t) => ({ table: t.scrollWidth, box: t.parentElement.clientWidth }));
      expect(fit.table, `${locale}: the table is wider than its box`).toBeLessThanOrEqual(fit.box);
      const right = await page.locator(cell).first().evaluate((c) => c.getBoundingClientRect().right);
      expect(right, `${locale}: the first row's ${cell} is off screen`).toBeLessThanOrEqual(page.viewportSize().width);
    }
  } finally {
    await page.evaluate(() => localStorage.setItem('corrente.locale', 'en'));
  }
}

/** priority_score as the pages show it ("R$24.9K"): compact BRL, English. */
export const fmtStake = (v) => new Intl.NumberFormat('en', { style: 'currency', currency: 'BRL', notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 }).format(Number(v));
