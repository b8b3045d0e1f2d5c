import type { InventoryPoint, InventoryPolicy } from '../api/client';
import { sumInventory } from './aggregate';

const pt = (full_date: string, site_id: number, current_stock: number | null): InventoryPoint =>
  ({ full_date, site_id, current_stock, safety_stock: null, reorder_point: null, days_to_rupture: null });
const rows = [pt('2026-01-02', 1, 5), pt('2026-01-01', 1, 3), pt('2026-01-01', 2, 4), pt('2026-01-02', 2, null), pt('2026-01-01', 3, 0)];
const policies: InventoryPolicy[] = [
  { site_id: 1, safety_stock: 2, reorder_point: 10, days_to_rupture: 3, lead_time_days: 6 },
  { site_id: 2, safety_stock: '1.5' as unknown as number, reorder_point: 7, days_to_rupture: 9, lead_time_days: 8 },
];

describe('sumInventory', () => {
  it('sums every site per day for "All sites", with summed levels and no pooled days to rupture', () => {
    const s = sumInventory(rows, policies);
    expect(s.days).toEqual([{ full_date: '2026-01-01', current_stock: 7 }, { full_date: '2026-01-02', current_stock: 5 }]);
    expect(s.policy).toEqual({ safety_stock: 3.5, reorder_point: 17, lead_time_days: 8, days_to_rupture: null });
    expect(s.sites).toBe(3);
  });

  it('keeps one site as it is', () => {
    const s = sumInventory(rows.filter((r) => r.site_id === 2), policies, 2);
    expect(s.days).toEqual([{ full_date: '2026-01-01', current_stock: 4 }, { full_date: '2026-01-02', current_stock: null }]);
    expect(s.policy).toEqual({ safety_stock: 1.5, reorder_point: 7, lead_time_days: 8, days_to_rupture: 9 });
  });

  it('has no policy when the run has none', () => {
    expect(sumInventory(rows, []).policy).toBeUndefined();
  });
});
