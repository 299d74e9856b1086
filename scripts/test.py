"""Run the whole suite: the embedded run always, and the services run (PostgreSQL + Redis) when configured.

The two runs are independent (own instance folder, own database), so they run side by side; the
browser tests walk the Dutch pages in the embedded run and the English pages in the services run.
Each run's output is printed in full when it ends; the last line sums both up.
With `LDAPPLY_REQUIRE_SERVICES=1` (CI), missing or unreachable services fail the run instead of
being left out.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def services_configured() -> bool:
    database, redis = os.environ.get("LDAPPLY_TEST_DATABASE_URL"), os.environ.get("LDAPPLY_TEST_REDIS_URL")
    required = os.environ.get("LDAPPLY_REQUIRE_SERVICES") == "1"
    if not (database and redis):
        if required:
            sys.exit("LDAPPLY_REQUIRE_SERVICES=1 but LDAPPLY_TEST_DATABASE_URL or LDAPPLY_TEST_REDIS_URL is unset")
        print("PostgreSQL/Redis run skipped: LDAPPLY_TEST_DATABASE_URL and LDAPPLY_TEST_REDIS_URL are not set.")
        return False
    down = [u for u, port in ((database, 5432), (redis, 6379)) if not reachable(u, port)]
    if down:
        message = f"unreachable: {', '.join(urlsplit(u).scheme + '://' + (urlsplit(u).hostname or '') for u in down)}"
        if required:
            sys.exit(f"LDAPPLY_REQUIRE_SERVICES=1 and a service is {message}")
        print(f"PostgreSQL/Redis run skipped: {message}")
        return False
    return True


# Tests whose outcome no backend changes (no database, no broker, or a subprocess with its own): the embedded
# run has them, the services run leaves them out rather than doing the same work twice. A file, or one test of a
# file (the queue benchmark's test beside it needs PostgreSQL, so it runs in the services run alone).
SAME_ON_EVERY_BACKEND = (
    "tests/unit",
    "tests/system/test_bench_runs.py::test_the_letter_benchmark_runs_to_the_end_and_reports_its_ratios",
)


def start(
    name: str, extra_env: dict[str, str], workdir: Path, leave_out: tuple[str, ...] = ()
) -> tuple[str, subprocess.Popen[bytes], Path, Path]:
    log, junit = workdir / f"{name}.log", workdir / f"{name}.xml"
    env = {**os.environ, **extra_env, "PYTHONDONTWRITEBYTECODE": "1"}
    # Two xdist workers per run, whole files each (their module fixtures stay together): much of the suite
    # waits on worker processes, the broker and the browser, so four processes keep the two cores busy.
    parallel = ["-n", os.environ.get("LDAPPLY_TEST_WORKERS", "2"), "--dist", "loadfile"]
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        *parallel,
        f"--junitxml={junit}",
        *(f"--deselect={path}" if "::" in path else f"--ignore={path}" for path in leave_out),
        *sys.argv[1:],
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return name, process, log, junit


def counts(junit: Path) -> tuple[int, int, int]:
    if not junit.exists():
        return 0, 1, 0
    suite = ET.parse(junit).getroot()
    suite = suite.find("testsuite") if suite.tag == "testsuites" else suite
    assert suite is not None
    total, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    return total - failures - errors - skipped, failures + errors, skipped


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="ldapply-tests-"))
    embedded = {"LDAPPLY_TEST_BACKEND": "embedded"}
    runs = []
    if services_configured():
        # The browser journeys in Dutch run on the embedded stack, those in English on PostgreSQL +
        # Redis: every journey passes in both languages, and the runs stay within time (tests/browser/words.py).
        services = {"LDAPPLY_TEST_BACKEND": "services", "LDAPPLY_TEST_LANGUAGES": "en"}
        runs.append(start("services (PostgreSQL + Redis)", services, workdir, SAME_ON_EVERY_BACKEND))
        embedded["LDAPPLY_TEST_LANGUAGES"] = "nl"
    runs.insert(0, start("embedded (SQLite, SQLAlchemy broker)", embedded, workdir))
    started = time.monotonic()
    passed = failed = skipped = 0
    exit_code = 0
    for name, process, log, junit in runs:
        code = process.wait()
        print(f"\n{'=' * 30} {name} {'=' * 30}")
        print(log.read_text(errors="replace"), end="")
        p, f, s = counts(junit)
        passed, failed, skipped = passed + p, failed + f, skipped + s
        exit_code = exit_code or code
    print(f"\nAll runs finished in {time.monotonic() - started:.0f} s.")
    print(f"ldapply: {passed} passed, {failed} failed, {skipped} skipped")
    return exit_code or (1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main())
