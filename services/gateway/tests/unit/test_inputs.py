"""Input images checked before anything decodes them in full, and masks held to the image they edit:
same size, greyscale, not empty. Each refusal names its field (I8)."""

import io
from types import SimpleNamespace

import pytest
from PIL import Image
from starlette.datastructures import UploadFile

from studio_common.images import ImageRejected, check_image, check_mask
from studio_common.storage import LocalStorage, input_key
from studio_gateway.service_layer.inputs import image_input
from studio_gateway.settings import GatewaySettings


def png(width: int, height: int, colour=(255, 255, 255), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def mask_with_a_white_square(width: int, height: int, mode: str = "L") -> bytes:
    image = Image.new(mode, (width, height), 0)
    image.paste(255 if mode == "L" else (255, 255, 255), (width // 4, height // 4, width // 2, height // 2))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


IMAGE = check_image(png(64, 48, (30, 90, 160)), "image")


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_a_greyscale_mask_of_the_image_size_is_accepted(mode):
    check_mask(check_image(mask_with_a_white_square(64, 48, mode), "mask"), IMAGE)


def test_a_mask_of_another_size_is_refused_naming_both_sizes():
    with pytest.raises(ImageRejected, match="mask is 48x64; it must match the image's 64x48") as refused:
        check_mask(check_image(mask_with_a_white_square(48, 64), "mask"), IMAGE)
    assert refused.value.field == "mask"


def test_an_all_black_mask_is_refused_as_empty():
    with pytest.raises(ImageRejected, match="mask is empty"):
        check_mask(check_image(png(64, 48, 0, mode="L"), "mask"), IMAGE)


def test_a_colour_mask_is_refused():
    with pytest.raises(ImageRejected, match="greyscale"):
        check_mask(check_image(png(64, 48, (255, 0, 0)), "mask"), IMAGE)


def test_a_mask_that_is_not_an_image_is_refused_before_it_is_compared():
    with pytest.raises(ImageRejected, match="mask is not a PNG, JPEG or WebP image"):
        check_image(b"GIF89a not supported", "mask")
    with pytest.raises(ImageRejected, match="mask is empty"):
        check_image(b"", "mask")


# ----------------------------------------------------------------------------------------- uploads


@pytest.fixture
def state(tmp_path):
    settings = GatewaySettings(max_upload_bytes=4096)
    return SimpleNamespace(settings=settings, storage=LocalStorage(str(tmp_path), "http://x", "secret"))


def upload(data: bytes, name: str = "mask.png") -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=name)


async def test_an_uploaded_image_is_checked_and_stored_under_its_content_hash(state):
    data = mask_with_a_white_square(32, 16)
    stored = await image_input(state, "ana", "mask", upload(data), None, 10_000)
    assert stored.key == input_key("ana", data, "image/png") and stored.role == "mask"
    assert (stored.image.width, stored.image.height) == (32, 16)
    assert await state.storage.get(stored.key) == data


@pytest.mark.parametrize(
    ("data", "max_pixels", "message"),
    [
        (b"%PDF-1.4 not a picture", 10_000, "mask is not a PNG, JPEG or WebP image"),
        (b"", 10_000, "mask is empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 5000, 10_000, "larger than the 4096 byte limit"),
        (png(200, 100), 10_000, "mask is 200x100 \\(20000 pixels\\); the limit is 10000"),
        (b"\x89PNG\r\n\x1a\ntruncated", 10_000, "mask could not be decoded"),
    ],
    ids=["not an image", "empty", "too many bytes", "too many pixels", "corrupt"],
)
async def test_an_upload_that_is_not_an_acceptable_image_is_refused_and_not_stored(
    state, tmp_path, data, max_pixels, message
):
    with pytest.raises(ImageRejected, match=message) as refused:
        await image_input(state, "ana", "mask", upload(data), None, max_pixels)
    assert refused.value.field == "mask"
    assert not (tmp_path / "users").exists()


async def test_an_upload_and_an_asset_id_together_are_refused(state):
    with pytest.raises(ImageRejected, match="give mask or mask_asset_id, not both"):
        await image_input(state, "ana", "mask", upload(png(8, 8)), "asset-1", 10_000)


async def test_an_asset_id_that_cannot_be_one_is_refused_before_any_lookup(state):
    with pytest.raises(ImageRejected, match="mask_asset_id is not an asset id"):
        await image_input(state, "ana", "mask", None, "../../etc/passwd", 10_000)


async def test_no_upload_and_no_asset_id_is_no_input(state):
    assert await image_input(state, "ana", "mask", None, None, 10_000) is None
