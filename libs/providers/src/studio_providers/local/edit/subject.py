"""Edits that find the subject: remove_background (its matte as alpha) and search_recolor (a masked
region, or the subject or background a select_prompt names, in a new colour); search_replace refuses."""

import numpy as np

from studio_common.capabilities import text_selection
from studio_providers.base import ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.local import cv, offer
from studio_providers.local.edit.plumbing import grown_mask, input_image, named_colour, to_output
from studio_providers.models.segment import subject_matte

LIGHTNESS_PULL = 0.5  # how far a recoloured region's mean lightness moves towards the new colour's
SHADE_FEATHER = 2  # px of soft edge kept inside a recolour mask


def remove_background(request: ProviderRequest) -> ProviderOutput:
    rgb = input_image(request)
    matte = subject_matte(rgb)
    rgba = np.dstack([rgb, (matte.alpha * 255.0 + 0.5).astype(np.uint8)])
    return to_output(rgba, request, {"segmentation": matte.method})


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
    _, colour = named_colour(request.prompt)
    if request.inputs.get("mask"):
        rgb = input_image(request)
        return to_output(_recolour(rgb, grown_mask(request, rgb, default=3, high=20), colour), request)
    selection = text_selection(select_prompt, offer.RENDER.select_words)
    if selection is None:
        raise UnsupportedOperation(
            "search and recolor without a mask finds only the main subject or the background locally "
            f"(select_prompt one of: {', '.join(offer.RENDER.select_words)}); other objects need a provider "
            "that can find them by text; use stability"
        )
    rgb = input_image(request)
    matte = subject_matte(rgb)
    region = matte.alpha >= 0.5 if selection == "subject" else matte.alpha < 0.5
    if not region.any():
        raise ValueError(f"no {selection} was found to recolour; give a mask")
    return to_output(_recolour(rgb, region, colour), request, {"segmentation": matte.method})


def search_replace(request: ProviderRequest) -> ProviderOutput:
    raise UnsupportedOperation(
        "search and replace draws a new object from the prompt, which the local provider cannot do "
        "(it has no generative model); use stability"
    )
