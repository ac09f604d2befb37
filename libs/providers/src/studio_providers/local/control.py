"""Offline control operations: sketch, structure, style and style transfer.

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
* style renders the prompt, then moves its colour and tone towards the style
  image (LAB mean/std transfer and histogram matching of lightness), weighted
  by ``fidelity`` (0-1, default 0.5).
* style transfer keeps the content image's structure and takes the style
  image's colour and tone (LAB statistics plus per-channel histogram
  matching) and a hint of its texture (a high-pass of the style image tiled
  over the content).
"""

from __future__ import annotations

import math
import re

import cv2
import numpy as np
from PIL import Image

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.imaging import check_output_format, content_type_of, encode, open_image
from studio_providers.local.palette import palette_for
from studio_providers.local.render import RenderSpec, render_image

DEFAULT_CONTROL_STRENGTH = 0.7
DEFAULT_FIDELITY = 0.5
DEFAULT_STYLE_STRENGTH = 1.0
DEFAULT_COMPOSITION_FIDELITY = 0.9
DEFAULT_CHANGE_STRENGTH = 0.9

# How much of each ingredient survives at control_strength 1.0 (scaled linearly below it).
REGION_WEIGHT = 0.85  # palette-mapped regions over the prompt render
SHADING_WEIGHT = 0.75  # the control photo's lightness (structure only)
LINE_WEIGHT = 1.0  # opacity of the drawn edge lines
SEGMENTS_MIN, SEGMENTS_MAX = 3, 6
SEGMENT_SIDE = 160  # long side of the copy k-means learns the colour clusters on
LABEL_SIDE = 1024  # long side the region labels are assigned at
MIN_ENCLOSED_FRACTION = 0.0005  # sketch areas smaller than this share of the image are not filled

STYLE_PIXELS = 1024 * 1024
STYLE_MULTIPLE = 64
RENDER_MAX_SIDE = 4096
TEXTURE_WEIGHT = 0.8  # high-pass style texture added to lightness at style_strength 1.0
HISTOGRAM_BINS = 1024

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _open_rgb(data: bytes | None, role: str) -> np.ndarray:
    """Decode to float32 RGB in 0..1; transparency is flattened onto white paper."""
    image = open_image(data, role)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, image)
    return np.asarray(image.convert("RGB"), dtype=np.float32) * np.float32(1 / 255)


def _to_image(rgb: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8), "RGB")


def _output(request: ProviderRequest, rgb: np.ndarray) -> ProviderOutput:
    height, width = rgb.shape[:2]
    data = encode(_to_image(rgb), request.output_format)
    return ProviderOutput(data, content_type_of(request.output_format), width, height, request.seed)


def _fraction(params: dict, name: str, default: float, low: float = 0.0, high: float = 1.0) -> float:
    """A 0-1 style parameter; an explicit 0.0 is a real value, only a missing one takes the default."""
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {value!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return number


def _rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.float32), cv2.COLOR_RGB2LAB)


def _lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    return np.clip(cv2.cvtColor(np.ascontiguousarray(lab, dtype=np.float32), cv2.COLOR_LAB2RGB), 0.0, 1.0)


def _resize_to(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    if rgb.shape[1] == width and rgb.shape[0] == height:
        return rgb
    shrinking = width * height < rgb.shape[0] * rgb.shape[1]
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)


def _fit_long_side(width: int, height: int, long_side: int) -> tuple[int, int]:
    if max(width, height) <= long_side:
        return width, height
    scale = long_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _prompt_render(request: ProviderRequest, width: int, height: int) -> np.ndarray:
    """The plain prompt render at width x height, float32 RGB."""
    render_w, render_h = _fit_long_side(width, height, RENDER_MAX_SIDE)
    image = render_image(
        RenderSpec(
            prompt=request.prompt,
            width=render_w,
            height=render_h,
            seed=request.seed,
            negative_prompt=request.negative_prompt,
        )
    )
    rgb = np.asarray(image.convert("RGB"), dtype=np.float32) * np.float32(1 / 255)
    return _resize_to(rgb, width, height)


