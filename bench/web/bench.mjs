// Dashboard benchmark in headless Debian chromium (not a test: it prints figures, it asserts nothing).
// Env: BENCH_BASE, BENCH_USER, BENCH_PASSWORD, BENCH_RUNS (default 5), BENCH_ITEM (item id), CHROMIUM.
// For each page, a cold run is a fresh browser context (empty HTTP cache) already holding a token;
// it measures First Contentful Paint and the time until every piece of the page's data is drawn.
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('@playwright/test'); // the browser tests' runner; drives Debian's chromium
const BASE = process.env.BENCH_BASE;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const login = await fetch(`${BASE}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: process.env.BENCH_USER, password: process.env.BENCH_PASSWORD }) }).then((r) => r.json());
const token = (login.data ?? login).access_token;
if (!token) { console.error('bench: login failed', login); process.exit(1); }
const itemId = process.env.BENCH_ITEM ?? (await fetch(`${BASE}/api/v1/items?limit=1`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json())).data[0].item_id;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] });

// "Drawn": no spinner left, and each of the page's data-bearing selectors matches at least the
// given number of elements. (A function, not a string: the dashboard's CSP forbids eval.)
const PAGES = {
  dashboard: { path: '/dashboard', sel: [['[data-testid^=kpi-][data-testid$=-value]', 4],
    ['[data-testid=dashboard-chart] .recharts-line path.recharts-curve', 1],
    ['[data-testid=top-alerts], #alerts-title ~ [data-state=empty]', 1],
    ['[data-testid=critical-recs], #recs-title ~ [data-state=empty]', 1]] },
  item: { path: `/materials/${itemId}?tab=forecasts`, sel: [['[data-testid=item-header]', 1],
    ['[data-testid=forecast-chart] .band-80 path.recharts-area-area', 1],
    ['[data-testid=forecast-chart] .recharts-line path.recharts-curve', 1]] },
  projection: { path: `/materials/${itemId}`, sel: [['[data-testid=projection-chart] .recharts-line path.recharts-curve', 1]] },
  materials: { path: '/materials', sel: [['[data-testid=materials-table] tbody tr', 1]] },
  forecasts: { path: '/forecasts', sel: [['[data-testid=compare-chart] .recharts-line path.recharts-curve', 1]] },
  inventory: { path: '/inventory', sel: [['[data-testid=health-table] tbody tr', 1], ['[data-testid=snapshot-table] tbody tr', 1]] },
  recommendations: { path: '/recommendations', sel: [['[data-testid=recs-table] tbody tr', 1]] },
  alerts: { path: '/alerts', sel: [['[data-testid=alerts-list] tbody tr, [data-state=empty]', 1]] },
  overrides: { path: '/overrides', sel: [['[data-testid=overrides-table], [data-state=empty]', 1]] },
  simulation: { path: '/simulation', sel: [['[data-testid=sim-page]', 1]] },
  baseline: { path: '/bench-baseline', sel: [] },
};
const drawn = (sel) => !document.querySelector('[role=status]') && sel.every(([s, n]) => document.querySelectorAll(s).length >= n);

async function once(name) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.addInitScript(([t]) => {
    localStorage.setItem('corrente.token', t);
    localStorage.setItem('corrente.token_exp', String(Date.now() + 3600e3));
    localStorage.setItem('corrente.locale', 'en');
  }, [token]);
  const page = await ctx.newPage();
  const js = [];
  page.on('response', async (r) => {
    if (r.url().endsWith('.js')) js.push(r.body().then((b) => ({ url: r.url(), raw: b.length, gz: zlib.gzipSync(b, { level: 9 }).length, enc: r.headers()['content-encoding'] ?? 'identity' })).catch(() => null));
  });
  if (name === 'baseline') {
    // The browser's own floor: a page with one line of text and no script, from the same origin.
    await page.route('**/bench-baseline', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><p>Corrente</p>' }));
  }
  await page.goto(`${BASE}${PAGES[name].path}`);
  await page.waitForFunction(drawn, PAGES[name].sel, { timeout: 30000, polling: 'raf' });
  const t = await page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
    return { fcp, drawn: performance.now() };
  });
  const files = (await Promise.all(js)).filter(Boolean);
  await ctx.close();
  return { ...t, jsRaw: files.reduce((s, f) => s + f.raw, 0), jsGz: files.reduce((s, f) => s + f.gz, 0), jsFiles: files.length, enc: [...new Set(files.map((f) => f.enc))].join(',') };
}

const median = (a) => { const s = a.filter((x) => x !== null).sort((x, y) => x - y); if (!s.length) return null; const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const out = {};
for (const name of Object.keys(PAGES)) {
  await once(name); // warm-up: server cache and disk, not counted
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(name));
  // The last run gives the JS sizes; FCP and drawn are medians (the spread used to overwrite them).
  out[name] = { ...runs.at(-1), fcp: median(runs.map((r) => r.fcp)), drawn: median(runs.map((r) => r.drawn)), max_drawn: Math.max(...runs.map((r) => r.drawn)) };
}
await browser.close();

const ms = (v) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(0)} ms`);
const kb = (v) => `${(v / 1024).toFixed(1)} KB`;
console.log(`\nCorrente dashboard benchmark: ${RUNS} cold runs per page (fresh context, empty cache), medians; chromium headless on ${BASE}`);
console.log('page        FCP        all data drawn  (worst)   JS files  JS raw     JS gzip-9  served as');
for (const [name, r] of Object.entries(out)) {
  console.log(`${name.padEnd(11)} ${ms(r.fcp).padEnd(10)} ${ms(r.drawn).padEnd(15)} ${ms(r.max_drawn).padEnd(9)} ${String(r.jsFiles).padEnd(9)} ${kb(r.jsRaw).padEnd(10)} ${kb(r.jsGz).padEnd(10)} ${r.enc}`);
}
const d = out.dashboard, it = out.item;
console.log('\ncomparison (peer = the browser floor: a scriptless page from the same server, same run):');
console.log(`  dashboard FCP ${ms(d.fcp)} vs floor ${ms(out.baseline.fcp)} (+${ms(d.fcp - out.baseline.fcp)}); target < 1000 ms: ${d.fcp < 1000 ? 'met' : 'MISSED'}`);
console.log(`  dashboard drawn ${ms(d.drawn)}; target < 1500 ms: ${d.drawn < 1500 ? 'met' : 'MISSED'}`);
const slow = Object.entries(out).filter(([n, r]) => n !== 'baseline' && r.drawn >= 1000).map(([n, r]) => `${n} ${ms(r.drawn)}`);
console.log(`  every page's data drawn < 1000 ms: ${slow.length ? `MISSED (${slow.join(', ')})` : 'met'}`);
console.log(`  JS gzipped: dashboard ${kb(d.jsGz)}, item page ${kb(it.jsGz)}; target < 300 KB: ${Math.max(d.jsGz, it.jsGz) < 300 * 1024 ? 'met' : 'MISSED'}`);
console.log(`BENCH_JSON ${JSON.stringify(out)}`);
