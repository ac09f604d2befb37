"""Smart crops keep every face found by BlazeFace, on composites of real photographs."""

import numpy as np
import pytest
import pyvips
from skimage import data

from studio_common.social_formats import get_format
from studio_editing.domain.social.crop import crop_box
from studio_editing.domain.social.focal import find_focal_point
from studio_editing.domain.social.render import optimize

SQUARE = get_format("instagram", "feed_square")


def _jpeg(pixels: np.ndarray) -> bytes:
    image = pyvips.Image.new_from_array(np.ascontiguousarray(pixels), interpretation="srgb")
    return image.jpegsave_buffer(Q=90)


@pytest.fixture(scope="module")
def two_people() -> np.ndarray:
    """1300x1000: the astronaut at the left edge, the cameraman at the right edge, a launch pad between."""
    canvas = np.zeros((1000, 1300, 3), np.uint8)
    rocket = pyvips.Image.new_from_array(data.rocket()).resize(1000 / 427).numpy()
    canvas[:, 400:900] = rocket[:1000, 300:800]
    astronaut = pyvips.Image.new_from_array(data.astronaut()).resize(400 / 512).numpy()
    canvas[300:700, :400] = astronaut[:400, :400]
    camera = np.repeat(data.camera()[..., None], 3, axis=2)
    canvas[300:700, 900:] = pyvips.Image.new_from_array(camera).resize(400 / 512).numpy()[:400, :400]
    return canvas


def test_both_faces_at_the_edges_are_found(two_people):
    focal = find_focal_point(two_people)
    assert focal.source == "face" and len(focal.faces) == 2
    assert sorted(round((b[0] + b[2]) / 2, 1) for b in focal.faces) == [0.1, 0.8]


def test_both_faces_at_the_edges_are_inside_the_square_crop(two_people):
    (square,) = optimize(_jpeg(two_people), [SQUARE], mode="smart")
    crop, faces = square.crop, square.focal.faces
    assert len(faces) == 2 and (crop.width, crop.height) == (1000, 1000)
    for x0, _, x1, _ in faces:
        assert crop.left <= x0 * 1300 and x1 * 1300 <= crop.right


def test_faces_that_cannot_all_fit_keep_the_largest():
    big, small = (0.05, 0.3, 0.25, 0.6), (0.9, 0.3, 0.95, 0.4)
    box = crop_box(4000, 3000, 1080, 1080, focal=(0.2, 0.45), mode="smart", face_boxes=[big, small])
    assert box.left <= 0.05 * 4000 and box.right >= 0.25 * 4000  # the big face is kept whole
    assert box.right < 0.9 * 4000  # the two cannot fit in one square


def test_all_faces_kept_when_they_fit_even_far_from_the_focal_point():
    faces = [(0.30, 0.3, 0.40, 0.45), (0.62, 0.3, 0.70, 0.42), (0.12, 0.35, 0.18, 0.43)]
    box = crop_box(4000, 3000, 1080, 1080, focal=(0.35, 0.4), mode="smart", face_boxes=faces)
    for x0, _, x1, _ in faces:
        assert box.left <= x0 * 4000 and x1 * 4000 <= box.right
