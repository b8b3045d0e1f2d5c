// The forecast explorer and its searchable item picker.
import { test, visit, shot } from '../fixtures.mjs';

test('page /forecasts renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/forecasts', '[data-testid="compare-chart"]', 'forecasts');
});

test('forecasts: the item picker searches, and its choice survives a reload', async ({ as, api }) => {
  const page = await as('ANALYST');
  const items = (await api.get('/items?limit=1000&sort=sku')).data;
  const pick = items[Math.min(4, items.length - 1)];
  await page.goto('/forecasts');
  await page.waitForSelector('[data-testid="compare-chart"]');
  await page.fill('input[name="items-search"]', pick.sku);
  await page.getByRole('checkbox', { name: `${pick.sku} — ${pick.name}` }).check();
  await page.waitForURL((u) => (u.searchParams.get('items') ?? '').split(',').includes(String(pick.item_id)));
  await page.reload();
  await page.locator(`[data-testid="items-chosen"] [data-value="${pick.item_id}"]`).waitFor();
  await page.waitForSelector('[data-testid="compare-chart"]');
  await shot(page, 'forecasts-picker');
});
