// Live alerts (GET /api/v1/events): a page learns of changes made elsewhere without reloading.
import { expect, shot, sql, test } from '../fixtures.mjs';

// Opens the dashboard with a marker that a reload would wipe, once its event stream is open.
async function liveDashboard(page) {
  const streamed = page.waitForResponse((r) => r.url().endsWith('/api/v1/events') && r.status() === 200, { timeout: 15_000 });
  await page.goto('/dashboard');
  await page.waitForSelector('[data-testid="unread-count"]');
  await streamed;
  await page.evaluate(() => { window.__noReload = true; });
}

/** An unread alert of this test's own, so there is one to mark whatever ran before. */
const unreadAlert = (category) => sql(`INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message)
  SELECT (SELECT max(run_id) FROM analytics.pipeline_runs), i.item_id, s.site_id, 'NORMAL', '${category}', 'live e2e'
    FROM core.dim_item i, core.dim_site s ORDER BY i.item_id DESC, s.site_id DESC LIMIT 1 RETURNING alert_id`);

/** Alerts written with SQL behind the server's back: a NOTIFY of the latest run drops its cache. */
const notifyRun = () => sql("SELECT pg_notify('corrente_data', max(run_id)::text) FROM analytics.pipeline_runs");

/** The unread badge's number (no badge: 0). */
const badge = (page) => page.getByTestId('unread-count').textContent({ timeout: 1000 }).then(Number).catch(() => 0);

test('live: another session marks an alert read; the badge follows without a reload', async ({ as }) => {
  const id = Number(unreadAlert(`E2E_LIVE_READ_${Date.now()}`));
  notifyRun();
  const page = await as('VIEWER');
  await liveDashboard(page);
  const unread = Number(sql('SELECT count(*) FROM analytics.alerts WHERE read_at IS NULL AND resolved_at IS NULL'));
  expect(await badge(page), 'badge before, as SQL').toBe(unread);
  // The ANALYST's own browser context, with its own session, does the marking.
  const analyst = await as('ANALYST');
  await analyst.goto('/login');
  const status = await analyst.evaluate(async (alertId) => {
    const r = await fetch(`/api/v1/alerts/${alertId}/mark-read`, { method: 'PATCH', headers: { Authorization: `Bearer ${localStorage.getItem('corrente.token')}` } });
    return r.status;
  }, id);
  expect(status, 'mark-read').toBe(200);
  await expect.poll(() => badge(page), { timeout: 10_000, message: 'badge after' }).toBe(unread - 1);
  expect(await page.evaluate(() => window.__noReload === true), 'the page was reloaded').toBe(true);
});

test('live: a published run announces its critical alerts in a toast', async ({ as }) => {
  const run = sql("SELECT max(run_id) FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'") || sql('SELECT max(run_id) FROM analytics.pipeline_runs');
  expect(run, 'no pipeline run to announce').toBeTruthy();
  // At least one unread critical alert in that run, so there is something to announce.
  sql(`INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message)
       SELECT ${run}, i.item_id, s.site_id, 'CRITICAL', 'E2E_LIVE_${Date.now()}', 'live e2e' FROM core.dim_item i, core.dim_site s LIMIT 1`);
  notifyRun();
  const page = await as('VIEWER');
  await liveDashboard(page);
  const n = Number(sql(`SELECT count(*) FROM analytics.alerts WHERE run_id = ${run} AND level = 'CRITICAL' AND read_at IS NULL AND resolved_at IS NULL`));
  expect(n, 'unread critical alerts in the run').toBeGreaterThan(0);
  sql(`NOTIFY corrente_data, '${run}'`);
  const toast = page.getByTestId('undo-toast');
  await expect(toast).toContainText(`New critical alerts: ${n}`, { timeout: 10_000 });
  await shot(page, 'live-critical-toast');
  await page.getByTestId('toast-action').click();
  await page.waitForURL((u) => u.pathname === '/alerts' && u.searchParams.get('level') === 'CRITICAL');
  expect(await page.evaluate(() => window.__noReload === true), 'the page was reloaded').toBe(true);
});
