import type { Risk } from '../lib/metrics';
import { useI18n } from '../lib/i18n';

const STYLE: Record<Risk, string> = {
  stockout: 'bg-red-700 text-white', critical: 'bg-red-100 text-red-800', warning: 'bg-amber-100 text-amber-900',
  ok: 'bg-green-100 text-green-800', unknown: 'bg-slate-100 text-slate-600',
};

export function RiskLabel({ risk: r, days, lead = null }: { risk: Risk; days: number | null; lead?: number | null }) {
  const { t } = useI18n();
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${STYLE[r]}`} data-risk={r}
      title={lead !== null ? t('riskTitle', { lead: String(lead) }) : undefined}>
      {t(`risk_${r}` as const)}{days !== null && r !== 'stockout' ? ` · ${days}d` : ''}
    </span>
  );
}
