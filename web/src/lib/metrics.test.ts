import { accuracy, byPriority, compare, latestAndPrevious, riskOf, toCsv, worstRisk } from './metrics';
import type { Kpi } from '../api/client';

const k = (full_date: string, stockout_rate: number | null): Kpi => ({
  full_date, stockout_rate, total_demand: null, abc_a_share: null, delayed_orders_pct: null, forecast_mape: null, forecast_wape: null,
  avg_inventory_value: null, computed_at: null, run_id: null,
});

describe('KPI change', () => {
  it('colours a fall in a lower-is-better KPI as good', () => {
    const c = compare(0.02, 0.04, true);
    expect(c.trend).toBe('down');
    expect(c.good).toBe(true);
    expect(c.relative).toBeCloseTo(-0.5);
  });
  it('colours a rise in a lower-is-better KPI as bad', () => {
    expect(compare(0.05, 0.04, true).good).toBe(false);
  });
  it('has no colour when flat or when a side is missing', () => {
    expect(compare(0.04, 0.04, true).good).toBeNull();
    expect(compare(0.04, null, true).good).toBeNull();
    expect(compare(1, 0, true).relative).toBeNull();
  });
  it('takes the latest day and the day a period earlier', () => {
    const rows = [k('2025-01-01', 0.1), k('2025-01-31', 0.2), k('2025-02-01', null), k('2025-01-15', 0.3)];
    const c = latestAndPrevious(rows, 'stockout_rate', 30);
    expect(c.current).toBe(0.2);
    expect(c.previous).toBe(0.1);
  });
  it('accepts NUMERIC values sent as strings', () => {
    const c = latestAndPrevious([k('2025-01-01', '0.1' as unknown as number)], 'stockout_rate');
    expect(c.current).toBe(0.1);
  });
});

describe('accuracy', () => {
  it('computes MAPE, WAPE and bias on overlapping dates', () => {
    const a = new Map([['d1', 10], ['d2', 20], ['d3', 0]]);
    const f = new Map([['d1', 12], ['d2', 18], ['d3', 1], ['d4', 5]]);
    const r = accuracy(a, f);
    expect(r.n).toBe(3);
    expect(r.mape).toBeCloseTo((0.2 + 0.1) / 2);
    expect(r.wape).toBeCloseTo(5 / 30);
    expect(r.bias).toBeCloseTo(1 / 30);
  });
  it('is empty without overlap', () => {
    expect(accuracy(new Map(), new Map([['d', 1]]))).toEqual({ n: 0, mape: null, wape: null, bias: null });
  });
});

describe('risk, priority, csv', () => {
  it('classifies days to rupture', () => {
    expect([riskOf(0), riskOf(3), riskOf(10), riskOf(40), riskOf(null)]).toEqual(['stockout', 'critical', 'warning', 'ok', 'unknown']);
    // Against the lead time: critical when the stock runs out before an order would arrive.
    expect([riskOf(9, 10), riskOf(10, 10), riskOf(23, 10), riskOf(24, 10), riskOf(null, 10, true)]).toEqual(['critical', 'warning', 'warning', 'ok', 'ok']);
    // The worst site wins, then the fewest days; 12 days at a 30-day lead beats 5 days at a 2-day lead.
    expect(worstRisk([{ days: 5, lead: 2, inStock: true }, { days: 12, lead: 30, inStock: true }])).toEqual({ risk: 'critical', days: 12, lead: 30 });
    expect(worstRisk([{ days: 0, lead: 2, inStock: false }, { days: 3, lead: 30, inStock: true }])).toEqual({ risk: 'stockout', days: 0, lead: 2 });
    expect(worstRisk([])).toEqual({ risk: 'unknown', days: null, lead: null });
  });
  it('sorts by priority then newest', () => {
    const l = [{ priority: 'LOW', created_at: '2' }, { priority: 'CRITICAL', created_at: '1' }, { priority: 'CRITICAL', created_at: '3' }];
    expect(l.sort(byPriority).map((x) => x.created_at)).toEqual(['3', '1', '2']);
  });
  it('quotes CSV cells', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: null }])).toBe('a,b,c\r\n"x,y","say ""hi""",\r\n');
    // Formula injection: cells (and headers: item names) a spreadsheet would evaluate.
    expect(toCsv([{ '=HYPERLINK("http://x")': '+1+cmd', b: '@SUM(A1)', c: '-2+3', d: -4.5, e: '-1e3' }])).toBe(
      '"\'=HYPERLINK(""http://x"")",b,c,d,e\r\n"\'+1+cmd","\'@SUM(A1)","\'-2+3",-4.5,-1e3\r\n');
    expect(toCsv([{ 'A, B': '\t=1' }])).toBe('"A, B"\r\n"\'\t=1"\r\n');
  });
});

describe('kpiTrend', () => {
  it('lays the last N days out oldest first, with nulls for missing days, and names the last day', async () => {
    const { kpiTrend } = await import('./metrics');
    const rows = [
      { full_date: '2026-12-05', stockout_rate: '0.05' },
      { full_date: '2026-12-03', stockout_rate: '0.03' },
      { full_date: '2026-12-04', stockout_rate: null },
      { full_date: '2026-11-01', stockout_rate: '0.5' },
    ] as never;
    const t = kpiTrend(rows, 'stockout_rate', 4);
    expect(t.through).toBe('2026-12-05');
    expect(t.values).toEqual([null, 0.03, null, 0.05]);
    expect(kpiTrend([], 'stockout_rate').through).toBeNull();
  });
});
