// Before any spec: each role's session (ADMIN, ANALYST, VIEWER) logs in once through the API and
// is saved as a storageState file (the dashboard keeps its token in localStorage), which the
// fixtures hand to the pages of that role. Specs never depend on one another's order.
import fs from 'node:fs';
import path from 'node:path';
import { authFile, env, ROLES } from './fixtures.mjs';

export default async function globalSetup() {
  const { base, users } = env();
  for (const role of ROLES) {
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: users[role].name, password: users[role].pw }),
    });
    const b = await r.json();
    if (!r.ok) throw new Error(`login ${role}: ${r.status} ${JSON.stringify(b)}`);
    const { access_token: token, expires_in: ttl } = b.data ?? b;
    const state = { cookies: [], origins: [{ origin: base, localStorage: [
      { name: 'corrente.token', value: token },
      { name: 'corrente.token_exp', value: String(Date.now() + Number(ttl ?? 3600) * 1000) },
      { name: 'corrente.locale', value: 'en' },
    ] }] };
    fs.mkdirSync(path.dirname(authFile(role)), { recursive: true });
    fs.writeFileSync(authFile(role), JSON.stringify(state));
  }
}