def _gray_u8(rgb: np.ndarray) -> np.ndarray:
    return (np.clip(rgb @ _LUMA, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


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
    small = _resize_to(rgb, *_fit_long_side(width, height, SEGMENT_SIDE))
    small = cv2.bilateralFilter(small, 5, 0.1, 3)
    centres = _kmeans(_rgb_to_lab(small).reshape(-1, 3), k)
    rank = np.argsort(np.argsort(centres[:, 0]))
    by_brightness = palette[np.argsort(palette @ _LUMA)]
    colour_of_cluster = by_brightness[np.round(rank * (len(palette) - 1) / max(k - 1, 1)).astype(int)]

    label_w, label_h = _fit_long_side(width, height, LABEL_SIDE)
    working = cv2.GaussianBlur(_resize_to(rgb, label_w, label_h), (0, 0), 1.0)
    labels = _nearest(_rgb_to_lab(working).reshape(-1, 3), centres).astype(np.uint8).reshape(label_h, label_w)
    labels = cv2.medianBlur(labels, 5)
    regions = _resize_to(colour_of_cluster[labels], width, height)
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
    darkest = palette[int(np.argmin(palette @ _LUMA))]
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
    strength = _fraction(request.params, "control_strength", DEFAULT_CONTROL_STRENGTH)
    control = _open_rgb(request.inputs.get("image"), "image")
    height, width = control.shape[:2]
    canvas = _prompt_render(request, width, height)
    if strength == 0.0:
        return _output(request, canvas)
    palette = _palette_array(request)
    if sketch:
        lines = sketch_lines(control)
        fills, cover = sketch_fills(lines, palette, request.seed)
        canvas = _blend(canvas, fills, cover * (REGION_WEIGHT * strength))
    else:
        lines = structure_edges(control)
        canvas = _blend(canvas, structure_regions(control, palette), REGION_WEIGHT * strength)
        lab = _rgb_to_lab(canvas)
        lab[..., 0] += (_rgb_to_lab(control)[..., 0] - lab[..., 0]) * (SHADING_WEIGHT * strength)
        canvas = _lab_to_rgb(lab)
    canvas = _blend(canvas, _ink_colour(palette), _line_coverage(lines) * (LINE_WEIGHT * strength))
    return _output(request, canvas)


def control_sketch(request: ProviderRequest) -> ProviderOutput:
    """``control.sketch``: a new image from the prompt that follows the drawing's lines."""
    return _controlled(request, sketch=True)


def control_structure(request: ProviderRequest) -> ProviderOutput:
    """``control.structure``: a new image from the prompt that keeps the photo's edges and layout."""
    return _controlled(request, sketch=False)


def _match_histogram(source: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Map ``source`` values so their distribution matches ``reference`` (both 1-D float arrays)."""
    low = float(min(source.min(), reference.min()))
    high = float(max(source.max(), reference.max()))
    if high - low < 1e-6:
        return np.full_like(source, float(reference.mean()))
    edges = (low, high)
    source_cdf = np.cumsum(np.histogram(source, HISTOGRAM_BINS, edges)[0]).astype(np.float64)
    reference_cdf = np.cumsum(np.histogram(reference, HISTOGRAM_BINS, edges)[0]).astype(np.float64)
    source_cdf /= source_cdf[-1]
    reference_cdf /= reference_cdf[-1]
    centres = np.linspace(low, high, HISTOGRAM_BINS + 1)
    centres = (centres[:-1] + centres[1:]) / 2
    mapped = np.interp(source_cdf, reference_cdf, centres)
    return np.interp(source, centres, mapped).astype(np.float32)


def transfer_tone(
    content_lab: np.ndarray, style_lab: np.ndarray, match_channels: tuple[int, ...]
) -> np.ndarray:
    """LAB mean/std transfer from style to content, then histogram matching of ``match_channels``."""
    result = np.empty_like(content_lab)
    for channel in range(3):
        source, reference = content_lab[..., channel], style_lab[..., channel]
        gain = float(reference.std()) / max(float(source.std()), 1e-3)
        result[..., channel] = (source - source.mean()) * min(gain, 4.0) + reference.mean()
    for channel in match_channels:
        result[..., channel] = _match_histogram(
            result[..., channel].ravel(), style_lab[..., channel].ravel()
        ).reshape(result.shape[:2])
    return result


def _parse_aspect(value: object) -> float:
    match = _ASPECT.match(value) if isinstance(value, str) else None
    if not match or float(match[1]) <= 0 or float(match[2]) <= 0:
        raise ValueError(f"aspect_ratio must look like 16:9, got {value!r}")
    ratio = float(match[1]) / float(match[2])
    if not 0.2 <= ratio <= 5.0:
        raise ValueError(f"aspect_ratio must be between 1:5 and 5:1, got {value!r}")
    return ratio


def _style_size(request: ProviderRequest) -> tuple[int, int]:
    width = request.width if request.width is not None else request.params.get("width")
    height = request.height if request.height is not None else request.params.get("height")
    if width is not None and height is not None:
        return width, height  # render_image validates them and names the field
    if width is not None or height is not None:
        raise ValueError("give both width and height, or neither")
    ratio = _parse_aspect(request.params.get("aspect_ratio") or "1:1")
    w = max(STYLE_MULTIPLE, round(math.sqrt(STYLE_PIXELS * ratio) / STYLE_MULTIPLE) * STYLE_MULTIPLE)
    h = max(STYLE_MULTIPLE, round(math.sqrt(STYLE_PIXELS / ratio) / STYLE_MULTIPLE) * STYLE_MULTIPLE)
    return w, h


def _stats_copy(rgb: np.ndarray, long_side: int = 512) -> np.ndarray:
    """A small copy for colour statistics: the distribution survives, the cost does not."""
    height, width = rgb.shape[:2]
    return _resize_to(rgb, *_fit_long_side(width, height, long_side))


def control_style(request: ProviderRequest) -> ProviderOutput:
    """``control.style``: render the prompt, then take on the style image's colour and tone."""
    check_output_format(request.output_format)
    fidelity = _fraction(request.params, "fidelity", DEFAULT_FIDELITY)
    style = _open_rgb(request.inputs.get("image") or request.inputs.get("style_image"), "image")
    width, height = _style_size(request)
    canvas = np.asarray(
        render_image(
            RenderSpec(
                prompt=request.prompt,
                width=width,
                height=height,
                seed=request.seed,
                negative_prompt=request.negative_prompt,
            )
        ),
        dtype=np.float32,
    ) * np.float32(1 / 255)
    if fidelity == 0.0:
        return _output(request, canvas)
    lab = _rgb_to_lab(canvas)
    styled = transfer_tone(lab, _rgb_to_lab(_stats_copy(style)), match_channels=(0,))
    return _output(request, _lab_to_rgb(lab + (styled - lab) * fidelity))


def _broad_blur(channel: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; wide ones run on a reduced copy, which looks the same and costs far less."""
    if sigma <= 8:
        return cv2.GaussianBlur(channel, (0, 0), sigma)
    factor = sigma / 4
    height, width = channel.shape
    small = cv2.resize(
        channel, (max(1, round(width / factor)), max(1, round(height / factor))), interpolation=cv2.INTER_AREA
    )
    small = cv2.GaussianBlur(small, (0, 0), 4.0)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


def _tiled_texture(style: np.ndarray, width: int, height: int) -> np.ndarray:
    """High-pass lightness of the style image, mirror-tiled to width x height."""
    style_h, style_w = style.shape[:2]
    style = _resize_to(style, *_fit_long_side(style_w, style_h, max(width, height)))
    lightness = _rgb_to_lab(style)[..., 0]
    sigma = max(1.5, min(style.shape[:2]) / 200)
    detail = lightness - cv2.GaussianBlur(lightness, (0, 0), sigma)
    tile = np.block([[detail, detail[:, ::-1]], [detail[::-1], detail[::-1, ::-1]]])
    reps_y = math.ceil(height / tile.shape[0])
    reps_x = math.ceil(width / tile.shape[1])
    return np.tile(tile, (reps_y, reps_x))[:height, :width]


def control_style_transfer(request: ProviderRequest) -> ProviderOutput:
    """``control.style_transfer``: the content image's structure in the style image's colour, tone and
    (a hint of) texture. Output has the content image's size."""
    check_output_format(request.output_format)
    params = request.params
    style_strength = _fraction(params, "style_strength", DEFAULT_STYLE_STRENGTH)
    composition = _fraction(params, "composition_fidelity", DEFAULT_COMPOSITION_FIDELITY)
    change = _fraction(params, "change_strength", DEFAULT_CHANGE_STRENGTH, low=0.1)
    content = _open_rgb(request.inputs.get("image"), "image")
    style = _open_rgb(request.inputs.get("style_image"), "style_image")
    height, width = content.shape[:2]

    content_lab = _rgb_to_lab(content)
    styled = transfer_tone(content_lab, _rgb_to_lab(_stats_copy(style)), match_channels=(0, 1, 2))
    styled = content_lab + (styled - content_lab) * style_strength
    # Composition fidelity: how much of the content's own lightness detail is kept.
    lightness = styled[..., 0]
    if composition < 1.0:
        broad = _broad_blur(lightness, max(2.0, min(width, height) / 60))
        lightness = broad + (lightness - broad) * composition
    lightness = lightness + _tiled_texture(style, width, height) * (TEXTURE_WEIGHT * style_strength)
    styled[..., 0] = np.clip(lightness, 0.0, 100.0)
    result = content_lab + (styled - content_lab) * change
    return _output(request, _lab_to_rgb(result))


CONTROL_OPERATIONS = {
    "control.sketch": control_sketch,
    "control.structure": control_structure,
    "control.style": control_style,
    "control.style_transfer": control_style_transfer,
}
