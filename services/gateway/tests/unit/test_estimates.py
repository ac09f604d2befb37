"""Cost estimates: which body /estimate-cost takes as Create's and which as any other kind's, and what
billing is asked to price for each (the provider chosen as the request itself would choose it)."""

import json
from types import SimpleNamespace

import httpx
import pytest

from studio_gateway.adapters.billing_client import BillingClient
from studio_gateway.domain.create_request import RequestError
from studio_gateway.service_layer import estimates
from studio_gateway.settings import GatewaySettings


def _billing_prices(request: httpx.Request) -> httpx.Response:
    """Billing's answer to an estimate: the body it was asked to price, and a price."""
    return httpx.Response(200, json={**json.loads(request.content), "credits": 3, "covered": True})


@pytest.fixture
def state(wire):
    billing, recorder = wire(BillingClient, "billing", _billing_prices)
    return SimpleNamespace(settings=GatewaySettings(enabled_providers="local"), billing=billing), recorder


async def test_a_create_body_is_priced_as_create_and_answers_the_size(state):
    state, recorder = state
    answer = await estimates.for_body(state, "ann", {"prompt": "a red kite", "width": 512, "height": 384})
    assert (answer["kind"], answer["provider"], answer["credits"]) == ("create", "local", 3)
    assert (answer["width"], answer["height"]) == (512, 384)
    assert recorder.requests[0].url.path == "/internal/estimate"


async def test_kind_create_is_still_creates_body(state):
    state, _ = state
    answer = await estimates.for_body(state, "ann", {"kind": "create", "prompt": "a red kite"})
    assert answer["kind"] == "create" and "width" in answer


async def test_any_other_kind_is_priced_with_its_units(state):
    state, recorder = state
    answer = await estimates.for_body(state, "ann", {"kind": "edit.inpaint", "units": 2})
    assert (answer["kind"], answer["units"]) == ("edit.inpaint", 2)
    assert recorder.body()["provider"] == "local"


@pytest.mark.parametrize(
    "body", [{"kind": "edit.inpaint", "units": 0}, {"kind": "edit.inpaint", "colour": "red"}, {"width": 512}]
)
async def test_a_body_neither_shape_accepts_is_bad_input_and_asks_billing_nothing(state, body):
    state, recorder = state
    with pytest.raises(RequestError):
        await estimates.for_body(state, "ann", body)
    assert recorder.requests == []


async def test_a_3d_model_is_one_unit_whatever_the_duration_and_a_video_its_seconds(state):
    state, _ = state
    model = await estimates.for_transform(
        state, "ann", estimates.TransformEstimate(operation="image-to-3d", duration=9)
    )
    video = await estimates.for_transform(
        state, "ann", estimates.TransformEstimate(operation="image-to-video", duration=10)
    )
    assert (model["kind"], model["units"]) == ("transform.3d", 1)
    assert (video["kind"], video["units"]) == ("transform.video", 10)
