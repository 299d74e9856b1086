"""The project's own checks run with the suite, so CI holds every change to them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Caches go to a per-test folder: the embedded and the services run check side by side.
CHECKS = {
    "ruff": [str(BIN / "ruff"), "check", "--no-cache", "."],
    "ruff-format": [str(BIN / "ruff"), "format", "--no-cache", "--check", "."],
    "import-contracts": [str(BIN / "lint-imports"), "--no-cache"],
    "mypy": [str(BIN / "mypy"), "--cache-dir", "{tmp}"],
}


@pytest.mark.parametrize("name", CHECKS)
def test_the_code_passes(name, tmp_path):
    command = [part.format(tmp=tmp_path) for part in CHECKS[name]]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
