"""Signing in and out through the UI, and the public pages a visitor without an account reaches."""

import re

from playwright.sync_api import expect


def test_sign_in_shows_the_studio_and_the_balance(page, sign_in, shot, check_accessibility):
    page.goto("/signin")
    expect(page.get_by_role("heading", name="Sign in to Image Studio")).to_be_visible()
    check_accessibility(page)
    shot(page, "signin")
    page.get_by_label("User name").fill("not a name")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("use letters, digits, dots, dashes and underscores only")).to_be_visible()
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/create$"))
    expect(page.get_by_test_id("balance-available")).to_have_text("200")


def test_a_deep_link_survives_sign_in_and_sign_out_forgets_the_token(page, sign_in):
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Faccount$"))
    page.get_by_label("User name").fill("deep-link-user")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    storage = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    assert "eyJ" not in storage, "a token was written to web storage"
    page.get_by_role("button", name="Sign out deep-link-user").click()
    expect(page.get_by_role("heading", name="Sign in to Image Studio")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Sign in to Image Studio")).to_be_visible()
