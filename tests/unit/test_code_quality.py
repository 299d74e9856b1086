"""The project's own checks run with the suite, so CI holds every change to them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

CHECKS = {
    "ruff": [str(BIN / "ruff"), "check", "."],
    "ruff-format": [str(BIN / "ruff"), "format", "--check", "."],
    "import-contracts": [str(BIN / "lint-imports"), "--no-cache"],
    "mypy": [str(BIN / "mypy")],
}


@pytest.mark.parametrize("name", CHECKS)
def test_the_code_passes(name):
    result = subprocess.run(CHECKS[name], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
