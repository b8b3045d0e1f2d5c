import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { api, type SimPolicyRun, type Simulation as Sim, type WhatIfResults } from '../api/client';
import { useAuth } from '../lib/auth';
import { fmtDateTime, fmtNumber, fmtPercent } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { ErrorBox, Loading, errorText } from '../components/States';

const COLORS: Record<string, string> = { spec: '#b91c1c', normal: '#1d4ed8', empirical: '#15803d' };
const TARGET: Record<string, number> = { A: 0.02, B: 0.05, C: 0.1 };

function isWhatIf(r: Sim['results']): r is WhatIfResults {
  return !!r && !Array.isArray(r) && 'what_if' in r;
}

/** What the outlier rule did to a finished run (`params.demand_outliers`), with the series it
 *  ran on; null when the run did not record it (older runs, or still running). */
export function outliersOf(sim: Sim): { days: number; concerned: number; series: number | null; kept: boolean } | null {
  const p = (sim.params ?? {}) as { demand_outliers?: { days?: unknown; concerned?: unknown }; series?: unknown; keep_outliers?: unknown };
  const o = p.demand_outliers;
  if (!o || typeof o.days !== 'number' || typeof o.concerned !== 'number') return null;
  const r = sim.results;
  const series = isWhatIf(r) ? r.series : typeof p.series === 'number' ? p.series : null;
  return { days: o.days, concerned: o.concerned, series, kept: p.keep_outliers === true };
}

type T = ReturnType<typeof useI18n>['t'];
/** What a run tried, in words: its period, series, policy and the changes a what-if asked for. */
export function paramsText(sim: Sim, t: T, locale: Parameters<typeof fmtNumber>[1]): string {
  const p = (sim.params ?? {}) as Record<string, unknown>;
  const num = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : undefined);
  const parts: string[] = [];
  if (typeof p.from === 'string' && typeof p.to === 'string') parts.push(`${p.from} – ${p.to}`);
  const series = num('sample') ?? num('series');
  if (series !== undefined) parts.push(t('simParamSeries', { n: fmtNumber(series, locale) }));
  const policy = typeof p.policy === 'string' ? p.policy : typeof p.policies === 'string' ? p.policies : undefined;
  if (policy) parts.push(t('simParamPolicy', { p: policy }));
  const lead = num('lead_time_scale');
  if (lead !== undefined && lead !== 1) parts.push(t('simParamLead', { x: fmtNumber(lead, locale, 2).replace(/[.,]?0+$/, '') }));
  const review = num('review_days');
  if (review !== undefined) parts.push(t('simParamReview', { d: fmtNumber(review, locale) }));
  for (const c of ['a', 'b', 'c']) {
    const v = num(`service_level_${c}`);
    if (v !== undefined) parts.push(t('simParamService', { c: c.toUpperCase(), v: fmtPercent(v, locale, 1) }));
  }
  return parts.join(' · ');
}

function OutlierNote({ sim }: { sim: Sim }) {
  const { t, locale } = useI18n();
  const o = outliersOf(sim);
  if (!o) return null;
  const n = (v: number) => fmtNumber(v, locale);
  const text = o.kept ? t('simOutliersKept')
    : o.days === 0 ? t('simOutliersNone')
    : o.series !== null ? t('simOutliers', { d: n(o.days), c: n(o.concerned), n: n(o.series) })
    : t('simOutliersNoTotal', { d: n(o.days), c: n(o.concerned) });
  return (
    <p className="text-sm text-slate-700" data-testid="sim-outliers" data-days={o.days}>
      {text}{!o.kept && <span className="block text-xs text-slate-500">{t('simOutliersWhy')}</span>}
    </p>
  );
}

/** The runs of a result, labelled: a CLI run as stored, a what-if as before / after. */
export function runsOf(sim: Sim, labels: { before: string; after: string }): { label: string; run: SimPolicyRun }[] {
  const r = sim.results;
  if (!r) return [];
  if (isWhatIf(r)) {
    return [
      ...r.baseline.map((run) => ({ label: `${run.policy} (${labels.before})`, run })),
      ...r.what_if.map((run) => ({ label: `${run.policy} (${labels.after})`, run })),
    ];
  }
  return r.map((run) => ({ label: run.service_level ? `${run.policy}@${run.service_level}` : run.policy, run }));
}

