import random

import pytest

from studio_common.social_formats import FORMATS
from studio_editing.domain.social.crop import Box, crop_box, fit_box, largest_crop_size, resize_scale

SOURCES = [(4000, 3000), (3000, 4000), (3000, 1000), (1000, 3000), (1080, 1080), (640, 480), (7, 5)]
TARGETS = sorted({(f.width, f.height) for f in FORMATS})


def _inside(box: Box, w: int, h: int) -> bool:
    return box.left >= 0 and box.top >= 0 and box.right <= w and box.bottom <= h and box.width > 0


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("dst", TARGETS)
def test_largest_crop_has_target_aspect(src, dst):
    sw, sh = src
    dw, dh = dst
    cw, ch = largest_crop_size(sw, sh, dw, dh)
    assert cw == sw or ch == sh  # largest: one side is the full source
    assert cw <= sw and ch <= sh
    # exact up to the rounding of one pixel on the shorter crop side
    assert abs(cw * dh - ch * dw) <= max(dw, dh) / 2 + 1e-9


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("dst", TARGETS)
def test_smart_crop_contains_focal_and_stays_inside(src, dst):
    rng = random.Random(hash((src, dst)) & 0xFFFF)
    sw, sh = src
    for focal in [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.5, 0.5)] + [
        (rng.random(), rng.random()) for _ in range(10)
    ]:
        box = crop_box(sw, sh, *dst, focal=focal, mode="smart")
        assert _inside(box, sw, sh)
        assert box.contains_point(focal[0] * sw, focal[1] * sh)
        assert (box.width, box.height) == largest_crop_size(sw, sh, *dst)


def test_smart_crop_centres_the_focal_point_when_possible():
    # 9:16 from a 4000x3000 image: crop 1688x3000, free to move horizontally only
    box = crop_box(4000, 3000, 1080, 1920, focal=(0.3, 0.1), mode="smart")
    assert (box.width, box.height) == (1688, 3000)
    assert abs((box.left + box.width / 2) - 1200) <= 1
    assert box.top == 0


def test_smart_crop_is_clamped_at_the_edges():
    assert crop_box(4000, 3000, 1080, 1920, focal=(0.02, 0.5)).left == 0
    box = crop_box(4000, 3000, 1080, 1920, focal=(0.99, 0.5))
    assert box.right == 4000
    box = crop_box(1000, 3000, 1200, 630, focal=(0.5, 1.0))
    assert box.bottom == 3000 and box.width == 1000


def test_anchor_places_the_focal_point():
    box = crop_box(1000, 3000, 1000, 1000, focal=(0.5, 0.5), anchor=(0.5, 0.75))
    assert box.top + 0.75 * box.height == pytest.approx(1500, abs=1)


def test_face_box_is_kept_inside_when_it_fits():
    # focal far right, but a face box reaching left: the crop must move to include it
    face = (0.30, 0.2, 0.45, 0.5)
    box = crop_box(4000, 3000, 1080, 1920, focal=(0.7, 0.3), mode="smart", face_box=face)
    assert box.left <= 0.30 * 4000 and box.right >= 0.45 * 4000
    without = crop_box(4000, 3000, 1080, 1920, focal=(0.7, 0.3), mode="smart")
    assert without.left > 0.30 * 4000  # the face box changed the result


def test_face_box_too_large_falls_back_to_focal():
    face = (0.1, 0.1, 0.9, 0.9)  # wider than a 9:16 crop of a 4:3 image
    box = crop_box(4000, 3000, 1080, 1920, focal=(0.5, 0.5), mode="smart", face_box=face)
    assert abs(box.left + box.width / 2 - 2000) <= 1


def test_center_mode_ignores_focal():
    box = crop_box(4000, 3000, 1080, 1080, focal=(0.0, 0.0), mode="center")
    assert box == Box(500, 0, 3000, 3000)
    assert crop_box(4000, 3000, 1080, 1080, focal=None, mode="smart") == box


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("dst", TARGETS)
def test_fit_letterboxes(src, dst):
    sw, sh = src
    dw, dh = dst
    place = crop_box(sw, sh, dw, dh, mode="fit")
    assert place == fit_box(sw, sh, dw, dh)
    assert _inside(place, dw, dh)
    assert place.width == dw or place.height == dh  # touches two opposite edges
    # aspect of the source kept (within a pixel), centred
    assert abs(place.width * sh - place.height * sw) <= max(sw, sh)
    assert abs(place.left - (dw - place.right)) <= 1
    assert abs(place.top - (dh - place.bottom)) <= 1


def test_fit_wide_into_tall():
    assert fit_box(3000, 1000, 1080, 1920) == Box(0, 780, 1080, 360)


def test_resize_scale():
    assert resize_scale(4000, 3000, 1080, 1080) == pytest.approx(0.36)
    assert resize_scale(4000, 3000, 1128, 191, mode="fit") == pytest.approx(191 / 3000, abs=1e-3)


@pytest.mark.parametrize("bad", [(0, 10, 10, 10), (10, 10, 0, 5), (-1, 5, 5, 5)])
def test_invalid_sizes(bad):
    with pytest.raises(ValueError):
        crop_box(*bad)


def test_unknown_mode():
    with pytest.raises(ValueError):
        crop_box(100, 100, 10, 10, mode="stretch")
