"""Browser tests: real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright for Python; no
browser is ever downloaded) against the whole stack started as processes, with the gateway serving the
built studio bundle. Tests drive the UI only; API calls are for checking what the UI did.

Fixtures: `studio` (base URL), `page` (a fresh 1280x800 page that fails the test on a CSP violation or
an uncaught page error), `sign_in(page, user=None)`, `shot(page, name)`, `check_accessibility(page)`,
`api_as(user)` (a StudioClient to check results)."""

import os
import shutil
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from studio_common.testing.client import SECRET, StudioClient
from studio_common.testing.stacks import isolated_stack

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "web" / "dist"
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("STUDIO_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(os.environ.get("STUDIO_TEST_OUTPUT", REPO / "test-results")) / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}
UNSTICK = """() => document.querySelectorAll("body *").forEach(e => {
    if (getComputedStyle(e).position === "sticky") { e.dataset.wasSticky = "1"; e.style.position = "static"; }
})"""
RESTICK = """() => document.querySelectorAll("[data-was-sticky]").forEach(e => {
    e.style.position = ""; delete e.dataset.wasSticky;
})"""

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def studio_bundle(tmp_path_factory) -> Path:
    """A copy of web/dist: a rebuild while the suite runs must not swap chunks under the open pages."""
    assert (DIST / "index.html").is_file(), (
        "build the studio first: cd web && npm ci && npm run build (scripts/test.sh does)"
    )
    return shutil.copytree(DIST, tmp_path_factory.mktemp("web") / "dist")


@pytest.fixture(scope="session")
def studio_stack(tmp_path_factory, amqp_url, studio_bundle):
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)"
    data_dir = tmp_path_factory.mktemp("browser-stack")
    with isolated_stack(data_dir, "browser", SECRET, {"STUDIO_WEB_DIST_DIR": str(studio_bundle)}) as stack:
        yield stack


@pytest.fixture(scope="session")
def studio(studio_stack) -> str:
    return studio_stack.url("gateway")


# Per module: Playwright's sync API keeps an event loop running in the main thread while it is open, and
# the suites after this one (asyncio.run, pytest-asyncio) cannot run inside it.
@pytest.fixture(scope="module")
def browser(studio_stack):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, studio):
    context = browser.new_context(
        base_url=studio, viewport={"width": 1280, "height": 800}, accept_downloads=True
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"CSP: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def sign_in():
    def sign_in(page: Page, user: str | None = None) -> str:
        user = user or f"web-{uuid.uuid4().hex[:8]}"
        page.goto("/signin")
        page.get_by_label("User name").fill(user)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("navigation", name="Studio modules")).to_be_visible()
        return user

    return sign_in


@pytest.fixture
def shot():
    OUTPUT.mkdir(parents=True, exist_ok=True)

    def shot(page: Page, name: str, full_page: bool = True) -> Path:
        path = OUTPUT / f"{name}.png"
        if full_page:  # sticky bars would be painted mid-page in a full-page capture: lay them out in flow
            page.evaluate(UNSTICK)
        page.screenshot(path=str(path), full_page=full_page)
        if full_page:
            page.evaluate(RESTICK)
        return path

    return shot


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the current page; evaluated through the DevTools protocol, which the page's
    CSP does not apply to (an injected <script> would rightly be blocked)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate("""async () => {
        const result = await window.axe.run(document, { resultTypes: ["violations"] });
        return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")) }));
    }""")


@pytest.fixture
def check_accessibility():
    assert AXE.is_file(), "axe-core is missing: cd web && npm ci"

    def check(page: Page) -> list[dict]:
        violations = axe_violations(page)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        described = (f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in blocking)
        assert not blocking, "\n".join(described)
        return violations

    return check


@pytest.fixture
def api_as(studio):
    clients: list[StudioClient] = []

    def api_as(user: str) -> StudioClient:
        client = StudioClient(studio, user)
        clients.append(client)
        return client

    yield api_as
    for client in clients:
        client.http.close()
