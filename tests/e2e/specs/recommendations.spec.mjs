// The recommendations queue: grouped by item x site in priority order, filters and sort in the
// URL, acknowledge (one, bulk with undo, a double click acting once), audited; page titles.
import { expect, fmtStake, fitsLaptop, networkIdle, settled, shot, sql, test, visit } from '../fixtures.mjs';

const rowIds = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.closest('tr').dataset.recId));

test('page /recommendations renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/recommendations?acknowledged=', '[data-testid="recs-table"]', 'recommendations');
});

// An analyst acknowledges a recommendation; it stays acknowledged after a reload and is audited.
test('acknowledge a recommendation (analyst), audited', async ({ as, api, env }) => {
  const page = await as('ANALYST');
  await page.goto('/recommendations');
  const btn = page.getByTestId('ack-button').first();
  await btn.waitFor();
  const id = await btn.locator('xpath=ancestor::tr').getAttribute('data-rec-id');
  await btn.click();
  // Optimistically marked at once; the open queue then drops it when the list is fetched again.
  await expect(page.locator(`tr[data-rec-id="${id}"] [data-testid="ack-button"]`)).toHaveCount(0);
  await networkIdle(page);
  await expect(page.locator('[data-testid="ack-error"]')).toHaveCount(0);
  await page.goto('/recommendations?acknowledged=true');
  await page.reload();
  await page.locator(`tr[data-rec-id="${id}"] [data-acknowledged="true"]`).waitFor();
  await shot(page, 'recommendations-acknowledged');
  const logs = (await api.get(`/admin/audit-logs?actor=${encodeURIComponent(env.users.ANALYST.name)}&limit=1000`)).data;
  expect(logs.find((l) => String(l.entity_id) === id && /ack/i.test(l.action)), `no audit row for recommendation ${id}`).toBeTruthy();
  const admin = await as('ADMIN');
  await admin.goto('/admin');
  await admin.locator('#main form:has(input[name="actor"]) input[name="actor"]').fill(env.users.ANALYST.name);
  await admin.getByRole('button', { name: 'Apply' }).click();
  await admin.locator(`[data-testid="audit-table"] tr[data-entity-id="${id}"]`).first().waitFor();
  await shot(admin, 'admin-audit-ack');
});

// A double-click acknowledges one recommendation, not the next row sliding under the pointer;
// the tab says which page it is.
test('double-click acknowledges once; page titles', async ({ as, api }) => {
  const page = await as('ANALYST');
  const total = async () => Number((await api.get('/recommendations?acknowledged=true&limit=1')).metadata.total_count);
  const before = await total();
  await page.goto('/recommendations');
  const btn = page.getByTestId('ack-button').first();
  await btn.waitFor();
  await btn.dblclick();
  await networkIdle(page);
  await settled(page);
  expect(await total(), 'acknowledged count').toBe(before + 1);
  await expect(page).toHaveTitle('Recommendations · Corrente');
  await page.goto('/simulation');
  await page.waitForSelector('[data-testid="sim-page"]');
  await expect(page).toHaveTitle('Policy simulation · Corrente');
});

test('queues: groups in priority order, as the API', async ({ as, api }) => {
  const page = await as('ANALYST');
  await page.goto('/recommendations?acknowledged=');
  await page.waitForSelector('[data-testid="recs-table"] tr[data-group]');
  const shown = await page.$$eval('tr[data-group]', (els) => els.map((e) => [e.dataset.group, Number(e.dataset.topScore)]));
  const groups = (await api.get('/recommendations/groups?limit=25')).data;
  expect(shown.map((s) => s[0])).toEqual(groups.map((g) => `${g.item_id}:${g.site_id}`));
  expect(shown.every((s, i) => i === 0 || shown[i - 1][1] >= s[1]), `not by top priority_score: ${shown.map((s) => s[1]).join(',')}`).toBe(true);
  await shot(page, 'queue-recommendations');
});

