"""A studio submission's inputs stored and checked together: a required mask must be there, be an image,
match the image's size and mark something to change; nothing is stored for a refused mask's request."""

import io
from types import SimpleNamespace

import pytest
from PIL import Image
from starlette.datastructures import UploadFile

from studio_common.images import ImageRejected
from studio_common.storage import LocalStorage
from studio_gateway.domain.create_request import RequestError
from studio_gateway.domain.studio_operations import EDIT
from studio_gateway.service_layer.studio import Submission, store_inputs, validate_fields
from studio_gateway.settings import GatewaySettings

INPAINT = EDIT["inpaint"]


def png(width: int, height: int, colour, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def state(tmp_path):
    return SimpleNamespace(
        settings=GatewaySettings(), storage=LocalStorage(str(tmp_path), "http://x", "secret"), assets=None
    )


def submission(**files: bytes) -> Submission:
    uploads = {name: UploadFile(io.BytesIO(data), filename=f"{name}.png") for name, data in files.items()}
    return Submission(fields={"prompt": "a red door"}, files=uploads)


async def test_an_image_and_a_matching_mask_are_stored(state):
    mask = Image.new("L", (64, 48), 0)
    mask.paste(255, (10, 10, 30, 30))
    buffer = io.BytesIO()
    mask.save(buffer, "PNG")
    stored = await store_inputs(
        state, "ana", INPAINT, submission(image=png(64, 48, (20, 80, 140)), mask=buffer.getvalue())
    )
    assert set(stored) == {"image", "mask"}
    assert await state.storage.get(stored["mask"].key) == buffer.getvalue()


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        (png(32, 48, 255, mode="L"), "mask is 32x48; it must match the image's 64x48"),
        (png(64, 48, 0, mode="L"), "mask is empty"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "mask is not a PNG, JPEG or WebP image"),
    ],
    ids=["wrong size", "empty", "not an image"],
)
async def test_a_wrong_mask_refuses_the_submission(state, mask, message):
    with pytest.raises(ImageRejected, match=message) as refused:
        await store_inputs(state, "ana", INPAINT, submission(image=png(64, 48, (20, 80, 140)), mask=mask))
    assert refused.value.field == "mask"


async def test_a_required_mask_that_is_missing_is_named(state):
    with pytest.raises(ImageRejected, match="mask is required"):
        await store_inputs(state, "ana", INPAINT, submission(image=png(64, 48, (20, 80, 140))))


def test_an_unexpected_file_field_is_refused():
    roles = {role.name for role in INPAINT.images}
    with pytest.raises(RequestError, match="unexpected file field 'stray'"):
        validate_fields(INPAINT.fields, submission(image=b"", stray=b""), roles)
