import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { I18nProvider } from '../lib/i18n';
import { filterOptions, SearchMulti, SearchSelect, type PickOption } from './SearchPicker';

const many: PickOption[] = Array.from({ length: 500 }, (_, i) => ({ value: String(i + 1), label: `SKU-${String(i + 1).padStart(4, '0')} — part ${i + 1}` }));

function Single({ options }: { options: PickOption[] }) {
  const [v, setV] = useState('');
  return <I18nProvider initial="en"><SearchSelect label="Site" name="site_id" options={options} value={v} onChange={setV} allLabel="All sites" /><output>{v || 'none'}</output></I18nProvider>;
}
function Multi() {
  const [v, setV] = useState<string[]>(['3']);
  return <I18nProvider initial="en"><SearchMulti label="Items" name="items" options={many} values={v} onChange={setV} /><output>{v.join(',')}</output></I18nProvider>;
}

describe('SearchPicker', () => {
  it('filters on every word, any case, and says how many more there are', () => {
    const r = filterOptions(many, 'sku-00 PART', 10);
    expect(r.shown.length).toBe(10);
    expect(r.more).toBe(99 - 10);
    expect(filterOptions(many, 'part 499').shown.map((o) => o.value)).toEqual(['499']);
    expect(filterOptions(many, 'nothing like it').shown).toEqual([]);
  });

  it('says nothing is chosen yet, when there is no "all" to fall back on, instead of showing the first option as picked', () => {
    function Required() {
      const [v, setV] = useState('');
      return <I18nProvider initial="en"><SearchSelect label="Site" name="ov-site" options={many.slice(0, 3)} value={v} onChange={setV} /><output>{v || 'none'}</output></I18nProvider>;
    }
    render(<Required />);
    const sel = screen.getByRole('combobox') as HTMLSelectElement;
    expect(sel.selectedOptions[0].textContent).toBe('Choose…');
    expect(sel.selectedOptions[0].disabled).toBe(true);
    fireEvent.change(sel, { target: { value: '2' } });
    expect(screen.getByRole('status', { hidden: true }).textContent).toBe('2');
    expect([...sel.options].map((o) => o.textContent)).not.toContain('Choose…');
  });

  it('stays a plain select up to 20 options', () => {
    render(<Single options={many.slice(0, 20)} />);
    expect(screen.getByRole('combobox').tagName).toBe('SELECT');
  });

  it('past 20 options, searches and picks', () => {
    render(<Single options={many} />);
    const box = screen.getByRole('combobox');
    expect(box.tagName).toBe('INPUT');
    fireEvent.focus(box);
    fireEvent.change(box, { target: { value: 'part 250' } });
    const opts = screen.getAllByRole('option');
    expect(opts.map((o) => o.textContent)).toEqual(['SKU-0250 — part 250']);
    fireEvent.mouseDown(opts[0]);
    expect(document.querySelector('output')?.textContent).toBe('250');
    expect((box as HTMLInputElement).value).toBe('SKU-0250 — part 250');
  });

  it('picks with the keyboard', () => {
    render(<Single options={many} />);
    const box = screen.getByRole('combobox');
    fireEvent.focus(box);
    fireEvent.change(box, { target: { value: 'part 12' } });
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(document.querySelector('output')?.textContent).toBe(filterOptions(many, 'part 12').shown[1].value);
  });

  it('many values: search, tick, and remove a chip', () => {
    render(<Multi />);
    expect(screen.getAllByRole('checkbox').length).toBe(30); // not 500
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'part 77' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'SKU-0077 — part 77' }));
    expect(document.querySelector('output')?.textContent).toBe('3,77');
    fireEvent.click(screen.getByRole('button', { name: 'Remove SKU-0003 — part 3' }));
    expect(document.querySelector('output')?.textContent).toBe('77');
  });
});
