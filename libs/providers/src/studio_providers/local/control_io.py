"""Inputs and outputs of the control operations, which work on float32 RGB in 0..1."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.imaging import content_type_of, encode
from studio_providers.local import cv
from studio_providers.local.render import RenderSpec, render_image


def open_rgb(data: bytes | None, role: str) -> np.ndarray:
    """An input as float32 RGB in 0..1, upright, transparency flattened onto white paper."""
    return cv.decode_upright(data, role).astype(np.float32) * np.float32(1 / 255)


def to_image(rgb: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8), "RGB")


def output(request: ProviderRequest, rgb: np.ndarray) -> ProviderOutput:
    height, width = rgb.shape[:2]
    data = encode(to_image(rgb), request.output_format)
    return ProviderOutput(data, content_type_of(request.output_format), width, height, request.seed)


def resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    return cv.resize_to(rgb, width, height, enlarge=cv2.INTER_CUBIC)


def render_prompt(request: ProviderRequest, width: int, height: int) -> np.ndarray:
    """The plain procedural render of the request's prompt at exactly width x height (the renderer
    checks the size and names the field it rejects)."""
    spec = RenderSpec(
        prompt=request.prompt,
        width=width,
        height=height,
        seed=request.seed,
        negative_prompt=request.negative_prompt,
    )
    return np.asarray(render_image(spec).convert("RGB"), dtype=np.float32) * np.float32(1 / 255)
