import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, ApiError, type Override, type OverrideAction, type OverrideDraft, type OverrideKind } from '../api/client';
import { useAuth } from '../lib/auth';
import { useAllItems, useAsOf, useItemMap, useSiteMap, useSites } from '../lib/hooks';
import { fmtDate, fmtDateTime, fmtNumber, fmtPercent } from '../lib/format';
import { usePageI18n } from '../lib/i18n';
import { overrideStrings } from './overrides.strings';
import { usePersistedForm } from '../lib/persisted';
import { SearchSelect } from '../components/SearchPicker';
import { Empty, ErrorBox, Loading, errorText } from '../components/States';

const STATES = ['DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'EXPIRED'] as const;

/** What the caller may do with an override, as the server will allow it. */
export function actionsFor(o: Override, me: { username: string; role: string } | undefined): OverrideAction[] {
  if (!me || me.role === 'VIEWER') return [];
  const mine = o.author === me.username;
  if (o.state === 'DRAFT') return mine ? ['submit'] : [];
  if (o.state === 'SUBMITTED') return mine ? ['withdraw'] : ['approve', 'reject'];
  return [];
}

/** An override's history from its own fields: created by its author, then decided (approved or
 *  rejected) by a reviewer, with the reviewer's note when one was given. */
export function historyOf(o: Override): { key: 'ovCreated' | 'ovDecided_APPROVED' | 'ovDecided_REJECTED'; who: string; at: string; note?: string }[] {
  const h: ReturnType<typeof historyOf> = [{ key: 'ovCreated', who: o.author, at: o.created_at }];
  if (o.decided_by && (o.state === 'APPROVED' || o.state === 'REJECTED' || o.state === 'EXPIRED'))
    h.push({ key: o.state === 'REJECTED' ? 'ovDecided_REJECTED' : 'ovDecided_APPROVED', who: o.decided_by, at: o.decided_at ?? '',
      ...(o.decision_note ? { note: o.decision_note } : {}) });
  return h;
}

/** What an override changes, in words. */
function changeOf(o: Override, locale: string): string {
  if (o.kind === 'FORECAST')
    return o.mode === 'PERCENT' ? `${Number(o.value) > 0 ? '+' : ''}${fmtNumber(Number(o.value), locale as never, 1)}%`
      : `${fmtNumber(Number(o.value), locale as never, 1)} / day`;
  if (o.kind === 'POLICY') {
    const parts: string[] = [];
    if (o.service_level !== null) parts.push(`SL ${fmtPercent(Number(o.service_level), locale as never, 1)}`);
    if (o.min_stock !== null) parts.push(`min ${fmtNumber(Number(o.min_stock), locale as never)}`);
    if (o.max_stock !== null) parts.push(`max ${fmtNumber(Number(o.max_stock), locale as never)}`);
    if (o.lead_time_days !== null) parts.push(`L ${fmtNumber(Number(o.lead_time_days), locale as never, 1)} d`);
    return parts.join(' · ');
  }
  return `qty ${fmtNumber(Number(o.quantity), locale as never)}`;
}

/** A draft started elsewhere (the item page's "Override this forecast"): `?kind=&item=&site=&from=&to=`, each kept only when well formed. */
export function draftFromQuery(sp: URLSearchParams): { kind: OverrideKind; item: string; site: string; from: string; to: string } {
  const id = (k: string) => (/^[1-9][0-9]{0,9}$/.test(sp.get(k) ?? '') ? sp.get(k)! : '');
  const day = (k: string) => (/^\d{4}-\d{2}-\d{2}$/.test(sp.get(k) ?? '') ? sp.get(k)! : '');
  const k = sp.get('kind');
  const kind: OverrideKind = k === 'POLICY' || k === 'RECOMMENDATION' ? k : 'FORECAST';
  return { kind, item: id('item'), site: id('site'), from: day('from'), to: day('to') };
}

const DRAFT_KEY = 'override';
const emptyForm = () => ({ kind: 'FORECAST' as OverrideKind, item: '', site: '', from: '', to: '', mode: 'PERCENT' as 'ABSOLUTE' | 'PERCENT',
  value: '', minStock: '', service: '', reason: '' });

function NewOverride({ onDone }: { onDone: () => void }) {
  const { t } = usePageI18n(overrideStrings);
  const items = useAllItems();
  const sites = useSites();
  const asOf = useAsOf();
  const [sp] = useSearchParams();
  // What the planner types survives a lost session (401 → login → back) and a reload; a link
  // from the item page sets its own item, site and week over an older unsaved form.
  const [link] = useState(() => { const { kind: k, ...q } = draftFromQuery(sp); return sp.get('kind') ? { ...q, kind: k } : q; });
  const form = usePersistedForm(DRAFT_KEY, emptyForm, link);
  const { kind, item, site, from, to, mode, value, minStock, service, reason } = form.state;
  const setKind = (v: OverrideKind) => form.set('kind', v);
  const setItem = (v: string) => form.set('item', v);
  const setSite = (v: string) => form.set('site', v);
  const setFrom = (v: string) => form.set('from', v);
  const setTo = (v: string) => form.set('to', v);
  const setMode = (v: 'ABSOLUTE' | 'PERCENT') => form.set('mode', v);
  const setValue = (v: string) => form.set('value', v);
  const setMinStock = (v: string) => form.set('minStock', v);
  const setService = (v: string) => form.set('service', v);
  const setReason = (v: string) => form.set('reason', v);
  const create = useMutation({
    mutationFn: (d: OverrideDraft) => api.createOverride(d),
    onSuccess: () => { form.clear(); onDone(); },
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const d: OverrideDraft = { kind, item_id: Number(item), site_id: Number(site), valid_from: from || asOf, valid_to: to || from || asOf, reason };
    if (kind === 'FORECAST') Object.assign(d, { mode, value: Number(value) });
    else {
      if (minStock) d.min_stock = Number(minStock);
      if (service) d.service_level = Number(service) / 100;
    }
    create.mutate(d);
  };
  return (
    <form className="card space-y-2" onSubmit={submit} data-testid="override-form" aria-labelledby="ov-new">
      <h2 id="ov-new" className="font-semibold">{t('ovNew')}</h2>
      <div className="flex flex-wrap items-end gap-2">
        <label className="label">{t('ovKind')}
          <select className="input" value={kind} onChange={(e) => setKind(e.target.value as OverrideKind)} data-testid="ov-kind">
            <option value="FORECAST">FORECAST</option><option value="POLICY">POLICY</option>
          </select>
        </label>
        <SearchSelect label={t('item')} name="ov-item" value={item} onChange={setItem} testId="ov-item"
          options={(items.data ?? []).map((i) => ({ value: String(i.item_id), label: `${i.sku} — ${i.name}` }))} />
        <SearchSelect label={t('site')} name="ov-site" value={site} onChange={setSite} testId="ov-site"
          options={(sites.data ?? []).map((s) => ({ value: String(s.site_id), label: s.name }))} />
        <label className="label">{t('ovFrom')}<input className="input" type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="ov-from" required /></label>
        <label className="label">{t('ovTo')}<input className="input" type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="ov-to" required /></label>
        {kind === 'FORECAST' ? (<>
          <label className="label">{t('ovMode')}
            <select className="input" value={mode} onChange={(e) => setMode(e.target.value as 'ABSOLUTE' | 'PERCENT')} data-testid="ov-mode">
              <option value="PERCENT">%</option><option value="ABSOLUTE">{t('ovUnitsPerDay')}</option>
            </select>
          </label>
          <label className="label">{t('ovValue')}<input className="input w-24" type="number" step="any" value={value} onChange={(e) => setValue(e.target.value)} data-testid="ov-value" required /></label>
        </>) : (<>
          <label className="label">{t('ovServicePct')}<input className="input w-24" type="number" step="0.1" min="50" max="99.99" value={service} onChange={(e) => setService(e.target.value)} /></label>
          <label className="label">{t('ovMinStock')}<input className="input w-24" type="number" min="0" value={minStock} onChange={(e) => setMinStock(e.target.value)} /></label>
        </>)}
      </div>
      <label className="label block">{t('ovReason')}
        <input className="input w-full" value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} maxLength={500} required data-testid="ov-reason" />
      </label>
      {create.isError && <p className="text-sm text-red-700" role="alert">{errorText(create.error, t)}</p>}
      <button className="btn-primary" type="submit" disabled={create.isPending || !item || !site} data-testid="ov-create">{t('ovCreate')}</button>
    </form>
  );
}

export default function Overrides() {
  const { t, locale } = usePageI18n(overrideStrings);
  const { me, can } = useAuth();
  const qc = useQueryClient();
  const itemMap = useItemMap();
  const siteMap = useSiteMap();
  const [sp, setSp] = useSearchParams();
  const state = sp.get('state') ?? '';
  const list = useQuery({ queryKey: ['overrides', { state }], queryFn: () => api.overrides({ state: state || undefined, limit: 500 }) });
  const fva = useQuery({ queryKey: ['overrides-fva'], queryFn: () => api.overrideValueAdded() });
  const [conflict, setConflict] = useState<{ id: number; message: string } | null>(null);
  // Approve and reject first open a note for the author (why), then act on Confirm.
  const [deciding, setDeciding] = useState<{ o: Override; action: OverrideAction; note: string } | null>(null);
  const act = useMutation({
    mutationFn: ({ o, action, note }: { o: Override; action: OverrideAction; note?: string }) => api.overrideAction(o, action, note?.trim() || undefined),
    onSuccess: () => { setConflict(null); setDeciding(null); qc.invalidateQueries({ queryKey: ['overrides'] }); qc.invalidateQueries({ queryKey: ['forecasts'] }); },
    onError: (e, { o }) => {
      if (e instanceof ApiError && (e.status === 412 || e.status === 409)) setConflict({ id: o.override_id, message: e.detail });
    },
  });
  const reload = () => { setConflict(null); qc.invalidateQueries({ queryKey: ['overrides'] }); };
  return (
    <div className="space-y-4" data-testid="overrides-page">
      <h1 className="text-2xl font-bold">{t('overrides')}</h1>
      <p className="text-sm text-slate-600">{t('ovIntro')}</p>
      {can('write') && <NewOverride onDone={() => qc.invalidateQueries({ queryKey: ['overrides'] })} />}
      {conflict && (
        <div className="rounded border border-amber-400 bg-amber-50 p-3 text-sm" role="alert" data-testid="ov-conflict">
          {t('ovConflict', { id: String(conflict.id) })} <span className="text-slate-600">{conflict.message}</span>{' '}
          <button className="btn" onClick={reload} data-testid="ov-reload">{t('reload')}</button>
        </div>
      )}
      <section className="card">
        <div className="mb-2 flex flex-wrap items-end gap-2">
          <label className="label">{t('ovState')}
            <select className="input" value={state} data-testid="ov-state-filter"
              onChange={(e) => { const n = new URLSearchParams(sp); if (e.target.value) n.set('state', e.target.value); else n.delete('state'); setSp(n); }}>
              <option value="">{t('all')}</option>
              {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        </div>
        {list.isLoading ? <Loading /> : list.isError ? <ErrorBox error={list.error} onRetry={() => list.refetch()} />
          : (list.data?.data.length ?? 0) === 0 ? <Empty>{t('ovNone')}</Empty> : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="overrides-table">
              <thead><tr className="text-left text-slate-600">
                <th>#</th><th>{t('ovKind')}</th><th>{t('item')}</th><th>{t('site')}</th><th>{t('ovPeriod')}</th><th>{t('ovChange')}</th>
                <th>{t('ovReason')}</th><th>{t('ovState')}</th><th>{t('ovAuthor')}</th><th />
              </tr></thead>
              <tbody>
                {(list.data?.data ?? []).flatMap((o) => [
                  <tr key={o.override_id} className="border-t border-slate-100" data-testid={`ov-row-${o.override_id}`} data-state={o.state}>
                    <td>{o.override_id}</td><td>{o.kind}</td>
                    <td><Link className="text-blue-800 underline" to={`/materials/${o.item_id}?site=${o.site_id}`}>{itemMap.get(o.item_id)?.sku ?? `#${o.item_id}`}</Link></td>
                    <td>{siteMap.get(o.site_id)?.name ?? `#${o.site_id}`}</td>
                    <td className="whitespace-nowrap">{fmtDate(o.valid_from, locale)} – {fmtDate(o.valid_to, locale)}</td>
                    <td>{changeOf(o, locale)}</td><td className="max-w-[14rem] truncate" title={o.reason}>{o.reason}</td>
                    <td>{o.state}{o.decided_by ? ` (${o.decided_by})` : ''}
                      {o.decision_note && <span className="block max-w-[14rem] truncate text-xs italic text-slate-600" title={o.decision_note} data-testid={`ov-note-${o.override_id}`}>“{o.decision_note}”</span>}
                      <details className="text-xs text-slate-600" data-testid={`ov-history-${o.override_id}`}>
                        <summary className="cursor-pointer">{t('ovHistory')}</summary>
                        <ol className="ml-3 list-disc">
                          {historyOf(o).map((h) => (
                            <li key={h.key}>{t(h.key, { who: h.who })}, {fmtDateTime(h.at, locale)}{h.note && <>: <q className="italic">{h.note}</q></>}</li>
                          ))}
                        </ol>
                      </details>
                    </td><td>{o.author}</td>
                    <td className="whitespace-nowrap">
                      {actionsFor(o, me).map((a) => (
                        <button key={a} className="btn mr-1" disabled={act.isPending} data-testid={`ov-${a}-${o.override_id}`}
                          aria-expanded={a === 'approve' || a === 'reject' ? deciding?.o.override_id === o.override_id && deciding.action === a : undefined}
                          onClick={() => (a === 'approve' || a === 'reject' ? setDeciding({ o, action: a, note: '' }) : act.mutate({ o, action: a }))}>{t(`ov_${a}` as never)}</button>
                      ))}
                    </td>
                  </tr>,
                  deciding?.o.override_id === o.override_id && (
                    <tr key={`${o.override_id}-decide`} className="bg-slate-50">
                      <td colSpan={10} className="p-2">
                        <form className="flex max-w-3xl flex-wrap items-end gap-2" data-testid={`ov-decide-${o.override_id}`}
                          onSubmit={(e) => { e.preventDefault(); act.mutate({ o: deciding.o, action: deciding.action, note: deciding.note }); }}>
                          <label className="label grow">{t('ovNote', { action: t(`ov_${deciding.action}` as never) })}
                            <textarea className="input w-full" rows={2} maxLength={500} autoFocus value={deciding.note} data-testid={`ov-note-input-${o.override_id}`}
                              onChange={(e) => setDeciding({ ...deciding, note: e.target.value })} />
                          </label>
                          <button className="btn-primary" type="submit" disabled={act.isPending} data-testid={`ov-confirm-${o.override_id}`}>{t(`ov_${deciding.action}` as never)}</button>
                          <button className="btn" type="button" onClick={() => setDeciding(null)}>{t('cancel')}</button>
                        </form>
                      </td>
                    </tr>
                  ),
                ])}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="fva-title">
        <h2 id="fva-title" className="mb-1 font-semibold">{t('ovFva')}</h2>
        <p className="mb-2 text-xs text-slate-500">{t('ovFvaNote')}</p>
        {fva.isError ? <ErrorBox error={fva.error} /> : fva.data && !fva.data.data.some((r) => r.days > 0) ? <Empty>{t('fvaNone')}</Empty> : (
          <table className="w-full text-sm" data-testid="fva-table">
            <thead><tr className="text-left text-slate-600"><th>{t('ovAuthor')}</th><th>{t('ovDays')}</th><th>{t('ovStatWape')}</th><th>{t('ovOverrideWape')}</th><th>{t('ovValueAdded')}</th></tr></thead>
            <tbody>
              {(fva.data?.data ?? []).filter((r) => r.days > 0).map((r) => (
                <tr key={r.author} className="border-t border-slate-100">
                  <td>{r.author === 'all' ? t('all') : r.author}</td><td>{r.days}</td>
                  <td>{fmtPercent(r.statistical_wape === null ? null : Number(r.statistical_wape), locale, 1)}</td>
                  <td>{fmtPercent(r.override_wape === null ? null : Number(r.override_wape), locale, 1)}</td>
                  <td className={Number(r.value_added) >= 0 ? 'text-green-700' : 'text-red-700'}>
                    {r.value_added === null ? '—' : t('pointsChange', { n: fmtNumber(Number(r.value_added) * 100, locale, 1) })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
