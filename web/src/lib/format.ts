// Locale-aware formatters. Each takes the locale explicitly so it can be unit-tested.
export type Locale = 'en' | 'pt-BR';

const cache = new Map<string, Intl.NumberFormat>();
function nf(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, opts);
    cache.set(key, f);
  }
  return f;
}

const DASH = '—';

export function fmtNumber(v: number | null | undefined, locale: Locale, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return nf(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

/** A ratio (0.034) as a percentage ("3.4%" / "3,4%"). */
export function fmtPercent(v: number | null | undefined, locale: Locale, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return nf(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

/** The data's currency. The locale changes how money is written, never which money it is. */
export const CURRENCY = 'BRL';
export function currencyFor(_locale: Locale): string {
  return CURRENCY;
}

export function fmtMoney(v: number | null | undefined, locale: Locale, compact = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return nf(locale, {
    style: 'currency',
    currency: currencyFor(locale),
    notation: compact ? 'compact' : 'standard',
    // Compact drops trailing zeros ("R$41", "R$3K"), never padding a whole amount to "R$41.0".
    ...(compact ? { minimumFractionDigits: 0, maximumFractionDigits: 1 } : { maximumFractionDigits: 2 }),
  }).format(v);
}

/** Money at stake (a priority score, as the API sends it: a number or numeric text), compact. */
export function fmtStake(v: number | string | null | undefined, locale: Locale): string {
  return fmtMoney(v === null || v === undefined ? null : Number(v), locale, true);
}

/** A chart axis' tick: whole numbers up to 9,999, compact above ("45K", "6 mi"), so the ticks
 *  stay narrow and leave room for the axis' name. */
export function fmtAxisNumber(v: number, locale: Locale): string {
  return Math.abs(v) >= 10_000 ? fmtCompact(v, locale) : fmtNumber(v, locale);
}

export function fmtCompact(v: number | null | undefined, locale: Locale): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return nf(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

/** A YYYY-MM-DD date (no time zone: it is a calendar day) in the locale's short form. */
export function fmtDate(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return DASH;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso.slice(0, 10));
  if (!m) return iso;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' }).format(d);
}

/** A UTC timestamp shown in the user's own time zone. */
export function fmtDateTime(iso: string | null | undefined, locale: Locale, timeZone?: string): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone }).format(d);
}

/** Short axis label for a chart: "15/01" (pt-BR) or "01/15" (en). */
export function fmtAxisDate(iso: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  return locale === 'pt-BR' ? `${m[3]}/${m[2]}` : `${m[2]}/${m[3]}`;
}

// ---- calendar-day arithmetic on YYYY-MM-DD strings (UTC, no DST surprises) ----
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

export function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

export function daysBetween(a: string, b: string): number {
  const pa = a.split('-').map(Number);
  const pb = b.split('-').map(Number);
  return Math.round((Date.UTC(pb[0], pb[1] - 1, pb[2]) - Date.UTC(pa[0], pa[1] - 1, pa[2])) / 86400000);
}
