import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { useAuth } from '../lib/auth';
import { useI18n, type MsgKey } from '../lib/i18n';
import type { Locale } from '../lib/format';
import { useLiveEvents } from '../lib/live';
import { PipelineStatus } from './PipelineStatus';
import { UndoToast } from './UndoToast';

const LINKS: { to: string; key: MsgKey; admin?: boolean }[] = [
  { to: '/dashboard', key: 'dashboard' },
  { to: '/materials', key: 'materials' },
  { to: '/forecasts', key: 'forecasts' },
  { to: '/inventory', key: 'inventory' },
  { to: '/recommendations', key: 'recommendations' },
  { to: '/alerts', key: 'alerts' },
  { to: '/simulation', key: 'simulation' },
  { to: '/overrides', key: 'overrides' },
  { to: '/admin', key: 'admin', admin: true },
];

export function useUnreadCount() {
  return useQuery({
    queryKey: ['alerts', 'unread-count'],
    queryFn: () => api.alerts({ unread: true, resolved: false, limit: 1 }).then((r) => Number(r.metadata.total_count ?? 0)),
    refetchInterval: 5 * 60_000, // a safety net: the live events refetch it when alerts change
  });
}

export function Layout() {
  const { me, logout, can, hasToken } = useAuth();
  const { t, locale, setLocale } = useI18n();
  const { pathname } = useLocation();
  // A title per page, so tabs and history tell the pages apart.
  useEffect(() => {
    const link = LINKS.find((l) => pathname === l.to || pathname.startsWith(`${l.to}/`));
    document.title = link ? `${t(link.key)} · Corrente` : 'Corrente';
  }, [pathname, t]);
  const unread = useUnreadCount();
  const live = useLiveEvents(hasToken);
  const [open, setOpen] = useState(false);
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:bg-white focus:p-2">{t('skipToContent')}</a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-2 px-3 py-2">
          <span className="mr-2 text-lg font-bold text-blue-800">Corrente</span>
          <button className="btn md:hidden" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>☰ {t('menu')}</button>
          <nav id="nav" aria-label="Main" className={`${open ? 'flex' : 'hidden'} w-full flex-col gap-1 md:flex md:w-auto md:flex-row`}>
            {LINKS.filter((l) => !l.admin || can('admin')).map((l) => (
              <NavLink key={l.to} to={l.to} onClick={() => setOpen(false)}
                className={({ isActive }) => `rounded px-2 py-1 text-sm ${isActive ? 'bg-blue-100 font-semibold text-blue-900' : 'text-slate-700 hover:bg-slate-100'}`}>
                {t(l.key)}
                {l.to === '/alerts' && !!unread.data && (
                  <span data-testid="unread-count" aria-label={t('unreadAlerts', { n: unread.data })}
                    className="ml-1 rounded-full bg-red-600 px-1.5 text-xs font-bold text-white">{unread.data}</span>
                )}
              </NavLink>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-2 text-sm">
            <label className="sr-only" htmlFor="lang">{t('language')}</label>
            <select id="lang" className="input py-1" value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
              <option value="pt-BR">Português (BR)</option>
              <option value="en">English</option>
            </select>
            {me && <span className="hidden text-slate-600 sm:inline" data-testid="whoami">{me.username} · {me.role}</span>}
            <button className="btn" onClick={() => logout()}>{t('logout')}</button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl p-3 md:p-4">
        <Outlet />
      </main>
      <PipelineStatus />
      <UndoToast toast={live.toast} onClose={live.closeToast} />
    </div>
  );
}
