"""An approved create becomes one provider request per variation, each fitted to the exact size."""

import io

import pytest
from PIL import Image

from studio_common.events import OperationApproved
from studio_common.ids import utcnow
from studio_generation.domain.planning import plan
from studio_providers.base import ProviderOutput
from studio_providers.planning import PlanningError


def approved(**params) -> OperationApproved:
    base = {"prompt": "p", "width": 300, "height": 200, "output_format": "jpeg"}
    return OperationApproved(
        operation_id="0123abcd" * 4,
        user_id="u",
        kind="create",
        provider="local",
        model="local-render",
        units=3,
        params={**base, **params},
        hold_id="h",
        credits=3,
        unit_credits=1,
        deadline=utcnow(),
    )


def test_one_request_per_variation_with_consecutive_seeds():
    planned = plan(approved(seed=41), {})
    assert [p.request.seed for p in planned] == [41, 42, 43]
    assert {p.request.output_format for p in planned} == {"jpeg"}


def test_seed_defaults_to_a_stable_value_per_operation():
    assert [p.request.seed for p in plan(approved(), {})] == [p.request.seed for p in plan(approved(), {})]


def test_provider_output_of_another_size_is_fitted_exactly():
    planned = plan(approved(), {})[0]
    buffer = io.BytesIO()
    Image.new("RGB", (1024, 1024), "red").save(buffer, "PNG")
    fitted = planned.finish(ProviderOutput(buffer.getvalue(), "image/png", 1024, 1024, 1))
    image = Image.open(io.BytesIO(fitted.data))
    assert (image.format, image.size, fitted.content_type) == ("JPEG", (300, 200), "image/jpeg")


def test_missing_size_is_a_planning_error():
    op = approved()
    del op.params["width"]
    with pytest.raises(PlanningError):
        plan(op, {})
