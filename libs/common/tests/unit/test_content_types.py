"""The one table of file types: keys get their extension from it and downloads their type back."""

import pytest

from studio_common.content_types import (
    EXTENSIONS,
    IMAGE_TYPES,
    UNKNOWN_TYPE,
    content_type_of_key,
    extension_for,
    image_content_type,
)
from studio_common.storage import input_key, output_key


@pytest.mark.parametrize("content_type", sorted(EXTENSIONS))
def test_every_stored_type_comes_back_from_its_key(content_type):
    assert content_type_of_key(output_key("u1", "op1", 0, content_type)) == content_type
    assert content_type_of_key(input_key("u1", b"data", content_type)) == content_type


def test_jpeg_keys_end_in_jpg_and_unknown_types_in_bin():
    assert extension_for("image/jpeg") == "jpg"
    assert extension_for("text/html") == "bin"
    assert output_key("u1", "op1", 2, "text/html").endswith("/2.bin")


def test_a_key_the_platform_did_not_name_is_served_as_bytes():
    assert content_type_of_key("users/u1/operations/op1/0.bin") == UNKNOWN_TYPE
    assert content_type_of_key("users/u1/operations/op1/0.html") == UNKNOWN_TYPE
    assert content_type_of_key("no-extension") == UNKNOWN_TYPE


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("png", "image/png"), ("PNG", "image/png"), ("jpeg", "image/jpeg"), ("JPG", "image/jpeg")],
)
def test_image_format_names_in_any_case(name, content_type):
    assert image_content_type(name) == content_type


def test_formats_not_delivered_have_no_image_type():
    assert image_content_type("gif") is None
    assert image_content_type("") is None


def test_every_image_type_is_a_stored_type():
    assert set(IMAGE_TYPES.values()) <= set(EXTENSIONS)
    assert list(IMAGE_TYPES) == ["png", "jpeg", "webp"]  # the order error messages list them in
