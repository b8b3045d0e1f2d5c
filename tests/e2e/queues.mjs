// End-to-end checks of the grouped queues (recommendations, alerts) and the searchable pickers:
// groups in priority order, filters and sort kept in the URL across reload and Back, bulk
// acknowledge with undo, a double click acting once, a CSV export past 1,000 rows equal to the
// SQL count, the forecast explorer's item picker. Called from e2e.mjs with its helpers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export async function queueChecks({ check, assert, BASE, ART, pages, users, adminToken, apiGet, shot, networkIdle }) {
  const dsn = process.env.E2E_DSN;
  const sql = (q) => execFileSync('psql', [dsn, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
  const page = pages.ANALYST;
  const rowIds = (sel) => page.$$eval(sel, (els) => els.map((e) => e.closest('tr').dataset.recId));

  await check('queues: groups in priority order, as the API', async () => {
    await page.goto(`${BASE}/recommendations?acknowledged=`);
    await page.waitForSelector('[data-testid="recs-table"] tr[data-group]');
    const shown = await page.$$eval('tr[data-group]', (els) => els.map((e) => [e.dataset.group, Number(e.dataset.topScore)]));
    const api = (await apiGet(adminToken, '/recommendations/groups?limit=25')).data;
    assert(shown.map((s) => s[0]).join(' ') === api.map((g) => `${g.item_id}:${g.site_id}`).join(' '), `groups ${shown.slice(0, 5)} vs API`);
    assert(shown.every((s, i) => i === 0 || shown[i - 1][1] >= s[1]), `not by top priority_score: ${shown.map((s) => s[1]).join(',')}`);
    await shot(page, 'queue-recommendations');
  });

  await check('queues: filters and sort survive reload and Back', async () => {
    await page.goto(`${BASE}/recommendations`);
    await page.waitForSelector('[data-testid="recs-table"], [data-state="empty"]');
    await page.selectOption('select[name="type"]', 'REORDER');
    await page.selectOption('select[name="site_id"]', { index: 1 });
    const site = await page.$eval('select[name="site_id"]', (s) => s.value);
    await page.click('button[data-sort="sku"]');
    await page.waitForURL((u) => u.searchParams.get('type') === 'REORDER' && u.searchParams.get('site_id') === site && u.searchParams.get('sort') === 'sku');
    await page.reload();
    await page.waitForSelector('[data-testid="recs-table"], [data-state="empty"]');
    assert(await page.$eval('select[name="type"]', (s) => s.value) === 'REORDER', 'type filter lost on reload');
    assert(await page.$eval('select[name="site_id"]', (s) => s.value) === site, 'site filter lost on reload');
    assert(await page.getAttribute('th:has(button[data-sort="sku"])', 'aria-sort') === 'ascending', 'sort lost on reload');
    const kinds = await page.$$eval('tr[data-rec-id] td[data-col="kind"]', (els) => els.map((e) => e.textContent.trim()));
    assert(kinds.length > 0 && kinds.every((k) => k === 'REORDER'), `rows of other types: ${[...new Set(kinds)]}`);
    const skus = await page.$$eval('tr[data-group] a[href^="/materials/"]', (els) => els.map((e) => e.textContent));
    assert(skus.join() === [...skus].sort().join(), `groups not by SKU: ${skus.slice(0, 5)}`);
    const link = page.locator('tr[data-group] a[href^="/materials/"]').first();
    {
      await link.click();
      await page.waitForURL(/\/materials\//);
      await page.goBack();
      await page.waitForSelector('[data-testid="recs-table"]');
      const u = new URL(page.url());
      assert(u.searchParams.get('type') === 'REORDER' && u.searchParams.get('sort') === 'sku', `Back lost the filters: ${page.url()}`);
      assert(await page.$eval('select[name="type"]', (s) => s.value) === 'REORDER', 'type filter lost on Back');
    }
  });

  await check('queues: bulk acknowledge with an undo toast; undo restores the rows in the database', async () => {
    await page.goto(`${BASE}/recommendations`);
    await page.waitForSelector('[data-testid="select-row"]');
    const boxes = page.getByTestId('select-row');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    const ids = await rowIds('[data-testid="select-row"]:checked');
    assert(ids.length === 2, `selected ${ids}`);
    await page.getByTestId('bulk-bar').getByText('2 selected').waitFor();
    await page.getByTestId('bulk-act').click();
    await page.getByTestId('undo-toast').getByText('2 acknowledged').waitFor();
    const acked = () => sql(`select count(*) from analytics.recommendations where recommendation_id in (${ids}) and acknowledged_by = '${users.ANALYST.name}'`);
    assert(acked() === '2', `acknowledged in SQL: ${acked()}`);
    for (const id of ids) await page.locator(`tr[data-rec-id="${id}"] [data-acknowledged="true"]`).waitFor(); // still on screen
    await shot(page, 'queue-bulk-acknowledged');
    await page.getByTestId('toast-undo').click();
    await page.getByTestId('undo-toast').getByText('Undone.').waitFor();
    assert(sql(`select count(*) from analytics.recommendations where recommendation_id in (${ids}) and acknowledged_at is null`) === '2', 'undo did not reopen both');
    for (const id of ids) await page.locator(`tr[data-rec-id="${id}"] [data-testid="ack-button"]`).waitFor();
    const logs = (await apiGet(adminToken, `/admin/audit-logs?action=RECOMMENDATION_UNACKNOWLEDGE&limit=1000`)).data;
    assert(ids.every((id) => logs.some((l) => String(l.entity_id) === id)), 'no audit rows for the undo');
  });

  await check('queues: a double click acknowledges once and the row stays under the pointer', async () => {
    await page.goto(`${BASE}/recommendations`);
    await page.waitForSelector('[data-testid="ack-button"]');
    const [first, second] = await rowIds('[data-testid="ack-button"]');
    const btn = page.locator(`tr[data-rec-id="${first}"] [data-testid="ack-button"]`);
    const box = await btn.boundingBox();
    await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator(`tr[data-rec-id="${first}"] [data-testid="acked-button"]`).waitFor();
    await networkIdle(page);
    const after = await page.locator(`tr[data-rec-id="${first}"] [data-testid="acked-button"]`).boundingBox();
    assert(Math.abs(after.y - box.y) < 2, `the row moved: ${box.y} -> ${after.y}`);
    assert(await page.locator(`tr[data-rec-id="${second}"] [data-testid="ack-button"]`).count() === 1, 'the next row was acknowledged');
    assert(sql(`select count(*) from analytics.recommendations where recommendation_id in (${first}, ${second}) and acknowledged_at is not null`) === '1', 'not exactly one acknowledged');
    await page.locator(`tr[data-rec-id="${first}"] [data-testid="row-undo"]`).click();
    await page.locator(`tr[data-rec-id="${first}"] [data-testid="ack-button"]`).waitFor();
  });

  await check('queues: alerts CSV past 1,000 rows equals the SQL count, with the columns shown', async () => {
    sql(`INSERT INTO analytics.alerts (item_id, site_id, level, category, message)
         SELECT i.item_id, s.site_id, 'NORMAL', 'E2E_CSV_' || g, 'bulk export row ' || g || ', with "quotes"'
           FROM generate_series(1, 1200) g
           JOIN LATERAL (SELECT item_id FROM core.dim_item ORDER BY item_id OFFSET g % 10 LIMIT 1) i ON true
           JOIN LATERAL (SELECT site_id FROM core.dim_site ORDER BY site_id LIMIT 1) s ON true`);
    try {
      await page.goto(`${BASE}/alerts`);
      await page.waitForSelector('[data-testid="alerts-list"]');
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Export CSV/ }).click()]);
      const file = path.join(ART, 'alerts-all.csv');
      await dl.saveAs(file);
      const lines = fs.readFileSync(file, 'utf8').split('\r\n').filter((l) => l.length);
      const want = Number(sql('select count(*) from analytics.alerts where resolved_at is null'));
      assert(want > 1000, `only ${want} open alerts`);
      assert(lines.length - 1 === want, `${lines.length - 1} CSV rows, SQL ${want}`);
      const header = lines[0].split(',');
      for (const c of ['alert_id', 'sku', 'site_name', 'abc_class', 'level', 'category', 'message', 'priority_score', 'read_at'])
        assert(header.includes(c), `CSV header lacks ${c}: ${lines[0]}`);
    } finally {
      sql("DELETE FROM analytics.alerts WHERE category LIKE 'E2E_CSV_%'");
    }
  });

  await check('forecasts: the item picker searches, and its choice survives a reload', async () => {
    const items = (await apiGet(adminToken, '/items?limit=1000&sort=sku')).data;
    const pick = items[Math.min(4, items.length - 1)];
    await page.goto(`${BASE}/forecasts`);
    await page.waitForSelector('[data-testid="compare-chart"]');
    await page.fill('input[name="items-search"]', pick.sku);
    await page.getByRole('checkbox', { name: `${pick.sku} — ${pick.name}` }).check();
    await page.waitForURL((u) => (u.searchParams.get('items') ?? '').split(',').includes(String(pick.item_id)));
    await page.reload();
    await page.locator(`[data-testid="items-chosen"] [data-value="${pick.item_id}"]`).waitFor();
    await page.waitForSelector('[data-testid="compare-chart"]');
    await shot(page, 'forecasts-picker');
  });
}
