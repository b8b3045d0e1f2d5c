#!/usr/bin/env bash
# Users of a migrated app log in with their bcrypt hashes ($2a$, $2b$, $2y$ as Node and Prisma
# apps write them): the first successful login stores argon2id in place of the hash, audited
# as PASSWORD_REHASH; the old password keeps working, wrong ones are refused, and neither a
# wrong password, an inactive account nor a throttled login touches the hash.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_legacy_login

check "db upgrade" quietly "$corrente" db upgrade
sql() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
# Known vectors (src/common/bcrypt_test.cpp): htpasswd -bnBC and python3-bcrypt.
sql "insert into support.users (username, email, password_hash, role, active) values
  ('legacy_y', 'y@x.es', '\$2y\$10\$56vpp.82qLSo0VFIhT6NOecBb8HQgLdA5q46f26OE3WAWzue04tWy', 'ANALYST', true),
  ('legacy_a', 'a@x.es', '\$2a\$10\$NFHLbo4qbrXvOtrWpFIwwe8WN24Hu0rW7/qAwi15vuvhvcDviUn2u', 'VIEWER', true),
  ('legacy_b', 'b@x.es', '\$2b\$10\$ia18JoK/IipmRxGGeyyD3umie0eiCTaigH2Jj8ANY2IP3r1AtkgLK', 'ADMIN', true),
  ('legacy_off', null, '\$2b\$10\$LH2aESYdZGwxCBOhHUixK.KWqlEe/dpk6l44vyZq.PdVqa5kWVuMu', 'VIEWER', false),
  ('legacy_t', null, '\$2y\$04\$v7Mm2zAES32p8Ke1EjuLCOLW0eZhPkvJajqd.5r1Owu4.JDjDdjA2', 'VIEWER', true)" >/dev/null
check "bcrypt hashes are accepted by the schema" [ "$(sql "select count(*) from support.users where password_hash like '\$2%'")" = 5 ]
check "  but not any other hash" bash -c "! psql '$DATABASE_URL' -qAtX -v ON_ERROR_STOP=1 -c \"insert into support.users (username, password_hash, role) values ('md5user', 'e10adc3949ba59abbe56e057f20f883e', 'VIEWER')\" 2>/dev/null"

check "server answers" api_serve
login() {  # login USER PASSWORD -> "<status> <body>"
  local body
  body=$(python3 -c 'import json,sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' "$1" "$2")
  curl -s -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$base/auth/login"
  echo " $(cat "$work/body")"
}
hash_of() { sql "select password_hash from support.users where username = '$1'"; }
audits() { sql "select count(*) from support.audit_logs where actor = '$1' and action = '$2'"; }

for case in "legacy_y:Prisma-user-2024:\$2y\$" "legacy_a:correct horse battery:\$2a\$" "legacy_b:ñandú-contraseña:\$2b\$"; do
  IFS=: read -r user pw prefix <<<"$case"
  old=$(hash_of "$user")
  changed=$(sql "select password_changed_at || ' ' || token_version from support.users where username = '$user'")
  r=$(login "$user" "${pw}x")
  check "$user ($prefix): a wrong password is refused (401)" [ "${r%% *}" = 401 ]
  check "  and the hash is untouched" [ "$(hash_of "$user")" = "$old" ]
  r=$(login "$user" "$pw")
  check "$user: the app's password logs in (200)" [ "${r%% *}" = 200 ]
  token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["data"]["access_token"])' "${r#* }" 2>/dev/null)
  check "  and its token works (/auth/me)" [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/auth/me")" = 200 ]
  new=$(hash_of "$user")
  check "  the stored hash is now argon2id" contains "$new" '^\$argon2id\$v=19\$m=[0-9]+,t=[0-9]+,p=1\$'
  check "  one PASSWORD_REHASH audit row, from bcrypt to argon2id" [ "$(sql "select count(*) || ' ' || min(details::text) from support.audit_logs where actor = '$user' and action = 'PASSWORD_REHASH'")" = '1 {"to": "argon2id", "from": "bcrypt"}' ]
  check "  password_changed_at and token_version unchanged (same password)" [ "$(sql "select password_changed_at || ' ' || token_version from support.users where username = '$user'")" = "$changed" ]
  r=$(login "$user" "$pw")
  check "  the same password logs in again, now against argon2id" [ "${r%% *}" = 200 ]
  check "  no second rehash" [ "$(hash_of "$user")" = "$new" ] && check "  nor audit row" [ "$(audits "$user" PASSWORD_REHASH)" = 1 ]
  r=$(login "$user" "${pw:1}")
  check "  a wrong password is still refused" [ "${r%% *}" = 401 ]
  check "  logins audited: 2 successes, 2 failures" [ "$(audits "$user" LOGIN_SUCCESS) $(audits "$user" LOGIN_FAILURE)" = "2 2" ]
done

old=$(hash_of legacy_off)
r=$(login legacy_off 'S3cret-pa55!')
check "an inactive bcrypt account is refused (401)" [ "${r%% *}" = 401 ]
check "  and keeps its hash" [ "$(hash_of legacy_off)" = "$old" ]
check "  audited as inactive" [ "$(sql "select details->>'reason' from support.audit_logs where actor = 'legacy_off'")" = inactive ]

# The account throttle (5 failures in 5 minutes) holds for bcrypt accounts too.
old=$(hash_of legacy_t)
for i in 1 2 3 4 5; do login legacy_t "wrong-$i" >/dev/null; done
r=$(login legacy_t short)
check "after 5 failures even the right password is throttled (429)" [ "${r%% *}" = 429 ]
check "  and the hash stays bcrypt" [ "$(hash_of legacy_t)" = "$old" ]
check "  audited as throttled" [ "$(sql "select count(*) from support.audit_logs where actor = 'legacy_t' and details->>'reason' = 'throttled'")" = 1 ]
check "the server logged no error" log_clean

finish
