"""Social export and the library through the UI: one image to three formats with a focal point, the ZIP
downloaded; then the outputs found by search, one favourited, two put in a collection, one edited into a
second version, one trashed and restored, the collection
shared with a password and opened by a visitor without an account."""

import io
import re
import zipfile

from PIL import Image
from playwright.sync_api import expect

from studio_common.testing.pictures import photo

FORMATS = {
    "Instagram Story · 1080×1920": (1080, 1920),
    "X / Twitter Post · 1200×675": (1200, 675),
    "LinkedIn Company cover · 1128×191": (1128, 191),
}


def export_three_formats(page, shot, check_accessibility, tmp_path) -> None:
    page.get_by_role("navigation", name="Studio modules").get_by_role("link", name="Social").click()
    page.get_by_label("Image file").set_input_files(photo(tmp_path / "launch.png", 1600, 1000))
    for label in FORMATS:
        page.get_by_label(label).check()
    previews = page.get_by_role("region", name="Crop previews")
    expect(previews.get_by_role("figure")).to_have_count(3)
    page.get_by_test_id("focal-image").click(position={"x": 60, "y": 40})
    expect(page.get_by_text(re.compile(r"^Focal point at \d+% across, \d+% down\.$"))).to_be_visible()
    # the story crop follows the focal point to the image's left edge
    story = previews.get_by_test_id("preview-instagram.story").locator("img")
    expect(story).to_have_css("left", "0px")
    run = page.get_by_role("button", name=re.compile(r"^Export 3 formats · \d+ credits?$"))
    check_accessibility(page)
    shot(page, "social")
    run.click()
    expect(page.get_by_test_id("operation-status")).to_have_text("succeeded", timeout=60_000)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download all (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(downloading.value.path().read_bytes()))
    sizes = sorted(
        Image.open(archive.open(name)).size
        for name in archive.namelist()
        if name.lower().endswith((".jpg", ".jpeg", ".png", ".webp"))
    )
    assert sizes == sorted(FORMATS.values())
    shot(page, "social-result")


