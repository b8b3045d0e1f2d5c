// The item page's tabs: demand, inventory (policy lines), forecasts (bands), features.
import { expect, shot, test, visit } from '../fixtures.mjs';

test.describe('item page renders', () => {
  for (const [name, tab, sel] of [
    ['material-demand', 'demand', '[data-testid="demand-chart"]'],
    ['material-inventory', 'inventory', '[data-testid="inventory-chart"]'],
    ['material-forecasts', 'forecasts', '[data-testid="forecast-chart"]'],
    ['material-features', 'features', '[data-testid="features-table"], [data-state="empty"]'],
  ]) {
    test(`page /materials/ID?tab=${tab} renders, no API GET sent twice`, async ({ as, seed }) => {
      const site = tab === 'features' ? `&site=${seed.site}` : '';
      await visit(await as('ADMIN'), `/materials/${seed.item.item_id}?tab=${tab}${site}`, sel, name);
    });
  }
});

// The forecast chart draws the 80% and 95% bands and names its model; the horizon switches.
test('item forecast chart draws its bands', async ({ as, seed }) => {
  const page = await as('ADMIN');
  await page.goto(`/materials/${seed.item.item_id}?tab=forecasts`);
  await page.waitForSelector('[data-testid="forecast-chart"] .band-80 path.recharts-area-area');
  for (const b of ['band-80', 'band-95']) {
    const d = await page.locator(`[data-testid="forecast-chart"] .${b} path.recharts-area-area`).first().getAttribute('d');
    expect(d?.length ?? 0, `${b} has no shape`).toBeGreaterThan(20);
  }
  await expect(page.getByTestId('forecast-model')).not.toContainText('Model: —');
  await page.getByRole('radio', { name: '90 days' }).click();
  await page.waitForSelector('[data-testid="forecast-chart"] .band-95 path.recharts-area-area');
  await shot(page, 'material-forecasts-90');
});

// The Inventory tab draws the current safety stock and reorder point across the window, and one
// red mark per stockout day.
test('item inventory chart: safety-stock and reorder-point lines span the window', async ({ as, api, seed }) => {
  const page = await as('ADMIN');
  const item = seed.item.item_id, site = seed.site;
  const inv = await api.get(`/inventory/timeseries?item_id=${item}`);
  const pol = (inv.metadata.policy ?? []).find((p) => p.site_id === site);
  expect(pol, `the API has no policy for item ${item} at site ${site}`).toBeTruthy();
  await page.goto(`/materials/${item}?tab=inventory&site=${site}`);
  await page.waitForSelector('[data-testid="inventory-chart"] .ss-line path.recharts-line-curve', { state: 'attached' }); // a flat line has no height, so never "visible"
  const width = (loc) => loc.first().evaluate((e) => e.getBBox().width);
  const stockW = await width(page.locator('[data-testid="inventory-chart"] path.recharts-line-curve'));
  for (const cls of ['ss-line', 'rop-line'])
    expect(await width(page.locator(`[data-testid="inventory-chart"] .${cls} path.recharts-line-curve`)), `${cls} vs the stock line`).toBeGreaterThan(0.95 * stockW);
  const ss = new Intl.NumberFormat('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(Number(pol.safety_stock));
  await expect(page.getByTestId('policy-note')).toContainText(ss);
  const stockoutDays = inv.data.filter((r) => r.site_id === site && Number(r.current_stock) <= 0).length;
  await expect(page.getByTestId('stockout-days')).toHaveText(String(stockoutDays));
  await expect(page.locator('[data-testid="inventory-chart"] .stockout-dot')).toHaveCount(stockoutDays);
  await shot(page, 'material-inventory');
});
