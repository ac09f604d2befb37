"""What every local edit shares: its input image, its mask (grown as asked), a colour the prompt names,
and the output in the requested format."""

import numpy as np

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local import cv


def input_image(request: ProviderRequest, *roles: str) -> np.ndarray:
    for role in roles or ("image",):
        if request.inputs.get(role):
            return cv.decode_rgb(request.inputs[role])
    raise ValueError(f"{request.kind} needs an input image ({' or '.join(roles or ('image',))})")


def to_output(
    array: np.ndarray, request: ProviderRequest, methods: dict[str, str] | None = None
) -> ProviderOutput:
    data, content_type = cv.encode_array(array, request.output_format)
    return ProviderOutput(
        data, content_type, int(array.shape[1]), int(array.shape[0]), request.seed, methods=methods or {}
    )


def change_mask(request: ProviderRequest, rgb: np.ndarray, *, allow_alpha: bool = False) -> np.ndarray:
    """The mask input as bool (True = change). Without one, an image's transparent pixels may serve."""
    height, width = rgb.shape[:2]
    data = request.inputs.get("mask")
    if data:
        return cv.load_mask(data, width, height)
    region = cv.transparent_region(request.inputs["image"]) if allow_alpha else None
    if region is None:
        raise ValueError(f"{request.kind} needs a mask (white = change, black = keep)")
    return region


def grown_mask(
    request: ProviderRequest, rgb: np.ndarray, default: int, high: int, allow_alpha: bool = False
) -> np.ndarray:
    pixels = cv.number_param(request.params, "grow_mask", default, 0, high, integer=True)
    return cv.grow_mask(change_mask(request, rgb, allow_alpha=allow_alpha), int(pixels))


def named_colour(text: str) -> tuple[str, tuple[int, int, int]]:
    found = cv.colour_in(text)
    if found is None:
        raise ValueError(
            f"unknown colour in prompt {text!r}; name one of {', '.join(sorted(cv.COLOURS))} "
            "or give a #rrggbb code"
        )
    return found
