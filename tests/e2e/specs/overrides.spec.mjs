// Overrides (Mirror + Delta): an analyst drafts a forecast override in the page and submits it;
// an administrator approves one in one tab while a second tab, loaded before, gets the 412
// conflict and offers to reload; the effective forecast then carries the planner's value while
// the published one does not. Each test makes its own override, on its own days.
import { expect, shot, sql, test, uiLogin, visit } from '../fixtures.mjs';

/** The next forecast days of the item at the site (the published run). */
async function forecastDays(api, seed) {
  return (await api.get(`/forecasts?item_id=${seed.item.item_id}&site_id=${seed.site}&limit=10`)).data.map((r) => r.full_date);
}

/** POST /api/v1/overrides then submit it (If-Match), as `who`; the submitted override. */
async function submittedOverride(env, who, body) {
  const call = async (method, p, b, headers = {}) => {
    const r = await fetch(`${env.base}/api/v1${p}`, { method, headers: { Authorization: `Bearer ${who.token}`, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(b) });
    const j = await r.json();
    expect(r.ok, `${method} ${p}: ${r.status} ${JSON.stringify(j)}`).toBe(true);
    return j.data;
  };
  const o = await call('POST', '/overrides', body);
  return call('POST', `/overrides/${o.override_id}/submit`, {}, { 'If-Match': `"ov-${o.override_id}-v${o.version}"` });
}

/** The new-override form's item, site and period: the seed's item at its first site, over `days`. */
async function fillSeries(page, seed, days) {
  await page.waitForSelector('[data-testid="override-form"]');
  await pick(page, 'ov-item', seed.item.item_id, seed.item.sku);
  await pick(page, 'ov-site', seed.site, String(seed.sites.find((s) => s.site_id === seed.site).name));
  await page.getByTestId('ov-from').fill(days[0]);
  await page.getByTestId('ov-to').fill(days[1]);
}

async function pick(page, testId, value, label) {
  const el = page.getByTestId(testId);
  if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(String(value));
  else { await el.click(); await el.fill(label); await el.press('Enter'); }
}

test('page /overrides renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/overrides', '[data-testid="overrides-table"], [data-testid="overrides-page"] [data-state="empty"]', 'overrides');
});

// Before any choice the site picker says so (it showed the first site, as if picked, while
// "Save draft" stayed disabled); with no override the list says where to start one.
test('overrides: the new-override form shows no site as chosen until one is; an empty list says so', async ({ as }) => {
  const page = await as('ANALYST');
  await page.goto('/overrides?state=EXPIRED');
  await page.waitForSelector('[data-testid="override-form"]');
  const site = page.getByTestId('ov-site');
  if ((await site.evaluate((e) => e.tagName)) === 'SELECT') {
    await expect(site.locator('option:checked')).toHaveText('Choose…');
    await expect(page.getByTestId('ov-create')).toBeDisabled();
  }
  if (Number(sql("select count(*) from analytics.overrides where state = 'EXPIRED'")) === 0)
    await expect(page.locator('[data-testid="overrides-page"] [data-state="empty"]').first()).toContainText('No overrides here yet');
});

test('overrides: an analyst drafts a forecast override and submits it', async ({ as, api, seed }) => {
  const days = (await forecastDays(api, seed)).slice(0, 2);
  expect(days.length, 'forecast days to override').toBe(2);
  const page = await as('ANALYST');
  await page.goto('/overrides');
  await fillSeries(page, seed, days);
  await page.getByTestId('ov-mode').selectOption('ABSOLUTE');
  await page.getByTestId('ov-value').fill('77');
  await page.getByTestId('ov-reason').fill('Trade fair next to the store');
  const before = Number(sql('select coalesce(max(override_id), 0) from analytics.overrides'));
  await page.getByTestId('ov-create').click();
  await expect.poll(() => Number(sql('select coalesce(max(override_id), 0) from analytics.overrides'))).toBeGreaterThan(before);
  const id = Number(sql('select max(override_id) from analytics.overrides'));
  await page.locator(`[data-testid="ov-row-${id}"][data-state="DRAFT"]`).waitFor();
  expect(sql(`select state || '/' || value::int || '/' || valid_from from analytics.overrides where override_id = ${id}`), 'the draft in SQL').toBe(`DRAFT/77/${days[0]}`);
  await page.getByTestId(`ov-submit-${id}`).click();
  await page.waitForSelector(`[data-testid="ov-row-${id}"][data-state="SUBMITTED"]`);
  await shot(page, 'overrides-submitted');
});

