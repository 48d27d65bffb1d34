"""The official Python SDK (aepipe-sdk from PyPI) against `aepipe serve`.

Run by .ci/run after `cargo test`:  python3 tests/python/check_sdk.py PATH/TO/aepipe
Starts the real binary on a temporary data dir and a free port, then checks
that ingest, log, query, rawlog, detail and both lists give correct results
through the SDK unchanged. Exits non-zero with a message on the first failure.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
import time

from aepipe import Aepipe, AepipeError, DataPoint, LogEntry


PASSED = 0


def check(cond: bool, what: str) -> None:
    global PASSED
    if not cond:
        raise AssertionError(what)
    PASSED += 1
    print(f"  ok  {what}")


def start_server(binary: str, data_dir: str, token: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [binary, "serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir, "--token", token],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.time() + 30
    assert proc.stdout is not None
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("aepipe serving on "):
            return proc, line.split("aepipe serving on ", 1)[1].strip()
    proc.kill()
    raise RuntimeError("aepipe serve did not print its URL")


def run(sdk: Aepipe, bad: Aepipe) -> None:
    # ingest: a point with an empty event is skipped by the server, not counted.
    res = sdk.ingest(
        "pyshop",
        "api",
        [
            DataPoint(event="request", blobs=["/cart", "GET", "200"], doubles=[12.5, 300]),
            DataPoint(event="request", blobs=["/search", "GET", "500"], doubles=[80.0, 10]),
            DataPoint(
                event="crash",
                level="error",
                blobs=["/cart"],
                payload={"stack": "Error: boom\n  at cart.py:12", "user": 7},
            ),
            DataPoint(event=""),
        ],
    )
    check(res.ok and res.written == 3, f"ingest wrote 3 of 4 points ({res})")
    sdk.ingest("pyshop", "web", [DataPoint(event="pageview")])
    sdk.ingest("pyauth", "login", [DataPoint(event="login", payload={"secret": "other tenant"})])

    # log: extra fields are kept; reserved ones cannot be spoofed.
    res = sdk.log(
        "pyshop",
        "api",
        [
            LogEntry(message="cart checked out", level="warn", extra={"order": 42}),
            LogEntry(message="spoof", extra={"project": "pyauth", "logstore": "login"}),
        ],
    )
    check(res.ok and res.written == 2, f"log wrote 2 entries ({res})")

    # lists, sorted.
    check(sdk.list_projects().items == ["pyauth", "pyshop"], "list_projects is sorted and complete")
    check(sdk.list_logstores("pyshop").items == ["api", "web"], "list_logstores is sorted and complete")

    # query: AE's FORMAT JSON answer, scoped to the tenant.
    q = sdk.query(
        "pyshop",
        "api",
        "SELECT blob3 AS event, count() AS n, sum(double1) AS total FROM aepipe "
        "GROUP BY event ORDER BY event",
    ).data
    rows = [(r["event"], int(r["n"]), float(r["total"])) for r in q["data"]]
    check(rows == [("crash", 1, 0.0), ("request", 2, 92.5)], f"query groups the tenant's events ({rows})")
    meta = {m["name"]: m["type"] for m in q["meta"]}
    check(meta.get("event") == "String" and meta.get("n") == "UInt64", f"query meta types ({meta})")
    check(int(q["rows"]) == 2, "query reports rows")
    others = sdk.query("pyshop", "api", "SELECT count() AS n FROM aepipe WHERE blob3 = 'login' OR 1=1").data
    check(int(others["data"][0]["n"]) == 3, "OR 1=1 does not reach another tenant")

    # detail: the payload behind blob5, only for its own tenant.
    ref = sdk.query("pyshop", "api", "SELECT blob5 AS ref FROM aepipe WHERE blob3 = 'crash'").data
    ref_id = ref["data"][0]["ref"]
    check(len(ref_id) == 36, f"crash has a ref_id in blob5 ({ref_id})")
    d = sdk.detail("pyshop", "api", [ref_id, "00000000-0000-0000-0000-000000000000"])
    check(len(d.results) == 1 and d.results[0].payload["user"] == 7, "detail returns the payload")
    e = d.results[0]
    check(e.expires_at - e.created_at == 7_776_000_000, "default ttl is 90 days")
    check(sdk.detail("pyauth", "login", [ref_id]).results == [], "detail hides it from another tenant")
    check(sdk.detail("pyshop", "api", []).results == [], "detail with no ids needs no request")

    # rawlog: newest first, both points and log entries, real tenant fields.
    r = sdk.rawlog("pyshop", "api", limit=10)
    check(r.count == 5 and len(r.logs) == 5, f"rawlog has 3 points and 2 logs ({r.count})")
    stamps = [x.timestamp for x in r.logs]
    check(stamps == sorted(stamps, reverse=True), "rawlog is newest first")
    check(all(x.data["project"] == "pyshop" and x.data["logstore"] == "api" for x in r.logs),
          "rawlog records carry the real tenant")
    check(sdk.rawlog("pyauth", "login").count == 1, "the spoofed log did not reach pyauth/login")
    check(sdk.rawlog("pyshop", "api", limit=2).count == 2, "rawlog honours limit")
    window = sdk.rawlog("pyshop", "api", start=stamps[0], end=stamps[0])
    check(window.count >= 1 and all(x.timestamp == stamps[0] for x in window.logs),
          "rawlog start/end are inclusive")

    # errors come back as AepipeError with the server's status and text.
    try:
        sdk.query("pyshop", "api", "SELEC oops")
        check(False, "bad SQL raises")
    except AepipeError as err:
        check(err.status == 400 and err.message, f"bad SQL is a 400 with a message ({err.message})")
    try:
        sdk.query("pyshop", "api", "   ")
        check(False, "blank SQL raises")
    except AepipeError as err:
        check((err.status, err.message) == (400, "sql is required"), "blank SQL: 400 sql is required")
    try:
        bad.list_projects()
        check(False, "a wrong token raises")
    except AepipeError as err:
        check((err.status, err.message) == (401, "unauthorized"), "wrong token: 401 unauthorized")


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else "aepipe"
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as data_dir:
        proc, url = start_server(binary, data_dir, token)
        try:
            print(f"aepipe-sdk against {url}")
            run(Aepipe(url, token), Aepipe(url, "wrong-" + token))
        except Exception as err:  # report and fail, whatever broke
            print(f"FAILED: {err!r}", file=sys.stderr)
            print(f"python sdk: {PASSED} passed, 1 failed")
            return 1
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    # The plain closing line CI reads as the run's summary.
    print(f"python sdk: {PASSED} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
