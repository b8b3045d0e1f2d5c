import type { SiteBalanceRow } from '../api/client';
import { fmtNumber } from '../lib/format';
import { useI18n } from '../lib/i18n';

export type Balance = 'short' | 'surplus' | 'ok';

/** Short: position at or below the reorder point; surplus: stock above the order-up-to level. */
export function balanceOf(r: SiteBalanceRow): Balance {
  return r.short_units > 0 ? 'short' : r.surplus_units > 0 ? 'surplus' : 'ok';
}

const TONE: Record<Balance, string> = { short: 'bg-red-50', surplus: 'bg-amber-50', ok: '' };

/**
 * Where the item is short and where it has surplus, per site (the API's figures, by the same rules
 * as the REALLOCATE recommendation). `selected` highlights the site the page is showing.
 */
export function SiteBalanceTable({ sites, selected, onPick }: { sites: SiteBalanceRow[]; selected?: number; onPick?: (siteId: number) => void }) {
  const { t, locale } = useI18n();
  const n = (v: number | null | undefined, d = 0) => fmtNumber(v, locale, d);
  if (sites.length === 0) return <p className="text-sm text-slate-500" data-testid="site-balance-empty">{t('noPolicy')}</p>;
  const surplus = sites.reduce((a, s) => a + s.surplus_units, 0);
  const short = sites.reduce((a, s) => a + s.short_units, 0);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="site-balance">
        <thead>
          <tr>
            <th className="th">{t('site')}</th><th className="th text-right">{t('onHand')}</th><th className="th text-right">{t('coverage')}</th><th className="th text-right">{t('daysToRupture')}</th>
            <th className="th text-right">{t('reorderPoint')}</th><th className="th text-right">{t('shortUnits')}</th>
            <th className="th text-right">{t('surplusUnits')}</th><th className="th">{t('status')}</th>
          </tr>
        </thead>
        <tbody>
          {sites.map((s) => {
            const b = balanceOf(s);
            return (
              <tr key={s.site_id} data-site={s.site_id} data-balance={b} className={`${TONE[b]} ${selected === s.site_id ? 'font-semibold' : ''}`}>
                <td className="td">{onPick ? <button className="text-blue-800 underline" onClick={() => onPick(s.site_id)}>{s.site_name}</button> : s.site_name}</td>
                <td className="td text-right tabular-nums">{n(s.on_hand, 1)}</td>
                <td className="td text-right tabular-nums">{n(s.days_of_cover, 1)}</td>
                <td className="td text-right tabular-nums" data-testid="site-dtr">{s.days_to_rupture ?? '—'}</td>
                <td className="td text-right tabular-nums">{n(s.reorder_point, 1)}</td>
                <td className="td text-right tabular-nums" data-testid="short-units">{s.short_units > 0 ? n(s.short_units, 1) : ''}</td>
                <td className="td text-right tabular-nums" data-testid="surplus-units">{s.surplus_units > 0 ? n(s.surplus_units, 1) : ''}</td>
                <td className="td">
                  {t(`balance_${b}` as const)}
                  {s.reallocate_candidate && <span className="ml-1 rounded bg-blue-100 px-1 text-xs text-blue-900" data-testid="reallocate">{t('reallocateCandidate')}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr><td className="td font-semibold">{t('total')}</td><td colSpan={4} />
            <td className="td text-right tabular-nums font-semibold">{n(short, 1)}</td>
            <td className="td text-right tabular-nums font-semibold">{n(surplus, 1)}</td><td /></tr>
        </tfoot>
      </table>
    </div>
  );
}
