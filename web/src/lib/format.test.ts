import { addDays, daysBetween, fmtAxisDate, fmtAxisNumber, fmtDate, fmtMoney, fmtNumber, fmtPercent } from './format';

const nbsp = (s: string) => s.replace(/\u00a0|\u202f/g, ' ');

describe('formatters', () => {
  it('formats numbers per locale', () => {
    expect(fmtNumber(1234567.891, 'en', 2)).toBe('1,234,567.89');
    expect(fmtNumber(1234567.891, 'pt-BR', 2)).toBe('1.234.567,89');
    expect(fmtNumber(null, 'en')).toBe('—');
    expect(fmtNumber(NaN, 'en')).toBe('—');
  });
  it('formats ratios as percentages', () => {
    expect(fmtPercent(0.0345, 'en')).toBe('3.5%');
    expect(nbsp(fmtPercent(0.0345, 'pt-BR'))).toBe('3,5 %'.replace(' %', '%')) ;
  });
  it('formats money in the locale currency', () => {
    expect(nbsp(fmtMoney(1500.5, 'en'))).toBe('R$1,500.50');
    expect(nbsp(fmtMoney(1500.5, 'pt-BR'))).toBe('R$ 1.500,50');
    expect(nbsp(fmtMoney(2_500_000, 'en', true))).toBe('R$2.5M');
    expect(nbsp(fmtMoney(41, 'en', true))).toBe('R$41');
    expect(fmtAxisNumber(9_999, 'en')).toBe('9,999');
    expect(fmtAxisNumber(45_000, 'en')).toBe('45K');
    expect(nbsp(fmtAxisNumber(6_000_000, 'pt-BR'))).toBe('6 mi');
    expect(nbsp(fmtMoney(24_878, 'pt-BR', true))).toBe('R$ 24,9 mil');
  });
  it('formats calendar dates without shifting the day', () => {
    expect(fmtDate('2025-01-05', 'pt-BR')).toBe('05/01/2025');
    expect(fmtDate('2025-01-05', 'en')).toBe('01/05/2025');
    expect(fmtDate(null, 'en')).toBe('—');
    expect(fmtAxisDate('2025-01-05', 'pt-BR')).toBe('05/01');
  });
  it('does day arithmetic across month and year ends', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(daysBetween('2024-01-01', '2024-12-31')).toBe(365);
  });
});
