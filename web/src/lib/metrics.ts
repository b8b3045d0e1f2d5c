// Pure calculations behind the pages: KPI period comparison, forecast accuracy, risk.
import type { Kpi } from '../api/client';
import { num } from '../api/client';

export type KpiKey = 'stockout_rate' | 'forecast_mape' | 'forecast_wape' | 'delayed_orders_pct' | 'avg_inventory_value';

/** For every KPI the dashboard shows, lower is better. */
export const LOWER_IS_BETTER: Record<KpiKey, boolean> = {
  stockout_rate: true,
  forecast_mape: true,
  forecast_wape: true,
  delayed_orders_pct: true,
  avg_inventory_value: true,
};

/** Mean of a KPI over rows, ignoring nulls; null when no row has a value. */
export function meanOf(rows: Kpi[], key: KpiKey): number | null {
  let s = 0;
  let n = 0;
  for (const r of rows) {
    const v = num(r[key]);
    if (v !== null) {
      s += v;
      n++;
    }
  }
  return n ? s / n : null;
}

export type Trend = 'up' | 'down' | 'flat';
export interface Change {
  current: number | null;
  previous: number | null;
  /** Relative change (0.1 = +10%), null when either side is missing or previous is 0. */
  relative: number | null;
  trend: Trend;
  /** Whether the change is good for the business: drives the arrow's colour. */
  good: boolean | null;
}

export function compare(current: number | null, previous: number | null, lowerIsBetter: boolean, eps = 1e-9): Change {
  if (current === null || previous === null) return { current, previous, relative: null, trend: 'flat', good: null };
  const diff = current - previous;
  const trend: Trend = Math.abs(diff) <= eps * Math.max(1, Math.abs(previous)) ? 'flat' : diff > 0 ? 'up' : 'down';
  const relative = previous !== 0 ? diff / Math.abs(previous) : null;
  const good = trend === 'flat' ? null : lowerIsBetter ? trend === 'down' : trend === 'up';
  return { current, previous, relative, trend, good };
}

/**
 * The dashboard's KPI value is the latest day's value (the figure the API reports for the last date),
 * and its change is against the same day one period earlier (the row `periodDays` before it, or the
 * closest earlier one).
 */
export function latestAndPrevious(rows: Kpi[], key: KpiKey, periodDays = 30): Change {
  const sorted = rows.filter((r) => num(r[key]) !== null).sort((a, b) => a.full_date.localeCompare(b.full_date));
  if (!sorted.length) return compare(null, null, LOWER_IS_BETTER[key]);
  const last = sorted[sorted.length - 1];
  const cutoff = shift(last.full_date, -periodDays);
  let prev: Kpi | undefined;
  for (const r of sorted) if (r.full_date <= cutoff) prev = r;
  return compare(num(last[key]), prev ? num(prev[key]) : null, LOWER_IS_BETTER[key]);
}

/** The KPI's daily values over its rows' last `days` days, oldest first, null where missing; and its last day. */
export function kpiTrend(rows: Kpi[], key: KpiKey, days = 90): { values: (number | null)[]; through: string | null } {
  const sorted = rows.filter((r) => num(r[key]) !== null).sort((a, b) => a.full_date.localeCompare(b.full_date));
  if (!sorted.length) return { values: [], through: null };
  const through = sorted[sorted.length - 1].full_date;
  const byDate = new Map(sorted.map((r) => [r.full_date, num(r[key])]));
  const values: (number | null)[] = [];
  for (let i = days - 1; i >= 0; i--) values.push(byDate.get(shift(through, -i)) ?? null);
  return { values, through };
}

function shift(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export interface Accuracy { mape: number | null; wape: number | null; bias: number | null; n: number }

/**
 * Accuracy of forecasts against actuals on the dates both have.
 * MAPE skips zero actuals; WAPE = sum|e| / sum|actual|; bias = sum(f - a) / sum(a) (positive: over-forecast).
 */
export function accuracy(actual: Map<string, number>, forecast: Map<string, number>): Accuracy {
  let absErr = 0, absAct = 0, err = 0, apeSum = 0, apeN = 0, n = 0;
  for (const [date, f] of forecast) {
    const a = actual.get(date);
    if (a === undefined) continue;
    n++;
    const e = f - a;
    absErr += Math.abs(e);
    absAct += Math.abs(a);
    err += e;
    if (a !== 0) {
      apeSum += Math.abs(e) / Math.abs(a);
      apeN++;
    }
  }
  return {
    n,
    mape: apeN ? apeSum / apeN : null,
    wape: absAct ? absErr / absAct : null,
    bias: absAct ? err / absAct : null,
  };
}

export type Risk = 'stockout' | 'critical' | 'warning' | 'ok' | 'unknown';
/**
 * Risk of one item x site from its days to rupture: 0 = out of stock. With the lead time, critical
 * when the stock runs out before an order placed today arrives (the /inventory page's "at risk"),
 * watch within two more weeks; without one, < 7 days critical, < 21 watch. No days to rupture
 * while in stock means the stock outlasts the forecast horizon (ok).
 */
export function riskOf(daysToRupture: number | null | undefined, leadTime: number | null = null, inStock = false): Risk {
  if (daysToRupture === null || daysToRupture === undefined) return inStock ? 'ok' : 'unknown';
  if (daysToRupture <= 0) return 'stockout';
  const [crit, watch] = leadTime !== null ? [leadTime, leadTime + 14] : [7, 21];
  if (daysToRupture < crit) return 'critical';
  if (daysToRupture < watch) return 'warning';
  return 'ok';
}

const RISK_RANK: Record<Risk, number> = { stockout: 0, critical: 1, warning: 2, ok: 3, unknown: 4 };
export interface SiteRisk { days: number | null; lead: number | null; inStock: boolean }
/** An item's worst site: the highest risk, then the fewest days to rupture. */
export function worstRisk(sites: SiteRisk[]): { risk: Risk; days: number | null; lead: number | null } {
  let best: { risk: Risk; days: number | null; lead: number | null } = { risk: 'unknown', days: null, lead: null };
  for (const s of sites) {
    const r = { risk: riskOf(s.days, s.lead, s.inStock), days: s.days, lead: s.lead };
    const d = RISK_RANK[r.risk] - RISK_RANK[best.risk];
    if (d < 0 || (d === 0 && r.days !== null && (best.days === null || r.days < best.days))) best = r;
  }
  return best;
}

export const PRIORITY_RANK: Record<string, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };
export function byPriority<T extends { priority: string; created_at?: string }>(a: T, b: T): number {
  const d = (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9);
  if (d) return d;
  return (b.created_at ?? '').localeCompare(a.created_at ?? '');
}

/** Turns rows into CSV text (RFC 4180 quoting), for chart exports done in the browser. As the
 * API's CSV (AppendCsvField): a text a spreadsheet would evaluate as a formula (leading = + - @
 * tab CR, except a whole negative number) gets a ' in front, headers included (they can be item
 * or site names from a migrated database). */
export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? (rows.length ? Object.keys(rows[0]) : []);
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    const formula = /^[=+@\t\r]/.test(s) || (s.startsWith('-') && !/^-(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s));
    if (formula) return `"'${s.replace(/"/g, '""')}"`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.map(cell).join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