def test_social_export_then_share_from_the_library(
    page, browser, studio, sign_in, shot, check_accessibility, api_as, tmp_path
):
    user = sign_in(page)
    export_three_formats(page, shot, check_accessibility, tmp_path)

    page.get_by_role("navigation", name="Studio modules").get_by_role("link", name="Library").click()
    page.get_by_label("Search the library").fill("social")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"search=social"))
    for width, height in FORMATS.values():
        expect(page.get_by_role("button", name=f"Open Social optimize, {width}×{height}")).to_be_visible()

    page.get_by_role("button", name="Favourite Social optimize, 1080×1920").click()
    expect(page.get_by_role("button", name="Favourite Social optimize, 1080×1920")).to_have_attribute(
        "aria-pressed", "true"
    )

    page.get_by_label("New collection").fill("Launch picks")
    page.get_by_role("button", name="Create collection").click()
    page.get_by_role("checkbox", name="Select Social optimize, 1080×1920").check()
    page.get_by_role("checkbox", name="Select Social optimize, 1200×675").check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    page.get_by_label("Collection to add to").select_option(label="Launch picks")
    page.get_by_role("button", name="Add to collection").click()
    expect(page.get_by_text("Added 2 to Launch picks.")).to_be_visible()
    check_accessibility(page)
    shot(page, "library")

    page.get_by_role("button", name="List", exact=True).click()
    expect(page.get_by_role("table")).to_be_visible()
    shot(page, "library-list")
    page.get_by_role("button", name="Grid", exact=True).click()

    page.get_by_role("button", name="Favourites").click()
    expect(page.get_by_role("button", name=re.compile(r"^Open "))).to_have_count(1)
    page.get_by_role("button", name="Open Social optimize, 1080×1920").click()
    details = page.get_by_role("dialog", name="Asset details")
    expect(details.get_by_role("button", name=re.compile(r"^Version 1"))).to_be_visible()
    check_accessibility(page)
    shot(page, "library-details")
    details.get_by_role("link", name="Edit", exact=True).click()  # opens the asset in the editor
    expect(page.get_by_role("heading", name="Edit", exact=True)).to_be_visible()
    expect(page.get_by_text("Social optimize · 1080×1920")).to_be_visible()
    page.get_by_role("group", name="Edit operation").get_by_role("button", name="Prompt-based edit").click()
    page.get_by_label("Prompt", exact=True).fill("brighter and warmer")
    edit = page.get_by_role("region", name="Prompt-based edit settings").get_by_role(
        "button", name=re.compile(r"^Prompt-based edit · \d+ credits?$")
    )
    expect(edit).to_be_enabled(timeout=30_000)  # priced with the prompt: the offline provider can do this one
    edit.click()
    expect(page.get_by_test_id("operation-status")).to_have_text("succeeded", timeout=60_000)
    page.get_by_role("region", name="Result").get_by_role("link", name="Open in library").click()
    page.get_by_role("button", name="Open Brighter and warmer, 1080×1920").click()
    versions = page.get_by_role("dialog", name="Asset details").get_by_role("region", name="Versions")
    expect(versions.get_by_role("button")).to_have_text([re.compile("^Version 1"), re.compile("^Version 2")])
    shot(page, "library-versions")
    page.get_by_role("button", name="Close details").click()
    page.get_by_role("navigation", name="Studio modules").get_by_role("link", name="Library").click()

    page.get_by_role("button", name="All assets").click()
    expect(page.get_by_text("0 selected")).to_be_visible()
    page.get_by_role("checkbox", name="Select Social optimize, ZIP").check()
    page.get_by_role("button", name="Move to trash").click()
    expect(page.get_by_text("Moved 1 to the trash.")).to_be_visible()
    expect(page.get_by_role("button", name="Open Social optimize, ZIP")).to_have_count(0)
    page.get_by_role("button", name="Trash").click()
    page.get_by_role("checkbox", name="Select Social optimize, ZIP").check()
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored 1.")).to_be_visible()
    # gone from the trash
    expect(page.get_by_role("button", name="Open Social optimize, ZIP")).to_have_count(0)

    page.get_by_role("button", name=re.compile(r"^Launch picks")).click()
    expect(page.get_by_role("button", name=re.compile(r"^Open "))).to_have_count(2)
    page.get_by_role("button", name="Share", exact=True).click()
    sharing = page.get_by_role("dialog", name="Share Launch picks")
    sharing.get_by_label("Password (optional)").fill("tulip-4821")
    sharing.get_by_label("Expires after (hours)").fill("48")
    sharing.get_by_role("button", name="Create share link").click()
    link = sharing.get_by_label("New link")
    expect(link).to_have_value(re.compile(r"/shared/[\w-]+$"))
    board_url = link.input_value()
    expect(sharing.get_by_text(re.compile(r"password · until"))).to_be_visible()
    shot(page, "library-share")

    mine = api_as(user)
    collection = mine.get("/api/content-assets/collections").json()["items"][0]
    assert collection["name"] == "Launch picks" and collection["asset_count"] == 2
    favourites = mine.get("/api/content-assets", params={"favourite": True}).json()["items"]
    assert [(a["width"], a["height"]) for a in favourites] == [(1080, 1920)]

    visitor = browser.new_context(base_url=studio, viewport={"width": 390, "height": 844})
    try:
        board = visitor.new_page()
        board.goto(board_url)
        expect(board.get_by_text("This board is protected by a password.")).to_be_visible()
        board.get_by_label("Board password").fill("wrong-guess")
        board.get_by_role("button", name="Open board").click()
        expect(board.get_by_text("That password is not right.")).to_be_visible()
        board.get_by_label("Board password").fill("tulip-4821")
        board.get_by_role("button", name="Open board").click()
        expect(board.get_by_role("heading", name="Launch picks")).to_be_visible()
        expect(board.get_by_role("link", name=re.compile(r"^View "))).to_have_count(2)
        check_accessibility(board)
        shot(board, "shared-board-phone")
    finally:
        visitor.close()
