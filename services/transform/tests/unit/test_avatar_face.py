"""A talking avatar's image must show a face: the worker refuses one without before claiming its hold."""

import io
import wave
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image
from skimage import data as samples

from studio_common.events import OperationApproved
from studio_providers.planning import PlanningError
from studio_transform.domain.planning import plan


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def speech() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(bytes(2 * 16_000))
    return buffer.getvalue()


def avatar(operation_id: str = "0" * 32) -> OperationApproved:
    return OperationApproved(
        operation_id=operation_id,
        user_id="u1",
        domain="transform",
        kind="transform.avatar",
        provider="local",
        model="local-video",
        units=1,
        inputs={"image": "in/image", "audio": "in/audio"},
        hold_id="h1",
        credits=1,
        unit_credits=1,
        deadline=datetime.now(UTC),
    )


def test_a_portrait_is_planned():
    portrait = png(np.asarray(Image.fromarray(samples.astronaut()).resize((256, 256))))
    [planned] = plan(avatar(), {"image": portrait, "audio": speech()})
    assert planned.request.kind == "transform.avatar"


def test_an_image_without_a_face_is_refused_naming_it():
    with pytest.raises(PlanningError, match="no face"):
        plan(avatar(), {"image": png(samples.coffee()), "audio": speech()})


def test_an_avatar_without_speech_is_refused():
    with pytest.raises(PlanningError, match="speech audio"):
        plan(avatar(), {"image": png(samples.coffee())})
