"""In-process CPU cost of the pages bench/load.py measures, without HTTP or concurrency: what one request of a
page costs the app (median of N after warm-up), its SQL statements, and optionally a cProfile of one page.

The load benchmark says whether the targets hold; this says where the time goes, in milliseconds that do not
drift with the machine's load as much (each page is timed beside the bare page, bench/bare.py, in the same
process: the ratio is what to compare between runs).

Run (after `make bench-generate`): `.venv/bin/python bench/cpu.py [--repeat 40] [--only queue] [--profile case]`.
"""

from __future__ import annotations

import argparse
import cProfile
import html
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.test import TestResponse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import PASSWORD, REVIEWER_EMAIL, SERVER, bench_environ  # noqa: E402
from bench.load import CSRF, NEXT, bench_subjects  # noqa: E402

HTTPS = "https://localhost"  # production cookies are Secure


def timed(calls: tuple[Callable[[], object], Callable[[], object]], repeat: int) -> tuple[float, float]:
    """Median milliseconds of each call, the two interleaved (this VM's speed drifts within seconds)."""
    for call in calls:
        for _ in range(3):
            call()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, found in zip(calls, samples, strict=True):
            started = time.perf_counter()
            call()
            found.append(time.perf_counter() - started)
    first, second = (statistics.median(found) * 1000 for found in samples)
    return first, second


def get(client: FlaskClient, path: str) -> Callable[[], TestResponse]:
    def call() -> TestResponse:
        answer = client.get(path, base_url=HTTPS)
        assert answer.status_code == 200, f"{path} answered {answer.status_code}"
        return answer

    return call


def logged_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    token = CSRF.search(client.get("/login", base_url=HTTPS).get_data(as_text=True))
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/login",
        base_url=HTTPS,
        headers={"Referer": HTTPS + "/login"},
        data={"email": email, "password": PASSWORD, "csrf_token": token[1]},
    )
    assert answer.status_code == 302, f"login of {email} answered {answer.status_code}"
    return client


def pages_of(app: Flask, subjects: dict[str, str]) -> list[tuple[str, FlaskClient, str]]:
    """bench/load.py's pages, and a page with nothing but the header and footer."""
    reviewer, applicant = logged_in(app, REVIEWER_EMAIL), logged_in(app, subjects["applicant"])
    deep = "/backoffice/?move=all"
    for _ in range(20):  # as bench/load.py: 20 pages in by the "next" links
        found = NEXT.search(get(reviewer, deep)().get_data(as_text=True))
        deep = html.unescape(found[1]) if found else deep
    name = urllib.parse.quote_plus(subjects["name_part"])
    return [
        ("help page (the fixed cost of a page)", reviewer, "/help"),
        ("queue, first page (all cases)", reviewer, "/backoffice/?move=all"),
        ("queue, my work (default)", reviewer, "/backoffice/"),
        ("queue, filtered (regime+state)", reviewer, "/backoffice/?move=all&regime=general&state=substantive_review"),
        ("queue, deep page (20 pages in)", reviewer, deep),
        ("queue, search organisation name", reviewer, f"/backoffice/?move=all&q={name}"),
        ("queue, search reference", reviewer, f"/backoffice/?move=all&q={subjects['reference']}"),
        ("case page (general, biggest call)", reviewer, f"/backoffice/applications/{subjects['case']}"),
        ("case, checklist tab", reviewer, f"/backoffice/applications/{subjects['case']}/assessment"),
        ("case, application tab", reviewer, f"/backoffice/applications/{subjects['case']}/answers"),
        ("case, timeline tab", reviewer, f"/backoffice/applications/{subjects['case']}/timeline"),
        ("calls page", reviewer, "/backoffice/calls"),
        ("applicant's home", applicant, "/"),
    ]  # fmt: skip


def recorded_statements(app: Flask) -> list[tuple[str, float]]:
    """A list that fills with each statement the app runs and its seconds (empty it before a request)."""
    from ldapply.extensions import db

    statements: list[tuple[str, float]] = []
    started: list[float] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_: started.append(time.perf_counter()))
        event.listen(
            db.engine,
            "after_cursor_execute",
            lambda _c, _k, sql, *_: statements.append((sql, time.perf_counter() - started.pop())),
        )
    return statements


def profile(call: Callable[[], object], repeat: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile", default="", help="cProfile the first page whose name holds this")
    parser.add_argument("--sql", action="store_true", help="print each page's statements with their time")
    parser.add_argument("--server", default=os.environ.get("LDAPPLY_BENCH_SERVER", SERVER))
    parser.add_argument("--database", default=os.environ.get("LDAPPLY_BENCH_DATABASE", "ldapply_bench"))
    args = parser.parse_args()
    url = args.server.rstrip("/") + "/" + args.database
    os.environ.update(bench_environ(url))
    subjects = bench_subjects(url)

    from bench import bare
    from ldapply import create_app

    app = create_app()
    bare_page = get(bare.app.test_client(), "/")
    statements = recorded_statements(app)
    print(f"{'page':<36} {'ms':>7} {'bare ms':>8} {'x bare':>7} {'SQL':>4} {'KB':>5}")
    for title, client, path in pages_of(app, subjects):
        if args.only not in title:
            continue
        bare_ms, page_ms = timed((bare_page, get(client, path)), args.repeat)
        statements.clear()
        size = len(get(client, path)().get_data())
        print(
            f"{title:<36} {page_ms:7.1f} {bare_ms:8.1f} {bare_ms / page_ms:7.2f} {len(statements):4d} {size / 1024:5.0f}",
            flush=True,
        )
        if args.sql:
            for sql, seconds in statements:
                print(f"    {seconds * 1000:6.2f} ms  {' '.join(sql.split())[:300]}")
        if args.profile and args.profile in title:
            profile(get(client, path), args.repeat)
            args.profile = ""


if __name__ == "__main__":
    main()
