// The dashboard: the morning view (counts, runs out next), the KPI cards, the chart, the footer.
import { expect, fmtStake, settled, shot, sql, test, visit } from '../fixtures.mjs';

test('page /dashboard renders, no API GET sent twice', async ({ as }) => {
  await visit(await as('ADMIN'), '/dashboard', '[data-testid="kpi-cards"]', 'dashboard');
});

// The stockout-rate card shows the API's value for the latest day, says which day, draws its trend, drills down.
test('dashboard stockout rate equals the API', async ({ as, api }) => {
  const page = await as('ADMIN');
  const end = new Date().toISOString().slice(0, 10);
  const start = new Date(Date.now() - 365 * 864e5).toISOString().slice(0, 10);
  const k = (await api.get(`/analytics/kpis?start_date=${start}&end_date=${end}&limit=1000`)).data
    .filter((r) => r.stockout_rate !== null).sort((a, b) => a.full_date.localeCompare(b.full_date));
  expect(k.length, 'the API has no KPI rows').toBeGreaterThan(0);
  const last = k.at(-1);
  const want = new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Number(last.stockout_rate));
  await page.goto('/dashboard');
  await expect(page.getByTestId('kpi-stockout_rate-value')).toHaveText(want);
  const [y, m, d] = last.full_date.split('-');
  await expect(page.getByTestId('kpi-stockout_rate-through')).toHaveText(`Data through ${m}/${d}/${y}`);
  expect(Number(await page.getByTestId('kpi-stockout_rate').locator('[data-testid="sparkline"]').getAttribute('data-points')), 'sparkline points').toBeGreaterThan(1);
  await page.getByTestId('kpi-stockout_rate-link').click();
  await page.waitForURL(/\/inventory\?stockout=true/);
  await page.goto('/dashboard');
  await page.waitForSelector('[data-testid="dashboard-chart"] .recharts-line');
  await shot(page, 'dashboard');
});

