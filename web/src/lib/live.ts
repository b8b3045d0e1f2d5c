// Live alerts: one GET /events stream while logged in. Events refetch what they make stale
// and announce new critical alerts in a toast; the stream reconnects with backoff and resumes
// from the last event id, so nothing is missed across a dropped connection.
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useQueryClient, type Query, type QueryClient } from '@tanstack/react-query';
import { ApiError, openEvents } from '../api/client';
import { useI18n } from './i18n';
import type { Toast } from './queue';
import { SseParser, reconnectDelay, type SseEvent } from './sse';

/** A queue list on screen is patched in place, never fetched again under the pointer: only marked stale. */
const isQueueList = (q: Query) => q.queryKey[1] === 'groups';

/** The queries a change event concerns. */
const CHANGED: Record<string, string> = { alerts_changed: 'alerts', recommendations_changed: 'recommendations' };

/** Refetches what an event makes stale. Returns how many new critical alerts it announces. */
export function applyEvent(qc: QueryClient, ev: SseEvent): number {
  let data: { new_critical?: number } = {};
  try { data = JSON.parse(ev.data); } catch { /* not JSON: refetch anyway */ }
  const changed = CHANGED[ev.type];
  if (changed) {
    void qc.invalidateQueries({ queryKey: [changed], refetchType: 'none', predicate: isQueueList });
    void qc.invalidateQueries({ queryKey: [changed], predicate: (q) => !isQueueList(q) });
  } else if (ev.type === 'run_published' || ev.type === 'reset') {
    // A new run (or events missed): every figure may have changed.
    void qc.invalidateQueries();
  }
  return Number(data.new_critical ?? 0);
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** Keeps the stream open while `enabled`; returns the toast for new critical alerts. */
export function useLiveEvents(enabled: boolean) {
  const qc = useQueryClient();
  const { t } = useI18n();
  const navigate = useNavigate();
  const [toast, setToast] = useState<Toast | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    let lastId: string | null = null;
    const onEvent = (ev: SseEvent) => {
      const n = applyEvent(qc, ev);
      if (n > 0)
        setToast({ id: Date.now(), message: t('newCritical', { n }), action: { label: t('view'), run: () => navigate('/alerts?level=CRITICAL&unread=true') } });
    };
    void (async () => {
      for (let attempt = 0; !ctl.signal.aborted;) {
        try {
          const res = await openEvents(lastId, ctl.signal);
          attempt = 0;
          const reader = res.body!.getReader();
          const decoder = new TextDecoder();
          const parser = new SseParser();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const events = parser.feed(decoder.decode(value, { stream: true }));
            if (parser.lastId !== null) lastId = parser.lastId;
            events.forEach(onEvent);
          }
        } catch (e) {
          if (ctl.signal.aborted || (e instanceof ApiError && e.status === 401)) return; // logged out
        }
        // The stream ended (server restart, token renewed) or failed: back off, then resume.
        await sleep(reconnectDelay(attempt++), ctl.signal);
      }
    })();
    return () => ctl.abort();
  }, [enabled, qc, t, navigate]);

  const closeToast = useCallback(() => setToast(null), []);
  return { toast, closeToast };
}
