"""The transform worker with billing, on real RabbitMQ: an image becomes an MP4 or a GLB charged by what
it delivers, a redelivery pays nothing again, and a request it cannot carry out fails with its credits
released."""

import asyncio
import io
from contextlib import asynccontextmanager

import numpy as np
from PIL import Image

from studio_billing.entrypoints.app import create_app as create_billing
from studio_billing.settings import BillingSettings
from studio_common.events import (
    OperationApproved,
    OperationCompleted,
    OperationFailed,
    OperationRequested,
    OperationSettled,
    OperationStarted,
)
from studio_common.ids import new_id
from studio_common.storage import LocalStorage, input_key
from studio_common.testing.apps import running
from studio_common.testing.recorder import EventRecorder
from studio_providers.local import media
from studio_providers.local.provider import LocalProvider
from studio_providers.registry import ProviderRegistry
from studio_providers.testing.claims import claims_through
from studio_transform.entrypoints.app import create_app as create_transform
from studio_transform.settings import TransformSettings


class CountingLocalProvider(LocalProvider):
    """The real local provider, counting its calls so the test can see paid work."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def run(self, request):
        self.calls += 1
        return await super().run(request)


def picture(width: int = 320, height: int = 240) -> bytes:
    ys, xs = np.mgrid[0:height, 0:width]
    rgb = np.stack([xs * 255 // width, ys * 255 // height, ((xs // 20 + ys // 20) % 2) * 200], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def transform_request(user: str, kind: str, model: str, units: int, inputs: dict, **params):
    return OperationRequested(
        operation_id=new_id(),
        user_id=user,
        domain="transform",
        kind=kind,
        provider="local",
        model=model,
        units=units,
        params=params,
        inputs=inputs,
    )


@asynccontextmanager
async def transform_with_billing(bus_names: dict, amqp_url: str, tmp_path):
    """Billing and the transform worker (its claims going to that billing) on the test's exchange, and a
    recorder of every event: yields the worker's storage, its counting provider and the recorder."""
    common = {"amqp_url": amqp_url, **bus_names}
    billing_app = create_billing(
        BillingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db", **common)
    )
    # started for every run, not only slow ones, so that its repeats can be counted
    settings = TransformSettings(storage_dir=str(tmp_path / "storage"), started_after_seconds=0, **common)
    provider = CountingLocalProvider()
    registry = ProviderRegistry()
    registry.register(provider)
    async with running(billing_app):
        claims = claims_through(billing_app, settings)
        async with (
            running(create_transform(settings, registry=registry, claims=claims)),
            EventRecorder(amqp_url, bus_names["exchange"]) as bus,
        ):
            yield LocalStorage(settings.storage_dir, "http://x", "s"), provider, bus


async def stored_picture(storage: LocalStorage, user: str, width: int, height: int) -> str:
    """An uploaded input as the gateway stores it; returns its key."""
    image = picture(width, height)
    key = input_key(user, image, "image/png")
    await storage.put(key, image, "image/png")
    return key


async def test_image_to_video_and_3d_are_delivered_charged_and_not_paid_twice(bus_names, amqp_url, tmp_path):
    async with transform_with_billing(bus_names, amqp_url, tmp_path) as (storage, provider, bus):
        image_key = await stored_picture(storage, "tess", 320, 240)
        video = transform_request(
            "tess",
            "transform.video",
            "local-video",
            5,
            {"image": image_key},
            duration=5,
            resolution="480p",
            fps=8,
            motion="zoom_in",
        )
        relief = transform_request(
            "tess",
            "transform.3d",
            "local-relief",
            1,
            {"image": image_key},
            texture_resolution=512,
            vertex_count=5000,
        )
        await bus.publish(video)
        await bus.publish(relief)
        await bus.wait_count(OperationSettled, 2, timeout=120)
        [made_video] = bus.of_type(OperationCompleted, video.operation_id)
        [made_relief] = bus.of_type(OperationCompleted, relief.operation_id)

        [clip] = made_video.outputs
        assert (clip.content_type, clip.width, clip.height) == ("video/mp4", 854, 480)
        assert made_video.units_delivered == 5 and abs(clip.duration_seconds - 5) < 0.2
        encoded = media.probe(await storage.get(clip.storage_key))  # what a player will read
        assert (encoded.video_codec, encoded.width, encoded.height) == ("h264", 854, 480)
        assert abs(encoded.duration - 5) < 0.2

        [model] = made_relief.outputs
        assert model.content_type == "model/gltf-binary" and made_relief.units_delivered == 1
        assert (await storage.get(model.storage_key))[:4] == b"glTF"

        [video_settled] = bus.of_type(OperationSettled, video.operation_id)
        [relief_settled] = bus.of_type(OperationSettled, relief.operation_id)
        assert (video_settled.charged_credits, video_settled.released_credits) == (5, 0)
        assert (relief_settled.charged_credits, relief_settled.released_credits) == (1, 0)
        assert provider.calls == 2

        approved = next(
            e
            for e in bus.events
            if isinstance(e.data, OperationApproved) and e.data.operation_id == video.operation_id
        )
        await bus.publish_envelope(approved)  # the same message again
        await bus.publish(approved.data)  # and a copy under a new event id
        await asyncio.sleep(1.5)
        assert provider.calls == 2
        assert len(bus.of_type(OperationCompleted, video.operation_id)) == 1
        assert len(bus.of_type(OperationStarted, video.operation_id)) == 1


async def test_a_transform_it_cannot_carry_out_fails_and_releases_its_credits(bus_names, amqp_url, tmp_path):
    async with transform_with_billing(bus_names, amqp_url, tmp_path) as (storage, provider, bus):
        image_key = await stored_picture(storage, "uma", 64, 64)
        # No speech for a talking avatar: refused by planning, before the claim.
        mute = transform_request("uma", "transform.avatar", "local-video", 5, {"image": image_key})
        # A duration the local provider does not make: refused by the provider, nothing delivered.
        odd = transform_request(
            "uma",
            "transform.video",
            "local-video",
            3,
            {"image": image_key},
            duration=3,
            resolution="480p",
        )
        await bus.publish(mute)
        await bus.publish(odd)
        await bus.wait_count(OperationSettled, 2, timeout=60)
        [mute_failed] = bus.of_type(OperationFailed, mute.operation_id)
        assert mute_failed.code == "invalid_request" and "speech audio" in mute_failed.message
        [odd_failed] = bus.of_type(OperationFailed, odd.operation_id)
        assert odd_failed.code == "invalid_request" and "duration" in odd_failed.message
        for operation in (mute, odd):
            [settled] = bus.of_type(OperationSettled, operation.operation_id)
            assert settled.charged_credits == 0 and settled.released_credits == operation.units
        assert not bus.of_type(OperationCompleted)
        assert provider.calls == 1  # only the odd duration reached the provider
