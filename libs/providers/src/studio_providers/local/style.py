"""Offline style operations: the colour, tone and a hint of the texture of a style image.

* style renders the prompt, then moves its colour and tone towards the style image (L*a*b* mean/std
  transfer and histogram matching of lightness), weighted by ``fidelity`` (0-1, default 0.5).
* style transfer keeps the content image's structure and takes the style image's colour and tone
  (L*a*b* statistics plus per-channel histogram matching) and a hint of its texture (a high-pass of the
  style image tiled over the content).
"""

from __future__ import annotations

import math
import re

import cv2
import numpy as np

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.imaging import check_output_format
from studio_providers.local import cv
from studio_providers.local.control_io import open_rgb, output, render_prompt, resize

DEFAULT_FIDELITY = 0.5
DEFAULT_STYLE_STRENGTH = 1.0
DEFAULT_COMPOSITION_FIDELITY = 0.9
DEFAULT_CHANGE_STRENGTH = 0.9
STYLE_PIXELS = 1024 * 1024
STYLE_MULTIPLE = 64
TEXTURE_WEIGHT = 0.8  # high-pass style texture added to lightness at style_strength 1.0
HISTOGRAM_BINS = 1024

_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


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
    return resize(rgb, *cv.fit_long_side(width, height, long_side))


def control_style(request: ProviderRequest) -> ProviderOutput:
    """``control.style``: render the prompt, then take on the style image's colour and tone."""
    check_output_format(request.output_format)
    fidelity = cv.number_param(request.params, "fidelity", DEFAULT_FIDELITY, 0.0, 1.0)
    style = open_rgb(request.inputs.get("image") or request.inputs.get("style_image"), "image")
    width, height = _style_size(request)
    canvas = render_prompt(request, width, height)
    if fidelity == 0.0:
        return output(request, canvas)
    lab = cv.to_lab(canvas)
    styled = transfer_tone(lab, cv.to_lab(_stats_copy(style)), match_channels=(0,))
    return output(request, cv.from_lab_unit(lab + (styled - lab) * fidelity))


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
    style = resize(style, *cv.fit_long_side(style_w, style_h, max(width, height)))
    lightness = cv.to_lab(style)[..., 0]
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
    style_strength = cv.number_param(params, "style_strength", DEFAULT_STYLE_STRENGTH, 0.0, 1.0)
    composition = cv.number_param(params, "composition_fidelity", DEFAULT_COMPOSITION_FIDELITY, 0.0, 1.0)
    change = cv.number_param(params, "change_strength", DEFAULT_CHANGE_STRENGTH, 0.1, 1.0)
    content = open_rgb(request.inputs.get("image"), "image")
    style = open_rgb(request.inputs.get("style_image"), "style_image")
    height, width = content.shape[:2]

    content_lab = cv.to_lab(content)
    styled = transfer_tone(content_lab, cv.to_lab(_stats_copy(style)), match_channels=(0, 1, 2))
    styled = content_lab + (styled - content_lab) * style_strength
    # Composition fidelity: how much of the content's own lightness detail is kept.
    lightness = styled[..., 0]
    if composition < 1.0:
        broad = _broad_blur(lightness, max(2.0, min(width, height) / 60))
        lightness = broad + (lightness - broad) * composition
    lightness = lightness + _tiled_texture(style, width, height) * (TEXTURE_WEIGHT * style_strength)
    styled[..., 0] = np.clip(lightness, 0.0, 100.0)
    result = content_lab + (styled - content_lab) * change
    return output(request, cv.from_lab_unit(result))
