// The alerts queue: mark read, and the CSV of the full filtered set past 1,000 rows.
import fs from 'node:fs';
import { expect, fmtStake, fitsLaptop, networkIdle, shot, sql, test, visit } from '../fixtures.mjs';

test('page /alerts renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/alerts', '[data-testid="alerts-list"], [data-state="empty"]', 'alerts');
});

// An analyst marks an alert read; the API agrees and the unread count drops by one.
test('mark an alert read (analyst)', async ({ as, api }) => {
  const page = await as('ANALYST');
  await page.goto('/alerts?unread=true');
  const btn = page.getByTestId('mark-read').first();
  await btn.waitFor();
  const id = await btn.locator('xpath=ancestor::tr').getAttribute('data-alert-id');
  const unread = async () => Number((await api.get('/alerts?unread=true&limit=1')).metadata.total_count);
  const before = await unread();
  await btn.click();
  await page.waitForFunction((aid) => !document.querySelector(`tr[data-alert-id="${aid}"]`) || document.querySelector(`tr[data-alert-id="${aid}"]`).dataset.read === 'true', id);
  await networkIdle(page);
  expect(await unread(), 'unread count').toBe(before - 1);
  const a = (await api.get('/alerts?limit=1000')).data.find((x) => String(x.alert_id) === id);
  expect(!a || a.read_at, `alert ${id} not read in the API`).toBeTruthy();
  await shot(page, 'alerts-after-read');
});

test('queues: alerts CSV past 1,000 rows equals the SQL count, with the columns shown', async ({ as }, testInfo) => {
  const page = await as('ANALYST');
  sql(`INSERT INTO analytics.alerts (item_id, site_id, level, category, message)
       SELECT i.item_id, s.site_id, 'NORMAL', 'E2E_CSV_' || g, 'bulk export row ' || g || ', with "quotes"'
         FROM generate_series(1, 1200) g
         JOIN LATERAL (SELECT item_id FROM core.dim_item ORDER BY item_id OFFSET g % 10 LIMIT 1) i ON true
         JOIN LATERAL (SELECT site_id FROM core.dim_site ORDER BY site_id LIMIT 1) s ON true`);
  try {
    await page.goto('/alerts');
    await page.waitForSelector('[data-testid="alerts-list"]');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Export CSV/ }).click()]);
    const file = testInfo.outputPath('alerts-all.csv');
    await dl.saveAs(file);
    const lines = fs.readFileSync(file, 'utf8').split('\r\n').filter((l) => l.length);
    const want = Number(sql('select count(*) from analytics.alerts where resolved_at is null'));
    expect(want, 'open alerts').toBeGreaterThan(1000);
    expect(lines.length - 1, 'CSV rows vs SQL').toBe(want);
    expect(lines[0].split(',')).toEqual(expect.arrayContaining(['alert_id', 'sku', 'site_name', 'abc_class', 'level', 'category', 'message', 'priority_score', 'read_at']));
  } finally {
    sql("DELETE FROM analytics.alerts WHERE category LIKE 'E2E_CSV_%'");
  }
});

// A laptop (1280 px, the config's viewport): the queue fits, so every row's buttons are on
// screen, in both languages; each row and group shows the money at stake the order follows.
test('alerts queue at 1280 px: no sideways scroll, buttons on screen, money at stake shown', async ({ as }) => {
  const page = await as('ANALYST');
  await fitsLaptop(page, '/alerts', '[data-testid="alerts-list"]', 'tr[data-alert-id] td:last-child button');
  await page.goto('/alerts');
  const group = page.locator('tr[data-group]').first();
  const score = Number(await group.getAttribute('data-top-score')); // the API's top_priority_score
  await expect(group.getByTestId('group-stake')).toHaveText(fmtStake(score));
});
