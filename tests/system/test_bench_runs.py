"""The letter benchmark keeps working as the code changes; its figures are read by people, not asserted."""

from __future__ import annotations

import subprocess
import sys
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
