// The materials list: risk badges in one request, the CSV export.
import fs from 'node:fs';
import { expect, settled, test, visit } from '../fixtures.mjs';

test('page /materials renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/materials', '[data-testid="materials-table"]', 'materials');
});

// The list asks for its risk badges once per page, not once per item; values as the API says.
test('materials page: one inventory request for the page\'s risk badges, values as the API says', async ({ as, api, env }) => {
  const page = await as('ADMIN');
  const seen = [];
  const onReq = (r) => { if (r.method() === 'GET' && r.url().includes('/api/v1/inventory')) seen.push(r.url().replace(env.base, '')); };
  page.on('request', onReq);
  await page.goto('/materials');
  await page.waitForSelector('[data-testid="materials-table"] [data-risk]');
  await settled(page);
  page.off('request', onReq);
  expect(seen.length === 1 && seen[0].startsWith('/api/v1/inventory/snapshot?item_ids='), `inventory requests: ${seen.join(' ')}`).toBe(true);
  const rows = await page.locator('[data-testid="materials-table"] tbody tr').count();
  await expect(page.locator('[data-testid="materials-table"] [data-risk]')).toHaveCount(rows);
  const href = await page.locator('[data-testid="materials-table"] tbody tr:first-child a').getAttribute('href');
  const firstId = Number(/\/materials\/(\d+)/.exec(href)[1]);
  const snap = (await api.get(seen[0].replace('/api/v1', ''))).data.filter((r) => r.item_id === firstId);
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
  const el = page.locator('[data-testid="materials-table"] tbody tr:first-child [data-risk]');
  const [badge, shown] = [await el.innerText(), await el.getAttribute('data-risk')];
  expect(!worst ? shown === 'unknown' : shown === worst.risk && (worst.risk === 'stockout' || worst.days === null || badge.includes(`${worst.days}d`)),
    `badge "${badge}" (${shown}) vs API ${JSON.stringify(worst)}`).toBe(true);
});

// The CSV export has the API's header and one row per filtered item.
test('materials CSV export: header and row count', async ({ as, api }, testInfo) => {
  const page = await as('ADMIN');
  await page.goto('/materials?abc_class=A');
  await page.waitForSelector('[data-testid="materials-table"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Export CSV/ }).click()]);
  const file = testInfo.outputPath('materials-A.csv');
  await dl.saveAs(file);
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length);
  const total = Number((await api.get('/items?abc_class=A&limit=1')).metadata.total_count);
  expect(lines[0].split(',')).toEqual(expect.arrayContaining(['item_id', 'sku', 'abc_class']));
  expect(lines.length - 1, 'CSV rows vs API total_count').toBe(total);
});
