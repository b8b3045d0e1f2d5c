// /api/docs is Swagger UI from the web build (no CDN), under the dashboard's CSP: every operation
// listed, and try-it-out works with the dashboard session's token.
import { expect, shot, test, uiLogin } from '../fixtures.mjs';

test('API reference: Swagger UI lists every operation and tries one with the session token', async ({ page, env }) => {
  await uiLogin(page, 'ANALYST');
  await page.goto('/api/docs');
  expect(new URL(page.url()).pathname).toBe('/api-docs/');
  await page.waitForSelector('.opblock');
  const doc = await (await fetch(`${env.base}/api/v1/openapi.json`)).json();
  const inDoc = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  await expect(page.locator('.opblock'), 'operations shown vs the document').toHaveCount(inDoc);
  await expect(page.locator('#corrente-auth'), 'the session token was picked up').toContainText('Signed in');
  const me = page.locator('#operations-auth-get_api_v1_auth_me');
  await me.locator('.opblock-summary').click();
  const tryIt = me.locator('button.try-out__btn', { hasText: 'Try it out' }); // on by default
  if (await tryIt.count()) await tryIt.click();
  await me.locator('button.execute').click();
  const status = me.locator('.live-responses-table tbody .response-col_status').first();
  await expect(status).toHaveText(/^\s*200/);
  await expect(me.locator('.live-responses-table .microlight').first()).toContainText(`"username": "${env.users.ANALYST.name}"`);
  await shot(page, 'api-docs-swagger');
});
