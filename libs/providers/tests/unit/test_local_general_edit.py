"""Offline prompt-based general edit: instructions become global adjustments, everything else is refused."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from studio_common.edit_instructions import Adjustment, parse_instruction
from studio_providers.base import ProviderRequest, UnsupportedOperation
from studio_providers.local.general_edit import GENERAL_EDIT_OPERATIONS

LUMA = np.array([0.299, 0.587, 0.114])


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def decode(blob: bytes, mode: str = "RGB") -> np.ndarray:
    with Image.open(io.BytesIO(blob)) as image:
        return np.asarray(image.convert(mode))


def edit(
    prompt: str, image: np.ndarray | None = None, mask: np.ndarray | None = None, output_format: str = "png"
) -> np.ndarray:
    image = data.astronaut() if image is None else image
    inputs = {"image": png(image)}
    if mask is not None:
        inputs["mask"] = png(mask)
    request = ProviderRequest(
        kind="edit.general", model="local-edit", prompt=prompt, inputs=inputs, output_format=output_format
    )
    out = GENERAL_EDIT_OPERATIONS["edit.general"](request)
    assert (out.width, out.height) == (image.shape[1], image.shape[0])
    return decode(out.data, "RGBA" if image.shape[-1] == 4 else "RGB")


def luminance(pixels: np.ndarray) -> float:
    return float((pixels[..., :3].astype(np.float64) @ LUMA).mean())


def red_minus_blue(pixels: np.ndarray) -> float:
    return float(pixels[..., 0].astype(np.float64).mean() - pixels[..., 2].astype(np.float64).mean())


def sharpness(pixels: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def chroma(pixels: np.ndarray) -> float:
    return float(pixels.astype(np.float64).std(axis=2).mean())


ORIGINAL = data.astronaut()


def test_brighter_raises_and_darker_lowers_mean_luminance():
    before = luminance(ORIGINAL)
    assert luminance(edit("make it brighter")) > before + 10
    assert luminance(edit("darken the photo")) < before - 10
    assert luminance(edit("it's too dark")) > before + 10


def test_intensity_words_scale_the_amount():
    slight, normal, strong = (luminance(edit(p)) for p in ("slightly brighter", "brighter", "much brighter"))
    assert luminance(ORIGINAL) < slight < normal < strong


@pytest.mark.parametrize(
    "prompt", ["black and white", "make it B&W", "convert to grayscale", "monochrome please"]
)
def test_black_and_white_gives_equal_channels(prompt):
    result = edit(prompt).astype(int)
    assert np.array_equal(result[..., 0], result[..., 1]) and np.array_equal(result[..., 1], result[..., 2])


def test_warmer_raises_red_minus_blue_and_cooler_lowers_it():
    before = red_minus_blue(ORIGINAL)
    assert red_minus_blue(edit("make it warmer")) > before + 5
    assert red_minus_blue(edit("cool it down")) < before - 5


def test_contrast_saturation_sepia_blur_and_sharpen():
    gray = ORIGINAL.astype(np.float64) @ LUMA
    assert (edit("more contrast").astype(np.float64) @ LUMA).std() > gray.std() * 1.1
    assert (edit("reduce the contrast").astype(np.float64) @ LUMA).std() < gray.std() * 0.9
    assert chroma(edit("more vivid")) > chroma(ORIGINAL) * 1.1
    assert chroma(edit("muted colours")) < chroma(ORIGINAL) * 0.9
    sepia = edit("sepia").astype(np.float64).reshape(-1, 3).mean(axis=0)
    assert sepia[0] > sepia[1] > sepia[2]
    assert sharpness(edit("blur it")) < sharpness(ORIGINAL) * 0.5
    assert sharpness(edit("sharpen")) > sharpness(ORIGINAL) * 1.3


def test_several_instructions_apply_in_order():
    assert parse_instruction("make it brighter and warmer, then slightly blur") == [
        Adjustment("brightness", 1, 1.0),
        Adjustment("warmth", 1, 1.0),
        Adjustment("sharpness", -1, 0.5),
    ]
    assert parse_instruction("reduce the brightness and contrast") == [
        Adjustment("brightness", -1, 1.0),
        Adjustment("contrast", -1, 1.0),
    ]
    result = edit("make it brighter and warmer")
    assert luminance(result) > luminance(ORIGINAL) + 5
    assert red_minus_blue(result) > red_minus_blue(ORIGINAL) + 5
    # Order matters: black and white then warmer is tinted; warmer then black and white is not.
    tinted = edit("black and white, then warmer").astype(int)
    assert (tinted[..., 0] - tinted[..., 2]).mean() > 3
    neutral = edit("warmer, then black and white").astype(int)
    assert np.array_equal(neutral[..., 0], neutral[..., 2])


@pytest.mark.parametrize(
    ("prompt", "named"),
    [
        ("add a hat", "add a hat"),
        ("remove the person", "remove the person"),
        ("make it brighter and add a hat", "add a hat"),
        ("make the sky bluer", "sky bluer"),
    ],
)
def test_anything_else_is_refused_naming_it(prompt, named):
    with pytest.raises(UnsupportedOperation) as caught:
        edit(prompt)
    assert named in caught.value.message
    assert "stability" in caught.value.message and "gemini" in caught.value.message


def test_an_empty_instruction_is_a_bad_value():
    with pytest.raises(ValueError, match="prompt"):
        edit("   ")


def test_masked_edit_leaves_the_outside_identical():
    mask = np.zeros(ORIGINAL.shape[:2], np.uint8)
    mask[:, :256] = 255
    result = edit("much brighter and sepia", mask=mask)
    assert np.array_equal(result[:, 256:], ORIGINAL[:, 256:])
    assert luminance(result[:, :256]) > luminance(ORIGINAL[:, :256]) + 10


def test_mask_of_another_size_is_refused():
    with pytest.raises(ValueError, match="mask"):
        edit("brighter", mask=np.zeros((100, 100), np.uint8))


def test_transparency_is_kept():
    alpha = np.tile((np.arange(512) // 2).astype(np.uint8)[None, :], (512, 1))
    rgba = np.dstack([ORIGINAL, alpha])
    result = edit("darker", image=rgba)
    assert result.shape == (512, 512, 4)
    assert np.array_equal(result[..., 3], rgba[..., 3])
