"""outpaint: the canvas grows on each side; the border mirrors the image, fades into a seeded blur and
is joined to the original along a re-filled seam."""

import cv2
import numpy as np

from studio_common.images import check_output_size
from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local import cv
from studio_providers.local.edit.plumbing import input_image, to_output

OUTPAINT_RAMP = 0.12  # mirrored -> blurred transition, as a fraction of the image's short side
OUTPAINT_BLUR_SIDE = 256  # long side of the grid the outpaint blur is computed on
OUTPAINT_SEAM = 3  # px band along the old edge re-filled by inpainting
OUTPAINT_ROWS = 512  # canvas rows blended at a time
OUTPAINT_GRAIN = 1.5  # grain at creativity 1, relative to the image's own grain
OUTPAINT_BLOTCH = 8.0  # low-frequency lightness variation at creativity 1 (8-bit levels)
OUTPAINT_BLOTCH_COLOUR = 0.3  # share of that variation that is colour rather than lightness


def _outpaint_amounts(params: dict) -> tuple[int, int, int, int]:
    amounts = tuple(
        int(cv.number_param(params, side, 0, 0, 2000, integer=True))
        for side in ("left", "right", "up", "down")
    )
    if not any(amounts):
        raise ValueError("outpaint needs at least one of left, right, up, down above 0")
    return amounts  # type: ignore[return-value]


def _distance_from_box(ys: np.ndarray, width: int, box: tuple[int, int, int, int]) -> np.ndarray:
    """Euclidean distance of canvas rows ``ys`` from the rectangle (x0, y0, x1, y1), 0 inside it."""
    x0, y0, x1, y1 = box
    xs, ys = np.arange(width, dtype=np.float32), ys.astype(np.float32)
    dx = np.maximum(np.maximum(x0 - xs, xs - (x1 - 1)), 0)[None, :]
    dy = np.maximum(np.maximum(y0 - ys, ys - (y1 - 1)), 0)[:, None]
    return np.sqrt(dx * dx + dy * dy)


def _far_field(mirrored: np.ndarray, creativity: float, rng: np.random.Generator) -> np.ndarray:
    """The heavy blur the border fades into, with soft seeded blotches (mostly of lightness) so it
    does not look flat. Computed on a small grid and scaled up, as uint8 at the canvas size."""
    small = cv.resize_long_side(mirrored, OUTPAINT_BLUR_SIDE).astype(np.float32)
    field = cv2.GaussianBlur(small, (0, 0), 0.06 * max(small.shape[:2]))
    if creativity > 0:
        blotch = rng.standard_normal((small.shape[0] // 8 + 2, small.shape[1] // 8 + 2, 4), dtype=np.float32)
        blotch = cv2.GaussianBlur(blotch, (0, 0), 1.0)
        blotch = blotch[..., :1] + OUTPAINT_BLOTCH_COLOUR * blotch[..., 1:]
        field += creativity * OUTPAINT_BLOTCH * cv.resize_to(blotch, small.shape[1], small.shape[0])
    field = np.clip(field + 0.5, 0, 255).astype(np.uint8)
    return cv.resize_to(field, mirrored.shape[1], mirrored.shape[0])


def _smooth_seam(canvas: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Re-fill a thin band just outside the original's edge from both sides (TELEA), in place. Only the
    area around the box is processed, so large canvases stay cheap."""
    x0, y0, x1, y1 = box
    pad = 2 * OUTPAINT_SEAM + 2
    cx0, cy0 = max(0, x0 - pad), max(0, y0 - pad)
    cx1, cy1 = min(canvas.shape[1], x1 + pad), min(canvas.shape[0], y1 + pad)
    crop = canvas[cy0:cy1, cx0:cx1]
    distance = _distance_from_box(np.arange(cy0, cy1), canvas.shape[1], box)[:, cx0:cx1]
    seam = ((distance > 0) & (distance <= OUTPAINT_SEAM)).astype(np.uint8) * 255
    canvas[cy0:cy1, cx0:cx1] = cv2.inpaint(np.ascontiguousarray(crop), seam, OUTPAINT_SEAM, cv2.INPAINT_TELEA)


def outpaint(request: ProviderRequest) -> ProviderOutput:
    rgb = input_image(request)
    left, right, up, down = _outpaint_amounts(request.params)
    creativity = float(cv.number_param(request.params, "creativity", 0.5, 0, 1))
    height, width = rgb.shape[:2]
    check_output_size(width + left + right, height + up + down, "the outpainted image")
    box = (left, up, left + width, up + height)
    rng = np.random.default_rng(request.seed)
    canvas = cv2.copyMakeBorder(rgb, up, down, left, right, cv2.BORDER_REFLECT_101)
    far = _far_field(canvas, creativity, rng)
    ramp_length = max(8.0, OUTPAINT_RAMP * min(height, width))
    grain_sigma = creativity * OUTPAINT_GRAIN * cv.grain_sigma(rgb)
    for r0 in range(0, canvas.shape[0], OUTPAINT_ROWS):  # row bands keep float temporaries small
        rows = slice(r0, min(r0 + OUTPAINT_ROWS, canvas.shape[0]))
        distance = _distance_from_box(np.arange(rows.start, rows.stop), canvas.shape[1], box)
        ramp = np.clip(distance / ramp_length, 0, 1)
        weight = (ramp * ramp * (3 - 2 * ramp))[..., None]  # smoothstep: mirrored near, blur far
        band = canvas[rows].astype(np.float32) * (1 - weight) + far[rows] * weight
        if creativity > 0:
            band += weight * rng.standard_normal(weight.shape[:2], dtype=np.float32)[..., None] * grain_sigma
        canvas[rows] = np.clip(band + 0.5, 0, 255).astype(np.uint8)
    _smooth_seam(canvas, box)
    canvas[up : up + height, left : left + width] = rgb
    return to_output(canvas, request)
