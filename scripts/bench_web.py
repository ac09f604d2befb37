"""Benchmark of the web studio in headless Chromium (Debian's /usr/bin/chromium) against the whole stack
started as processes with the built bundle (build it first: cd web && npm ci && npm run build).

Prints, as medians over --runs fresh browser contexts:
- cold start: from navigating to /signin?next=/create (empty cache) to an interactive Create page, that is
  signed in, templates listed, the price quoted and Generate enabled (the sign-in click is included);
- warm navigation: from clicking "Create" in the navigation (coming from Account) to the same state.
`cd web && npm run size` prints the JavaScript each route loads.

    uv run python scripts/bench_web.py [--runs 10]
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from studio_common.testing.stacks import isolated_stack

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-web-secret-" + "w" * 32
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def create_is_interactive(page) -> None:
    page.get_by_role("radio", name="No template").wait_for()
    page.get_by_test_id("cost-credits").wait_for()
    page.wait_for_function(
        "() => { const b = [...document.querySelectorAll('button')]"
        ".find(b => b.textContent === 'Generate'); return b && !b.disabled; }"
    )


def one_run(browser, base: str, user: str) -> tuple[float, float]:
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    start = time.perf_counter()
    page.goto("/signin?next=/create")
    page.get_by_label("User name").fill(user)
    page.get_by_role("button", name="Sign in").click()
    create_is_interactive(page)
    cold = time.perf_counter() - start
    page.get_by_role("link", name="Account", exact=True).click()
    page.get_by_test_id("account-available").wait_for()
    start = time.perf_counter()
    navigation = page.get_by_role("navigation", name="Studio modules")
    navigation.get_by_role("link", name="Create", exact=True).click()
    create_is_interactive(page)
    warm = time.perf_counter() - start
    context.close()
    return cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    dist = REPO / "web" / "dist"
    if not (dist / "index.html").is_file():
        print("build the studio first: cd web && npm ci && npm run build", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        bundle = shutil.copytree(dist, Path(tmp) / "web-dist")
        with isolated_stack(Path(tmp), "benchweb", SECRET, {"STUDIO_WEB_DIST_DIR": str(bundle)}) as stack:
            base = stack.url("gateway")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                one_run(browser, base, "bench-warmup")  # the services' first requests warm their caches
                runs = [one_run(browser, base, f"bench-{i}") for i in range(args.runs)]
                browser.close()
    cold = [r[0] * 1000 for r in runs]
    warm = [r[1] * 1000 for r in runs]
    print(f"runs: {args.runs} (fresh browser context each, local stack, 2-core machine)")
    print(
        f"cold start to interactive Create: median {statistics.median(cold):.0f} ms "
        f"(min {min(cold):.0f}, max {max(cold):.0f})"
    )
    print(
        f"navigation to interactive Create: median {statistics.median(warm):.0f} ms "
        f"(min {min(warm):.0f}, max {max(warm):.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
