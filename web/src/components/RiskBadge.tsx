import { riskOf, type Risk } from '../lib/metrics';
import { useI18n } from '../lib/i18n';

const STYLE: Record<Risk, string> = {
  stockout: 'bg-red-700 text-white', critical: 'bg-red-100 text-red-800', warning: 'bg-amber-100 text-amber-900',
  ok: 'bg-green-100 text-green-800', unknown: 'bg-slate-100 text-slate-600',
};

export function RiskLabel({ days }: { days: number | null }) {
  const { t } = useI18n();
  const r = riskOf(days);
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${STYLE[r]}`} data-risk={r}>
      {t(`risk_${r}` as const)}{days !== null && r !== 'stockout' ? ` · ${days}d` : ''}
    </span>
  );
}
