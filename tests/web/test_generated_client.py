"""The studio's typed client is generated from the gateway's OpenAPI document: a changed API without a
regenerated web/src/api/schema.d.ts fails here (fix: `npm run gen:api` in web/ and commit)."""

import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


def test_committed_client_matches_the_gateway_openapi():
    assert (WEB / "node_modules").is_dir(), "run `npm ci` in web/ (scripts/test.sh does)"
    check = subprocess.run(
        ["node", "scripts/gen-api.mjs", "--check"],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert check.returncode == 0, check.stderr + check.stdout
