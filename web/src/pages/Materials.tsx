import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { useState, useEffect } from 'react';
import { api, CSV_ALL, num, type Query } from '../api/client';
import { useAllItems, useSites } from '../lib/hooks';
import { useI18n } from '../lib/i18n';
import { CsvApiButton } from '../components/Csv';
import { SearchSelect } from '../components/SearchPicker';
import { Pager } from '../components/Pager';
import { RiskLabel } from '../components/RiskBadge';
import { worstRisk, type SiteRisk } from '../lib/metrics';
import { QueryState } from '../components/States';

const LIMIT = 25;
const SORTS = ['sku', '-sku', 'name', '-name', 'family', 'abc_class', '-criticality', 'criticality'];

export default function Materials() {
  const { t } = useI18n();
  const [sp, setSp] = useSearchParams();
  const all = useAllItems();
  const sites = useSites();
  const family = sp.get('family') ?? '';
  const abc = sp.get('abc_class') ?? '';
  const site = sp.get('site') ?? '';
  const q = sp.get('q') ?? '';
  const sort = sp.get('sort') ?? 'sku';
  const offset = Number(sp.get('offset') ?? 0) || 0;
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  const set = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    if (v) n.set(k, v); else n.delete(k);
    if (k !== 'offset') n.delete('offset');
    setSp(n, { replace: true });
  };
  const filters: Query = { family: family || undefined, abc_class: abc || undefined, q: q || undefined, sort };
  const list = useQuery({
    queryKey: ['items', { ...filters, limit: LIMIT, offset }],
    queryFn: () => api.items({ ...filters, limit: LIMIT, offset }),
    placeholderData: keepPreviousData,
  });
  // The page's risk badges: one snapshot request for its items (at the chosen site or all sites).
  const ids = (list.data?.data ?? []).map((i) => i.item_id).join(',');
  const risk = useQuery({
    queryKey: ['inventory', 'snapshot', { item_ids: ids, site_id: site || undefined, limit: 1000 }],
    queryFn: () => api.inventorySnapshot({ item_ids: ids, site_id: site || undefined, limit: 1000 }),
    enabled: ids !== '',
  });
  // Each item's worst site on the latest day, judged against that site's lead time.
  const bySite = new Map<number, SiteRisk[]>();
  for (const r of risk.data?.data ?? []) {
    const s = { days: r.stockout ? 0 : num(r.days_to_rupture), lead: num(r.lead_time_days), inStock: !r.stockout };
    bySite.set(r.item_id, [...(bySite.get(r.item_id) ?? []), s]);
  }
  const families = [...new Set((all.data ?? []).map((i) => i.family).filter(Boolean) as string[])].sort();

  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">{t('materials')}</h1>
      <form className="card flex flex-wrap items-end gap-3" role="search" onSubmit={(e) => { e.preventDefault(); set('q', text.trim()); }}>
        <label className="label">{t('search')}
          <span className="flex gap-1">
            <input className="input" type="search" name="q" value={text} onChange={(e) => setText(e.target.value)} placeholder="SKU / nome" />
            <button className="btn" type="submit">{t('search')}</button>
          </span>
        </label>
        <SearchSelect label={t('family')} name="family" value={family} onChange={(v) => set('family', v)} allLabel={t('all')}
          options={families.map((f) => ({ value: f, label: f }))} />
        <label className="label">{t('abcClass')}
          <select className="input" name="abc_class" value={abc} onChange={(e) => set('abc_class', e.target.value)}>
            <option value="">{t('all')}</option>
            {['A', 'B', 'C'].map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <SearchSelect label={t('site')} name="site" value={site} onChange={(v) => set('site', v)} allLabel={t('allSites')}
          options={(sites.data ?? []).map((x) => ({ value: String(x.site_id), label: x.name }))} />
        <label className="label">{t('sortBy')}
          <select className="input" name="sort" value={sort} onChange={(e) => set('sort', e.target.value)}>
            {SORTS.map((s) => <option key={s} value={s}>{s.startsWith('-') ? `${s.slice(1)} ↓` : `${s} ↑`}</option>)}
          </select>
        </label>
        <CsvApiButton path="/items" query={{ ...filters, limit: CSV_ALL }} filename="materials.csv" />
      </form>
      <div className="card overflow-x-auto p-0">
        <QueryState q={list} empty={(d) => d.data.length === 0}>
          {(d) => (
            <>
              <table className="w-full min-w-[640px]" data-testid="materials-table">
                <thead><tr>
                  <th className="th">{t('sku')}</th><th className="th">{t('name')}</th><th className="th">{t('family')}</th>
                  <th className="th">{t('abcClass')}</th><th className="th">{t('criticality')}</th><th className="th">{t('risk')}</th>
                </tr></thead>
                <tbody>
                  {d.data.map((i) => (
                    <tr key={i.item_id} className="hover:bg-slate-50">
                      <td className="td font-mono"><Link className="text-blue-800 underline" to={`/materials/${i.item_id}${site ? `?site=${site}` : ''}`}>{i.sku}</Link></td>
                      <td className="td">{i.name}</td>
                      <td className="td">{i.family}</td>
                      <td className="td">{i.abc_class ?? '—'}</td>
                      <td className="td">{i.criticality ?? '—'}</td>
                      <td className="td">{risk.isLoading ? <span className="text-xs text-slate-400">…</span> : risk.isError ? <span className="text-xs text-red-700" title={String((risk.error as Error).message)}>!</span> : <RiskLabel {...worstRisk(bySite.get(i.item_id) ?? [])} />}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager offset={offset} limit={LIMIT} total={Number(d.metadata.total_count ?? d.data.length)} onChange={(o) => set('offset', String(o))} />
            </>
          )}
        </QueryState>
      </div>
    </div>
  );
}
