import { useId, useState } from 'react';
import { useI18n } from '../lib/i18n';

export interface PickOption { value: string; label: string }

/** Lists longer than this get a search box instead of a plain select or checkbox list. */
export const SEARCH_ABOVE = 20;

/** Options whose label contains every word of `query` (any case), at most `max` of them. */
export function filterOptions(options: PickOption[], query: string, max = 50): { shown: PickOption[]; more: number } {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = words.length ? options.filter((o) => words.every((w) => o.label.toLowerCase().includes(w))) : options;
  return { shown: hits.slice(0, max), more: Math.max(0, hits.length - max) };
}

/** One value ('' = all). A plain select up to SEARCH_ABOVE options; past it, a searchable list. */
export function SearchSelect({ label, name, options, value, onChange, allLabel, testId }: {
  label: string; name: string; options: PickOption[]; value: string; onChange: (v: string) => void; allLabel?: string; testId?: string;
}) {
  const { t } = useI18n();
  const listId = useId();
  const [query, setQuery] = useState<string | null>(null); // null: not searching
  const [active, setActive] = useState(0);
  if (options.length <= SEARCH_ABOVE) {
    return (
      <label className="label" data-picker={name} data-value={value}>{label}
        <select className="input" name={name} data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
          {allLabel !== undefined && <option value="">{allLabel}</option>}
          {/* Nothing chosen yet: say so, rather than show the first option as if it were picked. */}
          {allLabel === undefined && !options.some((o) => o.value === value) && <option value="" disabled>{t('pickOne')}</option>}
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
    );
  }
  const all = allLabel !== undefined ? [{ value: '', label: allLabel }, ...options] : options;
  const { shown, more } = filterOptions(all, query ?? '');
  const chosen = all.find((o) => o.value === value)?.label ?? '';
  const pick = (v: string) => { onChange(v); setQuery(null); };
  return (
    <div className="label relative" data-picker={name} data-value={value}>
      <label htmlFor={`${listId}-in`}>{label}</label>
      <input id={`${listId}-in`} className="input min-w-[12rem]" name={name} data-testid={testId} role="combobox" autoComplete="off"
        aria-expanded={query !== null} aria-controls={listId} placeholder={t('searchOptions')}
        value={query ?? chosen}
        onFocus={() => { setQuery(''); setActive(0); }}
        onBlur={() => setQuery(null)}
        onChange={(e) => { setQuery(e.target.value); setActive(0); }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(a + 1, shown.length - 1)); }
          if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
          if (e.key === 'Enter' && shown[active]) { e.preventDefault(); pick(shown[active].value); (e.target as HTMLInputElement).blur(); }
          if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
        }} />
      {query !== null && (
        <ul id={listId} role="listbox" className="absolute top-full z-20 mt-1 max-h-64 w-full min-w-[14rem] overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm font-normal shadow-lg">
          {shown.map((o, i) => (
            <li key={o.value} role="option" aria-selected={o.value === value} data-value={o.value}
              className={`cursor-pointer px-2 py-1 ${i === active ? 'bg-blue-50' : ''} ${o.value === value ? 'font-semibold' : ''}`}
              onMouseDown={(e) => { e.preventDefault(); pick(o.value); (document.activeElement as HTMLElement | null)?.blur(); }}>{o.label}</li>
          ))}
          {shown.length === 0 && <li className="px-2 py-1 text-slate-500">{t('noMatch')}</li>}
          {more > 0 && <li className="px-2 py-1 text-xs text-slate-500">{t('moreOptions', { n: more })}</li>}
        </ul>
      )}
    </div>
  );
}

/** Several values: the chosen ones as removable chips, the rest found by search (checkboxes). */
export function SearchMulti({ label, name, options, values, onChange }: {
  label: string; name: string; options: PickOption[]; values: string[]; onChange: (v: string[]) => void;
}) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const byValue = new Map(options.map((o) => [o.value, o]));
  const { shown, more } = filterOptions(options, query, options.length <= SEARCH_ABOVE ? options.length : 30);
  const toggle = (v: string) => onChange(values.includes(v) ? values.filter((x) => x !== v) : [...values, v]);
  return (
    <fieldset className="min-w-[14rem] rounded border border-slate-200 p-2" data-picker={name}>
      <legend className="px-1 text-xs font-medium text-slate-700">{label}</legend>
      <div className="mb-1 flex flex-wrap gap-1" data-testid={`${name}-chosen`}>
        {values.map((v) => (
          <span key={v} className="inline-flex items-center gap-1 rounded bg-blue-100 px-1.5 py-0.5 text-xs text-blue-900" data-value={v}>
            {byValue.get(v)?.label ?? v}
            <button type="button" aria-label={`${t('remove')} ${byValue.get(v)?.label ?? v}`} onClick={() => toggle(v)}>×</button>
          </span>
        ))}
      </div>
      {options.length > SEARCH_ABOVE && (
        <input className="input mb-1 w-full" type="search" name={`${name}-search`} placeholder={t('searchOptions')}
          aria-label={`${label}: ${t('search')}`} value={query} onChange={(e) => setQuery(e.target.value)} />
      )}
      <div className="max-h-32 overflow-y-auto">
        {shown.map((o) => (
          <label key={o.value} className="flex items-center gap-2 text-sm">
            <input type="checkbox" value={o.value} checked={values.includes(o.value)} onChange={() => toggle(o.value)} />{o.label}
          </label>
        ))}
        {shown.length === 0 && <p className="text-sm text-slate-500">{t('noMatch')}</p>}
        {more > 0 && <p className="text-xs text-slate-500">{t('moreOptions', { n: more })}</p>}
      </div>
    </fieldset>
  );
}
