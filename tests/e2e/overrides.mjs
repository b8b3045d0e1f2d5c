// End-to-end checks of overrides (Mirror + Delta): an analyst drafts a forecast override in the
// page and submits it; an administrator approves it in one tab while a second tab, loaded
// before, gets the 412 conflict and offers to reload; the effective forecast then carries the
// planner's value while the published one does not. Called from e2e.mjs with its helpers.
import { execFileSync } from 'node:child_process';

export async function overrideChecks({ check, assert, BASE, pages, newPage, uiLogin, adminToken, apiGet, firstItem, firstSite, shot }) {
  const dsn = process.env.E2E_DSN;
  const sql = (q) => execFileSync('psql', [dsn, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
  const fc = (await apiGet(adminToken, `/forecasts?item_id=${firstItem.item_id}&site_id=${firstSite}&limit=10`)).data;
  const days = fc.slice(0, 2).map((r) => r.full_date);
  let id = null;

  async function pick(page, testId, value, label) {
    const el = page.getByTestId(testId);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(String(value));
    else { await el.click(); await el.fill(label); await el.press('Enter'); }
  }

  await check('overrides: an analyst drafts a forecast override and submits it', async () => {
    assert(days.length === 2, 'no forecast to override');
    const page = pages.ANALYST;
    await page.goto(`${BASE}/overrides`);
    await page.waitForSelector('[data-testid="override-form"]');
    await pick(page, 'ov-item', firstItem.item_id, firstItem.sku);
    await pick(page, 'ov-site', firstSite, String((await apiGet(adminToken, '/sites?limit=1000')).data.find((s) => s.site_id === firstSite).name));
    await page.getByTestId('ov-from').fill(days[0]);
    await page.getByTestId('ov-to').fill(days[1]);
    await page.getByTestId('ov-mode').selectOption('ABSOLUTE');
    await page.getByTestId('ov-value').fill('77');
    await page.getByTestId('ov-reason').fill('Trade fair next to the store');
    await page.getByTestId('ov-create').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^="ov-row-"]')].some((r) => r.dataset.state === 'DRAFT'));
    id = Number(sql('select max(override_id) from analytics.overrides'));
    assert(sql(`select state || '/' || value::int || '/' || valid_from from analytics.overrides where override_id = ${id}`) === `DRAFT/77/${days[0]}`, 'the draft in SQL');
    await page.getByTestId(`ov-submit-${id}`).click();
    await page.waitForSelector(`[data-testid="ov-row-${id}"][data-state="SUBMITTED"]`);
    await shot(page, 'overrides-submitted');
  });

  await check('overrides: approved in one tab, the stale second tab gets the conflict and reloads', async () => {
    assert(id !== null, 'no override from the previous check');
    const tabA = pages.ADMIN;
    const tabB = await newPage();
    await uiLogin(tabB, 'ADMIN', '/overrides');
    for (const p of [tabA, tabB]) {
      await p.goto(`${BASE}/overrides`);
      await p.waitForSelector(`[data-testid="ov-approve-${id}"]`);
    }
    await tabA.getByTestId(`ov-approve-${id}`).click();
    await tabA.waitForSelector(`[data-testid="ov-row-${id}"][data-state="APPROVED"]`);
    await tabB.getByTestId(`ov-approve-${id}`).click();
    await tabB.waitForSelector('[data-testid="ov-conflict"]');
    await shot(tabB, 'overrides-conflict');
    await tabB.getByTestId('ov-reload').click();
    await tabB.waitForSelector(`[data-testid="ov-row-${id}"][data-state="APPROVED"]`);
    assert(sql(`select state || '/' || version from analytics.overrides where override_id = ${id}`) === 'APPROVED/3', 'approved once: version 3 (created 1, submitted 2)');
    await tabB.context().close();
  });

  await check('overrides: the effective forecast carries the planner\'s value, the mirror does not', async () => {
    const rows = (await apiGet(adminToken, `/forecasts?item_id=${firstItem.item_id}&site_id=${firstSite}&limit=10`)).data;
    const on = rows.filter((r) => days.includes(r.full_date));
    assert(on.length === 2 && on.every((r) => Number(r.yhat) === 77 && r.overridden), `effective: ${JSON.stringify(on.map((r) => r.yhat))}`);
    assert(Number(sql(`select count(*) from analytics.forecasts where item_id = ${firstItem.item_id} and site_id = ${firstSite} and yhat = 77`)) === 0, 'the mirror was written');
  });

  await check('overrides: "Override this forecast" on the item page opens a draft for that item, site and week', async () => {
    const page = pages.ANALYST;
    await page.goto(`${BASE}/materials/${firstItem.item_id}?tab=forecasts&site=${firstSite}`);
    await page.getByTestId('override-forecast').click();
    await page.waitForURL(/\/overrides\?kind=FORECAST&item=/);
    const u = new URL(page.url());
    assert(u.searchParams.get('item') === String(firstItem.item_id) && u.searchParams.get('site') === String(firstSite), `link ${page.url()}`);
    const asOf = sql("select as_of from analytics.pipeline_runs where status = 'SUCCEEDED' order by run_id desc limit 1");
    const from = sql(`select date '${asOf}' + 1`), to = sql(`select date '${asOf}' + 7`);
    assert(await page.getByTestId('ov-from').inputValue() === from, `from ${await page.getByTestId('ov-from').inputValue()} != ${from}`);
    assert(await page.getByTestId('ov-to').inputValue() === to, `to ${await page.getByTestId('ov-to').inputValue()} != ${to}`);
    assert(await page.getByTestId('ov-kind').inputValue() === 'FORECAST', 'kind');
  });
}
