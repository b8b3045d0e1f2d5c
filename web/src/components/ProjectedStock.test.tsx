import { render, screen } from '@testing-library/react';
import type { Projection } from '../api/client';
import { I18nProvider } from '../lib/i18n';
import { ProjectedStock, projectionRows } from './ProjectedStock';

// jsdom has no layout: Recharts' ResponsiveContainer needs the API to exist, not to measure.
globalThis.ResizeObserver ??= class { observe() {} unobserve() {} disconnect() {} } as unknown as typeof ResizeObserver;

// On hand 10, forecast 4/day, 6 units arriving on day 3: 6, 2, 4, 0, -4 (runs out on day 5).
const projection: Projection = {
  item_id: 7, site_id: 2, run_id: 3, as_of: '2026-03-01', horizon_days: 5,
  supplier: { supplier_id: 1, code: 'SUP-1', name: 'Acme', supplier_type: 'DOMESTIC', reliability_score: 90, on_time_delivery_rate: 87.5, avg_lead_time_days: 6 },
  on_hand: 10, on_order: 6, avg_daily_demand: 4, safety_stock: 3, reorder_point: 27, order_up_to: 83, lead_time_days: 6,
  run_out_date: '2026-03-06', days_to_run_out: 4,
  days: [
    { full_date: '2026-03-02', forecast: 4, receipts: 0, projected: 6, lower: 3, upper: 9 },
    { full_date: '2026-03-03', forecast: 4, receipts: 0, projected: 2, lower: -3, upper: 7 },
    { full_date: '2026-03-04', forecast: 4, receipts: 6, projected: 4, lower: -1, upper: 9 },
    { full_date: '2026-03-05', forecast: 4, receipts: 0, projected: 0, lower: -13, upper: 13 },
    { full_date: '2026-03-06', forecast: 4, receipts: 0, projected: -4, lower: -18, upper: 10 },
  ],
  orders: [{ order_id: 11, site_id: 2, order_date: '2026-02-20', expected_delivery_date: '2026-03-04', quantity: 6, status: 'PLACED', late: false, arrives_on: '2026-03-04' }],
  sites: [],
};

describe('ProjectedStock', () => {
  it('maps each projected day to a chart row with its band', () => {
    const rows = projectionRows(projection);
    expect(rows.map((r) => r.projected)).toEqual([6, 2, 4, 0, -4]);
    expect(rows[1].band80).toEqual([-3, 7]);
    expect(rows[2].receipts).toBe(6);
  });

  it('shows on hand, the run-out date, the levels and one table row per day', () => {
    render(<I18nProvider initial="en"><ProjectedStock p={projection} /></I18nProvider>);
    expect(screen.getByTestId('proj-on-hand').textContent).toBe('10.0');
    expect(screen.getByTestId('run-out-date').textContent).toBe('03/06/2026');
    expect(screen.getByTestId('run-out-date').className).toContain('text-red-700');
    expect(screen.getByTestId('proj-rop').textContent).toBe('27.0');
    expect(screen.getByTestId('proj-ss').textContent).toBe('3.0');
    const cells = [...screen.getByTestId('projection-table').querySelectorAll('td[data-projected]')];
    expect(cells.map((c) => Number(c.getAttribute('data-projected')))).toEqual([6, 2, 4, 0, -4]);
    expect(cells.map((c) => c.textContent)).toEqual(['6.0', '2.0', '4.0', '0.0', '-4.0']);
  });

  it('says when the stock lasts the whole horizon', () => {
    render(<I18nProvider initial="en"><ProjectedStock p={{ ...projection, run_out_date: null, days_to_run_out: null }} /></I18nProvider>);
    expect(screen.getByTestId('run-out-date').textContent).toBe('Not within 5 days');
  });
});
