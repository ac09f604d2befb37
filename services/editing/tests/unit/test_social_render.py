import dataclasses
import io
import zipfile

import numpy as np
import pytest
import pyvips
from PIL import Image
from skimage import data

from studio_common.social_formats import FORMATS, get_format
from studio_editing.domain.social.crop import crop_box, largest_crop_size
from studio_editing.domain.social.decode import choose_shrink
from studio_editing.domain.social.focal import find_focal_point
from studio_editing.domain.social.outputs import InvalidImageError, SizeLimitError, SocialRenderError
from studio_editing.domain.social.render import optimize, zip_outputs

STORY = get_format("instagram", "story")
SQUARE = get_format("instagram", "feed_square")


def _jpeg(pixels: np.ndarray, q: int = 90, **fields) -> bytes:
    img = pyvips.Image.new_from_array(np.ascontiguousarray(pixels), interpretation="srgb")
    for name, value in fields.items():
        img = img.copy()
        img.set_type(pyvips.GValue.gint_type, name, value)
    return img.jpegsave_buffer(Q=q)


def _grain(shape, seed=7, sigma=5.0):
    return np.random.default_rng(seed).normal(0, sigma, size=shape).astype(np.float32)


@pytest.fixture(scope="module")
def photo() -> bytes:
    """A 1536x1152 portrait photo (the astronaut, scaled up, with sensor-like grain)."""
    big = pyvips.Image.new_from_array(data.astronaut()).resize(3, kernel="lanczos3").crop(0, 0, 1536, 1152)
    px = np.clip(big.numpy().astype(np.float32) + _grain((1152, 1536, 1)), 0, 255).astype(np.uint8)
    return _jpeg(px)


@pytest.fixture(scope="module")
def wide_canvas() -> np.ndarray:
    """The portrait pasted in the left third of a 3000x1000 canvas with a plain gradient."""
    h, w = 1000, 3000
    ramp = np.linspace(150, 200, w, dtype=np.float32)
    canvas = np.repeat(np.repeat(ramp[None, :, None], h, axis=0), 3, axis=2)
    face = pyvips.Image.new_from_array(data.astronaut()).resize(900 / 512, kernel="lanczos3").numpy()
    canvas[50:950, 250:1150] = face[:900, :900]
    return np.clip(canvas + _grain((h, w, 1), sigma=3.0), 0, 255).astype(np.uint8)


def _decode(out) -> Image.Image:
    img = Image.open(io.BytesIO(out.data))
    img.load()
    return img


def test_every_format_has_its_exact_size_and_decodes(photo):
    outs = optimize(photo, FORMATS)
    assert [o.format for o in outs] == list(FORMATS)
    for out in outs:
        img = _decode(out)
        assert img.format == "JPEG"
        assert img.size == (out.format.width, out.format.height) == (out.width, out.height)
        assert img.mode == "RGB"
        assert out.content_type == "image/jpeg"
        assert out.data[:2] == b"\xff\xd8"
        assert len(out.data) <= out.format.max_bytes
        assert out.quality == 90 and out.detail_scale == 1.0
        assert out.crop is not None
        w, h = out.crop.width, out.crop.height
        assert abs(w / h - out.format.width / out.format.height) < 0.01


def test_focal_point_is_computed_once_and_shared(photo):
    outs = optimize(photo, [STORY, SQUARE, get_format("x", "header")])
    assert len({o.focal for o in outs}) == 1
    assert outs[0].focal.source == "face"


def test_face_off_centre_stays_inside_the_story_crop(wide_canvas):
    h, w = wide_canvas.shape[:2]
    on_source = find_focal_point(wide_canvas)
    assert on_source.source == "face"
    x0, y0, x1, y1 = on_source.box
    face_px = (x0 * w, y0 * h, x1 * w, y1 * h)
    assert face_px[2] < w / 2  # the face really is off-centre

    (story,) = optimize(_jpeg(wide_canvas), [STORY], mode="smart")
    c = story.crop
    assert (c.width, c.height) == (562, 1000)
    assert c.left <= face_px[0] and face_px[2] <= c.right
    assert c.top <= face_px[1] and face_px[3] <= c.bottom
    assert story.focal.source == "face"

    # a centre crop would have lost the face: the smart crop is what keeps it
    centre = crop_box(w, h, STORY.width, STORY.height, mode="center")
    assert not (centre.left <= face_px[0] and face_px[2] <= centre.right)


