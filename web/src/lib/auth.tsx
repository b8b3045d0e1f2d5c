import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, tokenStore, type Me, type Role } from '../api/client';
import { forgetForms } from './persisted';

interface AuthState {
  me: Me | undefined;
  loading: boolean;
  hasToken: boolean;
  login: (u: string, p: string) => Promise<void>;
  logout: () => Promise<void>;
  can: (action: 'write' | 'admin') => boolean;
}
const Ctx = createContext<AuthState | null>(null);

export function canDo(role: Role | undefined, action: 'write' | 'admin'): boolean {
  if (!role) return false;
  if (action === 'admin') return role === 'ADMIN';
  return role === 'ADMIN' || role === 'ANALYST';
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [hasToken, setHasToken] = useState(() => !!tokenStore.get());
  const [generation, setGeneration] = useState(0); // bumps on every new token: reschedules the refresh
  const me = useQuery({ queryKey: ['me'], queryFn: api.me, enabled: hasToken, staleTime: 5 * 60_000, retry: false });

  useEffect(() => {
    const onLost = () => {
      sessionStorage.setItem('corrente.expired', '1');
      setHasToken(false);
    };
    window.addEventListener('corrente:unauthorized', onLost);
    return () => window.removeEventListener('corrente:unauthorized', onLost);
  }, []);

  // Keep the session alive: swap the token for a fresh one a minute before it expires.
  useEffect(() => {
    if (!hasToken) return;
    const ms = Math.max(10_000, tokenStore.expiresAt() - Date.now() - 60_000);
    const id = window.setTimeout(async () => {
      try {
        const r = await api.refresh();
        tokenStore.set(r.access_token, r.expires_in);
        setGeneration((g) => g + 1);
      } catch { /* a 401 sends the user to /login */ }
    }, ms);
    return () => window.clearTimeout(id);
  }, [hasToken, generation]);

  const login = useCallback(async (u: string, p: string) => {
    const r = await api.login(u, p);
    tokenStore.set(r.access_token, r.expires_in || 3600);
    sessionStorage.removeItem('corrente.expired');
    qc.clear();
    setHasToken(true);
    setGeneration((g) => g + 1);
    await qc.fetchQuery({ queryKey: ['me'], queryFn: api.me });
  }, [qc]);

  const logout = useCallback(async () => {
    try { await api.logout(); } catch { /* the token is dropped anyway */ }
    tokenStore.clear();
    forgetForms(); // a 401 keeps them (the same planner logs in again); signing out does not
    qc.clear();
    setHasToken(false);
  }, [qc]);

  const value: AuthState = {
    me: me.data,
    loading: hasToken && me.isLoading,
    hasToken,
    login,
    logout,
    can: (a) => canDo(me.data?.role, a),
  };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
