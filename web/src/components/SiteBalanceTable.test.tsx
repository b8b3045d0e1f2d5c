import { fireEvent, render, screen } from '@testing-library/react';
import type { SiteBalanceRow } from '../api/client';
import { I18nProvider } from '../lib/i18n';
import { SiteBalanceTable, balanceOf } from './SiteBalanceTable';

const base: SiteBalanceRow = {
  site_id: 1, site_code: 'N', site_name: 'North', on_hand: 10, on_order: 5, avg_daily_demand: 2, days_of_cover: 5,
  safety_stock: 4, reorder_point: 20, order_up_to: 40, lead_time_days: 6, days_to_rupture: 5, short_units: 25, surplus_units: 0, reallocate_candidate: true,
};
const sites: SiteBalanceRow[] = [
  base,
  { ...base, site_id: 2, site_code: 'S', site_name: 'South', on_hand: 100, on_order: 0, days_of_cover: 25, short_units: 0, surplus_units: 40, reallocate_candidate: false },
  { ...base, site_id: 3, site_code: 'E', site_name: 'East', on_hand: 21, on_order: 0, days_of_cover: null, short_units: 0, surplus_units: 0, reallocate_candidate: false },
];

describe('SiteBalanceTable', () => {
  it('classifies each site by its short and surplus units', () => {
    expect(sites.map(balanceOf)).toEqual(['short', 'surplus', 'ok']);
  });

  it('marks short and surplus sites, the REALLOCATE candidate, and totals the units', () => {
    const picked: number[] = [];
    render(<I18nProvider initial="en"><SiteBalanceTable sites={sites} selected={2} onPick={(s) => picked.push(s)} /></I18nProvider>);
    const rows = [...screen.getByTestId('site-balance').querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-balance'))).toEqual(['short', 'surplus', 'ok']);
    expect(rows[0].querySelector('[data-testid="short-units"]')!.textContent).toBe('25.0');
    expect(rows[1].querySelector('[data-testid="surplus-units"]')!.textContent).toBe('40.0');
    expect(rows[0].querySelector('[data-testid="reallocate"]')).not.toBeNull();
    expect(rows[1].querySelector('[data-testid="reallocate"]')).toBeNull();
    expect(rows[1].className).toContain('font-semibold');
    expect(rows[2].textContent).toContain('—'); // no demand, no cover
    expect(rows[0].querySelector('[data-testid="site-dtr"]')!.textContent).toBe('5');
    const foot = screen.getByTestId('site-balance').querySelector('tfoot')!.textContent!;
    expect(foot).toContain('25.0');
    expect(foot).toContain('40.0');
    fireEvent.click(screen.getByRole('button', { name: 'East' }));
    expect(picked).toEqual([3]);
  });

  it('says so when no site has a policy', () => {
    render(<I18nProvider initial="en"><SiteBalanceTable sites={[]} /></I18nProvider>);
    expect(screen.getByTestId('site-balance-empty')).toBeTruthy();
  });
});
