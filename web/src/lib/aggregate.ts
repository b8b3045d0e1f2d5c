// Summing an item's per-site inventory into the "All sites" view: a real aggregate, never one site
// standing in for all.
import { num, type InventoryPoint, type InventoryPolicy } from '../api/client';

export interface SummedPolicy { safety_stock: number | null; reorder_point: number | null; lead_time_days: number | null; days_to_rupture: number | null }
export interface SummedInventory {
  days: { full_date: string; current_stock: number | null }[];
  policy: SummedPolicy | undefined;
  sites: number; // how many sites the figures cover
}

const add = (a: number | null, b: number | null) => (b === null ? a : (a ?? 0) + b);

/**
 * One site: its rows and policy as they are. No site (`site` undefined): stock summed per day over
 * the sites, safety stock and reorder point summed over the sites' policies (the item's total
 * levels), the longest lead time, and no days to rupture (a pooled figure would hide the site that
 * runs out first).
 */
export function sumInventory(rows: InventoryPoint[], policies: InventoryPolicy[], site?: number): SummedInventory {
  if (site !== undefined) {
    const p = policies.find((x) => x.site_id === site);
    return {
      days: rows.filter((r) => r.site_id === undefined || r.site_id === site)
        .map((r) => ({ full_date: r.full_date.slice(0, 10), current_stock: num(r.current_stock) })),
      policy: p && { safety_stock: num(p.safety_stock), reorder_point: num(p.reorder_point), lead_time_days: num(p.lead_time_days), days_to_rupture: num(p.days_to_rupture) },
      sites: 1,
    };
  }
  const byDay = new Map<string, number | null>();
  const siteIds = new Set<number>();
  for (const r of rows) {
    const d = r.full_date.slice(0, 10);
    byDay.set(d, add(byDay.get(d) ?? null, num(r.current_stock)));
    if (r.site_id !== undefined) siteIds.add(r.site_id);
  }
  let policy: SummedPolicy | undefined;
  for (const p of policies) {
    policy ??= { safety_stock: null, reorder_point: null, lead_time_days: null, days_to_rupture: null };
    policy.safety_stock = add(policy.safety_stock, num(p.safety_stock));
    policy.reorder_point = add(policy.reorder_point, num(p.reorder_point));
    const lead = num(p.lead_time_days);
    if (lead !== null) policy.lead_time_days = Math.max(policy.lead_time_days ?? 0, lead);
  }
  const days = [...byDay.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([full_date, current_stock]) => ({ full_date, current_stock }));
  return { days, policy, sites: siteIds.size };
}
