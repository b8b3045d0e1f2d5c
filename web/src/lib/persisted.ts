import { useCallback, useEffect, useState } from 'react';

const PREFIX = 'corrente.form.';

/** Forgets every kept form: a deliberate sign-out, so the next user of the tab sees none of it. */
export function forgetForms(): void {
  try {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith(PREFIX)) sessionStorage.removeItem(k);
  } catch { /* ignore */ }
}

/**
 * A form's state kept in sessionStorage (under PREFIX + `key`) while it is typed, so a lost session (401,
 * the login page, back) or a reload loses nothing of it. `clear()` forgets it (after a save).
 * `initial` computes the state when nothing is stored; `prefer` overrides stored fields (a link's
 * own values win over an older draft).
 */
export function usePersistedForm<T extends Record<string, string>>(key: string, initial: () => T, prefer: Partial<T> = {}) {
  const [state, setState] = useState<T>(() => {
    const base = initial();
    let stored: Partial<T> = {};
    try { stored = JSON.parse(sessionStorage.getItem(PREFIX + key) ?? '{}') as Partial<T>; } catch { /* ignore a bad entry */ }
    const pick = (o: Partial<T>) => Object.fromEntries(Object.entries(o).filter(([k, v]) => k in base && typeof v === 'string' && v !== '')) as Partial<T>;
    return { ...base, ...pick(stored), ...pick(prefer) };
  });
  useEffect(() => {
    try { sessionStorage.setItem(PREFIX + key, JSON.stringify(state)); } catch { /* storage full or off: the form still works */ }
  }, [key, state]);
  const set = useCallback(<K extends keyof T>(k: K, v: T[K]) => setState((s) => ({ ...s, [k]: v })), []);
  const clear = useCallback(() => {
    try { sessionStorage.removeItem(PREFIX + key); } catch { /* ignore */ }
    setState(initial());
  }, [key, initial]);
  return { state, set, clear };
}
