"""How SQLite's transaction modes treat readers and writers (ldapply/extensions.py, docs/operations.md).

Readers run read-only transactions that hold their snapshot for a few milliseconds (a page being built);
writers read a row and then update it under its version number (optimistic locking, as a move does).
Three profiles, on a WAL file with the same busy timeout:

  pysqlite   the driver's default: it begins a transaction only before a write, reads run outside one
  immediate  every transaction begins with BEGIN IMMEDIATE (writers and readers alike take the write lock)
  ldapply    BEGIN (deferred); the first write ends the read snapshot and takes BEGIN IMMEDIATE

Run: .venv/bin/python scripts/sqlite_begin_bench.py [seconds]
Prints reads per second, write p50/p99, conflicts caught by the version check, and errors ("database is
locked" and the like); ldapply must show no errors and readers as fast as with pysqlite's default.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ldapply.extensions import BUSY_TIMEOUT_MS, sqlite_profile

READERS, WRITERS, ROWS = 6, 4, 20
HOLD_SECONDS = 0.004  # a reader keeps its snapshot this long, as a page keeps its transaction


def engine_for(path: Path, profile: str) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA journal_mode=WAL"))
    if profile == "ldapply":
        sqlite_profile(engine)
    elif profile == "immediate":
        event.listen(engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
        event.listen(engine, "begin", lambda conn: conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE"))
    return engine


def prepare(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE cases (id INTEGER PRIMARY KEY, state INTEGER, version INTEGER)"))
        for number in range(ROWS):
            connection.execute(text("INSERT INTO cases VALUES (:id, 0, 1)"), {"id": number})


def reader(engine: Engine, stop: float, counts: dict[str, Any]) -> None:
    number = 0
    while time.monotonic() < stop:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT state, version FROM cases WHERE id = :id"), {"id": number % ROWS})
                time.sleep(HOLD_SECONDS)
                connection.execute(text("SELECT count(*) FROM cases")).scalar()
                connection.rollback()
            counts["reads"] += 1
        except OperationalError as error:
            counts["errors"].append(str(error.orig))
        number += 1


def writer(engine: Engine, stop: float, counts: dict[str, Any], seed: int) -> None:
    number = seed
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            with engine.connect() as connection:
                row = connection.execute(
                    text("SELECT state, version FROM cases WHERE id = :id"), {"id": number % 3}
                ).one()
                time.sleep(HOLD_SECONDS / 4)  # the checks between reading and writing
                moved = connection.execute(
                    text("UPDATE cases SET state = :s, version = version + 1 WHERE id = :id AND version = :v"),
                    {"s": row.state + 1, "id": number % 3, "v": row.version},
                ).rowcount
                connection.commit()
            counts["writes"].append(time.monotonic() - started)
            counts["conflicts"] += 0 if moved else 1
        except OperationalError as error:
            counts["errors"].append(str(error.orig))
        number += 1


def run(profile: str, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        engine = engine_for(Path(folder) / "bench.sqlite", profile)
        prepare(engine)
        counts: dict[str, Any] = {"reads": 0, "writes": [], "conflicts": 0, "errors": []}
        stop = time.monotonic() + seconds
        work: list[Callable[[], None]] = [lambda: reader(engine, stop, counts) for _ in range(READERS)]
        work += [lambda seed=n: writer(engine, stop, counts, seed) for n in range(WRITERS)]  # type: ignore[misc]
        threads = [threading.Thread(target=job) for job in work]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        engine.dispose()
    return counts


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    print(f"{READERS} readers, {WRITERS} writers, {seconds:.0f} s each, WAL, busy_timeout {BUSY_TIMEOUT_MS} ms")
    print(
        f"{'profile':<10} {'reads/s':>8} {'writes/s':>9} {'write p50':>10} {'write p99':>10} {'conflicts':>10} errors"
    )
    for profile in ("pysqlite", "immediate", "ldapply"):
        counts = run(profile, seconds)
        writes = sorted(counts["writes"]) or [0.0]
        p99 = writes[min(len(writes) - 1, int(len(writes) * 0.99))]
        errors = counts["errors"]
        kinds = ", ".join(sorted(set(errors)))[:60]
        print(
            f"{profile:<10} {counts['reads'] / seconds:>8.0f} {len(counts['writes']) / seconds:>9.0f} "
            f"{statistics.median(writes) * 1000:>8.1f}ms {p99 * 1000:>8.1f}ms {counts['conflicts']:>10} "
            f"{len(errors)}{' (' + kinds + ')' if errors else ''}"
        )


if __name__ == "__main__":
    main()
