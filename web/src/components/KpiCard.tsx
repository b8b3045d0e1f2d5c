import type { Change } from '../lib/metrics';
import { fmtNumber, fmtPercent } from '../lib/format';
import { useI18n } from '../lib/i18n';

/** One KPI with its change against the previous period; green when the change is good, red when bad. */
/** `rate`: the KPI is a share (0.05 = 5%), so its change is said in percentage points. */
export function KpiCard({ id, label, value, change, note, rate = false }: { id: string; label: string; value: string; change: Change; note?: string; rate?: boolean }) {
  const { t, locale } = useI18n();
  const arrow = change.trend === 'up' ? '▲' : change.trend === 'down' ? '▼' : '■';
  const colour = change.good === null ? 'text-slate-500' : change.good ? 'text-green-700' : 'text-red-700';
  const rel = rate
    ? (change.current === null || change.previous === null ? null
      : t('pointsChange', { n: fmtNumber(Math.abs(change.current - change.previous) * 100, locale, 1) }))
    : change.relative === null ? null : fmtPercent(Math.abs(change.relative), locale, 1);
  return (
    <section className="card" aria-labelledby={`kpi-${id}-label`} data-testid={`kpi-${id}`}>
      <h2 id={`kpi-${id}-label`} className="text-sm font-medium text-slate-600">{label}</h2>
      <p className="mt-1 text-2xl font-bold" data-testid={`kpi-${id}-value`}>{value}</p>
      <p className={`mt-1 text-sm ${colour}`} data-testid={`kpi-${id}-change`} data-good={change.good === null ? 'none' : String(change.good)}>
        {change.previous === null ? t('noPrevious') : (
          <><span aria-hidden>{arrow}</span> <span className="sr-only">{change.trend}</span>{rel ?? ''} {t('vsPrevious')}</>
        )}
      </p>
      {note && <p className="mt-1 text-xs text-slate-500" data-testid={`kpi-${id}-note`}>{note}</p>}
    </section>
  );
}
