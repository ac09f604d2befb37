"""Image edits for the offline ``local`` provider, done with classical image processing.

What each operation really does:

* ``remove_background`` - the subject matte of ``models.segment`` (person segmentation where a person
  is found, U2-Net-p otherwise, refined at full resolution; saliency-seeded GrabCut, see
  ``matte.foreground_matte``, when the model files are absent); transparent PNG or WebP. A JPEG request
  is answered with PNG, because JPEG cannot carry the transparency; the output's content type says so.
* ``inpaint`` / ``erase`` - the mask is grown by ``grow_mask`` px and filled from its surroundings
  (OpenCV TELEA plus grain matching the surround). No new content is drawn: inpaint only tints the
  fill towards a colour the prompt names ("red", "light blue", "#ff8800"). Pixels outside the grown
  mask are copied from the input unchanged (bit-exact in PNG output; JPEG and WebP are lossy).
  Without a mask, the image's transparent pixels are filled, as with Stability.
* ``outpaint`` - the canvas grows by exactly ``left/right/up/down``; the new border continues the
  image by mirroring it, fading into a heavy blur with distance, with the seam smoothed by inpainting
  and ``creativity`` adding seeded texture. The original pixels sit unchanged at their offset.
* ``search_recolor`` - recolours the masked region to the colour named in the prompt, keeping its
  shading. Without a mask, a ``select_prompt`` naming the subject (or the background) uses the same
  subject matte as remove_background; finding any other object by text needs stability.
* ``search_replace`` - always refuses: drawing a new object from text needs a generative model.
* ``relight`` - with a ``background_reference``: cuts the subject out, composites it on it and moves
  its tones towards the light reference (or the background) with an optional directional light
  gradient. Without one, the whole image is relit in place (see ``local.light``): the colour
  temperature and exposure the prompts describe ("warm sunset light", "cool moonlight", "dim"), the
  directional gradient and the light reference's tones; no background is drawn from text.
  ``preserve_original_subject`` and ``original_background_depth`` have no local meaning and are ignored.

Masks: white = change, black = keep, the image's size. Inputs with transparency are flattened onto
white before editing (remove_background makes a new alpha channel).
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from studio_common.capabilities import text_selection
from studio_common.images import check_output_size
from studio_providers.base import ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.local import cv, offer
from studio_providers.local.light import DIRECTIONS, cast, directional_gradient, light_from_words
from studio_providers.models.segment import subject_matte

TINT_CHROMA = 0.35  # how far an inpaint fill's colour moves towards a colour named in the prompt
TINT_LIGHTNESS = 0.15
TINT_FEATHER = 6  # px over which the tint fades in from the edge of the fill
STATS_SIDE = 512  # long side of the copies colour statistics are measured on
LIGHTNESS_PULL = 0.5  # how far a recoloured region's mean lightness moves towards the new colour's
SHADE_FEATHER = 2  # px of soft edge kept inside a recolour mask
OUTPAINT_RAMP = 0.12  # mirrored -> blurred transition, as a fraction of the image's short side
OUTPAINT_BLUR_SIDE = 256  # long side of the grid the outpaint blur is computed on
OUTPAINT_SEAM = 3  # px band along the old edge re-filled by inpainting
OUTPAINT_ROWS = 512  # canvas rows blended at a time
OUTPAINT_GRAIN = 1.5  # grain at creativity 1, relative to the image's own grain
OUTPAINT_BLOTCH = 8.0  # low-frequency lightness variation at creativity 1 (8-bit levels)
OUTPAINT_BLOTCH_COLOUR = 0.3  # share of that variation that is colour rather than lightness


# ---------------------------------------------------------------------------
# Shared plumbing
# ---------------------------------------------------------------------------


def _image(request: ProviderRequest, *roles: str) -> np.ndarray:
    for role in roles or ("image",):
        if request.inputs.get(role):
            return cv.decode_rgb(request.inputs[role])
    raise ValueError(f"{request.kind} needs an input image ({' or '.join(roles or ('image',))})")


def _output(
    array: np.ndarray, request: ProviderRequest, methods: dict[str, str] | None = None
) -> ProviderOutput:
    data, content_type = cv.encode_array(array, request.output_format)
    return ProviderOutput(
        data, content_type, int(array.shape[1]), int(array.shape[0]), request.seed, methods=methods or {}
    )


def _change_mask(request: ProviderRequest, rgb: np.ndarray, *, allow_alpha: bool = False) -> np.ndarray:
    """The mask input as bool (True = change). Without one, an image's transparent pixels may serve."""
    height, width = rgb.shape[:2]
    data = request.inputs.get("mask")
    if data:
        return cv.load_mask(data, width, height)
    region = cv.transparent_region(request.inputs["image"]) if allow_alpha else None
    if region is None:
        raise ValueError(f"{request.kind} needs a mask (white = change, black = keep)")
    return region


