// Signing in (the form, the keyboard, a revoked session) and what each role may see and do.
import { env as runEnv, expect, settled, shot, test, uiLogin } from '../fixtures.mjs';

// Each role logs in through the form, and the page says which role it has.
for (const role of ['ADMIN', 'ANALYST', 'VIEWER']) {
  test(`login as ${role}`, async ({ page }) => {
    await uiLogin(page, role);
    await expect(page.getByTestId('whoami')).toContainText(role);
  });
}

// A logged-out visit, and a revoked session, go to /login and then back where the user was.
test('login returns to the page asked for; a revoked session comes back after login', async ({ page, env, seed }) => {
  const item = seed.item.item_id;
  await uiLogin(page, 'VIEWER', `/materials/${item}?tab=features`);
  await page.waitForURL(new RegExp(`/materials/${item}\\?tab=features`));
  await settled(page);
  // Revoke the page's own token behind its back, then use the page.
  const tok = await page.evaluate(() => localStorage.getItem('corrente.token'));
  const r = await fetch(`${env.base}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${tok}` } });
  expect(r.ok, `logout answered ${r.status}`).toBe(true);
  await page.getByRole('tab', { name: 'Demand' }).click();
  await page.waitForURL(/\/login\?next=/);
  await page.getByText('Your session ended').waitFor();
  await shot(page, 'login-session-ended');
  await page.getByLabel('Username').fill(env.users.VIEWER.name);
  await page.getByLabel('Password').fill(env.users.VIEWER.pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(new RegExp(`/materials/${item}\\?tab=demand`));
  await page.waitForSelector('[data-testid="demand-chart"]');
});

// The keyboard alone: Tab to the fields, type, Enter; the focused control shows a focus ring.
test('keyboard: log in with Tab and Enter, visible focus', async ({ page, env }) => {
  await page.goto('/login');
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  let guard = 0;
  while (!(await page.evaluate(() => document.activeElement?.getAttribute('name') === 'username')) && guard++ < 6) await page.keyboard.press('Tab');
  expect(guard, 'Tab never reached the username field').toBeLessThan(6);
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).outlineWidth);
  expect(!ring.startsWith('none') && !ring.endsWith(' 0px'), `no visible focus ring on the username field: ${ring}`).toBe(true);
  await page.keyboard.type(env.users.ANALYST.name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(env.users.ANALYST.pw);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="whoami"]');
  // Tab from the top reaches the skip link first, then the navigation.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/Skip to content/);
});

// A viewer sees no acknowledge or mark-read button, no Admin link, and the API refuses the write.
test('viewer: no acknowledge button, API answers 403', async ({ as, api }) => {
  const page = await as('VIEWER');
  await page.goto('/recommendations');
  await page.waitForSelector('[data-testid="recs-table"]');
  await settled(page);
  await expect(page.getByTestId('ack-button')).toHaveCount(0);
  await shot(page, 'viewer-recommendations');
  const viewer = await api.as('VIEWER');
  const open = (await viewer.get('/recommendations?acknowledged=false&limit=1')).data[0];
  expect(open, 'no open recommendation to try').toBeTruthy();
  const r = await fetch(`${runEnv().base}/api/v1/recommendations/${open.recommendation_id}/acknowledge`,
    { method: 'PATCH', headers: { Authorization: `Bearer ${viewer.token}`, 'Content-Type': 'application/json' }, body: '{}' });
  expect(r.status, 'viewer PATCH').toBe(403);
  await page.goto('/admin');
  await expect(page.locator('#nav >> text=Admin')).toHaveCount(0);
  await page.goto('/alerts');
  await settled(page);
  await expect(page.getByTestId('mark-read')).toHaveCount(0);
});
