// The phone layout (390 x 844): no sideways scroll; the Portuguese dictionary.
import { expect, settled, shot, test } from '../fixtures.mjs';

test.use({ viewport: { width: 390, height: 844 } });

test.describe('pt-BR', () => {
  test.use({ locale: 'pt-BR' });
  test('phone width, pt-BR', async ({ page, env }) => {
    await page.goto('/login');
    await page.getByLabel('Usuário').fill(env.users.ANALYST.name);
    await page.getByLabel('Senha').fill(env.users.ANALYST.pw);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForSelector('[data-testid="kpi-cards"]');
    await settled(page);
    const sr = await page.getByTestId('kpi-stockout_rate-value').innerText();
    expect(/,/.test(sr) || sr === '—', `pt-BR percent ${sr}`).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 'px wider than the phone').toBeLessThanOrEqual(1);
    await shot(page, 'phone-dashboard-ptbr');
  });
});

// The item page does not scroll sideways (wide tables scroll inside their box).
test('phone width: the item page\'s projected stock has no sideways scroll', async ({ as, seed }) => {
  const page = await as('VIEWER', { viewport: { width: 390, height: 844 } });
  await page.goto(`/materials/${seed.item.item_id}?site=${seed.site}`);
  await page.waitForSelector('[data-testid="projection-chart"] .proj-line path.recharts-line-curve');
  await page.waitForSelector('[data-testid="site-balance"]');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot(page, 'phone-material-outlook');
  expect(overflow, 'px wider than the phone').toBeLessThanOrEqual(1);
});
