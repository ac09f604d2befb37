"""Every studio page of the image modules renders, passes axe-core and is usable at 1280x800 and on a
390-px-wide phone; Upscale compares before and after with zoom, Control generates from a drawn sketch,
Transform plays the video it made with its duration and resolution and downloads a 3D model."""

import math
import re
import struct
import wave

from playwright.sync_api import expect

from studio_common.testing.pictures import photo, portrait

PAGES = ["Edit", "Upscale", "Control", "Social", "Transform", "Library"]


def go(page, name: str) -> None:
    page.get_by_role("navigation", name="Studio modules").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=20_000)


def test_each_page_passes_axe_on_a_phone_with_an_image_loaded(
    page, sign_in, shot, check_accessibility, tmp_path
):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page)
    picture = photo(tmp_path / "phone.png", 480, 320)
    for name in PAGES:
        go(page, name)
        if name not in ("Control", "Library"):
            page.get_by_label("Image file").set_input_files(picture)
            expect(page.get_by_text("phone.png · 480×320").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        check_accessibility(page)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, f"{name} scrolls sideways"
        shot(page, f"studio-phone-{name.lower()}")


def test_dark_mode_keeps_pages_readable(page, sign_in, shot, check_accessibility, tmp_path):
    sign_in(page)
    page.get_by_role("button", name="Switch to dark mode").click()
    go(page, "Edit")
    page.get_by_label("Image file").set_input_files(photo(tmp_path / "dark.png", 300, 200))
    check_accessibility(page)
    shot(page, "edit-dark")
    go(page, "Library")
    check_accessibility(page)


def test_upscale_compares_with_zoom(page, sign_in, shot, check_accessibility, tmp_path):
    sign_in(page)
    go(page, "Upscale")
    page.get_by_label("Image file").set_input_files(photo(tmp_path / "small.png", 200, 150))
    run = page.get_by_role("button", name=re.compile(r"^Upscale · \d+ credits?$"))
    page.get_by_label("Long side (px)").fill("10")
    run.click()  # the API's own words land under the field they name, and nothing is charged
    expect(page.get_by_label("Long side (px)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(re.compile(r"greater than or equal to 64"))).to_be_visible()
    page.get_by_label(re.compile(r"^Fast")).check()
    run.click()
    expect(page.get_by_test_id("operation-status")).to_have_text("succeeded", timeout=60_000)
    result = page.get_by_role("region", name="Result")
    expect(result.get_by_role("heading", name="200×150 → 800×600")).to_be_visible()
    result.get_by_role("button", name="4×").click()
    expect(result.get_by_role("button", name="4×")).to_have_attribute("aria-pressed", "true")
    result.get_by_role("slider", name="Compare").fill("30")
    check_accessibility(page)
    shot(page, "upscale-result")


def test_control_generates_from_a_drawn_sketch(page, sign_in, shot, check_accessibility):
    sign_in(page)
    go(page, "Control")
    run = page.get_by_role("region", name="Settings").get_by_role("button", name=re.compile(r"^Generate"))
    expect(run).to_be_disabled()
    pad = page.get_by_test_id("sketch-canvas")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 40, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    expect(page.get_by_role("button", name="Undo")).to_be_enabled()
    page.get_by_label("Prompt", exact=True).fill("a lighthouse on a cliff")
    expect(run).to_be_enabled()
    expect(run).to_have_text(re.compile(r"Generate · \d+ credits?"))
    check_accessibility(page)
    shot(page, "control")
    run.click()
    expect(page.get_by_test_id("operation-status")).to_have_text("succeeded", timeout=60_000)
    expect(page.get_by_role("region", name="Result").get_by_role("img")).to_be_visible()
    shot(page, "control-result")


def test_transform_plays_the_video_with_its_duration_and_resolution(
    page, sign_in, shot, check_accessibility, tmp_path
):
    sign_in(page)
    go(page, "Transform")
    page.get_by_role("group", name="Transform operation").get_by_role("button", name="Image to video").click()
    page.get_by_label("Image file").set_input_files(photo(tmp_path / "scene.png", 640, 360))
    page.get_by_label("Resolution", exact=True).select_option("480p")
    run = page.get_by_role("region", name="Settings").get_by_role(
        "button", name=re.compile(r"^Image to video · \d+")
    )
    run.click()
    expect(page.get_by_test_id("operation-status")).to_have_text("succeeded", timeout=90_000)
    expect(page.get_by_test_id("video-meta")).to_have_text(re.compile(r"^\d+×480 · 5\.0 s"), timeout=20_000)
    check_accessibility(page)
    shot(page, "transform-result")

    page.get_by_role("group", name="Transform operation").get_by_role("button", name="Image to 3D").click()
    page.get_by_label("Image file").set_input_files(photo(tmp_path / "relief.png", 256, 256))
    page.get_by_role("region", name="Settings").get_by_role(
        "button", name=re.compile(r"^Image to 3D · \d+")
    ).click()
    expect(page.get_by_test_id("operation-status")).to_have_text("succeeded", timeout=90_000)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the 3D model").click()
    assert downloading.value.path().read_bytes()[:4] == b"glTF"  # a binary glTF model


def speech(path, seconds: float) -> str:
    """A spoken-like tone: a WAV the avatar can lip-sync to."""
    rate = 16_000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack(
                    "<h",
                    int(
                        8000
                        * math.sin(2 * math.pi * 220 * i / rate)
                        * (0.5 + 0.5 * math.sin(2 * math.pi * 3 * i / rate))
                    ),
                )
                for i in range(int(rate * seconds))
            )
        )
    return str(path)


def test_talking_avatar_prices_the_speech_it_is_given(page, sign_in, shot, check_accessibility, tmp_path):
    sign_in(page)
    go(page, "Transform")
    page.get_by_role("group", name="Transform operation").get_by_role("button", name="Talking avatar").click()
    page.get_by_label("Image file").set_input_files(portrait(tmp_path / "face.png"))
    run = page.get_by_role("region", name="Settings").get_by_role(
        "button", name=re.compile(r"^Talking avatar")
    )
    expect(run).to_be_disabled()  # the speech is required
    page.get_by_label("Audio (speech, required)").set_input_files(speech(tmp_path / "hello.wav", 2.5))
    expect(page.get_by_text("hello.wav · 2.5 s")).to_be_visible()
    expect(page.get_by_test_id("cost")).to_contain_text(re.compile(r"for 3 seconds at"))  # per started second
    check_accessibility(page)
    run.click()
    expect(page.get_by_test_id("operation-status")).to_have_text("succeeded", timeout=90_000)
    expect(page.get_by_role("region", name="Result").get_by_label("Generated video")).to_be_visible()
    shot(page, "transform-avatar")