def _grown_mask(
    request: ProviderRequest, rgb: np.ndarray, default: int, high: int, allow_alpha: bool = False
) -> np.ndarray:
    pixels = cv.number_param(request.params, "grow_mask", default, 0, high, integer=True)
    return cv.grow_mask(_change_mask(request, rgb, allow_alpha=allow_alpha), int(pixels))


def _named_colour(text: str) -> tuple[str, tuple[int, int, int]]:
    found = cv.colour_in(text)
    if found is None:
        raise ValueError(
            f"unknown colour in prompt {text!r}; name one of {', '.join(sorted(cv.COLOURS))} "
            "or give a #rrggbb code"
        )
    return found


# ---------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------


def remove_background(request: ProviderRequest) -> ProviderOutput:
    rgb = _image(request)
    matte = subject_matte(rgb)
    rgba = np.dstack([rgb, (matte.alpha * 255.0 + 0.5).astype(np.uint8)])
    return _output(rgba, request, {"segmentation": matte.method})


def _tint(rgb: np.ndarray, region: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Nudge the region's colour (not its texture) towards ``colour``, fading in from its edge."""
    lab = cv.to_lab(rgb)
    target = cv.colour_lab(colour)
    weight = cv.feather_inside(region, TINT_FEATHER)
    lab[..., 0] += weight * TINT_LIGHTNESS * (target[0] - lab[..., 0])
    lab[..., 1:] += weight[..., None] * TINT_CHROMA * (target[1:] - lab[..., 1:])
    return np.where(region[..., None], cv.from_lab(lab), rgb)


def _fill(request: ProviderRequest, default_grow: int, max_grow: int, tint: bool) -> ProviderOutput:
    rgb = _image(request)
    region = _grown_mask(request, rgb, default_grow, max_grow, allow_alpha=True)
    filled = cv.inpaint_fill(rgb, region, request.seed)
    found = cv.colour_in(request.prompt) if tint and request.prompt else None
    if found is not None:
        filled = _tint(filled, region, found[1])
    # Explicit composite: whatever the fill did, pixels outside the grown mask are the input's.
    return _output(np.where(region[..., None], filled, rgb), request)


def inpaint(request: ProviderRequest) -> ProviderOutput:
    return _fill(request, default_grow=5, max_grow=100, tint=True)


def erase(request: ProviderRequest) -> ProviderOutput:
    return _fill(request, default_grow=5, max_grow=20, tint=False)


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
    rgb = _image(request)
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
    return _output(canvas, request)


def _recolour(rgb: np.ndarray, region: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Give ``region`` the hue and chroma of ``colour``; lightness keeps its variation (shading) and
    moves its mean part of the way towards the colour's lightness."""
    lab = cv.to_lab(rgb)
    target = cv.colour_lab(colour)
    lightness = lab[..., 0]
    mean_l = float(lightness[region].mean())
    new_l = lightness + LIGHTNESS_PULL * (target[0] - mean_l)
    # Specular highlights and deep shadows carry little colour in a real surface.
    headroom = np.clip(np.minimum(new_l, 100 - new_l) / 15.0, 0.2, 1.0)[..., None]
    recoloured = np.dstack([new_l, target[1] * headroom[..., 0], target[2] * headroom[..., 0]])
    weight = cv.feather_inside(region, SHADE_FEATHER)[..., None]
    blended = lab * (1 - weight) + recoloured * weight
    return np.where(region[..., None], cv.from_lab(blended), rgb)


def search_recolor(request: ProviderRequest) -> ProviderOutput:
    select_prompt = str(request.params.get("select_prompt") or "").strip()
    if not select_prompt or not request.prompt.strip():
        raise ValueError("search_recolor needs select_prompt (what to recolour) and prompt (the new colour)")
    _, colour = _named_colour(request.prompt)
    if request.inputs.get("mask"):
        rgb = _image(request)
        return _output(_recolour(rgb, _grown_mask(request, rgb, default=3, high=20), colour), request)
    selection = text_selection(select_prompt, offer.RENDER.select_words)
    if selection is None:
        raise UnsupportedOperation(
            "search and recolor without a mask finds only the main subject or the background locally "
            f"(select_prompt one of: {', '.join(offer.RENDER.select_words)}); other objects need a provider "
            "that can find them by text; use stability"
        )
    rgb = _image(request)
    matte = subject_matte(rgb)
    region = matte.alpha >= 0.5 if selection == "subject" else matte.alpha < 0.5
    if not region.any():
        raise ValueError(f"no {selection} was found to recolour; give a mask")
    return _output(_recolour(rgb, region, colour), request, {"segmentation": matte.method})


def search_replace(request: ProviderRequest) -> ProviderOutput:
    raise UnsupportedOperation(
        "search and replace draws a new object from the prompt, which the local provider cannot do "
        "(it has no generative model); use stability"
    )


def relight(request: ProviderRequest) -> ProviderOutput:
    subject = _image(request, "image", "subject_image")
    strength = float(cv.number_param(request.params, "light_source_strength", 0.3, 0, 1))
    direction = request.params.get("light_source_direction")
    if direction is not None and direction not in DIRECTIONS:
        raise ValueError(f"light_source_direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    reference = request.inputs.get("background_reference")
    if not reference:
        return _relight_in_place(request, subject, direction, strength)
    background = cv.cover(cv.decode_rgb(reference), subject.shape[1], subject.shape[0])

    matte = subject_matte(subject)
    alpha = matte.alpha
    light_data = request.inputs.get("light_reference")
    light = cv.decode_rgb(light_data) if light_data else background
    subject_stats = cv.lab_stats(
        cv.to_lab(cv.resize_long_side(subject, STATS_SIDE)), cv.resize_long_side(alpha, STATS_SIDE)
    )
    lab = cv.transfer_tone(cv.to_lab(subject), subject_stats, _stats(light), strength)
    if direction:
        lab[..., 0] = np.clip(
            lab[..., 0] * directional_gradient(*subject.shape[:2], direction, strength), 0, 100
        )
    lit = cv.from_lab(lab).astype(np.float32)
    a = alpha[..., None]
    composite = np.clip(lit * a + background.astype(np.float32) * (1 - a) + 0.5, 0, 255).astype(np.uint8)
    return _output(composite, request, {"segmentation": matte.method})


def _relight_in_place(
    request: ProviderRequest, image: np.ndarray, direction: str | None, strength: float
) -> ProviderOutput:
    """No background_reference: the scene keeps its background (the local provider draws none from
    text) and takes the light asked for: the colour temperature and exposure the prompts describe,
    from light_source_direction, with a light_reference's tones."""
    words = " ".join(
        str(request.params.get(field) or "") for field in ("background_prompt", "foreground_prompt")
    )
    light = light_from_words(words)
    light_data = request.inputs.get("light_reference")
    if not (light.changes_anything or direction or light_data):
        raise ValueError(
            "relight without a background_reference needs light to apply: give light_source_direction, "
            "a light_reference image, or a background_prompt that describes the light (e.g. 'warm sunset')"
        )
    lab = cv.to_lab(image)
    if light_data:
        lab = cv.transfer_tone(lab, _stats(image), _stats(cv.decode_rgb(light_data)), strength)
    if direction:
        lab[..., 0] = np.clip(
            lab[..., 0] * directional_gradient(*image.shape[:2], direction, strength), 0, 100
        )
    lit = cast(cv.from_lab(lab).astype(np.float32), light, strength)
    relit = np.clip(lit + 0.5, 0, 255).astype(np.uint8)
    return _output(relit, request, {"relight": f"in place, {light.kelvin:.0f} K"})


def _stats(rgb: np.ndarray) -> cv.Stats:
    return cv.lab_stats(cv.to_lab(cv.resize_long_side(rgb, STATS_SIDE)))


EDIT_OPERATIONS: dict[str, Callable[[ProviderRequest], ProviderOutput]] = {
    "edit.remove_background": remove_background,
    "edit.inpaint": inpaint,
    "edit.erase": erase,
    "edit.outpaint": outpaint,
    "edit.search_recolor": search_recolor,
    "edit.search_replace": search_replace,
    "edit.relight": relight,
}
