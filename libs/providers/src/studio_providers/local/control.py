"""Offline control operations: sketch and structure (style and style transfer are in ``style.py``).

No model weights ship with the product, so these do not imitate diffusion.
They combine the procedural prompt renderer (``render.py``) with classical
image analysis of the control image:

* sketch / structure keep the control image's layout. Its edges (Canny; for a
  sketch, also the dark ink strokes) are drawn over a new image whose colours
  come from the prompt's palette. Structure maps a colour segmentation of the
  photo (a small k-means in LAB) onto the palette by brightness and keeps the
  photo's shading; sketch fills the areas the drawing's lines enclose with
  palette colours. ``control_strength`` (0-1, default 0.7) weights all of it:
  0.0 returns the plain prompt render.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.imaging import check_output_format
from studio_providers.local import cv
from studio_providers.local.control_io import open_rgb, output, render_prompt, resize
from studio_providers.local.palette import palette_for
from studio_providers.local.style import control_style, control_style_transfer

DEFAULT_CONTROL_STRENGTH = 0.7

# How much of each ingredient survives at control_strength 1.0 (scaled linearly below it).
REGION_WEIGHT = 0.85  # palette-mapped regions over the prompt render
SHADING_WEIGHT = 0.75  # the control photo's lightness (structure only)
LINE_WEIGHT = 1.0  # opacity of the drawn edge lines
SEGMENTS_MIN, SEGMENTS_MAX = 3, 6
SEGMENT_SIDE = 160  # long side of the copy k-means learns the colour clusters on
LABEL_SIDE = 1024  # long side the region labels are assigned at
MIN_ENCLOSED_FRACTION = 0.0005  # sketch areas smaller than this share of the image are not filled

RENDER_MAX_SIDE = 4096


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _gray_u8(rgb: np.ndarray) -> np.ndarray:
    return (np.clip(cv.luma(rgb), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _prompt_render(request: ProviderRequest, width: int, height: int) -> np.ndarray:
    """The plain prompt render at width x height, float32 RGB."""
    render_w, render_h = cv.fit_long_side(width, height, RENDER_MAX_SIDE)
    rgb = render_prompt(request, render_w, render_h)
    return resize(rgb, width, height)


# ---------------------------------------------------------------------------
# Edges and regions of the control image
# ---------------------------------------------------------------------------


def _auto_canny(gray: np.ndarray, sigma: float) -> np.ndarray:
    """Canny with thresholds from the image's own gradient distribution."""
    if sigma > 0:
        gray = cv2.GaussianBlur(gray, (0, 0), sigma)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.abs(gx) + np.abs(gy)
    high = float(np.clip(np.percentile(magnitude[::2, ::2], 88), 60.0, 400.0))
    return cv2.Canny(gray, 0.4 * high, high)


def _line_width(width: int, height: int) -> int:
    return max(1, round(min(width, height) / 700))


