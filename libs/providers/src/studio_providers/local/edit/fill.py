"""inpaint and erase: the grown mask filled from its surroundings; inpaint tints the fill towards a colour
the prompt names."""

import numpy as np

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local import cv
from studio_providers.local.edit.plumbing import grown_mask, input_image, to_output

TINT_CHROMA = 0.35  # how far an inpaint fill's colour moves towards a colour named in the prompt
TINT_LIGHTNESS = 0.15
TINT_FEATHER = 6  # px over which the tint fades in from the edge of the fill


def _tint(rgb: np.ndarray, region: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Nudge the region's colour (not its texture) towards ``colour``, fading in from its edge."""
    lab = cv.to_lab(rgb)
    target = cv.colour_lab(colour)
    weight = cv.feather_inside(region, TINT_FEATHER)
    lab[..., 0] += weight * TINT_LIGHTNESS * (target[0] - lab[..., 0])
    lab[..., 1:] += weight[..., None] * TINT_CHROMA * (target[1:] - lab[..., 1:])
    return np.where(region[..., None], cv.from_lab(lab), rgb)


def _fill(request: ProviderRequest, default_grow: int, max_grow: int, tint: bool) -> ProviderOutput:
    rgb = input_image(request)
    region = grown_mask(request, rgb, default_grow, max_grow, allow_alpha=True)
    filled = cv.inpaint_fill(rgb, region, request.seed)
    found = cv.colour_in(request.prompt) if tint and request.prompt else None
    if found is not None:
        filled = _tint(filled, region, found[1])
    # Explicit composite: whatever the fill did, pixels outside the grown mask are the input's.
    return to_output(np.where(region[..., None], filled, rgb), request)


def inpaint(request: ProviderRequest) -> ProviderOutput:
    return _fill(request, default_grow=5, max_grow=100, tint=True)


def erase(request: ProviderRequest) -> ProviderOutput:
    return _fill(request, default_grow=5, max_grow=20, tint=False)
