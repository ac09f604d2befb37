"""Offline prompt-based general edit (``edit.general``): global photo adjustments from plain words.

The instruction is read by `studio_common.edit_instructions` (shared with the gateway, which refuses
what cannot be done before anything is reserved); this module applies the adjustments it names.

An optional mask (white = change, black = keep, same size as the image)
limits the edit; pixels where the mask is black stay identical.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from studio_common.catalog import Incapable
from studio_common.edit_instructions import Adjustment, parse_instruction
from studio_providers.base import ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.imaging import FORMATS, content_type_of, encode, open_image
from studio_providers.local.cv import luma

BRIGHTNESS_GAMMA = 0.3  # gamma change per unit of intensity
CONTRAST_GAIN = 0.25
SATURATION_GAIN = 0.35
WARMTH_GAIN = 0.06  # red up and blue down by this share per unit of intensity
SHARPEN_AMOUNT = 0.6
BLUR_SIGMA_PER_SIDE = 1 / 300  # of the short side, per unit of intensity

_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)

# ---------------------------------------------------------------------------
# Applying adjustments (float32 RGB in 0..1)
# ---------------------------------------------------------------------------


def _brightness(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    gamma = 1.0 + BRIGHTNESS_GAMMA * adj.intensity
    return np.power(rgb, 1.0 / gamma if adj.direction > 0 else gamma)


def _contrast(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    gain = 1.0 + CONTRAST_GAIN * adj.intensity
    gain = gain if adj.direction > 0 else 1.0 / gain
    pivot = float(luma(rgb).mean())
    return pivot + (rgb - pivot) * gain


def _saturation(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    gain = 1.0 + SATURATION_GAIN * adj.intensity
    gain = gain if adj.direction > 0 else 1.0 / gain
    brightness = luma(rgb)[..., None]
    return brightness + (rgb - brightness) * gain


def _grayscale(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    gray = np.repeat(luma(rgb)[..., None], 3, axis=2)
    return gray if adj.intensity >= 1.0 else rgb + (gray - rgb) * adj.intensity


def _sepia(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    toned = rgb @ _SEPIA.T
    return toned if adj.intensity >= 1.0 else rgb + (toned - rgb) * adj.intensity


def _sharpness(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    short = min(rgb.shape[:2])
    if adj.direction < 0:
        return cv2.GaussianBlur(rgb, (0, 0), max(0.8, short * BLUR_SIGMA_PER_SIDE) * adj.intensity)
    blurred = cv2.GaussianBlur(rgb, (0, 0), max(1.0, short / 500))
    return rgb + (rgb - blurred) * (SHARPEN_AMOUNT * adj.intensity)


def _warmth(rgb: np.ndarray, adj: Adjustment) -> np.ndarray:
    shift = WARMTH_GAIN * adj.intensity * adj.direction
    gains = np.array([1.0 + shift, 1.0 + shift * 0.2, 1.0 - shift], dtype=np.float32)
    return rgb * gains


_APPLY = {
    "brightness": _brightness,
    "contrast": _contrast,
    "saturation": _saturation,
    "grayscale": _grayscale,
    "sepia": _sepia,
    "sharpness": _sharpness,
    "warmth": _warmth,
}


def apply_adjustments(rgb: np.ndarray, adjustments: list[Adjustment]) -> np.ndarray:
    """Apply adjustments in order to float32 RGB (0..1); the result is clipped after every step."""
    for adj in adjustments:
        rgb = np.clip(_APPLY[adj.effect](rgb, adj), 0.0, 1.0).astype(np.float32, copy=False)
    return rgb


# ---------------------------------------------------------------------------
# Operation
# ---------------------------------------------------------------------------


def general_edit(request: ProviderRequest) -> ProviderOutput:
    """``edit.general``: apply the adjustments named in ``request.prompt``."""
    if request.output_format not in FORMATS:
        raise ValueError(f"output_format must be one of {', '.join(FORMATS)}; got {request.output_format!r}")
    try:
        adjustments = parse_instruction(request.prompt)
    except Incapable as exc:
        raise UnsupportedOperation(str(exc)) from exc
    image = open_image(request.inputs.get("image"), "image")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    pixels = np.asarray(image.convert("RGBA" if has_alpha else "RGB"))
    original = pixels[..., :3]
    edited = apply_adjustments(original.astype(np.float32) * np.float32(1 / 255), adjustments) * 255.0

    mask_data = request.inputs.get("mask")
    if mask_data:
        mask_image = open_image(mask_data, "mask")
        if mask_image.size != image.size:
            raise ValueError(
                f"mask must be the same size as the image ({image.width}x{image.height}), "
                f"got {mask_image.width}x{mask_image.height}"
            )
        mask = np.asarray(mask_image.convert("L"), dtype=np.float32)[..., None] * np.float32(1 / 255)
        edited = original + (edited - original) * mask
    result = np.clip(edited + 0.5, 0, 255).astype(np.uint8)
    if mask_data:
        result = np.where(mask > 0, result, original)
    if has_alpha:
        result = np.concatenate([result, pixels[..., 3:]], axis=2)
    output = Image.fromarray(result, "RGBA" if has_alpha else "RGB")
    return ProviderOutput(
        encode(output, request.output_format),
        content_type_of(request.output_format),
        image.width,
        image.height,
    )


GENERAL_EDIT_OPERATIONS = {"edit.general": general_edit}
