import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useAuth } from '../lib/auth';
import { useI18n } from '../lib/i18n';
import type { Locale } from '../lib/format';
import { errorText } from '../components/States';

function safeNext(next: string | null): string {
  // Only same-app paths: never an absolute URL (open redirect).
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/dashboard';
  return next;
}

export function LoginPage() {
  const { login, hasToken, me } = useAuth();
  const { t, locale, setLocale } = useI18n();
  const [params] = useSearchParams();
  const nav = useNavigate();
  const next = safeNext(params.get('next'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);

  if (hasToken && me) return <Navigate to={next} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      await login(username, password);
      nav(next, { replace: true });
    } catch (ex) {
      setErr(errorText(ex, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <form onSubmit={submit} className="card w-full max-w-sm space-y-4" aria-labelledby="login-title">
        <div className="flex items-center justify-between">
          <h1 id="login-title" className="text-xl font-bold text-blue-800">{t('loginTitle')}</h1>
          <select aria-label={t('language')} className="input py-1" value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
            <option value="pt-BR">PT</option>
            <option value="en">EN</option>
          </select>
        </div>
        {sessionStorage.getItem('corrente.expired') && !err && <p className="text-sm text-slate-600">{t('sessionExpired')}</p>}
        <label className="label">{t('username')}
          <input className="input" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label className="label">{t('password')}
          <input className="input" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {err && <p role="alert" className="rounded bg-red-50 p-2 text-sm text-red-800">{err}</p>}
        <button type="submit" className="btn-primary w-full justify-center" disabled={busy}>{busy ? t('signingIn') : t('login')}</button>
      </form>
    </main>
  );
}
