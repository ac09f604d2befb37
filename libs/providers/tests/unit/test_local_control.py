"""Offline control operations: sketch and structure keep the control image's edges; style and style
transfer move colour and tone towards the style image."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from studio_providers.base import ProviderRequest
from studio_providers.local.control import CONTROL_OPERATIONS
from studio_providers.local.render import RenderSpec, render_image

PROMPT = "teal and orange sunset poster"
SEED = 3


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def decode(blob: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(blob)) as image:
        return np.asarray(image.convert("RGB"))


def horse_sketch() -> np.ndarray:
    """A line drawing: the outline of skimage's horse silhouette, black ink on white paper."""
    silhouette = (~data.horse()).astype(np.uint8) * 255
    outline = cv2.morphologyEx(silhouette, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    return np.repeat(np.where(outline > 0, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def run(kind: str, inputs: dict[str, np.ndarray], prompt: str = PROMPT, **params):
    request = ProviderRequest(
        kind=kind,
        model="local-control",
        prompt=prompt,
        seed=SEED,
        params=params,
        inputs={role: png(pixels) for role, pixels in inputs.items()},
    )
    return CONTROL_OPERATIONS[kind](request)


def edge_map(pixels: np.ndarray, low: int = 100, high: int = 200) -> np.ndarray:
    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    return cv2.dilate(cv2.Canny(gray, low, high), np.ones((3, 3), np.uint8)) > 0


def edge_iou(a: np.ndarray, b: np.ndarray, low: int = 100, high: int = 200) -> float:
    ea, eb = edge_map(a, low, high), edge_map(b, low, high)
    return float((ea & eb).sum() / max((ea | eb).sum(), 1))


def edge_emphasis(output: np.ndarray, control: np.ndarray) -> float:
    """How much stronger the output's gradients are on the control's edges than elsewhere."""
    gray = cv2.cvtColor(output, cv2.COLOR_RGB2GRAY).astype(np.float32)
    magnitude = np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    on_edges = edge_map(control)
    return float(magnitude[on_edges].mean() / max(magnitude[~on_edges].mean(), 1e-3))


def lab_mean(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels.astype(np.float32) / 255, cv2.COLOR_RGB2LAB).reshape(-1, 3).mean(axis=0)


def plain_render(width: int, height: int) -> np.ndarray:
    return np.asarray(render_image(RenderSpec(prompt=PROMPT, width=width, height=height, seed=SEED)))


# --- sketch and structure -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "control"),
    [("control.sketch", horse_sketch()), ("control.structure", data.astronaut())],
    ids=["sketch", "structure"],
)
def test_edges_of_the_control_image_are_kept(kind, control):
    out = run(kind, {"image": control})
    assert (out.width, out.height) == (control.shape[1], control.shape[0])
    result = decode(out.data)
    assert result.shape == control.shape
    assert edge_iou(result, control) > 0.3
    # The prompt render alone shares almost none of them.
    assert edge_iou(plain_render(control.shape[1], control.shape[0]), control) < 0.05


def test_structure_follows_the_photo_more_at_higher_strength():
    control = data.astronaut()
    # Lower Canny thresholds count the photo's fainter edges too, which survive only at higher strength.
    scores = [
        edge_iou(
            decode(run("control.structure", {"image": control}, control_strength=s).data), control, 50, 100
        )
        for s in (0.0, 0.3, 0.7, 1.0)
    ]
    assert all(b > a + 0.02 for a, b in zip(scores, scores[1:], strict=False)), scores


def test_sketch_lines_get_stronger_at_higher_strength():
    control = horse_sketch()
    scores = [
        edge_emphasis(decode(run("control.sketch", {"image": control}, control_strength=s).data), control)
        for s in (0.0, 0.3, 0.7, 1.0)
    ]
    assert scores == sorted(scores) and len(set(scores)) == 4, scores


def test_sketch_fills_the_areas_the_lines_enclose():
    control = horse_sketch()
    result = decode(run("control.sketch", {"image": control}, control_strength=1.0).data).astype(np.float32)
    inside = cv2.erode((data.horse() == 0).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    # A filled area is nearly one flat colour; the render it replaces is not.
    assert result[inside].std(axis=0).mean() < 0.5 * plain_render(400, 328)[inside].std(axis=0).mean()


@pytest.mark.parametrize("kind", ["control.sketch", "control.structure"])
def test_explicit_zero_strength_is_the_plain_prompt_render(kind):
    control = data.coffee()[:200, :300]
    result = decode(run(kind, {"image": control}, control_strength=0.0).data)
    assert np.array_equal(result, plain_render(300, 200))
    default = decode(run(kind, {"image": control}).data)
    assert not np.array_equal(default, result)  # a missing value takes the default, 0.7


@pytest.mark.parametrize("value", [-0.1, 1.5, "lots", True])
def test_control_strength_out_of_range_names_the_field(value):
    with pytest.raises(ValueError, match="control_strength"):
        run("control.structure", {"image": data.astronaut()[:64, :64]}, control_strength=value)


def test_transparent_sketch_is_read_as_ink_on_white_paper():
    sketch = horse_sketch()
    rgba = np.dstack([sketch, np.where(sketch[..., 0] == 0, 255, 0).astype(np.uint8)])
    rgba[..., :3][rgba[..., 3] == 0] = 0  # transparent paper stored as black
    out = decode(run("control.sketch", {"image": rgba}).data)
    assert edge_iou(out, sketch) > 0.3


# --- style --------------------------------------------------------------------------------------


def test_style_moves_colour_towards_the_style_image_by_fidelity():
    style = data.coffee()
    target = lab_mean(style)
    distances = []
    for fidelity in (0.0, 0.5, 1.0):
        out = run("control.style", {"image": style}, fidelity=fidelity)
        assert (out.width, out.height) == (1024, 1024)
        distances.append(float(np.linalg.norm(lab_mean(decode(out.data)) - target)))
    assert distances[0] > distances[1] > distances[2]
    assert distances[2] < 0.25 * distances[0]


def test_style_with_zero_fidelity_is_the_plain_render():
    out = run("control.style", {"image": data.coffee()}, fidelity=0.0)
    assert np.array_equal(decode(out.data), plain_render(1024, 1024))


@pytest.mark.parametrize(
    ("params", "size"),
    [
        ({"aspect_ratio": "16:9"}, (1344, 768)),
        ({"aspect_ratio": "2:3"}, (832, 1280)),
        ({"width": 640, "height": 320}, (640, 320)),
    ],
)
def test_style_output_sizes(params, size):
    out = run("control.style", {"image": data.coffee()[:128, :128]}, **params)
    assert (out.width, out.height) == size
    assert decode(out.data).shape == (size[1], size[0], 3)


def test_style_rejects_a_bad_aspect_ratio():
    with pytest.raises(ValueError, match="aspect_ratio"):
        run("control.style", {"image": data.coffee()[:64, :64]}, aspect_ratio="wide")


# --- style transfer -----------------------------------------------------------------------------


def test_style_transfer_keeps_the_content_and_takes_the_style_colours():
    content, style = data.astronaut(), data.coffee()
    out = run("control.style_transfer", {"image": content, "style_image": style}, prompt="")
    assert (out.width, out.height) == (512, 512)
    result = decode(out.data)
    target = lab_mean(style)
    before = np.linalg.norm(lab_mean(content) - target)
    assert np.linalg.norm(lab_mean(result) - target) < 0.35 * before
    # The content's structure survives: its edges are still there.
    assert edge_iou(result, content) > 0.3


def test_style_transfer_strength_zero_keeps_the_content_colours():
    content, style = data.astronaut(), data.coffee()
    result = decode(
        run(
            "control.style_transfer",
            {"image": content, "style_image": style},
            style_strength=0.0,
            composition_fidelity=1.0,
        ).data
    )
    assert np.abs(result.astype(int) - content.astype(int)).mean() < 1.5


def test_style_transfer_change_strength_limits_the_change():
    content, style = data.astronaut()[:256, :256], data.coffee()

    def change(value: float) -> float:
        result = decode(
            run(
                "control.style_transfer", {"image": content, "style_image": style}, change_strength=value
            ).data
        )
        return float(np.abs(result.astype(int) - content.astype(int)).mean())

    assert change(0.1) < 0.3 * change(1.0)


def test_style_transfer_output_has_the_content_size():
    out = run("control.style_transfer", {"image": data.chelsea(), "style_image": data.astronaut()})
    assert (out.width, out.height) == (451, 300)
    assert decode(out.data).shape == (300, 451, 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [("change_strength", 0.05), ("style_strength", 1.2), ("composition_fidelity", -1)],
)
def test_style_transfer_ranges_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        run(
            "control.style_transfer",
            {"image": data.astronaut()[:64, :64], "style_image": data.coffee()[:64, :64]},
            **{field: value},
        )


def test_style_transfer_needs_a_style_image():
    with pytest.raises(ValueError, match="style_image"):
        run("control.style_transfer", {"image": data.astronaut()[:64, :64]})
