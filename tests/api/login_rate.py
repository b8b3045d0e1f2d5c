"""The login rates against a server started with --login-rate-address 4/12 (4 at once, then
one every 5 s, so a slow machine cannot refill a bucket between two logins) and CORRENTE_LOGIN_RATE_ACCOUNT=3/0.5 (3 at once, then one every 2 minutes), by
tests/api/api_login_rate.sh. Accounts rate_1..rate_40 share PASSWORD. Each case binds its own
127.0.x.y source addresses, so the buckets start full."""
import os
import subprocess
import sys
import time
import types
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from auth_races import parallel, post_from, timed_post, until_decided  # noqa: E402
from tap import check, finish  # noqa: E402

BASE, DSN, PASSWORD = os.environ["BASE"], os.environ["DSN"], os.environ["PASSWORD"]
HOST, PORT = "127.0.0.1", int(BASE.rsplit(":", 1)[1])
t = types.SimpleNamespace(HOST=HOST, PORT=PORT)


def sql(q):
    return subprocess.run(["psql", DSN, "-AtX", "-c", q], capture_output=True, text=True, check=True).stdout.strip()


def metric(name):
    for line in urllib.request.urlopen(BASE + "/metrics").read().decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def login(source, user, password=PASSWORD):
    return timed_post(t, source, {"username": user, "password": password})


def audits(user):
    return int(sql("SELECT count(*) FROM support.audit_logs WHERE actor = '%s'" % user))


# ---- a client address: its burst, then 429 held, then one every 5 s
checks0, refused0 = metric("auth_password_checks_total"), metric("auth_login_rate_address_refused_total")
burst = [login("127.0.5.1", "rate_%d" % i) for i in (1, 2, 3, 4)]
emptied = time.monotonic()
check("an address's burst (4): each login 200, none held", [r[0] for r in burst] == [200] * 4
      and all(r[2] < 1.0 for r in burst), [(r[0], round(r[2], 3)) for r in burst])
r = login("127.0.5.1", "rate_5")
wait = int(r[1].get("retry-after", "0"))
check("the next is 429 with Retry-After (1-5 s), answered after a hold of >= 1 s",
      r[0] == 429 and 1 <= wait <= 5 and r[2] >= 1.0, (r[0], r[1].get("retry-after"), round(r[2], 3)))
check("  its password was not checked, and it is counted on /metrics",
      metric("auth_password_checks_total") - checks0 == 4
      and metric("auth_login_rate_address_refused_total") - refused0 == 1,
      (metric("auth_password_checks_total") - checks0, metric("auth_login_rate_address_refused_total") - refused0))
check("  nor audited", audits("rate_5") == 0, audits("rate_5"))
check("another address is not limited", login("127.0.5.2", "rate_6")[0] == 200)
time.sleep(max(0, wait - r[2]) + 0.1)  # the token Retry-After promised (the hold counts)
r = login("127.0.5.1", "rate_5")
check("after the refill the honest login works (200), not held", r[0] == 200 and r[2] < 1.0, (r[0], round(r[2], 3)))
check("  and it is audited as usual", audits("rate_5") == 1, audits("rate_5"))
passed = 1
while passed < 6 and login("127.0.5.1", "rate_7")[0] == 200:
    passed += 1
elapsed = time.monotonic() - emptied
check("no more came back than one every 5 s since the burst was spent (%.1f s): %d passed, then 429"
      % (elapsed, passed), passed <= min(4, int(elapsed / 5) + 1) and passed < 6, passed)

# ---- wrong passwords spend the address's tokens too (the failure throttle allows 20)
codes = [login("127.0.7.1", "rate_%d" % i, "wrong-password")[0] for i in (8, 9, 10, 11)]
r = login("127.0.7.1", "rate_12")
check("4 wrong passwords, then the right one from that address: 401 x4, 429", codes == [401] * 4 and r[0] == 429, (codes, r[0]))

# ---- an account: its burst across addresses, refused in the handler (held too)
acc0 = metric("auth_login_rate_account_refused_total")
codes = [login("127.0.6.%d" % i, "rate_20")[0] for i in (1, 2, 3)]
r = login("127.0.6.4", "Rate_20")  # the account's key ignores case, as the throttle's does
check("an account's burst (3) from 3 addresses: 200 x3; the 4th from a 4th address is 429, held >= 1 s",
      codes == [200] * 3 and r[0] == 429 and r[2] >= 1.0, (codes, r[0], round(r[2], 3)))
check("  with Retry-After until the account's next token (about 2 minutes)",
      60 <= int(r[1].get("retry-after", "0")) <= 120, r[1].get("retry-after"))
check("  counted as the account's", metric("auth_login_rate_account_refused_total") - acc0 == 1)
check("  and the address's token was given back: 4 more logins from it pass",
      [login("127.0.6.4", "rate_%d" % i)[0] for i in (21, 22, 23, 24)] == [200] * 4)

# ---- concurrency: 20 logins of one account at once, from 20 addresses (the reserve is taken
# before the password is checked, so only the bucket's 3 are checked)
checks0 = metric("auth_password_checks_total")
res = parallel(20, lambda i: until_decided(t, "127.0.9.%d" % (i + 1), "rate_30", PASSWORD))
codes = sorted(r[0] for r in res)
checked = metric("auth_password_checks_total") - checks0
check("20 parallel logins of one account: 3 checked and 200, 17 refused 429 with Retry-After",
      codes == [200] * 3 + [429] * 17 and checked == 3
      and all("retry-after" in r[1] for r in res if r[0] == 429), (codes, checked))

# ---- and 20 at once from one address to 20 accounts: its burst of 4, plus what refilled
checks0 = metric("auth_password_checks_total")
t0 = time.monotonic()
res = parallel(20, lambda i: until_decided(t, "127.0.10.1", "rate_%d" % (i + 1), PASSWORD))
elapsed = time.monotonic() - t0
ok = sum(r[0] == 200 for r in res)
checked = metric("auth_password_checks_total") - checks0
check("20 parallel logins from one address: 4 to 4 + 1 per 5 s elapsed pass (%.1f s), each checked once, the rest 429"
      % elapsed, 4 <= ok <= 4 + int(elapsed / 5) and checked == ok and sum(r[0] == 429 for r in res) == 20 - ok,
      (sorted(r[0] for r in res), checked, elapsed))

finish()
