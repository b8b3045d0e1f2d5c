import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useI18n } from '../lib/i18n';

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-2 p-4 text-sm text-slate-500">
      <span className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-blue-600" aria-hidden />
      {label ?? t('loading')}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return <p className="p-4 text-sm text-slate-500" data-state="empty">{children ?? t('empty')}</p>;
}

export function errorText(err: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return `${t('forbidden')} (${err.detail})`;
    // Said in the reader's language, with when to try again; the server's words after.
    if (err.code === 'network_error') return t('networkError');
    if (err.status === 429 || err.status === 503) {
      const head = t(err.status === 429 ? 'tooBusy' : 'unavailable');
      const when = err.retryAfter !== undefined ? ` ${t('retryIn', { s: Math.max(1, Math.ceil(err.retryAfter)) })}` : '';
      return `${head}${when} (${err.detail}; HTTP ${err.status})`;
    }
    return err.detail ? `${err.detail}${err.status ? ` (HTTP ${err.status}, ${err.code})` : ''}` : `HTTP ${err.status}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div role="alert" className="m-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
      <p className="font-semibold">{t('error')}</p>
      <p>{errorText(error, t)}</p>
      {onRetry && <button className="btn mt-2" onClick={onRetry}>{t('retry')}</button>}
    </div>
  );
}

/** Renders loading / error / empty / content for one query. */
export function QueryState<T>({ q, empty, children }: {
  q: { isLoading: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  empty?: (d: T) => boolean;
  children: (d: T) => ReactNode;
}) {
  if (q.isLoading) return <Loading />;
  if (q.isError) return <ErrorBox error={q.error} onRetry={() => q.refetch()} />;
  if (q.data === undefined) return <Loading />;
  if (empty && empty(q.data)) return <Empty />;
  return <>{children(q.data)}</>;
}
