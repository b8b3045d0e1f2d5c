import { Link } from 'react-router-dom';
import type { Change } from '../lib/metrics';
import { fmtDate, fmtNumber, fmtPercent } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { Sparkline } from './Sparkline';

/** One KPI with its change against the previous period; green when the change is good, red when bad. */
/** `rate`: the KPI is a share (0.05 = 5%), so its change is said in percentage points. */
/** `trend`: the daily values for the sparkline; `through`: the day the value is from; `to`: where it drills down. */
export function KpiCard({ id, label, value, change, note, rate = false, trend, through, to }: {
  id: string; label: string; value: string; change: Change; note?: string; rate?: boolean;
  trend?: (number | null)[]; through?: string; to?: string;
}) {
  const { t, locale } = useI18n();
  const arrow = change.trend === 'up' ? '▲' : change.trend === 'down' ? '▼' : '■';
  const colour = change.good === null ? 'text-slate-500' : change.good ? 'text-green-700' : 'text-red-700';
  const rel = rate
    ? (change.current === null || change.previous === null ? null
      : t('pointsChange', { n: fmtNumber(Math.abs(change.current - change.previous) * 100, locale, 1) }))
    : change.relative === null ? null : fmtPercent(Math.abs(change.relative), locale, 1);
  return (
    <section className="card" aria-labelledby={`kpi-${id}-label`} data-testid={`kpi-${id}`}>
      <h2 id={`kpi-${id}-label`} className="text-sm font-medium text-slate-600">
        {to ? <Link className="underline decoration-dotted hover:text-blue-800" to={to} data-testid={`kpi-${id}-link`}>{label}</Link> : label}
      </h2>
      <div className="mt-1 flex items-end justify-between gap-2">
        <p className="text-2xl font-bold" data-testid={`kpi-${id}-value`}>{value}</p>
        {trend && <Sparkline values={trend} label={t('trendOf', { k: label })} />}
      </div>
      <p className={`mt-1 text-sm ${colour}`} data-testid={`kpi-${id}-change`} data-good={change.good === null ? 'none' : String(change.good)}>
        {change.previous === null ? t('noPrevious') : (
          <><span aria-hidden>{arrow}</span> <span className="sr-only">{change.trend}</span>{rel ?? ''} {t('vsPrevious')}</>
        )}
      </p>
      {note && <p className="mt-1 text-xs text-slate-500" data-testid={`kpi-${id}-note`}>{note}</p>}
      {through && <p className="mt-1 text-xs text-slate-500" data-testid={`kpi-${id}-through`}>{t('dataThrough', { d: fmtDate(through, locale) })}</p>}
    </section>
  );
}
