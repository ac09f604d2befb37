"""Batch through the UI: a CSV of three 256x256 creates and one invalid row is uploaded, the row error is
shown as the API words it, the batch is confirmed skipping the invalid row, followed live to its end, and
the results CSV the page downloads lists the three outputs, charged exactly what the page showed."""

import csv
import io
import re
import zipfile

from PIL import Image
from playwright.sync_api import expect

ROWS = [
    ["kind", "name", "prompt", "width", "height"],
    ["create", "lighthouse", "a lighthouse at dawn", "256", "256"],
    ["create", "meadow", "a spring meadow", "256", "256"],
    ["create", "harbour", "a harbour at night", "256", "256"],
    ["paint", "broken", "a fox", "256", "256"],
]


def rows_csv(tmp_path, valid_only=False):
    path = tmp_path / "spring.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows(ROWS[:4] if valid_only else ROWS)
    return path


def test_a_csv_batch_from_upload_to_results(page, sign_in, shot, check_accessibility, api_as, tmp_path):
    user = sign_in(page)
    page.get_by_role("navigation", name="Studio modules").get_by_role("link", name="Batch").click()
    page.get_by_label("Rows file").set_input_files(rows_csv(tmp_path))
    page.get_by_label("Batch name").fill("Spring posters")
    page.get_by_label("Repeat (cron)").check()  # the schedule's fields appear, then it is set back
    expect(page.get_by_label("Time zone")).to_be_visible()
    check_accessibility(page)
    shot(page, "batch-new")
    page.get_by_label("Run when I confirm").check()
    page.get_by_role("button", name="Check rows and price").click()

    errors = page.get_by_role("table", name="Row errors")
    expect(errors).to_be_visible(timeout=30_000)
    expect(errors.get_by_role("row")).to_have_count(2)  # the header and row 4
    cells = errors.get_by_role("row").nth(1).get_by_role("cell")
    expect(cells.nth(0)).to_have_text("4")
    expect(cells.nth(1)).to_have_text("kind")
    expect(cells.nth(2)).to_contain_text("kind: 'paint' is not an operation")
    preview = page.get_by_role("region", name="Cost preview")
    expect(preview.get_by_test_id("batch-covered")).to_contain_text("Covered")
    total = int(re.match(r"(\d+)", preview.get_by_test_id("batch-total").inner_text()).group(1))
    assert total > 0
    check_accessibility(page)
    shot(page, "batch-draft")

    confirm = page.get_by_role("button", name=f"Confirm 3 rows, skip 1 invalid · {total} credits")
    confirm.click()
    state = page.get_by_test_id("batch-state")
    expect(state).to_have_text(re.compile(r"^completed"), timeout=120_000)
    expect(page.get_by_test_id("credits-held")).to_have_text("0", timeout=30_000)
    table = page.get_by_role("table", name="Rows")
    for row in (1, 2, 3):
        expect(table.get_by_test_id(f"batch-row-{row}")).to_contain_text("succeeded")
    expect(table.get_by_test_id("batch-row-4")).to_contain_text("kind: 'paint' is not an operation")
    charged = int(page.get_by_test_id("credits-charged").inner_text())
    check_accessibility(page)
    shot(page, "studio-batch")

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download results CSV").click()
    listing = list(csv.DictReader(io.StringIO(downloading.value.path().read_text())))
    by_row = {int(line["row"]): line for line in listing}
    assert sorted(by_row) == [1, 2, 3, 4]
    api = api_as(user)
    for number, name in ((1, "lighthouse"), (2, "meadow"), (3, "harbour")):
        line = by_row[number]
        assert (line["name"], line["kind"], line["status"]) == (name, "create", "succeeded")
        (asset_id,) = line["asset_ids"].split()
        asset = api.get(f"/api/content-assets/{asset_id}").json()
        assert (asset["width"], asset["height"]) == (256, 256)
    assert by_row[4]["status"] != "succeeded" and "is not an operation" in by_row[4]["error"]
    assert charged == sum(int(by_row[n]["credits"]) for n in (1, 2, 3)) == total
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download results ZIP").click()
    archive = zipfile.ZipFile(io.BytesIO(downloading.value.path().read_bytes()))
    images = sorted(name for name in archive.namelist() if name != "results.csv")
    assert [name.split("-")[0] for name in images] == ["00001", "00002", "00003"]
    assert {Image.open(archive.open(name)).size for name in images} == {(256, 256)}
    batch = api.get("/api/image-studio/batches").json()["items"][0]
    assert batch["name"] == "Spring posters" and batch["credits"]["charged"] == charged

    # the batch stays listed, newest first, and reads well on a phone and in dark mode
    page.set_viewport_size({"width": 390, "height": 844})
    expect(
        page.get_by_role("button", name=re.compile(r"^Open batch Spring posters\s*completed"))
    ).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    shot(page, "batch-phone")
    assert overflow <= 0, f"the batch page is {overflow}px wider than a 390-px phone"
    page.get_by_role("button", name="Switch to dark mode").click()
    check_accessibility(page)
    shot(page, "batch-phone-dark")


def test_a_scheduled_batch_shows_its_next_runs_and_can_be_canceled(
    page, sign_in, check_accessibility, api_as, tmp_path
):
    user = sign_in(page)
    page.get_by_role("navigation", name="Studio modules").get_by_role("link", name="Batch").click()
    page.get_by_label("Rows file").set_input_files(rows_csv(tmp_path, valid_only=True))
    page.get_by_label("Batch name").fill("Monday posters")
    page.get_by_label("Repeat (cron)").check()
    page.get_by_label("Cron", exact=True).fill("0 9 * * MON")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_role("button", name="Check rows and price").click()

    fires = page.get_by_role("list", name="Next fire times")
    expect(fires.get_by_role("listitem")).to_have_count(5)
    schedule = api_as(user).get("/api/image-studio/batches").json()["items"][0]["schedule"]
    assert schedule["cron"] == "0 9 * * MON" and schedule["timezone"] == "Europe/Berlin"
    page.get_by_role("button", name=re.compile(r"^Confirm 3 rows · \d+ credits?$")).click()
    expect(page.get_by_test_id("batch-state")).to_have_text("scheduled")
    schedules = page.get_by_role("list", name="Next fire times")  # now the schedule's, in the list
    expect(schedules.get_by_role("listitem")).to_have_count(5)
    check_accessibility(page)

    page.get_by_role("button", name="Cancel batch").click()
    expect(page.get_by_test_id("batch-state")).to_have_text("canceled")
    assert api_as(user).get("/api/billing/balance").json()["pending_credits"] == 0
