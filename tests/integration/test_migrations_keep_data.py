"""Migrations on SQLite keep the data: SQLite alters a table by copying it and dropping the old one, and with
foreign keys on, that drop deleted every row that cascades from it (a case's verdicts, when 0009 altered
applications). migrations/env.py turns them off around the migrations and checks them after."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MOMENT = "2026-01-01 00:00:00"


def flask(instance: Path, *arguments: str) -> None:
    env = {**os.environ, "LDAPPLY_ENV": "development", "LDAPPLY_INSTANCE_PATH": str(instance)}
    env.pop("LDAPPLY_DATABASE_URL", None)  # the instance's own SQLite file
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608  (our table names)
            for table in ("applications", "condition_verdicts", "users", "audit_entries")
        }


def test_a_case_and_its_verdict_survive_migrating_down_and_up_again(tmp_path):
    flask(tmp_path, "db", "upgrade")
    flask(tmp_path, "ldapply", "seed")
    path = tmp_path / "ldapply.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA foreign_keys=ON")
        user = connection.execute("SELECT id FROM users LIMIT 1").fetchone()[0]
        organisation = connection.execute("SELECT id FROM organisations LIMIT 1").fetchone()[0]
        case = uuid.uuid4().hex
        connection.execute(
            "INSERT INTO applications (id, version, updated_at, created_at, reference, organisation_id, regime_code, "
            "regime_version, state, whose_move, answers, completed_steps, created_by_id, step_changes, clocks) "
            "VALUES (?, 1, ?, ?, 'LDE-MIGRATE-1', ?, 'general', 1, 'substantive_review', 'reviewer', '{}', '[]', ?, "
            "'{}', '{}')",
            (case, MOMENT, MOMENT, organisation, user),
        )
        connection.execute(
            "INSERT INTO condition_verdicts (id, created_at, application_id, condition_code, verdict, assessed_by_id, "
            "assessed_at, version) VALUES (?, ?, ?, 'local_need', 'met', ?, ?, 1)",
            (uuid.uuid4().hex, MOMENT, case, user, MOMENT),
        )
    before = counts(path)
    assert before["condition_verdicts"] == 1
    flask(tmp_path, "db", "downgrade", "0008")  # 0009 and later alter applications on the way down and up
    flask(tmp_path, "db", "upgrade")
    assert counts(path) == before
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
