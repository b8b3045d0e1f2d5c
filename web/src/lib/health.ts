import { num, type InventoryPoint, type Item } from '../api/client';

export interface HealthCell {
  site_id: number; abc_class: string; items: number; at_risk: number; stockouts: number;
  /** Median days to rupture (coverage) over the cell's item-sites with a value. */
  coverage_days: number | null;
}

/** Groups one day's inventory rows by site and ABC class. At risk: under 7 days of cover. */
export function healthBySiteAbc(rows: InventoryPoint[], items: Map<number, Item>): HealthCell[] {
  const cells = new Map<string, HealthCell & { cover: number[] }>();
  for (const r of rows) {
    if (r.item_id === undefined || r.site_id === undefined) continue;
    const abc = items.get(r.item_id)?.abc_class ?? '?';
    const key = `${r.site_id}|${abc}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { site_id: r.site_id, abc_class: abc, items: 0, at_risk: 0, stockouts: 0, coverage_days: null, cover: [] }));
    c.items++;
    const stock = num(r.current_stock);
    const dtr = num(r.days_to_rupture);
    if (stock !== null && stock <= 0) c.stockouts++;
    else if (dtr !== null && dtr < 7) c.at_risk++;
    if (dtr !== null) c.cover.push(dtr);
  }
  return [...cells.values()]
    .map(({ cover, ...c }) => {
      cover.sort((a, b) => a - b);
      const n = cover.length;
      const median = n ? (n % 2 ? cover[(n - 1) / 2] : (cover[n / 2 - 1] + cover[n / 2]) / 2) : null;
      return { ...c, coverage_days: median };
    })
    .sort((a, b) => a.site_id - b.site_id || a.abc_class.localeCompare(b.abc_class));
}
