// End-to-end checks of the item page looking forward: projected stock (one site, and all sites
// summed), its band, reorder point, safety stock and run-out date, and the per-site short/surplus
// table, each value equal to SQL computed here on the server's database (E2E_DSN); and the page at
// phone width without sideways scroll. Called from e2e.mjs with its helpers.
import { execFileSync } from 'node:child_process';

export async function projectionChecks({ check, assert, BASE, admin, browser, users, firstItem, firstSite, watchCsp, collectCsp, shot }) {
  async function projectionFromSql(item, site) {
    const url = process.env.E2E_DSN;
    assert(url, 'E2E_DSN is not set');
    const sql = (text) => execFileSync('psql', [url, '-qAtX', '-F', '|', '-c', text], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map((l) => l.split('|'));
    const siteSql = site === undefined ? 'NULL' : String(Number(site));
    const run = "(SELECT run_id FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED' ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1)";
    const days = sql(`WITH r AS (SELECT run_id, as_of FROM analytics.pipeline_runs WHERE run_id = ${run}),
      f AS (SELECT full_date, sum(yhat) AS yhat FROM analytics.forecasts JOIN r USING (run_id)
            WHERE item_id = ${Number(item)} AND (${siteSql}::int IS NULL OR site_id = ${siteSql}) GROUP BY full_date),
      o AS (SELECT greatest(coalesce(expected_delivery_date, r.as_of + 1), r.as_of + 1) AS d, sum(quantity) AS q
            FROM core.fact_orders, r WHERE item_id = ${Number(item)} AND (${siteSql}::int IS NULL OR site_id = ${siteSql})
              AND status IN ('PLACED', 'DELAYED') AND actual_delivery_date IS NULL AND order_date <= r.as_of GROUP BY 1),
      s AS (SELECT coalesce(sum(current_stock), 0) AS h FROM analytics.inventory_policy JOIN r USING (run_id)
            WHERE item_id = ${Number(item)} AND (${siteSql}::int IS NULL OR site_id = ${siteSql}))
      SELECT f.full_date, s.h + sum(coalesce(o.q, 0)) OVER w - sum(f.yhat) OVER w, s.h
      FROM f LEFT JOIN o ON o.d = f.full_date CROSS JOIN s WINDOW w AS (ORDER BY f.full_date) ORDER BY 1`);
    const sites = sql(`SELECT site_id, CASE WHEN order_up_to > 0 AND current_stock + on_order <= reorder_point
        AND order_up_to - current_stock - on_order > 1e-9 THEN order_up_to - current_stock - on_order ELSE 0 END,
        greatest(current_stock - order_up_to, 0) FROM analytics.inventory_policy
      WHERE run_id = ${run} AND item_id = ${Number(item)} ORDER BY site_id`);
    return {
      days: days.map(([d, p]) => ({ date: d, projected: Number(p) })),
      onHand: days.length ? Number(days[0][2]) : null,
      runOut: days.find(([, p]) => Number(p) < -1e-9)?.[0] ?? null,
      sites: sites.map(([id, sh, su]) => ({ id: Number(id), short: Number(sh), surplus: Number(su) })),
    };
  }
  async function checkProjectionPage(page, item, site) {
    const want = await projectionFromSql(item, site);
    assert(want.days.length > 0, `SQL has no forecast days for item ${item}`);
    await page.goto(`${BASE}/materials/${item}${site === undefined ? '' : `?site=${site}`}`);
    await page.waitForSelector('[data-testid="projection-chart"] .proj-line path.recharts-line-curve');
    await page.waitForSelector('[data-testid="projection-chart"] .proj-band path.recharts-area-area');
    await page.waitForSelector('[data-testid="projection-chart"] .proj-rop', { state: 'attached' });
    await page.waitForSelector('[data-testid="projection-chart"] .proj-ss', { state: 'attached' });
    const shown = await page.locator('[data-testid="projection-table"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ date: tr.getAttribute('data-date'), projected: Number(tr.querySelector('[data-projected]').getAttribute('data-projected')) })));
    assert(shown.length === want.days.length, `${shown.length} days shown, SQL ${want.days.length}`);
    shown.forEach((r, i) => {
      assert(r.date === want.days[i].date && Math.abs(r.projected - want.days[i].projected) < 2e-3,
        `day ${i}: page ${r.date} ${r.projected}, SQL ${want.days[i].date} ${want.days[i].projected}`);
    });
    const one = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const onHand = await page.getByTestId('proj-on-hand').innerText();
    assert(onHand === one.format(want.onHand), `on hand ${onHand}, SQL ${want.onHand}`);
    const runOut = await page.getByTestId('run-out-date').innerText();
    if (want.runOut) {
      const [y, m, d] = want.runOut.split('-');
      assert(runOut === `${m}/${d}/${y}`, `run-out ${runOut}, SQL ${want.runOut}`);
      await page.waitForSelector('[data-testid="projection-chart"] .proj-run-out', { state: 'attached' });
    } else assert(/^Not within/.test(runOut), `run-out ${runOut}, SQL none`);
    const rows = await page.locator('[data-testid="site-balance"] tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      id: Number(tr.getAttribute('data-site')), balance: tr.getAttribute('data-balance'),
      short: tr.querySelector('[data-testid="short-units"]').textContent, surplus: tr.querySelector('[data-testid="surplus-units"]').textContent })));
    assert(rows.length === want.sites.length, `${rows.length} site rows, SQL ${want.sites.length}`);
    rows.forEach((r, i) => {
      const w = want.sites[i];
      const fmt = (v) => (v > 0 ? one.format(v) : '');
      assert(r.id === w.id && r.short === fmt(w.short) && r.surplus === fmt(w.surplus),
        `site row ${JSON.stringify(r)} vs SQL ${JSON.stringify(w)}`);
      assert(r.balance === (w.short > 0 ? 'short' : w.surplus > 0 ? 'surplus' : 'ok'), `site ${r.id} is ${r.balance}`);
    });
  }
  await check('item page: projected stock, run-out date and per-site short/surplus equal SQL (one site, all sites)', async () => {
    await checkProjectionPage(admin, firstItem.item_id, firstSite);
    await shot(admin, 'material-outlook-site');
    await checkProjectionPage(admin, firstItem.item_id, undefined);
    assert(/summed/.test(await admin.getByTestId('all-sites-note').innerText()), 'no all-sites note');
    await shot(admin, 'material-outlook-all');
    // At phone width the page does not scroll sideways (wide tables scroll inside their box).
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    await ctx.addInitScript(() => localStorage.setItem('corrente.locale', 'en'));
    await watchCsp(ctx);
    const phone = await ctx.newPage();
    collectCsp(phone);
    await phone.goto(`${BASE}/materials/${firstItem.item_id}?site=${firstSite}`);
    await phone.waitForURL(/\/login/);
    await phone.getByLabel('Username').fill(users.VIEWER.name);
    await phone.getByLabel('Password').fill(users.VIEWER.pw);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.waitForSelector('[data-testid="projection-chart"] .proj-line path.recharts-line-curve');
    await phone.waitForSelector('[data-testid="site-balance"]');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await shot(phone, 'phone-material-outlook');
    await ctx.close();
    assert(overflow <= 1, `the item page is ${overflow}px wider than the phone`);
  });
}
