import { useI18n } from '../lib/i18n';
import { fmtNumber } from '../lib/format';

export function Pager({ offset, limit, total, onChange }: { offset: number; limit: number; total: number; onChange: (offset: number) => void }) {
  const { t, locale } = useI18n();
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-2 p-2 text-sm">
      <span data-testid="pager-text">{t('pageOf', { from: fmtNumber(from, locale), to: fmtNumber(to, locale), total: fmtNumber(total, locale) })}</span>
      <span className="flex gap-2">
        <button className="btn" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>← {t('previous')}</button>
        <button className="btn" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>{t('next')} →</button>
      </span>
    </nav>
  );
}