function Chart({ rows, curves }: { rows: { label: string; run: SimPolicyRun }[]; curves: boolean }) {
  const { t, locale } = useI18n();
  const byPolicy = new Map<string, { x: number; y: number; label: string }[]>();
  for (const { label, run } of rows) {
    const pts = byPolicy.get(run.policy) ?? [];
    pts.push({ x: run.total.avg_on_hand_units, y: run.total.stockout_rate * 100, label });
    byPolicy.set(run.policy, pts);
  }
  return (
    <div data-testid="sim-chart" style={{ width: '100%', height: 320 }} aria-label={t('simChart')}>
      <ResponsiveContainer>
        <ScatterChart margin={{ top: 10, right: 20, bottom: 30, left: 10 }}>
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis type="number" dataKey="x" name={t('simAvgUnits')} label={{ value: t('simAvgUnits'), position: 'bottom' }}
            tickFormatter={(v: number) => fmtNumber(v, locale)} domain={['auto', 'auto']} />
          <YAxis type="number" dataKey="y" name={t('simUnfilled')} unit="%" domain={[0, 'auto']} width={72}
            tickFormatter={(v: number) => fmtNumber(v, locale, 1)}
            label={{ value: `${t('simUnfilled')} (%)`, angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
          <ZAxis range={[60, 60]} />
          <Tooltip formatter={(v: number) => fmtNumber(v, locale, 2)} />
          <Legend verticalAlign="top" />
          {[...byPolicy.entries()].map(([p, pts]) => (
            <Scatter key={p} name={p} data={[...pts].sort((a, b) => a.x - b.x)} fill={COLORS[p] ?? '#334155'}
              line={curves && pts.length > 1} isAnimationActive={false} />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}

function ResultTable({ rows }: { rows: { label: string; run: SimPolicyRun }[] }) {
  const { t, locale } = useI18n();
  return (
    <table className="w-full min-w-[760px] text-sm" data-testid="sim-table">
      <thead className="bg-slate-50 text-left text-xs uppercase text-slate-600">
        <tr>
          <th className="p-2">{t('simPolicy')}</th><th className="p-2 text-right">{t('simUnfilled')}</th>
          <th className="p-2 text-right">{t('simAvgUnits')}</th><th className="p-2 text-right">{t('simTurns')}</th>
          <th className="p-2 text-right">{t('simOrders')}</th>
          <th className="p-2 text-right" title={t('simClassTargets')}>A</th><th className="p-2 text-right" title={t('simClassTargets')}>B</th>
          <th className="p-2 text-right" title={t('simClassTargets')}>C</th>
          <th className="p-2 text-right">{t('simAlertPrecision')}</th><th className="p-2 text-right">{t('simAlertRecall')}</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map(({ label, run }) => (
          <tr key={label} data-policy={run.policy}>
            <td className="p-2 font-medium">{label}</td>
            <td className="p-2 text-right tabular-nums">{fmtPercent(run.total.stockout_rate, locale, 2)}</td>
            <td className="p-2 text-right tabular-nums">{fmtNumber(run.total.avg_on_hand_units, locale, 1)}</td>
            <td className="p-2 text-right tabular-nums">{fmtNumber(run.total.turns, locale, 1)}</td>
            <td className="p-2 text-right tabular-nums">{fmtNumber(run.total.orders, locale)}</td>
            {['A', 'B', 'C'].map((c) => {
              const o = run.by_class[c];
              const miss = o && o.demand > 0 && o.stockout_rate >= TARGET[c];
              return <td key={c} className={`p-2 text-right tabular-nums ${miss ? 'text-red-700' : 'text-green-800'}`}>{o ? fmtPercent(o.stockout_rate, locale, 1) : '—'}</td>;
            })}
            <td className="p-2 text-right tabular-nums">{fmtPercent(run.total.alert_precision, locale, 0)}</td>
            <td className="p-2 text-right tabular-nums">{fmtPercent(run.total.alert_recall, locale, 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WhatIfForm({ onStarted }: { onStarted: (id: number) => void }) {
  const { t } = useI18n();
  const [sample, setSample] = useState(200);
  const [lead, setLead] = useState(1);
  const [review, setReview] = useState(14);
  const [policy, setPolicy] = useState('normal');
  const start = useMutation({
    mutationFn: () => api.startSimulation({ sample, lead_time_scale: lead, review_days: review, policy }),
    onSuccess: (r) => onStarted(r.simulation_id),
  });
  return (
    <form className="card flex flex-wrap items-end gap-3" data-testid="whatif-form"
      onSubmit={(e) => { e.preventDefault(); start.mutate(); }}>
      <strong className="w-full">{t('simWhatIf')}</strong>
      <label className="label">{t('simPolicy')}
        <select className="input" name="policy" value={policy} onChange={(e) => setPolicy(e.target.value)}>
          {['normal', 'empirical', 'forecast', 'spec'].map((p) => <option key={p}>{p}</option>)}
        </select>
      </label>
      <label className="label">{t('simSample')}
        <input className="input w-24" type="number" name="sample" min={1} max={500} value={sample} onChange={(e) => setSample(Number(e.target.value))} />
      </label>
      <label className="label">{t('simLeadScale')}
        <input className="input w-24" type="number" name="lead_time_scale" min={0.1} max={5} step={0.1} value={lead} onChange={(e) => setLead(Number(e.target.value))} />
      </label>
      <label className="label">{t('simReview')}
        <input className="input w-24" type="number" name="review_days" min={1} max={90} value={review} onChange={(e) => setReview(Number(e.target.value))} />
      </label>
      <button className="btn" type="submit" disabled={start.isPending} data-testid="whatif-start">{t('simStart')}</button>
      {start.isError && <p role="alert" className="w-full text-sm text-red-800">{errorText(start.error, t)}</p>}
    </form>
  );
}

export default function Simulation() {
  const { t, locale } = useI18n();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [sp, setSp] = useSearchParams();
  const list = useQuery({
    queryKey: ['simulations'],
    queryFn: () => api.simulations({ limit: 50 }),
    // While a run is going, the selector's status follows it.
    refetchInterval: (q) => (q.state.data?.data.some((s) => s.status === 'RUNNING') ? 2000 : false),
  });
  const chosen = Number(sp.get('id') ?? 0) || list.data?.data.find((s) => s.status !== 'FAILED')?.simulation_id || 0;
  const sim = useQuery({
    queryKey: ['simulation', chosen],
    queryFn: () => api.simulation(chosen),
    enabled: chosen > 0,
    refetchInterval: (q) => (q.state.data?.status === 'RUNNING' ? 1000 : false),
  });
  const labels = { before: t('simBaseline'), after: t('simChanged') };
  const rows = sim.data ? runsOf(sim.data, labels) : [];
  const results = sim.data?.results;
  return (
    <div className="space-y-3" data-testid="sim-page">
      <h1 className="text-2xl font-bold">{t('simulation')}</h1>
      <p className="text-sm text-slate-600">{t('simIntro')}</p>
      {list.isError && <ErrorBox error={list.error} onRetry={() => list.refetch()} />}
      {list.data && list.data.data.length > 0 && (
        <label className="label">{t('simRun')}
          <select className="input" name="simulation" value={chosen} onChange={(e) => setSp({ id: e.target.value }, { replace: true })}>
            {list.data.data.map((s) => (
              <option key={s.simulation_id} value={s.simulation_id}>
                #{s.simulation_id} · {s.source} · {s.status} · {fmtDateTime(s.started_at, locale)}
              </option>
            ))}
          </select>
        </label>
      )}
      {list.data && list.data.data.length === 0 && <p className="card text-sm" data-state="empty">{t('simNone')}</p>}
      {sim.isLoading && chosen > 0 && <Loading />}
      {sim.data?.status === 'RUNNING' && <p className="card text-sm" data-testid="sim-running">{t('simRunning')}</p>}
      {sim.data?.status === 'FAILED' && <p role="alert" className="card text-sm text-red-800">{t('simFailed', { e: sim.data.error ?? '' })}</p>}
      {sim.data && paramsText(sim.data, t, locale) && (
        <p className="text-sm text-slate-600" data-testid="sim-params">{t('simTried', { p: paramsText(sim.data, t, locale) })}</p>
      )}
      {sim.data?.status === 'SUCCEEDED' && (isWhatIf(results) || outliersOf(sim.data)) && (
        <div className="card space-y-1" data-testid="sim-summary">
          {isWhatIf(results) && (
            <ul className="text-sm" data-testid="sim-change">
              {results.change.map((c) => (
                <li key={c.policy}>{t('simChange', {
                  p: c.policy,
                  d: `${c.stockout_rate_points >= 0 ? '+' : ''}${fmtNumber(c.stockout_rate_points, locale, 2)}`,
                  u: `${c.avg_on_hand_units_pct >= 0 ? '+' : ''}${fmtNumber(c.avg_on_hand_units_pct, locale, 1)}`,
                })}</li>
              ))}
            </ul>
          )}
          <OutlierNote sim={sim.data} />
        </div>
      )}
      {rows.length > 0 && (
        <>
          <div className="card"><Chart rows={rows} curves={!isWhatIf(results)} /></div>
          <div className="card overflow-x-auto p-0"><ResultTable rows={rows} /></div>
          <p className="text-xs text-slate-500">{t('simClassTargets')}</p>
        </>
      )}
      {can('write') && (
        <WhatIfForm onStarted={(id) => { setSp({ id: String(id) }, { replace: true }); void qc.invalidateQueries({ queryKey: ['simulations'] }); }} />
      )}
    </div>
  );
}
