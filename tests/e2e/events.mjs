// End-to-end checks of live alerts (GET /api/v1/events): a page learns of changes made
// elsewhere without reloading. Another browser context marks an alert read and the first page's
// unread badge follows; a NOTIFY of a published run brings the toast announcing its critical
// alerts (the count as SQL). Called from e2e.mjs with its helpers.
import { execFileSync } from 'node:child_process';

export async function eventChecks({ check, assert, BASE, pages, shot }) {
  const dsn = process.env.E2E_DSN;
  const sql = (q) => execFileSync('psql', [dsn, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', q], { encoding: 'utf8' }).trim();
  const page = pages.VIEWER;
  const badge = () => page.getByTestId('unread-count').innerText().then(Number).catch(() => 0);

  // Open the dashboard once, with a marker that a reload would wipe; wait for its stream.
  const ready = async () => {
    const streamed = page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.status() === 200, { timeout: 15_000 });
    await page.goto(`${BASE}/dashboard`);
    await page.waitForSelector('[data-testid="unread-count"]');
    await streamed;
    await page.evaluate(() => { window.__noReload = true; });
  };

  await check('live: another session marks an alert read; the badge follows without a reload', async () => {
    await ready();
    const id = Number(sql("SELECT min(alert_id) FROM analytics.alerts WHERE read_at IS NULL AND resolved_at IS NULL"));
    const before = await badge();
    const want = Number(sql('SELECT count(*) FROM analytics.alerts WHERE read_at IS NULL AND resolved_at IS NULL')) - 1;
    assert(before === want + 1, `badge ${before} before, SQL ${want + 1}`);
    // The ANALYST's own browser context, with its own session, does the marking.
    const status = await pages.ANALYST.evaluate(async (alertId) => {
      const r = await fetch(`/api/v1/alerts/${alertId}/mark-read`, { method: 'PATCH', headers: { Authorization: `Bearer ${localStorage.getItem('corrente.token')}` } });
      return r.status;
    }, id);
    assert(status === 200, `mark-read answered ${status}`);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="unread-count"]')?.textContent ?? 0) === n, want, { timeout: 10_000 });
    assert(await page.evaluate(() => window.__noReload === true), 'the page was reloaded');
  });

  await check('live: a published run announces its critical alerts in a toast', async () => {
    await ready();
    const run = sql("SELECT max(run_id) FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'") || sql('SELECT max(run_id) FROM analytics.pipeline_runs');
    assert(run, 'no pipeline run to announce');
    // At least one unread critical alert in that run, so there is something to announce.
    sql(`INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message)
         SELECT ${run}, i.item_id, s.site_id, 'CRITICAL', 'E2E_LIVE', 'live e2e' FROM core.dim_item i, core.dim_site s LIMIT 1
         ON CONFLICT DO NOTHING`);
    const n = Number(sql(`SELECT count(*) FROM analytics.alerts WHERE run_id = ${run} AND level = 'CRITICAL' AND read_at IS NULL AND resolved_at IS NULL`));
    assert(n > 0, 'no unread critical alert in the run');
    sql(`NOTIFY corrente_data, '${run}'`);
    const toast = page.getByTestId('undo-toast');
    await toast.waitFor({ timeout: 10_000 });
    const text = await toast.innerText();
    assert(text.includes(`New critical alerts: ${n}`), `toast says "${text}", SQL counts ${n}`);
    await shot(page, 'live-critical-toast');
    await page.getByTestId('toast-action').click();
    await page.waitForURL((u) => u.pathname === '/alerts' && u.searchParams.get('level') === 'CRITICAL');
    assert(await page.evaluate(() => window.__noReload === true), 'the page was reloaded');
  });
}
