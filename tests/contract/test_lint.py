"""Lint fails the build: the rule set and line length in pyproject.toml ([tool.ruff]), on all code, and the
code is as `ruff format` writes it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).parent / "ruff"
CODE = ["libs", "services", "tests", "scripts"]


def test_ruff_check_passes():
    result = subprocess.run(
        [str(RUFF), "check", "--no-cache", *CODE], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted():
    result = subprocess.run(
        [str(RUFF), "format", "--check", "--no-cache", *CODE], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rule_set_is_not_narrowed():
    config = (ROOT / "pyproject.toml").read_text()
    assert 'select = ["E", "F", "I", "B", "UP", "SIM"]' in config
