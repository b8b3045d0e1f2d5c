import { render, screen } from '@testing-library/react';
import { KpiCard } from './KpiCard';
import { compare } from '../lib/metrics';
import { I18nProvider } from '../lib/i18n';

function renderCard(cur: number | null, prev: number | null) {
  return render(<I18nProvider initial="en"><KpiCard id="x" label="Stockout rate" value="3.0%" change={compare(cur, prev, true)} /></I18nProvider>);
}

describe('KpiCard', () => {
  it('shows a green down arrow when a lower-is-better KPI falls', () => {
    renderCard(0.03, 0.04);
    const ch = screen.getByTestId('kpi-x-change');
    expect(ch.textContent).toContain('▼');
    expect(ch.className).toContain('text-green-700');
    expect(ch.textContent).toContain('25.0%');
    expect(screen.getByRole('heading', { name: 'Stockout rate' })).toBeTruthy();
  });
  it('shows a red up arrow when it rises', () => {
    renderCard(0.05, 0.04);
    const ch = screen.getByTestId('kpi-x-change');
    expect(ch.textContent).toContain('▲');
    expect(ch.className).toContain('text-red-700');
  });
  it('says a rate\'s change in points, not per cent of itself', () => {
    render(<I18nProvider initial="en"><KpiCard id="r" label="Stockout rate" value="3.0%" rate change={compare(0.03, 0.04, true)} /></I18nProvider>);
    const ch = screen.getByTestId('kpi-r-change');
    expect(ch.textContent).toContain('1.0 pts');
    expect(ch.textContent).not.toContain('25.0%');
  });
  it('says when there is no earlier value', () => {
    renderCard(0.05, null);
    expect(screen.getByTestId('kpi-x-change').textContent).toBe('no earlier value');
  });
});

describe('KpiCard drill-down, trend and data end', () => {
  it('links to its page, draws the trend and says which day the value is from', async () => {
    const { MemoryRouter } = await import('react-router-dom');
    render(<MemoryRouter><I18nProvider initial="en">
      <KpiCard id="s" label="Stockout rate" value="3.0%" rate change={compare(0.03, 0.04, true)}
        trend={[0.05, null, 0.04, 0.03]} through="2026-12-05" to="/inventory?stockout=true" />
    </I18nProvider></MemoryRouter>);
    expect(screen.getByTestId('kpi-s-link').getAttribute('href')).toBe('/inventory?stockout=true');
    const svg = screen.getByTestId('sparkline');
    expect(svg.getAttribute('data-points')).toBe('3');
    // The gap is a new move, not a line through the missing day.
    expect(svg.querySelector('path')?.getAttribute('d')?.match(/M/g)?.length).toBe(2);
    expect(screen.getByTestId('kpi-s-through').textContent).toContain('2026');
  });
});
