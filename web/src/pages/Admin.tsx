import { useState, type FormEvent } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Role, type User } from '../api/client';
import { fmtDateTime } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { Pager } from '../components/Pager';
import { QueryState, errorText } from '../components/States';

const ROLES: Role[] = ['ADMIN', 'ANALYST', 'VIEWER'];

export default function Admin() {
  const { t } = useI18n();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t('admin')}</h1>
      <Users />
      <Audit />
    </div>
  );
}

function Users() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: () => api.users({ limit: 1000 }) });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [form, setForm] = useState({ username: '', email: '', password: '', role: 'VIEWER' as Role });
  const [resetFor, setResetFor] = useState<number | null>(null);
  const [newPw, setNewPw] = useState('');
  const done = (text: string) => { setMsg({ ok: true, text }); qc.invalidateQueries({ queryKey: ['admin'] }); };
  const fail = (e: unknown) => setMsg({ ok: false, text: errorText(e, t) });
  const create = useMutation({
    mutationFn: () => api.createUser({ username: form.username, password: form.password, role: form.role, email: form.email || undefined }),
    onSuccess: () => { setForm({ username: '', email: '', password: '', role: 'VIEWER' }); done(t('saved')); },
    onError: fail,
  });
  const patch = useMutation({
    mutationFn: ({ id, p }: { id: number; p: { role?: Role; active?: boolean; password?: string } }) => api.updateUser(id, p),
    onSuccess: () => { setResetFor(null); setNewPw(''); done(t('saved')); },
    onError: fail,
  });
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <section className="space-y-3" aria-labelledby="users-title">
      <h2 id="users-title" className="text-lg font-semibold">{t('users')}</h2>
      <form onSubmit={submit} className="card flex flex-wrap items-end gap-3" aria-label={t('createUser')}>
        <label className="label">{t('username')}<input className="input" required minLength={3} pattern="[A-Za-z0-9_.@\-]{3,64}" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} /></label>
        <label className="label">{t('email')}<input className="input" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} /></label>
        <label className="label">{t('password')}<input className="input" type="password" required minLength={8} autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} /></label>
        <label className="label">{t('role')}<select className="input" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
        <button className="btn-primary" type="submit" disabled={create.isPending}>{t('createUser')}</button>
      </form>
      {msg && <p role={msg.ok ? 'status' : 'alert'} className={`rounded p-2 text-sm ${msg.ok ? 'bg-green-50 text-green-800' : 'bg-red-50 text-red-800'}`}>{msg.text}</p>}
      <div className="card overflow-x-auto p-0">
        <QueryState q={users} empty={(d) => d.data.length === 0}>
          {(d) => (
            <table className="w-full min-w-[720px]" data-testid="users-table">
              <thead><tr><th className="th">{t('username')}</th><th className="th">{t('email')}</th><th className="th">{t('role')}</th><th className="th">{t('status')}</th><th className="th">{t('lastLogin')}</th><th className="th"><span className="sr-only">{t('action')}</span></th></tr></thead>
              <tbody>
                {d.data.map((u: User) => (
                  <tr key={u.user_id}>
                    <td className="td font-medium">{u.username}</td>
                    <td className="td">{u.email ?? '—'}</td>
                    <td className="td">
                      <select aria-label={`${t('role')} ${u.username}`} className="input py-1" value={u.role} onChange={(e) => patch.mutate({ id: u.user_id, p: { role: e.target.value as Role } })}>
                        {ROLES.map((r) => <option key={r}>{r}</option>)}
                      </select>
                    </td>
                    <td className="td">{u.active ? t('active') : t('inactive')}</td>
                    <td className="td">{fmtDateTime(u.last_login, locale)}</td>
                    <td className="td">
                      <span className="flex flex-wrap gap-2">
                        <button className="btn" onClick={() => patch.mutate({ id: u.user_id, p: { active: !u.active } })}>{u.active ? t('deactivate') : t('activate')}</button>
                        {resetFor === u.user_id ? (
                          <form className="flex gap-1" onSubmit={(e) => { e.preventDefault(); patch.mutate({ id: u.user_id, p: { password: newPw } }); }}>
                            <label className="sr-only" htmlFor={`pw-${u.user_id}`}>{t('newPassword')}</label>
                            <input id={`pw-${u.user_id}`} className="input py-1" type="password" minLength={8} required autoComplete="new-password" value={newPw} onChange={(e) => setNewPw(e.target.value)} placeholder={t('newPassword')} />
                            <button className="btn-primary" type="submit">{t('save')}</button>
                            <button className="btn" type="button" onClick={() => setResetFor(null)}>{t('cancel')}</button>
                          </form>
                        ) : <button className="btn" onClick={() => { setResetFor(u.user_id); setNewPw(''); }}>{t('resetPassword')}</button>}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryState>
      </div>
    </section>
  );
}

const LIMIT = 50;
function Audit() {
  const { t, locale } = useI18n();
  const [draft, setDraft] = useState({ actor: '', action: '', from: '', to: '' });
  const [f, setF] = useState(draft);
  const [offset, setOffset] = useState(0);
  const q = useQuery({
    queryKey: ['admin', 'audit', f, offset],
    queryFn: () => api.auditLogs({ ...f, limit: LIMIT, offset }),
    placeholderData: keepPreviousData,
  });
  return (
    <section className="space-y-3" aria-labelledby="audit-title">
      <h2 id="audit-title" className="text-lg font-semibold">{t('auditLog')}</h2>
      <form className="card flex flex-wrap items-end gap-3" onSubmit={(e) => { e.preventDefault(); setOffset(0); setF(draft); }}>
        <label className="label">{t('actor')}<input className="input" name="actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} /></label>
        <label className="label">{t('action')}<input className="input" name="action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} /></label>
        <label className="label">{t('from')}<input className="input" type="date" name="from" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} /></label>
        <label className="label">{t('to')}<input className="input" type="date" name="to" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} /></label>
        <button className="btn-primary" type="submit">{t('apply')}</button>
      </form>
      <div className="card overflow-x-auto p-0">
        <QueryState q={q} empty={(d) => d.data.length === 0}>
          {(d) => (
            <>
              <table className="w-full min-w-[720px]" data-testid="audit-table">
                <thead><tr><th className="th">{t('when')}</th><th className="th">{t('actor')}</th><th className="th">{t('action')}</th><th className="th">{t('entity')}</th><th className="th">{t('details')}</th></tr></thead>
                <tbody>
                  {d.data.map((a) => (
                    <tr key={a.audit_id} data-action={a.action} data-entity-id={a.entity_id ?? ''}>
                      <td className="td whitespace-nowrap">{fmtDateTime(a.timestamp, locale)}</td>
                      <td className="td">{a.actor}</td>
                      <td className="td font-mono text-xs">{a.action}</td>
                      <td className="td">{a.entity_type ?? '—'}{a.entity_id !== null ? ` #${a.entity_id}` : ''}</td>
                      <td className="td max-w-md truncate font-mono text-xs" title={JSON.stringify(a.details)}>{JSON.stringify(a.details)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager offset={offset} limit={LIMIT} total={Number(d.metadata.total_count ?? d.data.length)} onChange={setOffset} />
            </>
          )}
        </QueryState>
      </div>
    </section>
  );
}
