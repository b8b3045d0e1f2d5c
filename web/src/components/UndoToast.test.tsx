import { act, fireEvent, render, screen } from '@testing-library/react';
import { I18nProvider } from '../lib/i18n';
import { UndoToast } from './UndoToast';

describe('UndoToast', () => {
  afterEach(() => vi.useRealTimers());

  it('offers undo, runs it once and closes', () => {
    const undo = vi.fn();
    const close = vi.fn();
    render(<I18nProvider initial="en"><UndoToast toast={{ id: 1, message: '3 acknowledged', undo }} onClose={close} /></I18nProvider>);
    expect(screen.getByTestId('undo-toast').textContent).toContain('3 acknowledged');
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(undo).toHaveBeenCalledOnce();
    expect(close).toHaveBeenCalledOnce();
  });

  it('leaves by itself after a few seconds', () => {
    vi.useFakeTimers();
    const close = vi.fn();
    render(<I18nProvider initial="en"><UndoToast toast={{ id: 1, message: 'done', undo: () => {} }} onClose={close} ms={5000} /></I18nProvider>);
    act(() => { vi.advanceTimersByTime(4900); });
    expect(close).not.toHaveBeenCalled();
    act(() => { vi.advanceTimersByTime(200); });
    expect(close).toHaveBeenCalledOnce();
  });

  it('shows nothing without a toast', () => {
    render(<I18nProvider initial="en"><UndoToast toast={null} onClose={() => {}} /></I18nProvider>);
    expect(screen.queryByTestId('undo-toast')).toBeNull();
  });
});
