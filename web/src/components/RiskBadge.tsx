import { useQuery } from '@tanstack/react-query';
import { api, num } from '../api/client';
import { riskOf, type Risk } from '../lib/metrics';
import { addDays } from '../lib/format';
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

/** Lowest days-to-rupture of an item on the last day with inventory (at one site, or across sites). */
export function RiskBadge({ itemId, siteId, asOf }: { itemId: number; siteId?: number; asOf: string | null }) {
  const start = asOf ? addDays(asOf, -3) : '';
  const q = useQuery({
    queryKey: ['inventory', { item_id: itemId, site_id: siteId, start_date: start, end_date: asOf }],
    queryFn: () => api.inventory({ item_id: itemId, site_id: siteId, start_date: start, end_date: asOf! }),
    staleTime: 5 * 60_000,
    enabled: asOf !== null,
  });
  if (q.isLoading || asOf === null) return <span className="text-xs text-slate-400">…</span>;
  if (q.isError) return <span className="text-xs text-red-700" title={String((q.error as Error).message)}>!</span>;
  const rows = q.data?.data ?? [];
  let lastDate = '';
  for (const r of rows) if (r.full_date > lastDate) lastDate = r.full_date;
  let min: number | null = null;
  for (const r of rows) {
    if (r.full_date !== lastDate) continue;
    const d = num(r.days_to_rupture);
    const stock = num(r.current_stock);
    const v = stock !== null && stock <= 0 ? 0 : d;
    if (v !== null && (min === null || v < min)) min = v;
  }
  return <RiskLabel days={min} />;
}
