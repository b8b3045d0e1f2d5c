import { useEffect } from 'react';
import type { Toast } from '../lib/queue';
import { useI18n } from '../lib/i18n';

/** A toast at the bottom of the screen, with Undo when the action can be undone (or another action); it leaves after `ms`. */
export function UndoToast({ toast, onClose, ms = 8000 }: { toast: Toast | null; onClose: () => void; ms?: number }) {
  const { t } = useI18n();
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(onClose, toast.undo || toast.action ? ms : Math.min(ms, 3000));
    return () => clearTimeout(timer);
  }, [toast, ms, onClose]);
  if (!toast) return null;
  return (
    <div aria-live="polite" data-testid="undo-toast"
      className="fixed bottom-4 left-1/2 z-50 flex -translate-x-1/2 items-center gap-3 rounded-lg bg-slate-900 px-4 py-2 text-sm text-white shadow-lg">
      <span>{toast.message}</span>
      {toast.action && (
        <button className="rounded px-2 py-0.5 font-semibold text-blue-200 underline hover:bg-slate-700" data-testid="toast-action"
          onClick={() => { toast.action?.run(); onClose(); }}>{toast.action.label}</button>
      )}
      {toast.undo && (
        <button className="rounded px-2 py-0.5 font-semibold text-blue-200 underline hover:bg-slate-700" data-testid="toast-undo"
          onClick={() => { toast.undo?.(); onClose(); }}>{t('undo')}</button>
      )}
      <button className="rounded px-1 text-slate-300 hover:bg-slate-700" aria-label={t('close')} onClick={onClose}>×</button>
    </div>
  );
}
