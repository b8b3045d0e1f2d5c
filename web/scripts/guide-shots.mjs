// The planner's guide's screenshots (docs/guide.md, docs/guia.md), taken from a running demo in
// Debian's chromium through playwright-core, in English (docs/guide/*.png) and Brazilian
// Portuguese (docs/guide/pt-BR/*.png).
//   CORRENTE_HOME=... make demo PORT=8090     # in another terminal: a demo with its data
//   node web/scripts/guide-shots.mjs --base http://127.0.0.1:8090 --logins $CORRENTE_HOME/demo-logins.txt [--out docs/guide]
// It writes to the demo like a planner would: an analyst's submitted forecast overrides (one
// approved with a note, one left for the conflict picture), a draft set on the chart, and reads
// everything else. Run it on a demo, never on production data.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const base = arg('base', 'http://127.0.0.1:8080').replace(/\/$/, '');
const loginsFile = arg('logins', path.join(process.env.CORRENTE_HOME ?? path.join(repo, 'var'), 'demo-logins.txt'));
const out = path.resolve(arg('out', path.join(repo, 'docs', 'guide')));
const only = arg('only', '');  // a comma-separated subset of the shots' names, for a quick retake

// "admin / secret (ADMIN)" lines, as `corrente demo` writes them.
const users = {};
for (const line of fs.readFileSync(loginsFile, 'utf8').split('\n')) {
  const m = line.match(/^(\S+) \/ (\S+) \((ADMIN|ANALYST|VIEWER)\)/);
  if (m) users[m[3]] = { name: m[1], pw: m[2] };
}
for (const r of ['ADMIN', 'ANALYST']) if (!users[r]) throw new Error(`${loginsFile} has no ${r} login`);

