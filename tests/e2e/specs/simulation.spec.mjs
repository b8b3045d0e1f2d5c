// The policy simulation page: a what-if from the page; a viewer gets no form.
import { expect, shot, test, visit } from '../fixtures.mjs';

test('page /simulation renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/simulation', '[data-testid="sim-page"]', 'simulation');
});

// An analyst runs a what-if (doubled lead times); it is polled until done, and the change, the
// chart and the table show.
test('policy simulation: a what-if from the page (analyst)', async ({ as, api }) => {
  test.setTimeout(120_000);
  const page = await as('ANALYST');
  await page.goto('/simulation');
  await page.waitForSelector('[data-testid="whatif-form"]');
  await page.locator('input[name="sample"]').fill('30');
  await page.locator('input[name="lead_time_scale"]').fill('2');
  await page.getByTestId('whatif-start').click();
  await page.waitForSelector('[data-testid="sim-change"]', { timeout: 60000 });
  await page.waitForSelector('[data-testid="sim-table"] tr[data-policy="normal"]');
  await page.waitForSelector('[data-testid="sim-chart"] .recharts-scatter');
  await expect(page.getByTestId('sim-change')).toHaveText(/normal: stockouts [+-][0-9.,]+ points/);
  const list = (await api.get('/simulations')).data;
  expect(list[0]?.status, `API: ${JSON.stringify(list[0])}`).toBe('SUCCEEDED');
  await shot(page, 'simulation-whatif');
  const viewer = await as('VIEWER');
  await viewer.goto('/simulation');
  await viewer.waitForSelector('[data-testid="sim-table"]');
  await expect(viewer.getByTestId('whatif-form')).toHaveCount(0);
});
