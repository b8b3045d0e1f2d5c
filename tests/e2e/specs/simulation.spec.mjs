// The policy simulation page: a what-if from the page; a viewer gets no form.
import { expect, shot, test, visit } from '../fixtures.mjs';

test('page /simulation renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/simulation', '[data-testid="sim-page"]', 'simulation');
});

// An analyst runs a what-if (doubled lead times); it is polled until done, and the change, the
// chart and the table show, with the demand days the outlier rule read as zero.
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
  // What was tried, and the chart's axes with their units.
  await expect(page.getByTestId('sim-params')).toContainText('30 series · policy normal · lead times ×2 · review every 14 days');
  await expect(page.locator('[data-testid="sim-chart"] .recharts-yAxis .recharts-label')).toHaveText('Demand unfilled (%)');
  await expect(page.locator('[data-testid="sim-chart"] .recharts-xAxis .recharts-label')).toHaveText('Avg units on hand');
  const list = (await api.get('/simulations')).data;
  expect(list[0]?.status, `API: ${JSON.stringify(list[0])}`).toBe('SUCCEEDED');
  // Beside the change: how many demand days the outlier rule read as zero, as the API counts them.
  const o = (await api.get(`/simulations/${list[0].simulation_id}`)).data.params.demand_outliers;
  expect(o, 'API: params.demand_outliers').toEqual({ days: expect.any(Number), concerned: expect.any(Number) });
  const note = page.locator('[data-testid="sim-summary"] [data-testid="sim-outliers"]');
  await expect(note).toHaveAttribute('data-days', String(o.days));
  await expect(note).toContainText(o.days === 0 ? 'Demand days read as zero by the outlier rule: none.'
    : `Demand days read as zero by the outlier rule: ${o.days.toLocaleString('en-US')}, in ${o.concerned} of 30 series.`);
  await shot(page, 'simulation-whatif');
  const viewer = await as('VIEWER');
  await viewer.goto('/simulation');
  await viewer.waitForSelector('[data-testid="sim-table"]');
  await expect(viewer.getByTestId('whatif-form')).toHaveCount(0);
});

// One what-if at a time: a planner who starts one while another runs reads why, in words (the
// API's 429 "busy"). Whether a second job meets a running one is a race on data this small
// (tests/api/simulations_test.py starts two at once and takes either answer), so the page is
// given the server's busy answer for its POST; what is checked is how the page reads it.
test('policy simulation: a second what-if while one runs reads as busy', async ({ as }) => {
  const page = await as('ANALYST');
  await page.route('**/api/v1/simulations', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 429,
          contentType: 'application/json',
          body: JSON.stringify({ status: 'error', error: 'busy', detail: 'a simulation is already running; retry when it has finished' }),
        })
      : route.continue());
  await page.goto('/simulation');
  await page.waitForSelector('[data-testid="whatif-form"]');
  await page.getByTestId('whatif-start').click();
  const err = page.locator('[data-testid="whatif-form"] [role="alert"]');
  await expect(err).toContainText('Too many requests right now.');
  await expect(err).toContainText('HTTP 429');
  await expect(err).toContainText('a simulation is already running');
});
