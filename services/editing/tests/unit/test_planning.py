"""An approved edit or upscale is one provider call; the social optimizer is one call delivering every
format (and a ZIP of them when there are several); anything else is refused before it is claimed."""

import pytest

from studio_common.events import OperationApproved
from studio_common.testing.events import approved_operation
from studio_editing.domain.planning import SINGLE, plan
from studio_providers.planning import PlanningError

IMAGE, MASK = b"\x89PNG image", b"\x89PNG mask"


def approved(kind: str, **params) -> OperationApproved:
    return approved_operation(
        operation_id="89abcdef" * 4,
        domain="editing",
        kind=kind,
        model="local-render",
        units=1,
        params={"prompt": "a red door", **params},
    )


@pytest.mark.parametrize("kind", SINGLE)
def test_edits_and_upscales_are_one_call_with_their_inputs(kind):
    [planned] = plan(approved(kind, seed=3), {"image": IMAGE, "mask": MASK})
    request = planned.request
    assert (request.kind, request.prompt, request.seed, planned.parts) == (kind, "a red door", 3, 1)
    assert request.inputs == {"image": IMAGE, "mask": MASK}


@pytest.mark.parametrize("kind", [*SINGLE, "social.optimize"])
def test_every_editing_operation_needs_an_image(kind):
    with pytest.raises(PlanningError, match="needs an image"):
        plan(approved(kind, formats=["instagram_square"]), {"mask": MASK})


@pytest.mark.parametrize(
    ("params", "parts"),
    [
        ({"formats": ["instagram_square", "instagram_story", "x_post"]}, 4),  # three files and the ZIP
        ({"formats": ["instagram_square", "instagram_story"], "zip": False}, 2),
        ({"formats": ["instagram_square"]}, 1),  # one file needs no ZIP
    ],
)
def test_the_social_optimizer_delivers_every_format_from_one_call(params, parts):
    [planned] = plan(approved("social.optimize", **params), {"image": IMAGE})
    assert planned.parts == parts and planned.request.kind == "social.optimize"
    assert planned.request.params["formats"] == params["formats"]


@pytest.mark.parametrize("formats", [None, []])
def test_the_social_optimizer_needs_a_format(formats):
    with pytest.raises(PlanningError, match="at least one format"):
        plan(approved("social.optimize", formats=formats), {"image": IMAGE})


@pytest.mark.parametrize("kind", ["create", "transform.video", "edit.unknown"])
def test_other_kinds_are_refused(kind):
    with pytest.raises(PlanningError, match=f"editing does not handle {kind}"):
        plan(approved(kind), {"image": IMAGE})
