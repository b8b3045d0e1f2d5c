import { useQuery } from '@tanstack/react-query';
import { fetchHealth, type Health } from '../api/client';
import { fmtDateTime } from '../lib/format';
import { useI18n } from '../lib/i18n';

/** The last pipeline run and, when the server schedules it, the next one: "last run" / "next run" in the footer. */
export function pipelineLine(h: Health, fmt: (iso: string) => string, t: ReturnType<typeof useI18n>['t']): string | null {
  const parts: string[] = [];
  const last = h.last_pipeline_run?.split(' ');
  if (last && last.length === 2) parts.push(t('lastRun', { s: last[0], d: fmt(last[1]) }));
  const s = h.pipeline_schedule;
  if (s) parts.push(s.running ? t('runRunning') : s.next_run ? t('nextRun', { d: fmt(s.next_run) }) : t('noNextRun'));
  return parts.length ? parts.join(' · ') : null;
}

export function PipelineStatus() {
  const { t, locale } = useI18n();
  const health = useQuery({ queryKey: ['health'], queryFn: fetchHealth, refetchInterval: 5 * 60_000 });
  if (!health.data) return null;
  const line = pipelineLine(health.data, (iso) => fmtDateTime(iso, locale), t);
  if (!line) return null;
  const failed = health.data.last_pipeline_run?.startsWith('FAILED');
  return (
    <p className={`mx-auto max-w-7xl px-4 pb-3 text-xs ${failed ? 'text-red-700' : 'text-slate-500'}`} data-testid="pipeline-status">{line}</p>
  );
}