// Approved in one tab; the stale second tab gets the conflict and reloads. The effective forecast
// then carries the planner's value, and the mirror (analytics.forecasts) does not.
test('overrides: approved in one tab, the stale second tab gets the conflict and reloads; the effective forecast changes, the mirror does not', async ({ as, api, env, seed }) => {
  const days = (await forecastDays(api, seed)).slice(2, 4);
  expect(days.length, 'forecast days to override').toBe(2);
  const o = await submittedOverride(env, await api.as('ANALYST'), { kind: 'FORECAST', item_id: seed.item.item_id, site_id: seed.site,
    valid_from: days[0], valid_to: days[1], mode: 'ABSOLUTE', value: 66, reason: 'Road works close the competitor' });
  const id = o.override_id;
  const tabA = await as('ADMIN');
  const tabB = await as('ADMIN');
  for (const p of [tabA, tabB]) {
    await p.goto('/overrides');
    await p.waitForSelector(`[data-testid="ov-approve-${id}"]`);
  }
  await tabA.getByTestId(`ov-approve-${id}`).click();
  await tabA.getByTestId(`ov-confirm-${id}`).click();
  await tabA.waitForSelector(`[data-testid="ov-row-${id}"][data-state="APPROVED"]`);
  await tabB.getByTestId(`ov-approve-${id}`).click();
  await tabB.getByTestId(`ov-confirm-${id}`).click();
  await tabB.waitForSelector('[data-testid="ov-conflict"]');
  await shot(tabB, 'overrides-conflict');
  await tabB.getByTestId('ov-reload').click();
  await tabB.waitForSelector(`[data-testid="ov-row-${id}"][data-state="APPROVED"]`);
  expect(sql(`select state || '/' || version from analytics.overrides where override_id = ${id}`), 'approved once: version 3 (created 1, submitted 2)').toBe('APPROVED/3');
  const rows = (await api.get(`/forecasts?item_id=${seed.item.item_id}&site_id=${seed.site}&limit=10`)).data;
  const on = rows.filter((r) => days.includes(r.full_date));
  expect(on.map((r) => [Number(r.yhat), r.overridden]), 'the effective forecast').toEqual([[66, true], [66, true]]);
  expect(sql(`select count(*) from analytics.forecasts where item_id = ${seed.item.item_id} and site_id = ${seed.site} and yhat = 66`), 'the mirror was written').toBe('0');
});

// A reviewer says why: Reject opens a note for the author, sent with the decision; the row
// shows it, its history names who decided and when, and the audit log keeps it.
test('overrides: a reviewer rejects with a note; the author reads it in the row and its history', async ({ as, api, env, seed }) => {
  const days = (await forecastDays(api, seed)).slice(6, 8);
  expect(days.length, 'forecast days to override').toBe(2);
  const o = await submittedOverride(env, await api.as('ANALYST'), { kind: 'FORECAST', item_id: seed.item.item_id, site_id: seed.site,
    valid_from: days[0], valid_to: days[1], mode: 'PERCENT', value: 40, reason: 'Local festival' });
  const id = o.override_id;
  const note = 'The festival moved to March; keep the model\'s forecast';
  const admin = await as('ADMIN');
  await admin.goto('/overrides');
  await admin.getByTestId(`ov-reject-${id}`).click();
  await expect(admin.getByTestId(`ov-note-input-${id}`)).toBeFocused();
  await admin.getByTestId(`ov-note-input-${id}`).fill(note);
  await shot(admin, 'overrides-reject-note');
  await admin.getByTestId(`ov-confirm-${id}`).click();
  await admin.waitForSelector(`[data-testid="ov-row-${id}"][data-state="REJECTED"]`);
  expect(sql(`select state || '|' || decision_note from analytics.overrides where override_id = ${id}`), 'the note in SQL').toBe(`REJECTED|${note}`);
  expect(sql(`select actor || '|' || (details->>'note') from support.audit_logs where action = 'OVERRIDE_REJECT' and entity_id = '${id}' order by 1 desc limit 1`),
    'the audit row keeps the note').toBe(`${sql(`select decided_by from analytics.overrides where override_id = ${id}`)}|${note}`);
  const author = await as('ANALYST');
  await author.goto('/overrides');
  await expect(author.getByTestId(`ov-note-${id}`)).toHaveText(`“${note}”`);
  const history = author.getByTestId(`ov-history-${id}`);
  await history.locator('summary').click();
  await expect(history.locator('li')).toHaveCount(2);
  await expect(history.locator('li').nth(0)).toContainText(`Created by ${o.author}`);
  await expect(history.locator('li').nth(1)).toContainText(`Rejected by ${sql(`select decided_by from analytics.overrides where override_id = ${id}`)}`);
  await expect(history.locator('li').nth(1)).toContainText(note);
  await shot(author, 'overrides-history');
});

