"""Local image edits on real photographs (scikit-image samples) with masks drawn in NumPy."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from studio_providers.base import ProviderRequest, UnsupportedOperation
from studio_providers.local import cv
from studio_providers.local.edit import EDIT_OPERATIONS


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()


def decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image).copy()


def run(
    kind: str,
    image: np.ndarray,
    *,
    mask: np.ndarray | None = None,
    prompt: str = "",
    output_format: str = "png",
    seed: int = 7,
    **params,
):
    inputs = {"image": png(image)}
    if mask is not None:
        inputs["mask"] = png(mask)
    extra = params.pop("inputs", {})
    request = ProviderRequest(
        kind=f"edit.{kind}",
        model="local-render",
        prompt=prompt,
        seed=seed,
        output_format=output_format,
        params=params,
        inputs={**inputs, **extra},
    )
    return EDIT_OPERATIONS[request.kind](request)


def box_mask(height: int, width: int, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    mask[y0:y1, x0:x1] = 255
    return mask


def outside_box(shape: tuple[int, int], y0: int, y1: int, x0: int, x1: int, grow: int) -> np.ndarray:
    """Pixels farther than ``grow`` from the box: certainly outside the grown mask."""
    keep = np.ones(shape, bool)
    keep[max(0, y0 - grow) : y1 + grow, max(0, x0 - grow) : x1 + grow] = False
    return keep


def hue_degrees(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV_FULL)[..., 0].astype(np.float64) * 360.0 / 256.0


def circular_mean(degrees: np.ndarray) -> float:
    radians = np.deg2rad(degrees)
    return float(np.rad2deg(np.arctan2(np.sin(radians).mean(), np.cos(radians).mean())) % 360)


ASTRONAUT = samples.astronaut()  # 512 x 512
COFFEE = samples.coffee()  # 400 x 600
SUIT = (300, 480, 40, 230)  # y0, y1, x0, x1: the orange suit, left arm
HELMET = (340, 500, 300, 480)


def test_edit_registry_names_every_edit_kind():
    assert set(EDIT_OPERATIONS) == {
        "edit.remove_background",
        "edit.inpaint",
        "edit.erase",
        "edit.outpaint",
        "edit.search_recolor",
        "edit.search_replace",
        "edit.relight",
    }


# --- remove background ------------------------------------------------------------------------------


def test_remove_background_makes_corners_transparent_and_keeps_the_cup():
    out = run("remove_background", COFFEE)
    rgba = decode(out.data)
    assert out.content_type == "image/png" and rgba.shape == (400, 600, 4)
    alpha = rgba[..., 3]
    for y, x in ((0, 0), (0, 599), (399, 0), (399, 599)):
        assert alpha[y, x] < 10, (y, x)
    assert alpha[200, 300] > 245  # saucer and cup at the centre
    assert alpha[130, 240] > 245  # the coffee in the cup
    assert np.array_equal(rgba[..., :3], COFFEE)  # colour untouched, only alpha added


def test_remove_background_finds_a_subject_on_a_textured_background():
    rng = np.random.default_rng(3)
    image = np.clip(rng.normal((90, 140, 110), 18, (360, 480, 3)), 0, 255).astype(np.uint8)
    disc = np.zeros((360, 480), np.uint8)
    cv2.circle(disc, (250, 190), 95, 255, -1)
    image[disc > 0] = (210, 60, 40)
    alpha = decode(run("remove_background", image, output_format="webp").data)[..., 3]
    found, truth = alpha > 127, disc > 0
    assert (found & truth).sum() / (found | truth).sum() > 0.9


def test_remove_background_answers_jpeg_requests_with_png_to_keep_transparency():
    out = run("remove_background", COFFEE, output_format="jpeg")
    assert out.content_type == "image/png" and decode(out.data).shape[2] == 4


# --- inpaint and erase ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["inpaint", "erase"])
def test_fill_changes_the_mask_and_nothing_outside_the_grown_mask(kind):
    y0, y1, x0, x1 = HELMET
    mask = box_mask(512, 512, *HELMET)
    out = decode(run(kind, ASTRONAUT, mask=mask, prompt="a plain wall", grow_mask=8).data)
    assert out.shape == ASTRONAUT.shape
    keep = outside_box((512, 512), y0, y1, x0, x1, 8)
    assert np.array_equal(out[keep], ASTRONAUT[keep])
    inside = np.abs(out[y0:y1, x0:x1].astype(int) - ASTRONAUT[y0:y1, x0:x1]).mean()
    assert inside > 20  # the black helmet is gone
    ring = np.abs(out[y0 - 8 : y0, x0 + 20 : x1 - 20].astype(int) - ASTRONAUT[y0 - 8 : y0, x0 + 20 : x1 - 20])
    assert ring.max() > 0  # the mask really grew


def test_fill_without_growth_keeps_every_pixel_outside_the_mask():
    y0, y1, x0, x1 = HELMET
    out = decode(run("erase", ASTRONAUT, mask=box_mask(512, 512, *HELMET), grow_mask=0).data)
    keep = outside_box((512, 512), y0, y1, x0, x1, 0)
    assert np.array_equal(out[keep], ASTRONAUT[keep])


def test_inpaint_tints_the_fill_towards_a_colour_in_the_prompt():
    y0, y1, x0, x1 = HELMET
    mask = box_mask(512, 512, *HELMET)
    plain = decode(run("inpaint", ASTRONAUT, mask=mask, prompt="something").data)[y0:y1, x0:x1]
    blue = decode(run("inpaint", ASTRONAUT, mask=mask, prompt="a blue ball").data)[y0:y1, x0:x1]
    plain_b, blue_b = plain.astype(float), blue.astype(float)
    assert (blue_b[..., 2] - blue_b[..., 0]).mean() > (plain_b[..., 2] - plain_b[..., 0]).mean() + 10


def test_fill_without_a_mask_uses_the_transparent_pixels():
    rgba = np.dstack([ASTRONAUT, np.full((512, 512), 255, np.uint8)])
    rgba[200:260, 300:380, 3] = 0
    request = ProviderRequest(
        kind="edit.erase", model="local-render", params={"grow_mask": 0}, inputs={"image": png(rgba)}
    )
    out = decode(EDIT_OPERATIONS["edit.erase"](request).data)
    keep = outside_box((512, 512), 200, 260, 300, 380, 0)
    assert out.shape == (512, 512, 3) and np.array_equal(out[keep], ASTRONAUT[keep])
    assert not np.array_equal(out[200:260, 300:380], ASTRONAUT[200:260, 300:380])


def test_fill_needs_a_mask_or_transparency():
    with pytest.raises(ValueError, match="needs a mask"):
        run("erase", ASTRONAUT)


@pytest.mark.parametrize("kind", ["inpaint", "erase"])
def test_empty_mask_is_refused(kind):
    with pytest.raises(ValueError, match="mask is empty"):
        run(kind, ASTRONAUT, mask=np.zeros((512, 512), np.uint8))


@pytest.mark.parametrize("kind", ["inpaint", "erase", "search_recolor"])
def test_mask_of_the_wrong_size_is_refused(kind):
    with pytest.raises(ValueError, match="mask must be 512x512 like the image, got 256x512"):
        run(kind, ASTRONAUT, mask=box_mask(512, 256, 10, 100, 10, 100), prompt="blue", select_prompt="x")


def test_grow_mask_out_of_range_is_refused():
    with pytest.raises(ValueError, match="grow_mask"):
        run("erase", ASTRONAUT, mask=box_mask(512, 512, *HELMET), grow_mask=21)
    run("inpaint", ASTRONAUT, mask=box_mask(512, 512, *HELMET), grow_mask=21)  # inpaint allows 0-100


def test_fill_is_reproducible_for_a_seed():
    mask = box_mask(512, 512, *HELMET)
    assert run("erase", ASTRONAUT, mask=mask, seed=5).data == run("erase", ASTRONAUT, mask=mask, seed=5).data


# --- outpaint ---------------------------------------------------------------------------------------


def test_outpaint_grows_the_canvas_exactly_and_keeps_the_original():
    out = run("outpaint", COFFEE, left=120, right=0, up=33, down=250, creativity=0.8)
    canvas = decode(out.data)
    assert canvas.shape == (400 + 33 + 250, 600 + 120, 3) and (out.width, out.height) == (720, 683)
    assert np.array_equal(canvas[33:433, 120:720], COFFEE)
    border = canvas[433:, :].astype(float)
    assert border.std() > 5  # not a flat fill
    assert abs(border.mean() - COFFEE[300:].mean()) < 40  # continues the image's colours


def test_outpaint_with_large_expansion_on_one_side():
    canvas = decode(run("outpaint", COFFEE, right=1500, creativity=0).data)
    assert canvas.shape == (400, 2100, 3)
    assert np.array_equal(canvas[:, :600], COFFEE)


def test_outpaint_refuses_a_canvas_beyond_the_output_limit():
    with pytest.raises(ValueError, match="limit is 4096 pixels a side"):
        run("outpaint", COFFEE, left=2000, right=2000)


def test_outpaint_needs_some_expansion():
    with pytest.raises(ValueError, match="left, right, up, down"):
        run("outpaint", COFFEE, left=0, right=0, up=0, down=0)
    with pytest.raises(ValueError, match="left"):
        run("outpaint", COFFEE, left=2001)


# --- search and recolor / replace -------------------------------------------------------------------


def test_recolor_to_blue_keeps_the_shading():
    y0, y1, x0, x1 = SUIT
    out = decode(
        run(
            "search_recolor",
            ASTRONAUT,
            mask=box_mask(512, 512, *SUIT),
            prompt="blue",
            select_prompt="the suit",
            grow_mask=0,
        ).data
    )
    region, before = out[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4], ASTRONAUT[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4]
    saturated = cv2.cvtColor(region, cv2.COLOR_RGB2HSV_FULL)[..., 1] > 60
    assert 200 <= circular_mean(hue_degrees(region)[saturated]) <= 250
    assert circular_mean(hue_degrees(before)) < 40  # it was orange
    l_before, l_after = cv.to_lab(before)[..., 0].std(), cv.to_lab(region)[..., 0].std()
    assert 0.5 * l_before <= l_after <= 1.5 * l_before
    keep = outside_box((512, 512), y0, y1, x0, x1, 0)
    assert np.array_equal(out[keep], ASTRONAUT[keep])


def test_recolor_understands_shades_and_hex_codes():
    y0, y1, x0, x1 = SUIT
    mask = box_mask(512, 512, *SUIT)
    region = (slice(y0 + 4, y1 - 4), slice(x0 + 4, x1 - 4))
    light = decode(
        run("search_recolor", ASTRONAUT, mask=mask, prompt="light blue", select_prompt="suit").data
    )
    dark = decode(run("search_recolor", ASTRONAUT, mask=mask, prompt="dark blue", select_prompt="suit").data)
    assert cv.to_lab(light[region])[..., 0].mean() > cv.to_lab(dark[region])[..., 0].mean() + 10
    green = decode(run("search_recolor", ASTRONAUT, mask=mask, prompt="#20c040", select_prompt="suit").data)
    assert 90 <= circular_mean(hue_degrees(green[region])) <= 150


def test_recolor_without_a_mask_is_unsupported():
    with pytest.raises(UnsupportedOperation, match="use stability"):
        run("search_recolor", ASTRONAUT, prompt="blue", select_prompt="the suit")


def test_recolor_to_an_unknown_colour_is_refused():
    with pytest.raises(ValueError, match="chartreusy"):
        run(
            "search_recolor",
            ASTRONAUT,
            mask=box_mask(512, 512, *SUIT),
            prompt="chartreusy",
            select_prompt="the suit",
        )


def test_recolor_needs_select_prompt():
    with pytest.raises(ValueError, match="select_prompt"):
        run("search_recolor", ASTRONAUT, mask=box_mask(512, 512, *SUIT), prompt="blue")


@pytest.mark.parametrize("with_mask", [False, True])
def test_search_replace_is_unsupported(with_mask):
    mask = box_mask(512, 512, *HELMET) if with_mask else None
    with pytest.raises(UnsupportedOperation, match="stability"):
        run("search_replace", ASTRONAUT, mask=mask, prompt="a cat", search_prompt="helmet")


# --- relight ----------------------------------------------------------------------------------------


def test_relight_composites_the_subject_on_the_reference_background():
    background = np.clip(np.random.default_rng(1).normal(120, 40, (400, 600, 3)), 0, 255).astype(np.uint8)
    out = run(
        "relight",
        COFFEE,
        inputs={"background_reference": png(background)},
        light_source_direction="left",
        light_source_strength=0.5,
    )
    result = decode(out.data)
    assert result.shape == COFFEE.shape and (out.width, out.height) == (600, 400)
    for y, x in ((0, 0), (0, 599), (399, 0), (399, 599)):
        assert np.array_equal(result[y, x], background[y, x])
    assert (result == background).all(axis=2).mean() > 0.3  # the background area is the reference
    change = np.abs(result[100:160, 200:280].astype(int) - COFFEE[100:160, 200:280]).mean()
    assert 1 < change < 40  # the cup is relit, and still the cup


def test_relight_cover_resizes_a_reference_of_another_shape():
    background = np.zeros((300, 200, 3), np.uint8)
    background[:, :] = (30, 60, 200)
    result = decode(run("relight", COFFEE, inputs={"background_reference": png(background)}).data)
    assert result.shape == COFFEE.shape
    assert np.array_equal(result[0, 0], (30, 60, 200))


def warmth(rgb: np.ndarray) -> float:
    return float(rgb[..., 0].astype(float).mean() - rgb[..., 2].astype(float).mean())


def test_relight_from_a_prompt_alone_takes_its_light_and_keeps_the_scene():
    out = run("relight", COFFEE, background_prompt="a beach at sunset", light_source_strength=0.6)
    warm = decode(out.data)
    cool = decode(run("relight", COFFEE, background_prompt="cool moonlight", light_source_strength=0.6).data)
    assert warm.shape == COFFEE.shape and out.methods["relight"] == "in place, 3200 K"
    assert warmth(warm) > warmth(COFFEE) + 15 > warmth(cool) + 30
    # The scene stays: only the light changed, so the image still correlates with the input.
    assert np.corrcoef(warm.mean(axis=2).ravel(), COFFEE.mean(axis=2).ravel())[0, 1] > 0.95


def test_relight_from_a_direction_alone_lights_that_side():
    lit = decode(run("relight", COFFEE, light_source_direction="left", light_source_strength=1.0).data)
    gain = lit.astype(float).mean(axis=(0, 2)) - COFFEE.astype(float).mean(axis=(0, 2))
    assert gain[:100].mean() > 10 > -10 > gain[-100:].mean()


def test_relight_with_no_light_to_apply_names_the_fields_it_needs():
    with pytest.raises(ValueError, match="light_source_direction.*light_reference.*background_prompt"):
        run("relight", COFFEE, background_prompt="a beach")  # a scene it cannot draw, and no light words


def test_relight_rejects_an_unknown_light_direction():
    with pytest.raises(ValueError, match="light_source_direction"):
        run("relight", COFFEE, inputs={"background_reference": png(COFFEE)}, light_source_direction="behind")
