"""Keeping the hues a negative prompt names ("no red") out of the local renderer's pixels."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import numpy as np
from PIL import Image

from studio_providers.local.colour_names import HUE_FAMILIES

# Pillow's HSV mode stores hue as 0..255 for 0..360 degrees.
_HUE_UNITS = 255
# How far past a banned family's edge shifted hues land, so resampling and
# lossy encoding cannot drift them back in (about 6 degrees).
_HUE_MARGIN = 4
_GREYISH_SATURATION = 40
_DEEP_HUE_DESATURATION = 0.8


def _banned_hue_mask(banned: AbstractSet[str]) -> np.ndarray:
    degrees = np.arange(_HUE_UNITS + 1) * (360.0 / _HUE_UNITS) % 360.0
    mask = np.zeros(_HUE_UNITS + 1, dtype=bool)
    for family in banned & HUE_FAMILIES.keys():
        start, end = HUE_FAMILIES[family]
        mask |= (degrees >= start) & (degrees < end) if start < end else (degrees >= start) | (degrees < end)
    return mask


def _hue_remap(banned_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables sending each banned hue to the nearest allowed one.

    Returns (hue table, saturation factor table). Hues deep inside a banned
    family are also desaturated: neighbours there may be sent to opposite
    edges (red -> pink and red -> orange), and the upsampler would otherwise
    paint the banned hue back in between them.
    """
    units = len(banned_mask)
    padded = banned_mask.copy()
    for shift in range(1, _HUE_MARGIN + 1):
        padded |= np.roll(banned_mask, shift) | np.roll(banned_mask, -shift)
    targets = np.flatnonzero(~padded) if (~padded).any() else np.flatnonzero(~banned_mask)
    hues = np.arange(units)
    gap = np.abs(hues[:, None] - targets[None, :])
    gap = np.minimum(gap, units - gap)
    nearest = targets[np.argmin(gap, axis=1)]
    depth = np.where(banned_mask, gap.min(axis=1), 0).astype(np.float32)
    saturation = 1.0 - _DEEP_HUE_DESATURATION * depth / max(float(depth.max()), 1.0)
    return np.where(banned_mask, nearest, hues).astype(np.uint8), saturation.astype(np.float32)


def keep_out_hues(pixels: np.ndarray, banned: AbstractSet[str]) -> np.ndarray:
    """Shift pixels whose hue belongs to a negated colour family out of it.

    Filtering the palette is not enough on its own: blending two allowed
    colours (orange and pink, say) can pass through a banned hue (red).
    """
    banned_mask = _banned_hue_mask(banned)
    if not banned_mask.any():
        return pixels
    hsv = np.array(Image.fromarray(pixels).convert("HSV"))
    if banned_mask.all():
        # Every hue is negated: fall back to near-greys.
        np.minimum(hsv[..., 1], _GREYISH_SATURATION, out=hsv[..., 1])
    else:
        hue_table, saturation_table = _hue_remap(banned_mask)
        hue = hsv[..., 0].copy()
        hsv[..., 0] = hue_table[hue]
        hsv[..., 1] = (hsv[..., 1] * saturation_table[hue] + 0.5).astype(np.uint8)
    return np.asarray(Image.fromarray(hsv, "HSV").convert("RGB"))
