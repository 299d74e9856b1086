"""`flask --app wsgi ldapply audit-verify` as an operator runs it: a real process on the run's database,
exit 0 on an intact trail, exit 1 naming the first broken entry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import backend_environ
from tests.support_audit import append_entries, change_entry, delete_entries

ROOT = Path(__file__).resolve().parents[2]


def audit_verify(backend) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **backend_environ(backend)}
    environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), environ.get("PYTHONPATH", "")) if p)
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run(
        [str(flask), "--app", "wsgi", "ldapply", "audit-verify"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.system
def test_the_command_passes_an_intact_trail_and_names_a_changed_entry(app, backend, app_ctx):
    append_entries(250)
    intact = audit_verify(backend)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.strip() == "audit trail intact: 250 entries"

    change_entry(123, actor_name="Iemand Anders")
    broken = audit_verify(backend)
    assert broken.returncode == 1, broken.stderr
    assert "audit trail broken at entry 123: its content does not match its hash (changed)" in broken.stdout
    assert "(122 entries intact before it)" in broken.stdout


@pytest.mark.system
def test_the_command_names_a_deleted_entry_and_a_cut_off_tail(app, backend, app_ctx):
    append_entries(40)
    delete_entries(38, 39, 40)
    cut = audit_verify(backend)
    assert cut.returncode == 1
    assert "broken at entry 38" in cut.stdout
    assert "the head records entry 40 (cut off)" in cut.stdout

    delete_entries(7)
    gap = audit_verify(backend)
    assert gap.returncode == 1
    assert "audit trail broken at entry 7: entry 7 is missing (deleted)" in gap.stdout
