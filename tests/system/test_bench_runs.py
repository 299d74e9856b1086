"""The letter benchmark keeps working as the code changes; its figures are read by people, not asserted."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.system
def test_the_letter_benchmark_runs_to_the_end_and_reports_its_ratios(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LDAPPLY_LETTER_TEMPLATE_DIRS": ""}
    result = subprocess.run(
        [sys.executable, "bench/letters.py", "--letters", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "x baseline" in result.stdout
    assert "decision committed -> PDF stored" in result.stdout


def _postgres_server() -> str | None:
    """The PostgreSQL server of the services run; the queue benchmark needs PostgreSQL (COPY, pg_trgm)."""
    if os.environ.get("LDAPPLY_TEST_BACKEND") != "services":
        return None
    return os.environ["LDAPPLY_TEST_DATABASE_URL"].rsplit("/", 1)[0] + "/"


if _postgres_server() is not None:  # defined in the services run only: the embedded run has no PostgreSQL

    @pytest.mark.system
    def test_the_queue_benchmark_generates_and_loads_a_small_database(tmp_path):
        server = _postgres_server()
        database = f"ldapply_bench_smoke_{uuid.uuid4().hex[:8]}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LDAPPLY_")},
            "HOME": str(tmp_path),
            "LDAPPLY_BENCH_SERVER": server,
            "LDAPPLY_BENCH_DATABASE": database,
            "LDAPPLY_BENCH_INSTANCE": str(tmp_path / "instance"),
            "LDAPPLY_BENCH_BROKER_URL": os.environ["LDAPPLY_TEST_REDIS_URL"],
        }
        try:
            generated = subprocess.run(
                [sys.executable, "bench/generate.py", "--count", "2000"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert generated.returncode == 0, generated.stderr[-2000:]
            assert "COPY applications, events, proposals, letters" in generated.stdout
            assert "applications 2,000" in generated.stdout
            port = _free_port()
            loaded = subprocess.run(
                [sys.executable, "bench/load.py", "--duration", "0.5", "--warmup", "0.2", "--clients", "4",
                 "--port", str(port), "--deep", "3"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=90,
            )  # fmt: skip
            assert loaded.returncode == 0, loaded.stderr[-2000:]
            report = loaded.stdout.split("p99 ms")[1].split("targets (issue 8)")[0]  # the table, not the progress lines
            lines = {line.split("  ")[0]: line.split() for line in report.splitlines()[1:] if line.strip()}
            assert len(lines) == 13, report  # every page, the bare one included
            for name, columns in lines.items():
                assert int(columns[-3] if columns[-1] in ("OK", "MISSED") else columns[-2]) == 0, name  # no error
            for name in ("queue, first page (all cases)", "queue, deep page (3 pages in)", "calls page"):
                assert float(lines[name][-7]) > 0, report  # requests answered within the time
            timed = subprocess.run(
                [sys.executable, "bench/cpu.py", "--repeat", "2", "--sql"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=90,
            )  # fmt: skip
            assert timed.returncode == 0, timed.stderr[-2000:]
            rows = [line for line in timed.stdout.splitlines() if line and not line.startswith(("page ", "    "))]
            assert len(rows) == 13, timed.stdout  # every page, the help page included
            assert all(float(row.split()[-3]) > 0 for row in rows), timed.stdout  # each its ratio to the bare page
            assert " ms  SELECT " in timed.stdout  # --sql lists the statements
        finally:
            _drop_database(server, database)


def _free_port() -> int:
    """A port with a free neighbour (the bare page takes the next one)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with socket.socket() as neighbour:
            try:
                neighbour.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two free ports next to each other")


def _drop_database(server: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