test('overrides: "Override this forecast" on the item page opens a draft for that item, site and week', async ({ as, seed }) => {
  const page = await as('ANALYST');
  await page.goto(`/materials/${seed.item.item_id}?tab=forecasts&site=${seed.site}`);
  await page.getByTestId('override-forecast').click();
  await page.waitForURL(/\/overrides\?kind=FORECAST&item=/);
  const u = new URL(page.url());
  expect([u.searchParams.get('item'), u.searchParams.get('site')]).toEqual([String(seed.item.item_id), String(seed.site)]);
  const asOf = sql("select as_of from analytics.pipeline_runs where status = 'SUCCEEDED' order by run_id desc limit 1");
  await expect(page.getByTestId('ov-from')).toHaveValue(sql(`select date '${asOf}' + 1`));
  await expect(page.getByTestId('ov-to')).toHaveValue(sql(`select date '${asOf}' + 7`));
  await expect(page.getByTestId('ov-kind')).toHaveValue('FORECAST');
});

// The session ends while the planner fills the form: saving sends them to the login page, and
// after logging in again the form is as they left it; saving then works and empties it.
test('overrides: a session lost mid-form keeps what the planner typed, through the login', async ({ page, api, env, seed }) => {
  const days = (await forecastDays(api, seed)).slice(4, 6);
  expect(days.length, 'forecast days to override').toBe(2);
  await uiLogin(page, 'ANALYST', '/overrides');
  await fillSeries(page, seed, days);
  await page.getByTestId('ov-value').fill('-15');
  const reason = 'Competitor opens next door; expect 15% less';
  await page.getByTestId('ov-reason').fill(reason);
  const tok = await page.evaluate(() => localStorage.getItem('corrente.token'));
  const r = await fetch(`${env.base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${tok}` } });
  expect(r.ok, `logout answered ${r.status}`).toBe(true);
  await page.getByTestId('ov-create').click();
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Username').fill(env.users.ANALYST.name);
  await page.getByLabel('Password').fill(env.users.ANALYST.pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/overrides/);
  await expect(page.getByTestId('ov-reason')).toHaveValue(reason);
  await expect(page.getByTestId('ov-value')).toHaveValue('-15');
  await expect(page.getByTestId('ov-from')).toHaveValue(days[0]);
  await expect(page.locator('[data-picker="ov-site"]')).toHaveAttribute('data-value', String(seed.site));
  const before = Number(sql('select coalesce(max(override_id), 0) from analytics.overrides'));
  await page.getByTestId('ov-create').click();
  await expect.poll(() => Number(sql('select coalesce(max(override_id), 0) from analytics.overrides'))).toBeGreaterThan(before);
  const id = Number(sql('select max(override_id) from analytics.overrides'));
  expect(sql(`select state || '/' || value::int || '/' || reason from analytics.overrides where override_id = ${id}`)).toBe(`DRAFT/-15/${reason}`);
  await expect(page.getByTestId('ov-reason')).toHaveValue('');
});
