"""Load benchmark of the back office on the bench database (made by bench/generate.py).

Starts ldapply and a bare Flask + SQLAlchemy page (bench/bare.py, one indexed query) under gunicorn with the
same settings (2 sync workers on one listening socket, timeout 30 s), logs in as a reviewer and an applicant, and drives
each page with N concurrent clients for a fixed time: p50/p95/p99 latency, requests per second, and the ratio to
the bare page's requests per second measured just before that page (this machine's speed drifts by a factor of
two or more within minutes: a baseline measured once, minutes away, does not compare). The bare page's line sums
all its runs, and the report gives the range of its rates.

The load generator is one asyncio process on the same two cores as the server: each client opens a connection,
sends one GET, reads the response to the end (sync workers close the connection), and starts again; latency is
connect to last byte. Only 200 responses count; anything else is an error. Its own CPU use is printed.

Run: `make bench-queue` or `.venv/bin/python bench/load.py [--duration 20] [--clients 20]`.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import http.client
import os
import re
import resource
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import PASSWORD, REVIEWER_EMAIL, SERVER, bench_environ  # noqa: E402

# One socket both workers accept from, not --reuse-port: with a socket each, the kernel hashes connections to a
# worker regardless of how many wait there, and the bare page's p99 was twice its p95.
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "30"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
TARGET_P99_MS = 150
TARGET_RATIO = 0.3


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


# -- servers --------------------------------------------------------------------------------------------


@contextmanager
def gunicorn(app: str, port: int, env: dict[str, str], probe: str) -> Iterator[None]:
    process = subprocess.Popen(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", app],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, _ = request(port, probe)
                if status < 500:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start: {process.stderr.read()[-2000:] if process.stderr else ''}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


# -- a small blocking client for the setup --------------------------------------------------------------


def request(
    port: int, path: str, cookie: str = "", form: dict[str, str] | None = None
) -> tuple[int, dict[str, list[str]], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request("POST" if form is not None else "GET", path, body=body, headers=headers)
    response = connection.getresponse()
    found: dict[str, list[str]] = {}
    for name, value in response.getheaders():
        found.setdefault(name.lower(), []).append(value)
    text = response.read().decode()
    connection.close()
    return response.status, found, text


def cookies_of(headers: dict[str, list[str]], jar: dict[str, str]) -> dict[str, str]:
    for header in headers.get("set-cookie", []):
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()
    return jar


def log_in(port: int, email: str) -> str:
    status, headers, page = request(port, "/login")
    jar = cookies_of(headers, {})
    token = CSRF.search(page)
    assert token, "no CSRF token on the login page"
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _ = request(port, "/login", cookie, {"email": email, "password": PASSWORD, "csrf_token": token[1]})
    assert status == 302, f"login of {email} answered {status}"
    jar = cookies_of(headers, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def follow_next(port: int, path: str, cookie: str, pages: int) -> str:
    for _ in range(pages):
        status, _, page = request(port, path, cookie)
        assert status == 200, f"{path} answered {status}"
        link = NEXT.search(page)
        if link is None:
            break
        path = html.unescape(link[1])
    return path


# -- the pages measured ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    port: int
    path: str
    cookie: str = ""


def bench_subjects(url: str) -> dict[str, str]:
    """From the bench data: a case in the biggest call, a reference, a name fragment, a busy applicant."""
    with psycopg.connect(url) as connection:
        call_id = connection.execute(
            "SELECT call_id FROM applications WHERE call_id IS NOT NULL GROUP BY call_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        case_id, organisation_id, call_size = connection.execute(
            "SELECT a.id, a.organisation_id, (SELECT count(*) FROM applications WHERE call_id = %s) FROM applications a "
            "WHERE a.call_id = %s AND a.state = 'substantive_review' ORDER BY a.id LIMIT 1",
            (call_id, call_id),
        ).fetchone()
        reviewer_id = connection.execute("SELECT id FROM users WHERE email = %s", (REVIEWER_EMAIL,)).fetchone()[0]
        connection.execute(  # the reviewer declared no conflict of interest with this organisation before
            "INSERT INTO conflict_declarations (id, created_at, user_id, application_id, organisation_id, recused) "
            "SELECT %s, now(), %s, %s, %s, false WHERE NOT EXISTS "
            "(SELECT 1 FROM conflict_declarations WHERE user_id = %s AND application_id = %s)",
            (uuid.uuid4(), reviewer_id, case_id, organisation_id, reviewer_id, case_id),
        )
        reference = connection.execute(
            "SELECT reference FROM applications WHERE submitted_at IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()[0]
        name = connection.execute(
            "SELECT name FROM organisations ORDER BY name ~ ' [0-9]{3,} ' DESC, id LIMIT 1"
        ).fetchone()[0]
        # The applicant of an organisation with more applications than 95 % of them.
        applicant, applications = connection.execute(
            "WITH counts AS (SELECT organisation_id, count(*) AS n FROM applications GROUP BY organisation_id), "
            "p AS (SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY n) AS n FROM counts) "
            "SELECT u.email, c.n FROM counts c JOIN p ON c.n >= p.n JOIN memberships m ON m.organisation_id = "
            "c.organisation_id JOIN users u ON u.id = m.user_id ORDER BY c.n, u.email LIMIT 1"
        ).fetchone()
        connection.commit()
    words = name.split()
    return {
        "case": str(case_id),
        "call_size": str(call_size),
        "reference": reference,
        "name_part": " ".join(words[1:3])[:-1],  # "Gent 1234" of "Kringloop Gent 12345 vzw": a few organisations
        "applicant": applicant,
        "applicant_applications": str(applications),
    }


def targets(port: int, bare_port: int, subjects: dict[str, str], deep_pages: int) -> list[Target]:
    reviewer = log_in(port, REVIEWER_EMAIL)
    applicant = log_in(port, subjects["applicant"])
    first = "/backoffice/?move=all"
    deep = follow_next(port, first, reviewer, deep_pages)
    name = urllib.parse.quote_plus(subjects["name_part"])
    return [
        Target("bare Flask + SQLAlchemy page", bare_port, "/"),
        Target("queue, first page (all cases)", port, first, reviewer),
        Target("queue, my work (default)", port, "/backoffice/", reviewer),
        Target("queue, filtered (regime+state)", port, "/backoffice/?move=all&regime=general&state=substantive_review", reviewer),
        Target(f"queue, deep page ({deep_pages} pages in)", port, deep, reviewer),
        Target("queue, search organisation name", port, f"/backoffice/?move=all&q={name}", reviewer),
        Target("queue, search reference", port, f"/backoffice/?move=all&q={subjects['reference']}", reviewer),
        Target("case page (general, biggest call)", port, f"/backoffice/applications/{subjects['case']}", reviewer),
        Target("case, checklist tab", port, f"/backoffice/applications/{subjects['case']}/assessment", reviewer),
        Target("case, application tab", port, f"/backoffice/applications/{subjects['case']}/answers", reviewer),
        Target("case, timeline tab", port, f"/backoffice/applications/{subjects['case']}/timeline", reviewer),
        Target("calls page", port, "/backoffice/calls", reviewer),
        Target("applicant's home", port, "/", applicant),
    ]  # fmt: skip


# -- the load -------------------------------------------------------------------------------------------


async def one_request(port: int, raw: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    status_line = await reader.readline()
    await reader.read()  # to the end: the sync worker closes the connection
    writer.close()
    return int(status_line.split()[1])


async def drive(target: Target, clients: int, seconds: float, warmup: float) -> Result:
    cookie = f"Cookie: {target.cookie}\r\n" if target.cookie else ""
    raw = f"GET {target.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}Connection: close\r\n\r\n".encode()
    result = Result(target.name)
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from, until = start + warmup, start + warmup + seconds

    async def client() -> None:
        while (now := loop.time()) < until:
            try:
                status = await one_request(target.port, raw)
            except OSError:
                status = 0
            done = loop.time()
            if now >= measure_from and done <= until:
                if status == 200:
                    result.latencies.append(done - now)
                else:
                    result.errors += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    result.seconds = seconds
    return result


def combined(name: str, runs: list[Result]) -> Result:
    together = Result(name, errors=sum(r.errors for r in runs), seconds=sum(r.seconds for r in runs))
    together.latencies = [latency for r in runs for latency in r.latencies]
    return together


def report(pairs: list[tuple[Result, Result]], subjects: dict[str, str], client_cpu: float, wall: float) -> None:
    """Each page beside the bare run just before it; the bare page's line is all its runs together."""
    bares = [bare for bare, _page in pairs]
    rows = [(combined(bares[0].name, bares), None), *((page, bare.rate) for bare, page in pairs)]
    print()
    print(f"{'page':<36} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'x bare':>7}  targets")
    for result, bare_rate in rows:
        ratio = result.rate / bare_rate if bare_rate else 1.0
        ok = result.percentile(0.99) <= TARGET_P99_MS and ratio >= TARGET_RATIO and not result.errors
        verdict = "" if bare_rate is None else ("OK" if ok else "MISSED")
        print(
            f"{result.name:<36} {result.rate:8.1f} {result.percentile(0.5):8.1f} {result.percentile(0.95):8.1f} "
            f"{result.percentile(0.99):8.1f} {result.errors:7d} {ratio:7.2f}  {verdict}"
        )
    rates = [bare.rate for bare in bares]
    print(
        f"\ntargets (issue 8): p99 <= {TARGET_P99_MS} ms and >= {TARGET_RATIO} x the bare page's req/s in the run "
        f"just before the page (the bare page ran at {min(rates):.1f} to {max(rates):.1f} req/s over this run)"
    )
    print(
        f"subjects: case {subjects['case']} in a call of {subjects['call_size']} applications; applicant "
        f"{subjects['applicant']} ({subjects['applicant_applications']} applications); name search "
        f"'{subjects['name_part']}'; reference {subjects['reference']}"
    )
    print(f"load generator CPU: {client_cpu:.1f} s over {wall:.0f} s ({100 * client_cpu / wall:.0f} % of one core)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20, help="seconds measured per page")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before measuring each page")
    parser.add_argument(
        "--bare-duration",
        type=float,
        default=None,
        help="seconds the bare page is measured before each page (default: half of --duration)",
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--server", default=os.environ.get("LDAPPLY_BENCH_SERVER", SERVER))
    parser.add_argument("--database", default=os.environ.get("LDAPPLY_BENCH_DATABASE", "ldapply_bench"))
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--deep", type=int, default=20, help="how many pages in the deep page is")
    parser.add_argument("--only", default="", help="measure only the pages whose name holds this (and the bare page)")
    args = parser.parse_args()
    url = args.server.rstrip("/") + "/" + args.database
    env = bench_environ(url)
    subjects = bench_subjects(url)
    bare_port = args.port + 1
    started_wall, started_cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    with gunicorn("wsgi:app", args.port, env, "/login"), gunicorn("bench.bare:app", bare_port, env, "/"):
        pages = [
            p for p in targets(args.port, bare_port, subjects, args.deep) if args.only in p.name or p.port == bare_port
        ]
        print(
            f"{args.clients} clients, {args.duration:.0f} s per page after {args.warmup:.0f} s of warm-up", flush=True
        )
        bare, measured = pages[0], pages[1:] or pages[:1]
        pairs = []
        for target in measured:  # each page right after a run of the bare page
            baseline = asyncio.run(drive(bare, args.clients, args.bare_duration or args.duration / 2, args.warmup))
            result = asyncio.run(drive(target, args.clients, args.duration, args.warmup))
            pairs.append((baseline, result))
            print(f"  {target.name:<36} {result.rate:8.1f} req/s (bare just before: {baseline.rate:.1f})", flush=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = usage.ru_utime + usage.ru_stime - started_cpu.ru_utime - started_cpu.ru_stime
    report(pairs, subjects, client_cpu, time.perf_counter() - started_wall)


if __name__ == "__main__":
    main()
