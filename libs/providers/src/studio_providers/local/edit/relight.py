"""relight: the subject composited on a background reference with its tones moved towards the light;
without a reference, the whole image relit in place."""

import numpy as np

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local import cv
from studio_providers.local.edit.plumbing import input_image, to_output
from studio_providers.local.light import DIRECTIONS, cast, directional_gradient, light_from_words
from studio_providers.models.segment import subject_matte

STATS_SIDE = 512  # long side of the copies colour statistics are measured on


def relight(request: ProviderRequest) -> ProviderOutput:
    subject = input_image(request, "image", "subject_image")
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
    return to_output(composite, request, {"segmentation": matte.method})


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
    return to_output(relit, request, {"relight": f"in place, {light.kelvin:.0f} K"})


def _stats(rgb: np.ndarray) -> cv.Stats:
    return cv.lab_stats(cv.to_lab(cv.resize_long_side(rgb, STATS_SIDE)))
