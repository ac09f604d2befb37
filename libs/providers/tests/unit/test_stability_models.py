"""Stability's operations as multipart parts: which operation a kind and model name, the text fields each
sends, and the file parts named by the endpoint's field names."""

import io

import pytest
from PIL import Image

from studio_common.operation_rules import operation_model
from studio_providers.base import ProviderRequest, UnsupportedOperation
from studio_providers.stability_models import build_parts, operation_key


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def text_fields(parts: list[tuple[str, tuple]]) -> dict[str, str]:
    return {name: value[1] for name, value in parts if value[0] is None}


def test_create_models_pick_their_generate_operation():
    assert operation_key("create", "ultra") == "generate.ultra"
    assert operation_key("create", "sd3.5-large") == "generate.sd3"
    assert operation_key("create", "dall-e") is None
    assert operation_key("edit.erase", operation_model("edit.erase")) == "edit.erase"
    assert operation_key("edit.erase", "ultra") is None


def test_an_unknown_model_is_refused():
    with pytest.raises(UnsupportedOperation):
        build_parts(ProviderRequest(kind="create", model="dall-e", prompt="a cat"))


def test_text_to_image_sends_the_nearest_aspect_ratio_and_a_format_the_endpoint_has():
    request = ProviderRequest(
        kind="create",
        model="sd3.5-large",
        prompt="a cat",
        width=1920,
        height=1080,
        seed=7,
        output_format="webp",
    )
    operation, parts = build_parts(request)
    fields = text_fields(parts)
    assert operation.path.endswith("/generate/sd3")
    assert fields["mode"] == "text-to-image" and fields["aspect_ratio"] == "16:9"
    assert fields["seed"] == "7" and fields["output_format"] == "png"  # sd3 has no WebP


def test_image_to_image_takes_its_shape_from_the_image():
    request = ProviderRequest(
        kind="create", model="sd3.5-large", prompt="a cat", width=1920, height=1080, inputs={"image": png()}
    )
    _, parts = build_parts(request)
    assert "aspect_ratio" not in text_fields(parts) and text_fields(parts)["mode"] == "image-to-image"
    assert [(name, value[0], value[2]) for name, value in parts if value[0]] == [
        ("image", "image.png", "image/png")
    ]


def test_relight_without_a_background_reference_sends_the_prompt_as_the_background_prompt():
    request = ProviderRequest(
        kind="edit.relight",
        model=operation_model("edit.relight"),
        prompt="a beach at dusk",
        params={"light_source_strength": 0.5, "keep_original_background": False},
        inputs={"image": png()},
    )
    _, parts = build_parts(request)
    fields = text_fields(parts)
    assert fields["background_prompt"] == "a beach at dusk" and "prompt" not in fields
    assert fields["keep_original_background"] == "false" and fields["light_source_strength"] == "0.5"
    assert [name for name, value in parts if value[0]] == ["subject_image"]
