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

test('live: another session marks an alert read; the badge follows without a reload', async ({ as }) => {
  const page = await as('VIEWER');
  await liveDashboard(page);
  const open = 'FROM analytics.alerts WHERE read_at IS NULL AND resolved_at IS NULL';
  const id = Number(sql(`SELECT min(alert_id) ${open}`));
  const unread = Number(sql(`SELECT count(*) ${open}`));
  await expect(page.getByTestId('unread-count'), 'badge before, as SQL').toHaveText(String(unread));
  // The ANALYST's own browser context, with its own session, does the marking.
  const analyst = await as('ANALYST');
  await analyst.goto('/login');
  const status = await analyst.evaluate(async (alertId) => {
    const r = await fetch(`/api/v1/alerts/${alertId}/mark-read`, { method: 'PATCH', headers: { Authorization: `Bearer ${localStorage.getItem('corrente.token')}` } });
    return r.status;
  }, id);
  expect(status, 'mark-read').toBe(200);
  await expect(page.getByTestId('unread-count')).toHaveText(String(unread - 1), { timeout: 10_000 });
  expect(await page.evaluate(() => window.__noReload === true), 'the page was reloaded').toBe(true);
});

test('live: a published run announces its critical alerts in a toast', async ({ as }) => {
  const page = await as('VIEWER');
  await liveDashboard(page);
  const run = sql("SELECT max(run_id) FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'") || sql('SELECT max(run_id) FROM analytics.pipeline_runs');
  expect(run, 'no pipeline run to announce').toBeTruthy();
  // At least one unread critical alert in that run, so there is something to announce.
  sql(`INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message)
       SELECT ${run}, i.item_id, s.site_id, 'CRITICAL', 'E2E_LIVE', 'live e2e' FROM core.dim_item i, core.dim_site s LIMIT 1
       ON CONFLICT DO NOTHING`);
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
