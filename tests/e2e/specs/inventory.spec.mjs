// The inventory page: health by site x ABC class, and its drill-down.
import { expect, settled, shot, test, visit } from '../fixtures.mjs';

test('page /inventory renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/inventory', '[data-testid="health-table"]', 'inventory');
});

// Two requests (health, one drill-down page), totals as the API says; a drill-down is one more.
test('inventory page: health and drill-down in two requests, totals equal the API', async ({ as, api, env }) => {
  const page = await as('ADMIN');
  const seen = [];
  const onReq = (r) => { if (r.method() === 'GET' && r.url().includes('/api/v1/inventory')) seen.push(r.url().replace(env.base, '')); };
  page.on('request', onReq);
  await page.goto('/inventory');
  await page.waitForSelector('[data-testid="health-table"]');
  await page.waitForSelector('[data-testid="snapshot-table"]');
  await settled(page);
  const h = (await api.get('/inventory/health?limit=1000')).data;
  const sum = (k) => h.reduce((a, r) => a + r[k], 0);
  expect(Number((await page.getByTestId('total-at-risk').innerText()).replace(/\D/g, '')), 'at-risk total').toBe(sum('at_risk'));
  expect(Number((await page.getByTestId('total-stockouts').innerText()).replace(/\D/g, '')), 'stockout total').toBe(sum('stockouts'));
  expect(seen.length === 2 && seen.some((u) => u.startsWith('/api/v1/inventory/health')) && seen.some((u) => u.startsWith('/api/v1/inventory/snapshot')),
    `inventory requests: ${seen.join(' ')}`).toBe(true);
  const last = h.at(-1);
  await page.locator(`[data-testid="health-table"] tr[data-site="${last.site_id}"][data-abc="${last.abc_class ?? ''}"] [data-testid="drill-down"]`).click();
  await page.waitForURL(new RegExp(`site=${last.site_id}`));
  await page.waitForFunction((sid) => {
    const rows = [...document.querySelectorAll('[data-testid="snapshot-table"] tbody tr')];
    return rows.length > 0 && rows.every((r) => r.getAttribute('data-site') === String(sid));
  }, last.site_id);
  await settled(page);
  page.off('request', onReq);
  expect(seen.length, `drill-down requests: ${seen.slice(2).join(' ')}`).toBe(3);
  await shot(page, 'inventory-drilldown');
});

// The sort reads in the columns' words; picking one by its label sorts the drill-down as the API.
test('inventory: the sort options read as the columns, and sort as picked', async ({ as, api }) => {
  const page = await as('ANALYST');
  await page.goto('/inventory');
  await page.waitForSelector('[data-testid="snapshot-table"] tbody tr');
  const sort = page.locator('select[name="sort"]');
  await expect(sort.locator('option')).toHaveText(['Days to rupture ↑', 'Days to rupture ↓', 'Coverage (days) ↑', 'Coverage (days) ↓', 'Inventory value ↓', 'SKU ↑']);
  await sort.selectOption({ label: 'Inventory value ↓' });
  await page.waitForURL(/sort=-stock_value/);
  const top = (await api.get('/inventory/snapshot?sort=-stock_value&limit=1')).data[0];
  await expect(page.locator('[data-testid="snapshot-table"] tbody tr').first()).toHaveAttribute('data-site', String(top.site_id));
  await expect(page.locator('[data-testid="snapshot-table"] tbody tr td').first()).toHaveText(top.sku);
});