async function api(role, method, p, body, headers = {}) {
  const r = await fetch(`${base}/api/v1${p}`, {
    method, headers: { Authorization: `Bearer ${tokens[role].token}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}
const tokens = {};
for (const role of ['ADMIN', 'ANALYST']) {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: users[role].name, password: users[role].pw }) });
  const j = await r.json();
  if (!r.ok) throw new Error(`login ${role}: ${r.status} ${JSON.stringify(j)}`);
  const d = j.data ?? j;
  tokens[role] = { token: d.access_token, exp: Date.now() + d.expires_in * 1000 };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

// A signed-in tab in `locale`; it counts its requests in flight (the live event stream aside).
async function tab(role, locale, viewport = { width: 1280, height: 900 }) {
  const ctx = await browser.newContext({ locale, viewport, baseURL: base });
  await ctx.addInitScript(([tok, exp, loc]) => {
    localStorage.setItem('corrente.token', tok);
    localStorage.setItem('corrente.token_exp', String(exp));
    localStorage.setItem('corrente.locale', loc);
  }, [tokens[role].token, tokens[role].exp, locale]);
  const page = await ctx.newPage();
  let inFlight = 0;
  const count = (r, d) => { if (!r.url().endsWith('/api/v1/events')) inFlight += d; };
  page.on('request', (r) => count(r, 1));
  page.on('requestfinished', (r) => count(r, -1));
  page.on('requestfailed', (r) => count(r, -1));
  page.settle = async () => {
    await page.waitForLoadState('load');
    let quiet = Date.now();
    for (const end = Date.now() + 30000; Date.now() < end;) {
      if (inFlight > 0) quiet = Date.now();
      else if (Date.now() - quiet >= 700) break;
      await page.waitForTimeout(50);
    }
    await page.waitForFunction(() => !document.querySelector('[role="status"]'), null, { timeout: 30000 });
    await page.waitForTimeout(300);  // charts' entry animations
  };
  return page;
}

const taken = [];
// The whole page, what the window shows (long lists), or the page's top `height` pixels.
async function shot(page, dir, name, fullPage = true, height = 0) {
  if (only && !only.split(',').includes(name)) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  const width = page.viewportSize().width;
  await page.screenshot({ path: file, fullPage: fullPage || height > 0, ...(height ? { clip: { x: 0, y: 0, width, height } } : {}) });
  taken.push(path.relative(repo, file));
}

// What the pictures are about: the pair that runs out next, and a week after the data.
const snap = await api('ANALYST', 'GET', '/inventory/snapshot?at_risk=true&sort=days_to_rupture&limit=20');
const next = snap.data;
if (next.length === 0) throw new Error('no item at risk: is the demo seeded and its pipeline run?');
const asOf = snap.metadata.policy_run?.as_of ?? snap.metadata.date;
const day = (n) => new Date(Date.parse(`${asOf}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

/** A submitted FORECAST override of the analyst on a pair with nothing approved in the week. */
async function submitted(reason, value, skip = new Set()) {
  const [from, to] = [day(1), day(7)];
  for (const p of next) {
    const key = `${p.item_id}-${p.site_id}`;
    if (skip.has(key)) continue;
    const approved = (await api('ANALYST', 'GET', `/overrides?state=APPROVED&kind=FORECAST&item_id=${p.item_id}&site_id=${p.site_id}&limit=1000`)).data
      .some((o) => o.valid_from <= to && o.valid_to >= from);
    if (approved) continue;
    skip.add(key);
    const o = (await api('ANALYST', 'POST', '/overrides', { kind: 'FORECAST', item_id: p.item_id, site_id: p.site_id,
      valid_from: from, valid_to: to, mode: 'PERCENT', value, reason })).data;
    return (await api('ANALYST', 'POST', `/overrides/${o.override_id}/submit`, {}, { 'If-Match': `"ov-${o.override_id}-v${o.version}"` })).data;
  }
  throw new Error('every pair at risk already has an approved override next week');
}

const text = {
  en: { reason: 'Retailer promotion in week 1: flyer and end-cap display', note: 'Agreed: the flyer is confirmed with the retailer', conflictReason: 'Competitor closes for renovation' },
  'pt-BR': { reason: 'Promoção do varejista na semana 1: encarte e ponta de gôndola', note: 'De acordo: o encarte está confirmado com o varejista', conflictReason: 'Concorrente fecha para reforma' },
};

for (const locale of ['en', 'pt-BR']) {
  const dir = locale === 'en' ? out : path.join(out, locale);
  const tx = text[locale];
  const first = next[0];

  let page = await tab('ANALYST', locale);
  await page.goto('/dashboard');
  await page.waitForSelector('[data-testid="runs-out-next"] tbody tr');
  await page.settle();
  await shot(page, dir, 'dashboard-morning');

  await page.goto(`/materials/${first.item_id}?site=${first.site_id}`);
  await page.waitForSelector('[data-testid="projection-chart"] .recharts-line-curve');
  await page.settle();
  await shot(page, dir, 'material-outlook');

  for (const [p, sel, name, full] of [['/recommendations', 'table', 'recommendations', false],
    ['/alerts', 'table', 'alerts', false], ['/simulation', '[data-testid="sim-table"]', 'simulation', true]]) {
    await page.goto(p);
    await page.waitForSelector(sel);
    await page.settle();
    await shot(page, dir, name, full);
  }

  // A week set on the chart, saved as the analyst's draft.
  await page.goto(`/materials/${first.item_id}?tab=forecasts&site=${first.site_id}`);
  await page.waitForSelector('[data-testid="forecast-chart"] path.recharts-line-curve');
  await page.settle();
  await page.getByTestId('edit-on-chart').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('week-handle').waitFor();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
  await page.getByTestId('week-edit-reason').fill(tx.reason);
  await page.getByTestId('week-edit-save').click();
  await page.getByTestId('week-edit-saved').waitFor();
  await page.waitForSelector('[data-testid="forecast-chart"] .draft-line path.recharts-line-curve', { state: 'attached' });
  await page.settle();
  await shot(page, dir, 'material-forecast-draft');

  // The analyst's submitted override; an administrator approves another with a note.
  const skip = new Set();
  const mine = await submitted(tx.reason, 25, skip);
  await page.goto('/overrides');
  await page.waitForSelector(`[data-testid="ov-row-${mine.override_id}"][data-state="SUBMITTED"]`);
  await page.settle();
  await shot(page, dir, 'overrides-submitted');
  await page.context().close();

  const admin = await tab('ADMIN', locale);
  await admin.goto('/overrides');
  await admin.getByTestId(`ov-approve-${mine.override_id}`).click();
  await admin.getByTestId(`ov-note-input-${mine.override_id}`).fill(tx.note);
  await shot(admin, dir, 'overrides-decision-note');
  await admin.getByTestId(`ov-confirm-${mine.override_id}`).click();
  await admin.waitForSelector(`[data-testid="ov-row-${mine.override_id}"][data-state="APPROVED"]`);
  await admin.locator(`[data-testid="ov-history-${mine.override_id}"] summary`).click();
  await admin.settle();
  await shot(admin, dir, 'overrides-history');

  // Two tabs on the same submitted override: the second one's approval meets the conflict.
  const other = await submitted(tx.conflictReason, -15, skip);
  const stale = await tab('ADMIN', locale);
  for (const p of [admin, stale]) {
    await p.goto('/overrides');
    await p.waitForSelector(`[data-testid="ov-approve-${other.override_id}"]`);
  }
  await admin.getByTestId(`ov-approve-${other.override_id}`).click();
  await admin.getByTestId(`ov-confirm-${other.override_id}`).click();
  await admin.waitForSelector(`[data-testid="ov-row-${other.override_id}"][data-state="APPROVED"]`);
  await stale.getByTestId(`ov-approve-${other.override_id}`).click();
  await stale.getByTestId(`ov-confirm-${other.override_id}`).click();
  await stale.waitForSelector('[data-testid="ov-conflict"]');
  await shot(stale, dir, 'overrides-conflict');
  await stale.context().close();

  await admin.goto('/api/docs');
  await admin.waitForSelector('.opblock');
  await admin.settle();
  await shot(admin, dir, 'api-docs-swagger', false);
  await admin.context().close();

  page = await tab('ANALYST', locale, { width: 390, height: 844 });
  await page.goto('/dashboard');
  await page.waitForSelector('[data-testid="kpi-cards"]');
  await page.settle();
  await shot(page, dir, 'phone-dashboard', true, 1600);  // the cards and "Runs out next"
  await page.context().close();
}
await browser.close();
for (const f of taken) console.log(`guide-shots: ${f}`);
