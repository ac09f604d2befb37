"""Every page of the studio, signed in and as a visitor: it renders, axe-core finds no serious or critical
violation, it fits a 390-px-wide phone, dark mode works, and nothing is fetched from another origin."""

import re

import pytest
from playwright.sync_api import expect

MODULES = ["Create", "Edit", "Upscale", "Control", "Social", "Transform", "Library", "Batch", "Account"]
PHONE = {"width": 390, "height": 844}


def only_same_origin(page, studio):
    """Fail any request to another origin: the studio and the docs must work offline."""
    leaks: list[str] = []

    def check(route):
        if route.request.url.startswith((studio, "data:", "blob:")):
            route.continue_()
        else:
            leaks.append(route.request.url)
            route.abort()

    page.route("**/*", check)
    return leaks


def open_module(page, name):
    page.get_by_role("navigation", name="Studio modules").get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{name.lower()}"))
    expect(page.get_by_role("heading", level=1).first).to_contain_text(name)
    page.wait_for_load_state("networkidle")


def test_every_module_page_is_accessible(page, sign_in, shot, check_accessibility, studio):
    leaks = only_same_origin(page, studio)
    sign_in(page)
    for name in MODULES:
        open_module(page, name)
        check_accessibility(page)
        shot(page, f"page-{name.lower()}")
    assert not leaks, leaks


@pytest.mark.parametrize("name", MODULES)
def test_every_module_fits_a_phone(page, sign_in, shot, name):
    page.set_viewport_size(PHONE)
    sign_in(page)
    open_module(page, name)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    shot(page, f"phone-{name.lower()}")
    assert overflow <= 0, f"{name} is {overflow}px wider than a 390-px phone"


def test_dark_mode_is_accessible_and_remembered(page, sign_in, shot, check_accessibility):
    sign_in(page)
    page.get_by_role("button", name="Switch to dark mode").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 19, 24)", background
    for name in ("Create", "Account", "Library"):
        open_module(page, name)
        check_accessibility(page)
        shot(page, f"dark-{name.lower()}")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


def test_the_sign_in_and_public_board_pages_need_no_account(page, shot, check_accessibility, studio):
    leaks = only_same_origin(page, studio)
    page.goto("/shared/no-such-board-token")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    check_accessibility(page)
    shot(page, "page-shared-unknown")
    page.goto("/signin")
    check_accessibility(page)
    assert not leaks, leaks


def test_api_docs_render_offline(page, shot, studio):
    leaks = only_same_origin(page, studio)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Image Studio API", timeout=30_000)
    expect(page.get_by_text("/api/image-studio/edit/process").first).to_be_visible()
    shot(page, "docs", full_page=False)
    assert not leaks, leaks
