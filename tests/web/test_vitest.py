"""The web studio's unit and component tests (vitest, jsdom) run as part of the one test command."""

import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


def test_vitest_suite_passes():
    assert (WEB / "node_modules").is_dir(), "run `npm ci` in web/ (scripts/test.sh does)"
    run = subprocess.run(
        ["npx", "vitest", "run", "--reporter=dot"],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-8000:]
