"""Edit through the UI: drop an image on the page, paint a mask on it (with undo and redo), see the price,
inpaint, follow it live and compare before and after."""

import base64
import re

from playwright.sync_api import expect

from studio_common.testing.pictures import photo


def paint(page, test_id: str, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.get_by_test_id(test_id).scroll_into_view_if_needed()
    box = page.get_by_test_id(test_id).bounding_box()

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy

    page.mouse.move(*at(*start))
    page.mouse.down()
    page.mouse.move(*at(*end), steps=10)
    page.mouse.up()


def drop_file(page, test_id: str, path) -> None:
    """Drag and drop: the file arrives in a drop event's DataTransfer, as from a desktop."""
    transfer = page.evaluate_handle(
        """([name, data]) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: "image/png" }));
        return transfer;
    }""",
        [path.name, base64.b64encode(path.read_bytes()).decode()],
    )
    page.get_by_test_id(test_id).dispatch_event("dragover", {"dataTransfer": transfer})
    page.get_by_test_id(test_id).dispatch_event("drop", {"dataTransfer": transfer})


def test_paint_a_mask_and_inpaint(page, sign_in, shot, check_accessibility, api_as, tmp_path):
    user = sign_in(page)
    page.get_by_role("navigation", name="Studio modules").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit", exact=True)).to_be_visible()
    page.get_by_role("group", name="Edit operation").get_by_role("button", name="Inpaint and fix").click()
    drop_file(page, "drop-Image", photo(tmp_path / "room.png", 320, 240))
    expect(page.get_by_text("room.png · 320×240")).to_be_visible()

    paint(page, "mask-canvas", (0.3, 0.3), (0.7, 0.6))
    expect(page.get_by_text(re.compile(r"of the image will change"))).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Paint the area to change (white in the exported mask).")).to_be_visible()
    page.get_by_role("button", name="Redo").click()
    expect(page.get_by_text(re.compile(r"of the image will change"))).to_be_visible()

    run = page.get_by_role("region", name="Inpaint and fix settings").get_by_role(
        "button", name=re.compile(r"^Inpaint and fix")
    )
    expect(run).to_be_disabled()  # the prompt is required
    page.get_by_label("Prompt", exact=True).fill("a green potted plant")
    expect(page.get_by_test_id("cost-credits")).to_have_text(re.compile(r"^\d+$"))
    expect(run).to_have_text(re.compile(r"Inpaint and fix · \d+ credits?$"))
    check_accessibility(page)
    shot(page, "edit")

    run.click()
    expect(page.get_by_test_id("operation-status")).to_have_text("succeeded", timeout=60_000)
    expect(page.get_by_text(re.compile(r"^Charged \d+ credits?\.$"))).to_be_visible(timeout=20_000)
    result = page.get_by_role("region", name="Result")
    expect(result.get_by_role("slider", name="Compare")).to_be_visible()
    expect(result.get_by_text("320×240")).to_be_visible()
    shot(page, "edit-result")

    done = api_as(user).get("/api/image-studio/operations").json()["items"][0]
    assert done["kind"] == "edit.inpaint" and done["status"] == "succeeded"
    assert done["request"]["prompt"] == "a green potted plant" and "mask" in done["request"]["inputs"]
    assert (done["outputs"][0]["width"], done["outputs"][0]["height"]) == (320, 240)
    assert done["cost"]["charged_credits"] == int(page.get_by_test_id("cost-credits").inner_text())
