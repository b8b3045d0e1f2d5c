import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Override } from '../api/client';
import { fmtDate, fmtNumber } from '../lib/format';
import { stepFor, type WeekEdit } from '../lib/weeks';
import { useI18n } from '../lib/i18n';
import { errorText } from './States';

const round1 = (v: number) => Math.max(0, Math.round(v * 10) / 10);

interface Scale { (v: unknown): number; invert?: (px: number) => number; bandwidth?: () => number }
interface HandleProps {
  edit: WeekEdit; onValue: (v: number) => void; onWeek: (dir: -1 | 1) => void; label: string;
  xAxisMap?: Record<string, { scale: Scale }>; yAxisMap?: Record<string, { scale: Scale }>;
}

/**
 * The draggable bar of the week being set, drawn inside the chart (recharts' <Customized>, which
 * passes the axes' scales). Drag it up or down; it is a slider for the keyboard: arrows and
 * PageUp/PageDown change the value, Left/Right move to the week before or after. Focused when drawn.
 */
export function WeekHandle({ edit, onValue, onWeek, label, xAxisMap, yAxisMap }: HandleProps) {
  const ref = useRef<SVGGElement>(null);
  const drawn = !!(xAxisMap && yAxisMap);
  useEffect(() => { if (drawn) ref.current?.focus(); }, [drawn]); // the keyboard lands on the bar
  const x = xAxisMap && Object.values(xAxisMap)[0]?.scale;
  const y = yAxisMap && Object.values(yAxisMap)[0]?.scale;
  if (!x || !y) return null;
  const x0 = x(edit.from), x1 = x(edit.to), yv = y(edit.value);
  if (!Number.isFinite(x0) || !Number.isFinite(yv)) return null;
  const right = Number.isFinite(x1) ? x1 : x0;
  const valueAt = (e: PointerEvent<SVGGElement>) => {
    const svg = (e.currentTarget as SVGGElement).ownerSVGElement;
    const top = svg ? svg.getBoundingClientRect().top : 0;
    const v = y.invert ? y.invert(e.clientY - top) : NaN;
    return Number.isFinite(v) ? round1(v) : edit.value;
  };
  const key = (e: KeyboardEvent<SVGGElement>) => {
    const s = stepFor(edit.value);
    const by: Record<string, number> = { ArrowUp: s, ArrowDown: -s, PageUp: 10 * s, PageDown: -10 * s };
    if (e.key in by) onValue(round1(edit.value + by[e.key]));
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') onWeek(e.key === 'ArrowLeft' ? -1 : 1);
    else return;
    e.preventDefault();
  };
  return (
    <g ref={ref} className="week-handle" data-testid="week-handle" role="slider" tabIndex={0} aria-label={label}
      aria-valuenow={edit.value} aria-valuemin={0} aria-valuetext={`${edit.value} (${edit.from} – ${edit.to})`}
      style={{ cursor: 'ns-resize', touchAction: 'none' }} onKeyDown={key} onClick={(e) => e.stopPropagation()}
      onPointerDown={(e) => { e.currentTarget.setPointerCapture?.(e.pointerId); onValue(valueAt(e)); }}
      onPointerMove={(e) => { if (e.buttons & 1) onValue(valueAt(e)); }}>
      <rect x={x0 - 4} y={yv - 10} width={right - x0 + 8} height={20} fill="#f97316" fillOpacity={0.12} />
      <line x1={x0} x2={right} y1={yv} y2={yv} stroke="#ea580c" strokeWidth={3} />
      <circle cx={(x0 + right) / 2} cy={yv} r={7} fill="#ea580c" stroke="#fff" strokeWidth={2} />
    </g>
  );
}

/**
 * The form beside the chart while a week is set: the period, the value (also typed), a reason,
 * and "Save draft", which creates an ABSOLUTE forecast override for the item x site x week.
 */
export function WeekEditForm({ itemId, siteId, edit, onValue, onDone }: {
  itemId: number; siteId: number; edit: WeekEdit; onValue: (v: number) => void; onDone: (o: Override) => void;
}) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const create = useMutation({
    mutationFn: () => api.createOverride({ kind: 'FORECAST', item_id: itemId, site_id: siteId, valid_from: edit.from,
      valid_to: edit.to, mode: 'ABSOLUTE', value: edit.value, reason }),
    onSuccess: (o) => { qc.invalidateQueries({ queryKey: ['forecasts'] }); qc.invalidateQueries({ queryKey: ['overrides'] }); onDone(o); },
  });
  return (
    <form className="card flex flex-wrap items-end gap-2" data-testid="week-edit-form"
      onSubmit={(e) => { e.preventDefault(); if (!create.isPending) create.mutate(); }}>
      <p className="text-sm" data-testid="week-edit-period">{t('ovPeriod')}: <strong>{fmtDate(edit.from, locale)} – {fmtDate(edit.to, locale)}</strong></p>
      <label className="label">{t('ovValue')} ({t('ovUnitsPerDay')})
        <input className="input w-24" type="number" step="0.1" min="0" value={edit.value} data-testid="week-edit-value"
          onChange={(e) => onValue(round1(Number(e.target.value)))} required />
      </label>
      <label className="label grow">{t('ovReason')}
        <input className="input w-full" value={reason} onChange={(e) => setReason(e.target.value)} minLength={3} maxLength={500}
          required data-testid="week-edit-reason" />
      </label>
      <button className="btn-primary" type="submit" disabled={create.isPending} data-testid="week-edit-save">{t('ovCreate')}</button>
      <p className="w-full text-xs text-slate-500">{t('chartEditHint', { step: fmtNumber(stepFor(edit.value), locale, 1) })}</p>
      {create.isError && <p className="w-full text-sm text-red-700" role="alert">{errorText(create.error, t)}</p>}
    </form>
  );
}
