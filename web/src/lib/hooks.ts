import { useQuery } from '@tanstack/react-query';
import { api, type Item, type Site } from '../api/client';
import { addDays, todayIso } from './format';

export function useSites() {
  return useQuery({ queryKey: ['sites'], queryFn: api.sites, staleTime: 10 * 60_000 });
}

/** Every item (up to 1000), for names, families and pickers. One request, cached. */
export function useAllItems() {
  return useQuery({
    queryKey: ['items', 'all'],
    queryFn: () => api.items({ limit: 1000, sort: 'sku' }).then((r) => r.data),
    staleTime: 10 * 60_000,
  });
}

export function useItemMap(): Map<number, Item> {
  const q = useAllItems();
  const m = new Map<number, Item>();
  for (const i of q.data ?? []) m.set(i.item_id, i);
  return m;
}

export function useSiteMap(): Map<number, Site> {
  const q = useSites();
  const m = new Map<number, Site>();
  for (const s of q.data ?? []) m.set(s.site_id, s);
  return m;
}

/** The last year of daily KPIs; shared by the dashboard and the "as of" date of the data. */
export function useKpis() {
  const end = todayIso();
  return useQuery({
    queryKey: ['kpis', end],
    queryFn: () => api.kpis({ start_date: addDays(end, -365), end_date: end }),
  });
}

/** The data's "today": the last KPI date, else the calendar's today. */
export function useAsOf(): string {
  return useAsOfReady() ?? todayIso();
}

/** As useAsOf, but null until the KPIs have answered: queries keyed on it wait, so none is sent twice. */
export function useAsOfReady(): string | null {
  const k = useKpis();
  if (k.isLoading) return null;
  const rows = k.data?.data ?? [];
  let last = '';
  for (const r of rows) if (r.full_date > last) last = r.full_date;
  return last || todayIso();
}