// Every page's footer says how the last pipeline run ended (from /health).
test('footer: the last pipeline run and its outcome, as /health says', async ({ as, env }) => {
  const page = await as('ADMIN');
  const h = await (await fetch(`${env.base}/health`)).json();
  expect(h.last_pipeline_run, '/health has no last run').toBeTruthy();
  await page.goto('/dashboard');
  await expect(page.getByTestId('pipeline-status')).toHaveText(new RegExp(`^\\s*Last pipeline run: ${h.last_pipeline_run.split(' ')[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});

// The counts of pairs out of stock and at risk equal the API's and link to the filtered
// inventory; the list starts with the pair that runs out first.
test('dashboard: out of stock / at risk counts and runs out next', async ({ as, api }) => {
  const page = await as('ADMIN');
  const out = Number((await api.get('/inventory/snapshot?stockout=true&limit=1')).metadata.total_count);
  const risk = await api.get('/inventory/snapshot?at_risk=true&sort=days_to_rupture&limit=1');
  await page.goto('/dashboard');
  await page.waitForSelector('[data-testid="runs-out-next"] tbody tr, [data-testid="runs-out-next"] [data-state="empty"]');
  const fmt = (n) => new Intl.NumberFormat('en').format(n);
  expect(await page.getByTestId('count-stockout').innerText(), `API ${out}`).toMatch(new RegExp(`^${fmt(out)} `));
  expect(await page.getByTestId('count-at-risk').innerText(), `API ${risk.metadata.total_count}`).toMatch(new RegExp(`^${fmt(Number(risk.metadata.total_count))} `));
  if (risk.data.length > 0) {
    await expect(page.locator('[data-testid="runs-out-next"] tbody tr').first()).toContainText(risk.data[0].sku);
    await expect(page.locator('[data-testid="runs-out-next"] tbody tr').first().getByTestId('item-name')).toHaveText(risk.data[0].item_name);
  }
  await expect(page.getByTestId('count-stockout')).toHaveAttribute('href', '/inventory?stockout=true');
  await shot(page, 'dashboard-morning');
});

// Pairs that run out on the same day come by money at stake (the API's order, largest first),
// each row showing that amount; the order is SQL's over the same rule.
test('dashboard: runs out next orders the pairs of a day by money at stake, and shows it', async ({ as, api }) => {
  const page = await as('ANALYST');
  const rows = (await api.get('/inventory/snapshot?at_risk=true&sort=days_to_rupture&limit=8')).data;
  await page.goto('/dashboard');
  await page.waitForSelector('[data-testid="runs-out-next"] tbody tr, [data-testid="runs-out-next"] [data-state="empty"]');
  const trs = page.locator('[data-testid="runs-out-next"] tbody tr');
  await expect(trs).toHaveCount(rows.length);
  for (let i = 0; i < rows.length; i++) {
    await expect(trs.nth(i).locator('td').first()).toContainText(rows[i].sku);
    await expect(trs.nth(i).getByTestId('runs-out-stake')).toHaveText(fmtStake(rows[i].money_at_stake));
  }
  for (let i = 1; i < rows.length; i++)
    if (rows[i].days_to_rupture === rows[i - 1].days_to_rupture)
      expect(Number(rows[i].money_at_stake), `row ${i} after row ${i - 1}, same day`).toBeLessThanOrEqual(Number(rows[i - 1].money_at_stake));
  const want = sql(`select string_agg(item_id || '-' || site_id, ',' order by dtr, stake desc, item_id, site_id) from (
      select v.item_id, v.site_id, p.days_to_rupture as dtr,
        greatest(coalesce(p.lead_time_days * p.avg_daily_demand, 0) - v.current_stock - p.on_order, 0) * coalesce(i.unit_cost, 0)
          * (0.5 + least(greatest(coalesce(i.criticality, 0), 0), 10) / 10.0) as stake
      from core.fact_inventory_daily v join core.dim_item i on i.item_id = v.item_id and i.active
      join core.dim_site s on s.site_id = v.site_id and s.active
      join analytics.inventory_policy p on p.item_id = v.item_id and p.site_id = v.site_id
        and p.run_id = (select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED')
      where v.full_date = (select max(full_date) from core.fact_inventory_daily) and v.current_stock > 0
        and p.days_to_rupture < p.lead_time_days order by dtr, stake desc, item_id, site_id limit 8) t`);
  expect(rows.map((r) => `${r.item_id}-${r.site_id}`).join(','), 'the API\'s order is SQL\'s').toBe(want);
});

// The chart shows the portfolio (every item summed, with the band) until an item is picked.
test('dashboard chart: all items by default, one item when picked', async ({ as, api, seed }) => {
  const page = await as('ADMIN');
  await page.goto('/dashboard');
  await settled(page);
  await expect(page.locator('[data-picker="dashboard-item"]')).toHaveAttribute('data-value', '');
  await page.waitForSelector('[data-testid="dashboard-chart"] path.recharts-area-area');
  const total = await api.get('/forecasts/total?horizon=30');
  expect(total.data.length > 0 && total.data.every((r) => r.series > 0), 'the API has no forecast totals').toBe(true);
  const [demandSeen] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/demand/timeseries?item_id=${seed.item.item_id}`)),
    (async () => { // a searchable picker past 20 items, a plain select up to 20
      const box = page.getByTestId('dashboard-item');
      if (await box.evaluate((e) => e.tagName === 'SELECT')) return box.selectOption(String(seed.item.item_id));
      await box.fill(seed.item.sku);
      await page.locator(`[data-picker="dashboard-item"] [role="option"][data-value="${seed.item.item_id}"]`).click();
    })(),
  ]);
  expect(demandSeen.ok(), 'the item series request failed').toBe(true);
  await page.waitForSelector('[data-testid="dashboard-chart"] .recharts-line');
  await expect(page.locator('[data-testid="dashboard-chart"] .recharts-yAxis .recharts-label')).toHaveText('units/day');
});

// The two lists "with the most at stake" say how much: the API's priority_score, as money.
test('dashboard: the top alerts and recommendations show their money at stake', async ({ as, api }) => {
  const page = await as('VIEWER');
  const recs = (await api.get('/recommendations?acknowledged=false&sort=-priority&limit=5')).data;
  await page.goto('/dashboard');
  await page.waitForSelector('[data-testid="critical-recs"] li, section[aria-labelledby="recs-title"] [data-state="empty"]');
  if (recs.length > 0)
    await expect(page.locator('[data-testid="critical-recs"] li [data-testid="stake"]').first()).toHaveText(`${fmtStake(recs[0].priority_score)} at stake`);
});
