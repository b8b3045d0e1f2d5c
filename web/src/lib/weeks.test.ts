import { mergeSeries } from '../components/ForecastChart';
import { stepFor, weekMean, weekOf } from './weeks';

describe('weeks on the chart', () => {
  it('cuts the horizon into 7-day blocks starting the day after the data', () => {
    expect(weekOf('2026-03-02', '2026-03-01')).toEqual({ from: '2026-03-02', to: '2026-03-08' });
    expect(weekOf('2026-03-08', '2026-03-01')).toEqual({ from: '2026-03-02', to: '2026-03-08' });
    expect(weekOf('2026-03-09', '2026-03-01')).toEqual({ from: '2026-03-09', to: '2026-03-15' });
    expect(weekOf('2026-04-01', '2026-03-01')).toEqual({ from: '2026-03-30', to: '2026-04-05' });
  });

  it('starts a week at its mean daily forecast', () => {
    const rows = [{ full_date: '2026-03-01', actual: 9 }, { full_date: '2026-03-02', yhat: 4 }, { full_date: '2026-03-03', yhat: 5 },
      { full_date: '2026-03-09', yhat: 100 }];
    expect(weekMean(rows, '2026-03-02', '2026-03-08')).toBe(4.5);
    expect(weekMean(rows, '2026-04-01', '2026-04-07')).toBe(0);
  });

  it('steps by a tenth of the order of magnitude', () => {
    expect(stepFor(0.4)).toBe(0.1);
    expect(stepFor(5)).toBe(0.1);
    expect(stepFor(23)).toBe(1);
    expect(stepFor(450)).toBe(10);
  });

  it('draws the caller\u2019s drafts from the preview as the draft series', () => {
    const fc = (d: string, yhat: number) => ({ full_date: d, yhat, yhat_lower: 1, yhat_upper: 20 });
    const rows = mergeSeries([], [fc('2026-03-02', 5), fc('2026-03-03', 7)], false,
      [{ ...fc('2026-03-02', 12), override_state: 'DRAFT' }, { ...fc('2026-03-03', 9), override_state: 'APPROVED' }]);
    expect(rows.map((r) => [r.yhat, r.draft])).toEqual([[5, 12], [7, undefined]]);
  });
});
