"""An approved transform becomes one provider request with the image (and the avatar's speech); what the
worker cannot carry out is refused before anything is claimed or paid."""

import pytest

from studio_common.events import OperationApproved
from studio_common.testing.events import approved_operation
from studio_providers.planning import PlanningError, operation_seed
from studio_transform.domain.planning import plan

IMAGE, AUDIO = b"\x89PNG image", b"RIFF speech"


def approved(kind: str = "transform.video", **params) -> OperationApproved:
    return approved_operation(
        operation_id="0123abcd" * 4,
        domain="transform",
        kind=kind,
        model="local-video",
        units=5,
        params={"duration": 5, "resolution": "480p", **params},
    )


@pytest.mark.parametrize("kind", ["transform.video", "transform.3d"])
def test_video_and_3d_are_one_call_with_the_image(kind):
    [planned] = plan(approved(kind), {"image": IMAGE})
    request = planned.request
    assert (request.kind, request.model, request.inputs) == (kind, "local-video", {"image": IMAGE})
    assert (planned.parts, planned.finish) == (1, None)
    assert request.params["duration"] == 5 and request.params["resolution"] == "480p"


def test_the_seed_is_the_requested_one_or_stable_per_operation():
    assert plan(approved(seed=7), {"image": IMAGE})[0].request.seed == 7
    [planned] = plan(approved(), {"image": IMAGE})
    assert planned.request.seed == operation_seed("0123abcd" * 4)


@pytest.mark.parametrize("kind", ["transform.video", "transform.avatar", "transform.3d"])
def test_every_transform_needs_an_image(kind):
    with pytest.raises(PlanningError, match="needs an image"):
        plan(approved(kind), {"audio": AUDIO})


def test_an_avatar_without_speech_is_refused():
    with pytest.raises(PlanningError, match="speech audio"):
        plan(approved("transform.avatar"), {"image": IMAGE})


@pytest.mark.parametrize("kind", ["create", "edit.inpaint", "transform.unknown"])
def test_other_domains_kinds_are_refused(kind):
    with pytest.raises(PlanningError, match=f"does not handle {kind}"):
        plan(approved(kind), {"image": IMAGE, "audio": AUDIO})
