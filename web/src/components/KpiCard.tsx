import type { Change } from '../lib/metrics';
import { fmtPercent } from '../lib/format';
import { useI18n } from '../lib/i18n';

/** One KPI with its change against the previous period; green when the change is good, red when bad. */
export function KpiCard({ id, label, value, change, note }: { id: string; label: string; value: string; change: Change; note?: string }) {
  const { t, locale } = useI18n();
  const arrow = change.trend === 'up' ? '▲' : change.trend === 'down' ? '▼' : '■';
  const colour = change.good === null ? 'text-slate-500' : change.good ? 'text-green-700' : 'text-red-700';
  const rel = change.relative === null ? null : fmtPercent(Math.abs(change.relative), locale, 1);
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
