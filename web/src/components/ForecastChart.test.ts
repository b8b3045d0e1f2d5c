import { mergeSeries } from './ForecastChart';

const f = (site_id: number, yhat: number, lo: number, hi: number) =>
  ({ full_date: '2026-01-01', site_id, yhat, yhat_lower: lo, yhat_upper: hi, yhat_lower_95: lo - 1, yhat_upper_95: hi + 1 });

describe('mergeSeries', () => {
  it('keeps a single series\u2019 own (asymmetric) bounds', () => {
    const [r] = mergeSeries([], [f(1, 5, 0, 12)], true);
    expect(r.yhat).toBe(5);
    expect(r.band80).toEqual([0, 12]);
    expect(r.band95).toEqual([-1, 13]);
  });

  it('sums sites with their variances added, not their bounds', () => {
    // Half widths 3 and 4 give sqrt(9 + 16) = 5 around 10 + 20; the 95% ones (4 and 5) sqrt(41).
    const [r] = mergeSeries([{ full_date: '2026-01-01', quantity: 2 }], [f(1, 10, 7, 13), f(2, 20, 16, 24)], true);
    expect(r.actual).toBe(2);
    expect(r.yhat).toBe(30);
    expect(r.band80).toEqual([25, 35]);
    expect(r.band95![0]).toBeCloseTo(30 - Math.sqrt(41), 12);
    expect(r.band95![1]).toBeCloseTo(30 + Math.sqrt(41), 12);
  });

  it('never draws the combined band below zero demand', () => {
    const [r] = mergeSeries([], [f(1, 1, 0, 9), f(2, 1, 0, 9)], false);
    expect(r.band80![0]).toBe(0);
    expect(r.band95).toBeUndefined();
  });
});
