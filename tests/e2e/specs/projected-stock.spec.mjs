// The item page looking forward: projected stock (one site, and all sites summed), its band,
// reorder point, safety stock and run-out date, and the per-site short/surplus table, each value
// equal to SQL computed here on the server's database.
import { expect, shot, sql, test, visit } from '../fixtures.mjs';

const rows = (text) => (text ? text.split('\n').map((l) => l.split('|')) : []);

function projectionFromSql(item, site) {
  const siteSql = site === undefined ? 'NULL' : String(Number(site));
  const run = "(SELECT run_id FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED' ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1)";
  const days = rows(sql(`WITH r AS (SELECT run_id, as_of FROM analytics.pipeline_runs WHERE run_id = ${run}),
    f AS (SELECT full_date, sum(yhat) AS yhat FROM analytics.forecasts JOIN r USING (run_id)
          WHERE item_id = ${Number(item)} AND (${siteSql}::int IS NULL OR site_id = ${siteSql}) GROUP BY full_date),
    o AS (SELECT greatest(coalesce(expected_delivery_date, r.as_of + 1), r.as_of + 1) AS d, sum(quantity) AS q
          FROM core.fact_orders, r WHERE item_id = ${Number(item)} AND (${siteSql}::int IS NULL OR site_id = ${siteSql})
            AND status IN ('PLACED', 'DELAYED') AND actual_delivery_date IS NULL AND order_date <= r.as_of GROUP BY 1),
    s AS (SELECT coalesce(sum(current_stock), 0) AS h FROM analytics.inventory_policy JOIN r USING (run_id)
          WHERE item_id = ${Number(item)} AND (${siteSql}::int IS NULL OR site_id = ${siteSql}))
    SELECT f.full_date, s.h + sum(coalesce(o.q, 0)) OVER w - sum(f.yhat) OVER w, s.h
    FROM f LEFT JOIN o ON o.d = f.full_date CROSS JOIN s WINDOW w AS (ORDER BY f.full_date) ORDER BY 1`));
  const sites = rows(sql(`SELECT site_id, CASE WHEN order_up_to > 0 AND current_stock + on_order <= reorder_point
      AND order_up_to - current_stock - on_order > 1e-9 THEN order_up_to - current_stock - on_order ELSE 0 END,
      greatest(current_stock - order_up_to, 0) FROM analytics.inventory_policy
    WHERE run_id = ${run} AND item_id = ${Number(item)} ORDER BY site_id`));
  return {
    days: days.map(([d, p]) => ({ date: d, projected: Number(p) })),
    onHand: days.length ? Number(days[0][2]) : null,
    runOut: days.find(([, p]) => Number(p) < -1e-9)?.[0] ?? null,
    sites: sites.map(([id, sh, su]) => ({ id: Number(id), short: Number(sh), surplus: Number(su) })),
  };
}

async function checkProjectionPage(page, item, site) {
  const want = projectionFromSql(item, site);
  expect(want.days.length, `SQL has no forecast days for item ${item}`).toBeGreaterThan(0);
  await page.goto(`/materials/${item}${site === undefined ? '' : `?site=${site}`}`);
  await page.waitForSelector('[data-testid="projection-chart"] .proj-line path.recharts-line-curve');
  await page.waitForSelector('[data-testid="projection-chart"] .proj-band path.recharts-area-area');
  await page.waitForSelector('[data-testid="projection-chart"] .proj-rop', { state: 'attached' });
  await page.waitForSelector('[data-testid="projection-chart"] .proj-ss', { state: 'attached' });
  await expect(page.locator('[data-testid="projection-chart"] .recharts-yAxis .recharts-label')).toHaveText('units');
  const shown = await page.locator('[data-testid="projection-table"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ date: tr.getAttribute('data-date'), projected: Number(tr.querySelector('[data-projected]').getAttribute('data-projected')) })));
  expect(shown.length, 'days shown vs SQL').toBe(want.days.length);
  shown.forEach((r, i) => {
    expect(r.date === want.days[i].date && Math.abs(r.projected - want.days[i].projected) < 2e-3,
      `day ${i}: page ${r.date} ${r.projected}, SQL ${want.days[i].date} ${want.days[i].projected}`).toBe(true);
  });
  const one = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  await expect(page.getByTestId('proj-on-hand')).toHaveText(one.format(want.onHand));
  if (want.runOut) {
    const [y, m, d] = want.runOut.split('-');
    await expect(page.getByTestId('run-out-date')).toHaveText(`${m}/${d}/${y}`);
    await page.waitForSelector('[data-testid="projection-chart"] .proj-run-out', { state: 'attached' });
  } else await expect(page.getByTestId('run-out-date')).toHaveText(/^Not within/);
  const shownSites = await page.locator('[data-testid="site-balance"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    id: Number(tr.getAttribute('data-site')), balance: tr.getAttribute('data-balance'),
    short: tr.querySelector('[data-testid="short-units"]').textContent, surplus: tr.querySelector('[data-testid="surplus-units"]').textContent })));
  const fmt = (v) => (v > 0 ? one.format(v) : '');
  expect(shownSites).toEqual(want.sites.map((w) => ({ id: w.id, short: fmt(w.short), surplus: fmt(w.surplus),
    balance: w.short > 0 ? 'short' : w.surplus > 0 ? 'surplus' : 'ok' })));
}

test('page /materials/ID (projected stock) renders, no API GET sent twice', async ({ as, seed }) => {
  await visit(await as('ADMIN'), `/materials/${seed.item.item_id}`, '[data-testid="projection-chart"]', 'material-outlook');
});

test('item page: projected stock, run-out date and per-site short/surplus equal SQL (one site)', async ({ as, seed }) => {
  const page = await as('ADMIN');
  await checkProjectionPage(page, seed.item.item_id, seed.site);
  await shot(page, 'material-outlook-site');
});

test('item page: projected stock, run-out date and per-site short/surplus equal SQL (all sites)', async ({ as, seed }) => {
  const page = await as('ADMIN');
  await checkProjectionPage(page, seed.item.item_id, undefined);
  await expect(page.getByTestId('all-sites-note')).toContainText('summed');
  await shot(page, 'material-outlook-all');
});
