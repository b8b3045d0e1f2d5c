import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { configureClient, tokenStore } from '../api/client';
import { I18nProvider } from '../lib/i18n';
import type { WeekEdit } from '../lib/weeks';
import { WeekEditForm, WeekHandle } from './ChartOverrideEditor';

// The axes' scales as recharts passes them: x by date, y linear (300 px at 0, 2 px a unit).
const dates = ['2026-03-02', '2026-03-08', '2026-03-09', '2026-03-15'];
const x = Object.assign((d: unknown) => 100 + 10 * dates.indexOf(String(d)), {});
const y = Object.assign((v: unknown) => 300 - 2 * Number(v), { invert: (px: number) => (300 - px) / 2 });

function handle(edit: WeekEdit) {
  const values: number[] = [], weeks: number[] = [];
  render(
    <svg>
      <WeekHandle edit={edit} label="Forecast of the week" onValue={(v) => values.push(v)} onWeek={(d) => weeks.push(d)}
        xAxisMap={{ 0: { scale: x } }} yAxisMap={{ 0: { scale: y } }} />
    </svg>,
  );
  return { values, weeks, el: screen.getByRole('slider', { name: 'Forecast of the week' }) };
}

// jsdom has no PointerEvent: a MouseEvent with a pointerId carries clientY and buttons.
globalThis.PointerEvent ??= class extends MouseEvent {
  pointerId: number;
  constructor(type: string, init: PointerEventInit = {}) { super(type, init); this.pointerId = init.pointerId ?? 0; }
} as unknown as typeof PointerEvent;

describe('WeekHandle', () => {
  it('draws the week\u2019s bar at its value, as a slider that takes the focus', () => {
    const { el } = handle({ from: '2026-03-02', to: '2026-03-08', value: 20 });
    expect(el.getAttribute('aria-valuenow')).toBe('20');
    expect(el.getAttribute('tabindex')).toBe('0');
    expect(document.activeElement).toBe(el);
    const line = el.querySelector('line')!;
    expect([line.getAttribute('x1'), line.getAttribute('x2'), line.getAttribute('y1')]).toEqual(['100', '110', '260']);
  });

  it('keys: Up/Down step the value, PageUp ten steps, Left/Right another week', () => {
    const { el, values, weeks } = handle({ from: '2026-03-02', to: '2026-03-08', value: 20 });
    for (const key of ['ArrowUp', 'ArrowDown', 'PageUp', 'ArrowRight', 'ArrowLeft', 'a']) fireEvent.keyDown(el, { key });
    expect(values).toEqual([21, 19, 30]);
    expect(weeks).toEqual([1, -1]);
  });

  it('a drag sets the value under the pointer, never below zero', () => {
    const { el, values } = handle({ from: '2026-03-09', to: '2026-03-15', value: 20 });
    fireEvent.pointerDown(el, { clientY: 200, buttons: 1, pointerId: 1 });
    fireEvent.pointerMove(el, { clientY: 151, buttons: 1, pointerId: 1 });
    fireEvent.pointerMove(el, { clientY: 100, buttons: 0, pointerId: 1 }); // released: ignored
    fireEvent.pointerMove(el, { clientY: 330, buttons: 1, pointerId: 1 });
    expect(values).toEqual([50, 74.5, 0]);
  });
});

describe('WeekEditForm', () => {
  it('saves an ABSOLUTE forecast draft for the item, site and week', async () => {
    const posts: unknown[] = [];
    configureClient({
      fetch: (async (u: RequestInfo | URL, init?: RequestInit) => {
        posts.push({ url: String(u), method: init?.method, body: JSON.parse(String(init?.body)) });
        return new Response(JSON.stringify({ status: 'success', data: { override_id: 41, version: 1 } }), { status: 201, headers: { 'Content-Type': 'application/json' } });
      }) as typeof fetch,
    });
    tokenStore.set('tok', 3600);
    const done: number[] = [];
    const typed: number[] = [];
    render(
      <QueryClientProvider client={new QueryClient()}>
        <I18nProvider>
          <WeekEditForm itemId={7} siteId={2} edit={{ from: '2026-03-09', to: '2026-03-15', value: 12.5 }}
            onValue={(v) => typed.push(v)} onDone={(o) => done.push(o.override_id)} />
        </I18nProvider>
      </QueryClientProvider>,
    );
    fireEvent.change(screen.getByTestId('week-edit-value'), { target: { value: '-3' } });
    expect(typed).toEqual([0]);
    fireEvent.change(screen.getByTestId('week-edit-reason'), { target: { value: 'Promotion in the flyer' } });
    fireEvent.submit(screen.getByTestId('week-edit-form'));
    await waitFor(() => expect(done).toEqual([41]));
    expect(posts).toEqual([{ url: '/api/v1/overrides', method: 'POST', body: {
      kind: 'FORECAST', item_id: 7, site_id: 2, valid_from: '2026-03-09', valid_to: '2026-03-15', mode: 'ABSOLUTE', value: 12.5, reason: 'Promotion in the flyer' } }]);
  });
});
