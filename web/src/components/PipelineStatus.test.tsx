import { describe, expect, it } from 'vitest';
import { pipelineLine } from './PipelineStatus';

const t = (k: string, v?: Record<string, string | number>) => `${k}${v ? JSON.stringify(v) : ''}`;
const fmt = (iso: string) => `<${iso}>`;

describe('pipelineLine', () => {
  it('says the last run with its outcome, and the next scheduled one', () => {
    const line = pipelineLine({ status: 'healthy', last_pipeline_run: 'SUCCEEDED 2026-12-06T02:00:05Z',
      pipeline_schedule: { schedule: '0 2 * * *', next_run: '2026-12-07T02:00:00Z', running: false, last_exit: 0 } }, fmt, t as never);
    expect(line).toBe('lastRun{"s":"SUCCEEDED","d":"<2026-12-06T02:00:05Z>"} · nextRun{"d":"<2026-12-07T02:00:00Z>"}');
  });
  it('says a run is under way, and nothing of a schedule the server does not have', () => {
    expect(pipelineLine({ status: 'healthy', last_pipeline_run: null,
      pipeline_schedule: { schedule: '* * * * *', next_run: null, running: true, last_exit: null } }, fmt, t as never)).toBe('runRunning');
    expect(pipelineLine({ status: 'healthy', last_pipeline_run: 'FAILED 2026-12-06T02:00:05Z' }, fmt, t as never))
      .toBe('lastRun{"s":"FAILED","d":"<2026-12-06T02:00:05Z>"}');
    expect(pipelineLine({ status: 'healthy' }, fmt, t as never)).toBeNull();
  });
});