def test_center_mode_crops_the_middle(wide_canvas):
    (out,) = optimize(_jpeg(wide_canvas), [STORY], mode="center")
    assert abs(out.crop.left - (3000 - 562) / 2) <= 1
    assert out.focal.source == "center"


def test_focal_override_is_respected(wide_canvas):
    src = _jpeg(wide_canvas)
    (auto,) = optimize(src, [STORY])
    (forced,) = optimize(src, [STORY], focal_override=(0.9, 0.5))
    assert forced.focal.source == "override"
    assert (forced.focal.x, forced.focal.y) == (0.9, 0.5)
    assert forced.crop.contains_point(0.9 * 3000, 0.5 * 1000)
    assert forced.crop.left > auto.crop.right  # far from the face the detector chose


def test_bad_focal_override_is_rejected(photo):
    with pytest.raises(SocialRenderError):
        optimize(photo, [SQUARE], focal_override=(1.5, 0.5))


def test_fit_mode_letterboxes(wide_canvas):
    (out,) = optimize(_jpeg(wide_canvas), [STORY], mode="fit", background=(0, 0, 0))
    px = np.asarray(_decode(out)).astype(np.int16)
    assert px.shape == (1920, 1080, 3)
    # 3000x1000 into 1080x1920: a 1080x360 band in the middle, black above and below
    assert px[:770].max() <= 12 and px[-770:].max() <= 12
    assert px[800:1120].mean() > 100
    assert out.crop is None


def test_fit_mode_background_colour(photo):
    (out,) = optimize(photo, [get_format("x", "header")], mode="fit", background=(255, 255, 255))
    px = np.asarray(_decode(out)).astype(np.int16)
    assert px[:, :200].min() >= 240  # side bars
    assert px[:, 700:800].std() > 10  # the picture


def test_file_size_limit_lowers_quality(photo):
    (free,) = optimize(photo, [STORY])
    limit = len(free.data) * 2 // 3
    small = dataclasses.replace(STORY, max_bytes=limit)
    (out,) = optimize(photo, [small])
    assert len(out.data) <= limit
    assert out.quality < 90
    assert out.detail_scale == 1.0
    assert _decode(out).size == (1080, 1920)


def test_tiny_limit_reduces_detail_but_keeps_exact_size(photo):
    limit = 60_000
    small = dataclasses.replace(STORY, max_bytes=limit)
    (out,) = optimize(photo, [small])
    assert len(out.data) <= limit
    assert out.detail_scale < 1.0
    assert _decode(out).size == (1080, 1920)


def test_impossible_limit_is_an_error(photo):
    with pytest.raises(SizeLimitError):
        optimize(photo, [dataclasses.replace(SQUARE, max_bytes=500)])


def test_png_and_webp_outputs(photo):
    x_post = get_format("x", "post")
    png, webp_on_x, webp_on_instagram = (
        optimize(photo, [SQUARE], output_format="png")[0],
        optimize(photo, [x_post], output_format="webp")[0],
        optimize(photo, [SQUARE], output_format="webp")[0],
    )
    assert png.content_type == "image/png" and _decode(png).format == "PNG"
    assert _decode(png).size == (1080, 1080)
    assert webp_on_x.content_type == "image/webp" and _decode(webp_on_x).size == (1200, 675)
    # Instagram does not take WebP: JPEG instead
    assert webp_on_instagram.content_type == "image/jpeg" and _decode(webp_on_instagram).format == "JPEG"


def test_safe_zone_overlay_marks_only_the_margins(photo):
    (plain,) = optimize(photo, [STORY])
    (marked,) = optimize(photo, [STORY], safe_zone_overlay=True)
    a = np.asarray(_decode(plain)).astype(np.float32)
    b = np.asarray(_decode(marked)).astype(np.float32)
    top_band = slice(0, 400)  # zone C: the top 25 % (480 px) is unsafe
    middle = (slice(700, 1300), slice(300, 780))
    assert np.abs(a[top_band] - b[top_band]).mean() > 20
    assert np.abs(a[middle] - b[middle]).mean() < 2
    # tinted towards red
    assert (b[top_band, :, 0] - a[top_band, :, 0]).mean() > 0


