// The forecast weeks a planner sets on the item page's chart (components/ChartOverrideEditor).
import type { ChartRow } from '../components/ForecastChart';
import { addDays } from './format';

/** A forecast week being set on the chart: the days [from, to] at `value` units a day. */
export interface WeekEdit { from: string; to: string; value: number }

/** The 7-day block after `asOf` that holds `date` (weeks start the day after the data ends). */
export function weekOf(date: string, asOf: string): { from: string; to: string } {
  const days = Math.round((Date.parse(date.slice(0, 10)) - Date.parse(addDays(asOf, 1))) / 864e5);
  const from = addDays(asOf, 1 + 7 * Math.floor(Math.max(0, days) / 7));
  return { from, to: addDays(from, 6) };
}

/** The mean daily forecast over [from, to], one decimal; 0 when the chart has none there. */
export function weekMean(rows: ChartRow[], from: string, to: string): number {
  const ys = rows.filter((r) => r.full_date >= from && r.full_date <= to && r.yhat != null).map((r) => r.yhat!);
  return ys.length ? Math.round((ys.reduce((a, b) => a + b, 0) / ys.length) * 10) / 10 : 0;
}

/** The arrow keys' step: a tenth of the value's order of magnitude, at least 0.1 (PageUp/Down: 10 steps). */
export function stepFor(value: number): number {
  return value >= 1 ? 10 ** (Math.floor(Math.log10(value)) - 1) : 0.1;
}

