import { useState } from 'react';
import { fetchCsv, type Query } from '../api/client';
import { toCsv } from '../lib/metrics';
import { useI18n } from '../lib/i18n';
import { errorText } from './States';

export function saveText(text: string, filename: string) {
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Exports rows the page already has (chart data). */
export function CsvRowsButton({ rows, filename, columns }: { rows: Record<string, unknown>[]; filename: string; columns?: string[] }) {
  const { t } = useI18n();
  return (
    <button className="btn" disabled={!rows.length} onClick={() => saveText(toCsv(rows, columns), filename)}>
      ⤓ {t('exportCsv')}
    </button>
  );
}

/** Exports a whole filtered list through the API's own CSV (`?format=csv`). */
export function CsvApiButton({ path, query, filename }: { path: string; query: Query; filename: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <button className="btn" disabled={busy} onClick={async () => {
        setBusy(true); setErr(null);
        try { saveText(await fetchCsv(path, query), filename); } catch (e) { setErr(errorText(e, t)); } finally { setBusy(false); }
      }}>⤓ {t('exportCsv')}</button>
      {err && <span role="alert" className="text-xs text-red-700">{err}</span>}
    </span>
  );
}