def sketch_lines(rgb: np.ndarray) -> np.ndarray:
    """The drawing's lines as a 0/255 mask: dark ink strokes plus closed Canny edges."""
    gray = _gray_u8(rgb)
    height, width = gray.shape
    edges = cv2.morphologyEx(_auto_canny(gray, 0.7), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    # Ink: pixels clearly darker than the paper around them (a local maximum filter).
    size = max(7, (min(width, height) // 60) | 1)
    paper = cv2.dilate(gray, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    darkness = cv2.subtract(paper, gray)
    threshold, _ = cv2.threshold(darkness, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = (darkness > max(40.0, threshold)).astype(np.uint8) * 255
    return cv2.bitwise_or(edges, ink)


def structure_edges(rgb: np.ndarray) -> np.ndarray:
    """Edges of a photo as a 0/255 mask (smoothed first so texture noise does not count)."""
    gray = _gray_u8(rgb)
    sigma = max(1.0, min(gray.shape) / 600)
    return _auto_canny(gray, sigma)


def _line_coverage(lines: np.ndarray) -> np.ndarray:
    """Soft 0..1 coverage of the lines, a little thicker on large images."""
    height, width = lines.shape
    thickness = _line_width(width, height)
    if thickness > 1:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thickness, thickness))
        lines = cv2.dilate(lines, kernel)
    soft = cv2.GaussianBlur(lines.astype(np.float32) * np.float32(1 / 255), (0, 0), 0.5)
    return np.clip(soft * 1.6, 0.0, 1.0)


def _kmeans(samples: np.ndarray, k: int, iterations: int = 12) -> np.ndarray:
    """Deterministic k-means on (N, 3) LAB samples; centres are seeded by lightness quantiles."""
    order = np.argsort(samples[:, 0], kind="stable")
    centres = np.stack([part.mean(axis=0) for part in np.array_split(samples[order], k)])
    for _ in range(iterations):
        labels = _nearest(samples, centres)
        for index in range(k):
            members = samples[labels == index]
            if len(members):
                centres[index] = members.mean(axis=0)
    return centres


def _nearest(samples: np.ndarray, centres: np.ndarray) -> np.ndarray:
    best = np.full(len(samples), np.inf, np.float32)
    labels = np.zeros(len(samples), np.intp)
    for index, centre in enumerate(centres):
        distance = ((samples - centre) ** 2).sum(axis=1)
        closer = distance < best
        best[closer], labels[closer] = distance[closer], index
    return labels


def _palette_array(request: ProviderRequest) -> np.ndarray:
    colours = palette_for(request.prompt, request.negative_prompt, seed=request.seed)
    return np.array(colours, dtype=np.float32) / np.float32(255)


def structure_regions(rgb: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Flat-colour regions of the control image, each cluster painted with the palette colour of
    the same brightness rank (darkest cluster -> darkest palette colour)."""
    height, width = rgb.shape[:2]
    k = int(np.clip(len(palette), SEGMENTS_MIN, SEGMENTS_MAX))
    small = resize(rgb, *cv.fit_long_side(width, height, SEGMENT_SIDE))
    small = cv2.bilateralFilter(small, 5, 0.1, 3)
    centres = _kmeans(cv.to_lab(small).reshape(-1, 3), k)
    rank = np.argsort(np.argsort(centres[:, 0]))
    by_brightness = palette[np.argsort(cv.luma(palette))]
    colour_of_cluster = by_brightness[np.round(rank * (len(palette) - 1) / max(k - 1, 1)).astype(int)]

    label_w, label_h = cv.fit_long_side(width, height, LABEL_SIDE)
    working = cv2.GaussianBlur(resize(rgb, label_w, label_h), (0, 0), 1.0)
    labels = _nearest(cv.to_lab(working).reshape(-1, 3), centres).astype(np.uint8).reshape(label_h, label_w)
    labels = cv2.medianBlur(labels, 5)
    regions = resize(colour_of_cluster[labels], width, height)
    # Soft region borders: where a cluster border is not a real edge of the photo it should not read as
    # one; the real edges come back sharp from the photo's shading and the drawn lines.
    return cv2.GaussianBlur(regions, (0, 0), max(2.0, min(width, height) / 200))


def sketch_fills(lines: np.ndarray, palette: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Palette colours for the areas the drawing's lines enclose, and where they apply (0..1).

    The largest area is taken for the paper around the drawing and left to the render.
    """
    height, width = lines.shape
    barrier = cv2.dilate(lines, np.ones((3, 3), np.uint8), iterations=max(1, _line_width(width, height)))
    open_paper = (barrier == 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(open_paper, connectivity=4)
    fills = np.zeros((height, width, 3), np.float32)
    coverage = np.zeros((height, width), np.float32)
    if count <= 1:
        return fills, coverage
    areas = stats[1:, cv2.CC_STAT_AREA]
    enclosed = areas >= MIN_ENCLOSED_FRACTION * width * height
    enclosed[int(np.argmax(areas))] = False  # the paper around the drawing
    if not enclosed.any():
        return fills, coverage
    lut_colour = np.zeros((count, 3), np.float32)
    lut_cover = np.zeros(count, np.float32)
    indices = np.flatnonzero(enclosed)
    for order, index in enumerate(indices[np.argsort(-areas[indices], kind="stable")]):
        lut_colour[index + 1] = palette[(order + seed) % len(palette)]
        lut_cover[index + 1] = 1.0
    fills = lut_colour[labels]
    # Grow the fills under the lines so no render shows through between fill and ink.
    coverage = cv2.dilate(lut_cover[labels], np.ones((3, 3), np.uint8), iterations=2)
    fills = cv2.dilate(fills, np.ones((3, 3), np.uint8), iterations=2)
    return fills, cv2.GaussianBlur(coverage, (0, 0), 0.8)


def _ink_colour(palette: np.ndarray) -> np.ndarray:
    darkest = palette[int(np.argmin(cv.luma(palette)))]
    return darkest * np.float32(0.3)


def _blend(base: np.ndarray, colour: np.ndarray, weight: np.ndarray | float) -> np.ndarray:
    if isinstance(weight, np.ndarray) and weight.ndim == 2:
        weight = weight[..., None]
    return base + (colour - base) * weight


# ---------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------


def _controlled(request: ProviderRequest, sketch: bool) -> ProviderOutput:
    check_output_format(request.output_format)
    strength = cv.number_param(request.params, "control_strength", DEFAULT_CONTROL_STRENGTH, 0.0, 1.0)
    control = open_rgb(request.inputs.get("image"), "image")
    height, width = control.shape[:2]
    canvas = _prompt_render(request, width, height)
    if strength == 0.0:
        return output(request, canvas)
    palette = _palette_array(request)
    if sketch:
        lines = sketch_lines(control)
        fills, cover = sketch_fills(lines, palette, request.seed)
        canvas = _blend(canvas, fills, cover * (REGION_WEIGHT * strength))
    else:
        lines = structure_edges(control)
        canvas = _blend(canvas, structure_regions(control, palette), REGION_WEIGHT * strength)
        lab = cv.to_lab(canvas)
        lab[..., 0] += (cv.to_lab(control)[..., 0] - lab[..., 0]) * (SHADING_WEIGHT * strength)
        canvas = cv.from_lab_unit(lab)
    canvas = _blend(canvas, _ink_colour(palette), _line_coverage(lines) * (LINE_WEIGHT * strength))
    return output(request, canvas)


def control_sketch(request: ProviderRequest) -> ProviderOutput:
    """``control.sketch``: a new image from the prompt that follows the drawing's lines."""
    return _controlled(request, sketch=True)


def control_structure(request: ProviderRequest) -> ProviderOutput:
    """``control.structure``: a new image from the prompt that keeps the photo's edges and layout."""
    return _controlled(request, sketch=False)


CONTROL_OPERATIONS = {
    "control.sketch": control_sketch,
    "control.structure": control_structure,
    "control.style": control_style,
    "control.style_transfer": control_style_transfer,
}
