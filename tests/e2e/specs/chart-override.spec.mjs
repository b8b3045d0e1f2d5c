// Setting a forecast week on the item page's chart: an analyst drags the week's bar (or uses the
// keyboard alone) and saves it as a draft override; the API then has the DRAFT (ABSOLUTE, the
// item x site x week, the value shown) and the chart draws it as the draft line. Each test uses
// its own week of the second site, so no other spec's override overlaps.
import { expect, shot, sql, test } from '../fixtures.mjs';

const asOf = () => sql("select as_of from analytics.pipeline_runs where status = 'SUCCEEDED' order by run_id desc limit 1");
const day = (n) => sql(`select date '${asOf()}' + ${n}`);

/** The analyst's own override for the item x site starting on `from`, as the API lists it. */
async function draftOf(analyst, item, site, from) {
  const list = (await analyst.get(`/overrides?item_id=${item}&site_id=${site}&limit=1000`)).data;
  return list.find((o) => o.valid_from === from && o.kind === 'FORECAST');
}

/** The chart's draft line is drawn (a flat line has no height, so it is never "visible"). */
async function draftLine(page) {
  const path = page.locator('[data-testid="forecast-chart"] .draft-line path.recharts-line-curve');
  await path.waitFor({ state: 'attached' });
  expect((await path.getAttribute('d'))?.length ?? 0, 'the draft line has no shape').toBeGreaterThan(20);
}

async function openEditor(page, item, site) {
  await page.goto(`/materials/${item}?tab=forecasts&site=${site}`);
  await page.waitForSelector('[data-testid="forecast-chart"] path.recharts-line-curve');
  await page.getByTestId('edit-on-chart').focus();
  await page.keyboard.press('Enter');
  const handle = page.getByTestId('week-handle');
  await expect(handle).toBeFocused();
  return handle;
}

test('item chart: drag a forecast week and save it as a draft override (analyst)', async ({ as, api, seed }) => {
  const item = seed.item.item_id, site = seed.sites[1].site_id;
  const page = await as('ANALYST');
  const handle = await openEditor(page, item, site);
  await page.keyboard.press('ArrowRight'); // the second week
  const [from, to] = [day(8), day(14)];
  await expect(handle).toHaveAttribute('aria-valuetext', new RegExp(`\\(${from} – ${to}\\)$`));
  const start = Number(await handle.getAttribute('aria-valuenow'));
  const dot = await handle.locator('circle').boundingBox();
  await page.mouse.move(dot.x + dot.width / 2, dot.y + dot.height / 2);
  await page.mouse.down();
  await page.mouse.move(dot.x + dot.width / 2, dot.y - 30, { steps: 5 });
  await page.mouse.move(dot.x + dot.width / 2, dot.y - 60, { steps: 5 });
  await page.mouse.up();
  const value = Number(await handle.getAttribute('aria-valuenow'));
  expect(value, `dragged up from ${start}`).toBeGreaterThan(start);
  await expect(page.getByTestId('week-edit-value')).toHaveValue(String(value));
  await page.getByTestId('week-edit-reason').fill('Promotion in the weekly flyer');
  await page.getByTestId('week-edit-save').click();
  await expect(page.getByTestId('week-edit-saved')).toBeVisible();
  const o = await draftOf(await api.as('ANALYST'), item, site, from);
  expect(o && [o.state, o.mode, Number(o.value), o.valid_to], `the draft: ${JSON.stringify(o)}`).toEqual(['DRAFT', 'ABSOLUTE', value, to]);
  // The chart draws the author's draft over that week, as the author's preview has it; the
  // effective forecast everyone sees (approved overrides only) does not carry it.
  await draftLine(page);
  const inWeek = (rows) => rows.filter((r) => r.full_date >= from && r.full_date <= to);
  const analyst = await api.as('ANALYST');
  const preview = inWeek((await analyst.get(`/overrides/preview?item_id=${item}&site_id=${site}&limit=1000`)).data);
  expect(preview.length, 'forecast days in the week').toBeGreaterThan(0);
  expect(preview.map((r) => [Number(r.yhat), r.override_state])).toEqual(preview.map(() => [value, 'DRAFT']));
  const published = inWeek((await analyst.get(`/forecasts?item_id=${item}&site_id=${site}&limit=1000`)).data);
  expect(published.some((r) => r.overridden), 'a draft in the published forecast').toBe(false);
  await shot(page, 'material-forecast-draft');
  // The saved note's link opens the planner's drafts, this one ready to submit.
  await page.getByTestId('week-edit-saved').getByRole('link').click();
  await page.waitForURL(/\/overrides\?state=DRAFT$/);
  await expect(page.getByTestId(`ov-submit-${o.override_id}`)).toBeVisible();
  await expect(page.getByTestId('ov-state-filter')).toHaveValue('DRAFT');
});

test('item chart: the keyboard alone sets a week and saves the draft (analyst)', async ({ as, api, seed }) => {
  const item = seed.item.item_id, site = seed.sites[1].site_id;
  const page = await as('ANALYST');
  const handle = await openEditor(page, item, site);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight'); // the third week
  const [from, to] = [day(15), day(21)];
  await expect(handle).toHaveAttribute('aria-valuetext', new RegExp(`\\(${from} – ${to}\\)$`));
  const start = Number(await handle.getAttribute('aria-valuenow'));
  await page.keyboard.press('PageUp');
  const value = Number(await handle.getAttribute('aria-valuenow'));
  expect(value, `PageUp from ${start}`).toBeGreaterThan(start);
  await page.keyboard.press('Tab'); // the value field, then the reason
  await expect(page.getByTestId('week-edit-value')).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.type('Supplier strike next month');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('week-edit-saved')).toBeVisible();
  const o = await draftOf(await api.as('ANALYST'), item, site, from);
  expect(o && [o.state, o.mode, Number(o.value), o.valid_to], `the draft: ${JSON.stringify(o)}`).toEqual(['DRAFT', 'ABSOLUTE', value, to]);
  await draftLine(page);
});

test('item chart: a viewer gets no chart editor', async ({ as, seed }) => {
  const page = await as('VIEWER');
  await page.goto(`/materials/${seed.item.item_id}?tab=forecasts&site=${seed.sites[1].site_id}`);
  await page.waitForSelector('[data-testid="forecast-chart"] path.recharts-line-curve');
  await expect(page.getByTestId('edit-on-chart')).toHaveCount(0);
});