def test_zip_contains_every_output(photo):
    blob = zip_outputs(optimize(photo, FORMATS))
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        names = zf.namelist()
        assert sorted(names) == sorted(f"{f.platform}/{f.name}.jpg" for f in FORMATS)
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
        img = Image.open(io.BytesIO(zf.read("youtube/channel_art.jpg")))
        assert img.size == (2560, 1440)


def test_zip_names_duplicates_apart(photo):
    outs = optimize(photo, [SQUARE, SQUARE])
    with zipfile.ZipFile(io.BytesIO(zip_outputs(outs))) as zf:
        assert zf.namelist() == ["instagram/feed_square.jpg", "instagram/feed_square-2.jpg"]


def test_exif_orientation_is_applied():
    px = np.zeros((400, 1200, 3), np.uint8)
    px[:, :600] = (255, 0, 0)  # left half red, right half blue, as stored
    px[:, 600:] = (0, 0, 255)
    src = _jpeg(px, orientation=6)  # displayed rotated 90° clockwise: 400x1200, red on top
    (out,) = optimize(src, [SQUARE], mode="fit", background=(0, 0, 0))
    img = np.asarray(_decode(out)).astype(np.int16)
    # upright it is tall: bars left and right, red top half, blue bottom half
    assert img[:, :300].max() <= 12
    assert img[200, 540, 0] > 200 and img[200, 540, 2] < 60
    assert img[880, 540, 2] > 200 and img[880, 540, 0] < 60


def test_shrink_on_load_only_when_every_output_is_small():
    px = np.full((3000, 4000, 3), 128, np.uint8)
    header = pyvips.Image.new_from_buffer(_jpeg(px, q=50), "")
    cover = get_format("linkedin", "company_cover")
    assert choose_shrink(header, [cover], "smart") == 2
    assert choose_shrink(header, [get_format("facebook", "cover")], "smart") == 4
    assert choose_shrink(header, [cover, get_format("youtube", "channel_art")], "smart") == 1


def test_shrunk_source_reports_crop_in_full_resolution(wide_canvas):
    small_formats = [get_format("facebook", "cover"), get_format("linkedin", "company_cover")]
    outs = optimize(_jpeg(wide_canvas), small_formats, mode="center")
    for out in outs:
        assert _decode(out).size == (out.format.width, out.format.height)
        # in pixels of the full-resolution source, not of the shrunk copy
        expected = largest_crop_size(3000, 1000, out.format.width, out.format.height)
        assert abs(out.crop.width - expected[0]) <= 2 and abs(out.crop.height - expected[1]) <= 2


def test_transparent_png_source():
    rgba = np.zeros((600, 800, 4), np.uint8)
    rgba[150:450, 200:600] = (200, 30, 30, 255)
    src = pyvips.Image.new_from_array(rgba, interpretation="srgb").pngsave_buffer()
    (jpg,) = optimize(src, [SQUARE], mode="fit")
    (png,) = optimize(src, [SQUARE], mode="center", output_format="png")
    j = np.asarray(_decode(jpg))
    assert j.shape == (1080, 1080, 3) and j[540, 100].min() > 240  # flattened on white
    p = _decode(png)
    assert p.mode == "RGBA" and p.size == (1080, 1080)


def test_invalid_input():
    with pytest.raises(InvalidImageError):
        optimize(b"definitely not an image", [SQUARE])
    with pytest.raises(InvalidImageError):
        optimize(b"", [SQUARE])


def test_invalid_options(photo):
    with pytest.raises(SocialRenderError):
        optimize(photo, [])
    with pytest.raises(SocialRenderError):
        optimize(photo, [SQUARE], mode="stretch")
    with pytest.raises(SocialRenderError):
        optimize(photo, [SQUARE], output_format="gif")
