"""Priority sorting and the simulations API, run by api_test.py (run(t) with its helpers).

- sort=-priority orders recommendations and alerts by priority_score; a bad sort is a 400.
- POST /api/v1/simulations: VIEWER refused, bad fields named, a what-if with doubled lead
  times runs as a job that the client polls, is audited, listed and served with its results.
"""
import json
import time


def run(t):
    check, get, req, sql = t.check, t.get, t.req, t.sql
    ADMIN, ANALYST, VIEWER = t.ADMIN, t.ANALYST, t.VIEWER

    sql("UPDATE analytics.recommendations SET priority_score = item_id * 10")
    sql("UPDATE analytics.alerts SET priority_score = 100 - item_id")
    for path, key in (("/api/v1/recommendations", "recommendation_id"), ("/api/v1/alerts", "alert_id")):
        r = get(path + "?sort=-priority&limit=1000", VIEWER)
        scores = [float(x["priority_score"]) for x in (r.data or [])]
        check(path + "?sort=-priority: highest score first", r.status == 200 and len(scores) > 2 and scores == sorted(scores, reverse=True), scores)
        r = get(path + "?sort=priority&limit=1000", VIEWER)
        scores = [float(x["priority_score"]) for x in (r.data or [])]
        check(path + "?sort=priority: lowest first", r.status == 200 and scores == sorted(scores), scores)
        r = get(path + "?sort=priority_score;drop", VIEWER)
        check(path + ": a bad sort is a 400 naming it", r.status == 400 and "sort" in r.raw, r.raw)

    r = req("POST", "/api/v1/simulations", VIEWER, body={"sample": 5})
    check("a VIEWER cannot start a simulation", r.status == 403, r.status)
    r = req("POST", "/api/v1/simulations", ANALYST, body={"sample": 0, "policy": "magic", "lead_time_scale": -1, "from": "2024-13-01"})
    check("bad what-if fields are each named", r.status == 400 and all(f in r.raw for f in ("sample", "policy", "lead_time_scale", "from")), r.raw)
    r = req("POST", "/api/v1/simulations", ANALYST, body="[1,2]")
    check("a body that is not an object is a 400", r.status == 400, r.status)
    before = int(sql("SELECT count(*) FROM analytics.simulation_runs"))
    r = req("POST", "/api/v1/simulations", ANALYST, body={"sample": 60, "lead_time_scale": 2, "seed": 3})
    check("a what-if starts: 202 with the id to poll", r.status == 202 and r.data and r.data["status"] == "RUNNING", r.raw)
    sim_id = r.data["simulation_id"] if r.status == 202 else 0
    again = req("POST", "/api/v1/simulations", ANALYST, body={"sample": 60})
    check("a second one while the first runs: 429, or 202 once it is done", again.status in (202, 429), again.status)
    status, row = "RUNNING", None
    deadline = time.time() + 120
    while time.time() < deadline:
        row = get("/api/v1/simulations/%d" % sim_id, VIEWER)
        status = row.data["status"] if row.status == 200 else "?"
        if status != "RUNNING":
            break
        time.sleep(0.2)
    check("the job finishes", status == "SUCCEEDED", row.raw[:300] if row else "")
    res = row.data.get("results") if row and row.status == 200 else None
    if isinstance(res, str):
        res = json.loads(res)
    ok = bool(res) and res["series"] == 60 and res["baseline"] and res["what_if"] and res["change"]
    check("results: baseline, what-if and the change, on 60 series", ok, str(res)[:300])
    if ok:
        ch = res["change"][0]
        check("doubled lead times cost stockouts (%+.2f points) with the same policy" % ch["stockout_rate_points"], ch["stockout_rate_points"] > 0, ch)
    check("starting a simulation is audited", int(sql("SELECT count(*) FROM support.audit_logs WHERE action='SIMULATION_START' AND actor='analyst'")) >= 1)
    r = get("/api/v1/simulations", VIEWER)
    check("simulations are listed newest first", r.status == 200 and r.data and r.data[0]["simulation_id"] >= sim_id, r.raw[:200])
    r = get("/api/v1/simulations?format=csv", VIEWER)
    check("and export as CSV", r.status == 200 and r.raw.startswith("simulation_id,"), r.raw[:100])
    check("a missing simulation is a 404", get("/api/v1/simulations/987654", VIEWER).status == 404)
    check("rows: only what was asked", int(sql("SELECT count(*) FROM analytics.simulation_runs")) - before in (1, 2))