test('queues: filters and sort survive reload and Back', async ({ as }) => {
  const page = await as('ANALYST');
  await page.goto('/recommendations');
  await page.waitForSelector('[data-testid="recs-table"], [data-state="empty"]');
  await page.selectOption('select[name="type"]', 'REORDER');
  await page.selectOption('select[name="site_id"]', { index: 1 });
  const site = await page.$eval('select[name="site_id"]', (s) => s.value);
  await page.click('button[data-sort="sku"]');
  await page.waitForURL((u) => u.searchParams.get('type') === 'REORDER' && u.searchParams.get('site_id') === site && u.searchParams.get('sort') === 'sku');
  await page.reload();
  await page.waitForSelector('[data-testid="recs-table"], [data-state="empty"]');
  await expect(page.locator('select[name="type"]'), 'type filter after reload').toHaveValue('REORDER');
  await expect(page.locator('select[name="site_id"]'), 'site filter after reload').toHaveValue(site);
  await expect(page.locator('th:has(button[data-sort="sku"])'), 'sort after reload').toHaveAttribute('aria-sort', 'ascending');
  const kinds = await page.$$eval('tr[data-rec-id] td[data-col="kind"]', (els) => els.map((e) => e.textContent.trim()));
  expect(kinds.length > 0 && kinds.every((k) => k === 'REORDER'), `rows of other types: ${[...new Set(kinds)]}`).toBe(true);
  const skus = await page.$$eval('tr[data-group] a[href^="/materials/"]', (els) => els.map((e) => e.textContent));
  expect(skus, 'groups by SKU').toEqual([...skus].sort());
  await page.locator('tr[data-group] a[href^="/materials/"]').first().click();
  await page.waitForURL(/\/materials\//);
  await page.goBack();
  await page.waitForSelector('[data-testid="recs-table"]');
  const u = new URL(page.url());
  expect(u.searchParams.get('type') === 'REORDER' && u.searchParams.get('sort') === 'sku', `Back lost the filters: ${page.url()}`).toBe(true);
  await expect(page.locator('select[name="type"]'), 'type filter after Back').toHaveValue('REORDER');
});

test('queues: bulk acknowledge with an undo toast; undo restores the rows in the database', async ({ as, api, env }) => {
  const page = await as('ANALYST');
  await page.goto('/recommendations');
  await page.waitForSelector('[data-testid="select-row"]');
  const boxes = page.getByTestId('select-row');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  const ids = await rowIds(page, '[data-testid="select-row"]:checked');
  expect(ids.length, `selected ${ids}`).toBe(2);
  await page.getByTestId('bulk-bar').getByText('2 selected').waitFor();
  await page.getByTestId('bulk-act').click();
  await page.getByTestId('undo-toast').getByText('2 acknowledged').waitFor();
  expect(sql(`select count(*) from analytics.recommendations where recommendation_id in (${ids}) and acknowledged_by = '${env.users.ANALYST.name}'`), 'acknowledged in SQL').toBe('2');
  for (const id of ids) await page.locator(`tr[data-rec-id="${id}"] [data-acknowledged="true"]`).waitFor(); // still on screen
  await shot(page, 'queue-bulk-acknowledged');
  await page.getByTestId('toast-undo').click();
  await page.getByTestId('undo-toast').getByText('Undone.').waitFor();
  expect(sql(`select count(*) from analytics.recommendations where recommendation_id in (${ids}) and acknowledged_at is null`), 'reopened in SQL').toBe('2');
  for (const id of ids) await page.locator(`tr[data-rec-id="${id}"] [data-testid="ack-button"]`).waitFor();
  const logs = (await api.get('/admin/audit-logs?action=RECOMMENDATION_UNACKNOWLEDGE&limit=1000')).data;
  expect(ids.every((id) => logs.some((l) => String(l.entity_id) === id)), 'no audit rows for the undo').toBe(true);
});

test('queues: a double click acknowledges once and the row stays under the pointer', async ({ as }) => {
  const page = await as('ANALYST');
  await page.goto('/recommendations');
  await page.waitForSelector('[data-testid="ack-button"]');
  const [first, second] = await rowIds(page, '[data-testid="ack-button"]');
  const box = await page.locator(`tr[data-rec-id="${first}"] [data-testid="ack-button"]`).boundingBox();
  await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator(`tr[data-rec-id="${first}"] [data-testid="acked-button"]`).waitFor();
  await networkIdle(page);
  const after = await page.locator(`tr[data-rec-id="${first}"] [data-testid="acked-button"]`).boundingBox();
  expect(Math.abs(after.y - box.y), `the row moved: ${box.y} -> ${after.y}`).toBeLessThan(2);
  await expect(page.locator(`tr[data-rec-id="${second}"] [data-testid="ack-button"]`), 'the next row is still open').toHaveCount(1);
  expect(sql(`select count(*) from analytics.recommendations where recommendation_id in (${first}, ${second}) and acknowledged_at is not null`), 'exactly one acknowledged').toBe('1');
  await page.locator(`tr[data-rec-id="${first}"] [data-testid="row-undo"]`).click();
  await page.locator(`tr[data-rec-id="${first}"] [data-testid="ack-button"]`).waitFor();
});

// A laptop (1280 px): the queue with its At stake and Quantity columns fits in both languages.
test('recommendations queue at 1280 px: no sideways scroll, buttons on screen, the stake beside the quantity', async ({ as }) => {
  const page = await as('ANALYST');
  await fitsLaptop(page, '/recommendations?acknowledged=', '[data-testid="recs-table"]', 'tr[data-rec-id] td:last-child');
  await page.goto('/recommendations?acknowledged=');
  const group = page.locator('tr[data-group]').first();
  const score = Number(await group.getAttribute('data-top-score')); // the API's top_priority_score
  await expect(group.getByTestId('group-stake')).toHaveText(fmtStake(score));
  // Its first row is its top one (rows by priority_score), with the quantity beside the stake.
  const row = page.locator('tr[data-rec-id]').first();
  await expect(row.getByTestId('row-stake')).toHaveText(fmtStake(score));
  await expect(row.getByTestId('row-stake').locator('xpath=following-sibling::td[1]')).toHaveText(/^[0-9,]+$/);
});
