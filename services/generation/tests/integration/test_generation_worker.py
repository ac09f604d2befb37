"""The generation worker with billing, on real RabbitMQ: exact outputs, no double work on redelivery."""

import asyncio
import io

from PIL import Image

from studio_billing.entrypoints.app import create_app as create_billing
from studio_billing.settings import BillingSettings
from studio_common.events import OperationApproved, OperationCompleted, OperationRequested, OperationStarted
from studio_common.ids import new_id
from studio_common.storage import LocalStorage
from studio_common.testing.apps import running, service_headers
from studio_common.testing.recorder import EventRecorder
from studio_generation.entrypoints.app import create_app as create_generation
from studio_generation.settings import GenerationSettings
from studio_providers.local.provider import LocalProvider
from studio_providers.registry import ProviderRegistry
from studio_providers.testing.claims import claims_through


async def claim(billing, claim_url: str):
    """A claim as the generation worker makes it, with its service token."""
    return await billing.post(claim_url, headers=service_headers(billing._transport.app, "generation"))


class CountingLocalProvider(LocalProvider):
    """The real local provider, counting its calls so the test can see paid work."""

    calls = 0

    async def run(self, request):
        type(self).calls += 1
        return await super().run(request)


async def test_outputs_are_exact_and_redelivery_does_not_pay_twice(bus_names, amqp_url, tmp_path):
    common = {"amqp_url": amqp_url, **bus_names}
    billing_app = create_billing(
        BillingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db", **common)
    )
    registry = ProviderRegistry()
    registry.register(CountingLocalProvider())
    CountingLocalProvider.calls = 0
    storage_dir = tmp_path / "storage"
    async with running(billing_app):
        claims = claims_through(billing_app, GenerationSettings())
        generation_app = create_generation(
            # started for every run (not only slow ones), so that repeats of it can be counted
            GenerationSettings(storage_dir=str(storage_dir), started_after_seconds=0, **common),
            registry=registry,
            claims=claims,
        )
        async with running(generation_app), EventRecorder(amqp_url, bus_names["exchange"]) as bus:
            request = OperationRequested(
                operation_id=new_id(),
                user_id="gina",
                kind="create",
                provider="local",
                model="local-render",
                units=3,
                params={"prompt": "teal waves", "width": 320, "height": 180, "output_format": "png"},
            )
            await bus.publish(request)
            [done] = await bus.wait_count(OperationCompleted, 1)
            assert done.units_delivered == 3 and CountingLocalProvider.calls == 3
            storage = LocalStorage(str(storage_dir), "http://x", "s")
            for output in done.outputs:
                image = Image.open(io.BytesIO(await storage.get(output.storage_key)))
                assert image.size == (320, 180) == (output.width, output.height)

            approved = next(e for e in bus.events if isinstance(e.data, OperationApproved))
            await bus.publish_envelope(approved)  # the same message again
            await bus.publish(approved.data)  # and a copy under a new event id
            await asyncio.sleep(1.5)
            assert CountingLocalProvider.calls == 3
            assert len(bus.of_type(OperationCompleted)) == 1
            assert len(bus.of_type(OperationStarted)) == 1


async def test_stability_output_is_fitted_and_a_failing_provider_falls_back(bus_names, amqp_url, tmp_path):
    from studio_providers.testing.fake_stability import create_fake_stability
    from studio_providers.testing.server import serve_in_thread

    fake = create_fake_stability(api_key="sk-test")
    base_url, stop = serve_in_thread(fake)
    common = {"amqp_url": amqp_url, **bus_names}
    billing_app = create_billing(
        BillingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db", **common)
    )
    try:
        async with running(billing_app):
            claims = claims_through(billing_app, GenerationSettings())
            settings = GenerationSettings(
                storage_dir=str(tmp_path / "s"),
                enabled_providers="local,stability",
                stability_api_key="sk-test",
                stability_base_url=base_url,
                **common,
            )
            async with (
                running(create_generation(settings, claims=claims)),
                EventRecorder(amqp_url, bus_names["exchange"]) as bus,
            ):
                params = {"prompt": "a red bicycle", "width": 1080, "height": 1350, "output_format": "jpeg"}
                ok = OperationRequested(
                    operation_id=new_id(),
                    user_id="hal",
                    kind="create",
                    provider="stability",
                    model="core",
                    units=1,
                    params=params,
                )
                await bus.publish(ok)
                [done] = await bus.wait_count(OperationCompleted, 1)
                assert (done.provider, done.model) == ("stability", "core")
                assert (done.outputs[0].width, done.outputs[0].height) == (1080, 1350)
                sent = [r for r in fake.state.requests if r["path"].endswith("/generate/core")][0]
                assert sent["fields"]["aspect_ratio"] == "4:5"

                fake.state.default_scenario = "error500"
                failing = OperationRequested(
                    operation_id=new_id(),
                    user_id="hal",
                    kind="create",
                    provider="stability",
                    model="core",
                    units=1,
                    params=params,
                )
                await bus.publish(failing)
                await bus.wait_count(OperationCompleted, 2, timeout=60)
                fallback = bus.of_type(OperationCompleted, failing.operation_id)[0]
                assert (fallback.provider, fallback.outputs[0].width) == ("local", 1080)
    finally:
        stop()


async def test_outputs_land_in_s3(bus_names, amqp_url, tmp_path, s3_endpoint, run_id):
    from studio_common.storage import make_storage

    common = {"amqp_url": amqp_url, **bus_names}
    s3 = {
        "storage_backend": "s3",
        "s3_endpoint_url": s3_endpoint,
        "s3_bucket": f"gen-{run_id}",
        "s3_access_key_id": "test",
        "s3_secret_access_key": "test",
    }
    billing_app = create_billing(
        BillingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db", **common)
    )
    async with running(billing_app):
        claims = claims_through(billing_app, GenerationSettings())
        settings = GenerationSettings(**s3, **common)
        async with (
            running(create_generation(settings, claims=claims)),
            EventRecorder(amqp_url, bus_names["exchange"]) as bus,
        ):
            request = OperationRequested(
                operation_id=new_id(),
                user_id="ivy",
                kind="create",
                provider="local",
                model="local-render",
                units=2,
                params={"prompt": "s3", "width": 200, "height": 100, "output_format": "webp"},
            )
            await bus.publish(request)
            [done] = await bus.wait_count(OperationCompleted, 1)
        storage = make_storage(settings)
        for output in done.outputs:
            assert output.storage_key.startswith(f"users/ivy/operations/{request.operation_id}/")
            image = Image.open(io.BytesIO(await storage.get(output.storage_key)))
            assert (image.format, image.size) == ("WEBP", (200, 100))


class GatedLocalProvider(LocalProvider):
    """The real local provider; its first call waits for the test to let it finish."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.entered, self.release = asyncio.Event(), asyncio.Event()

    async def run(self, request):
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            await self.release.wait()
        return await super().run(request)


async def test_cancel_while_running_stops_before_the_next_variation(bus_names, amqp_url, tmp_path):
    from studio_common.events import OperationCancelRequested, OperationSettled

    common = {"amqp_url": amqp_url, **bus_names}
    billing_app = create_billing(
        BillingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db", **common)
    )
    provider = GatedLocalProvider()
    registry = ProviderRegistry()
    registry.register(provider)
    async with running(billing_app) as billing:
        claims = claims_through(billing_app, GenerationSettings())
        generation_app = create_generation(
            GenerationSettings(storage_dir=str(tmp_path / "s"), **common), registry=registry, claims=claims
        )
        async with running(generation_app), EventRecorder(amqp_url, bus_names["exchange"]) as bus:
            request = OperationRequested(
                operation_id=new_id(),
                user_id="joe",
                kind="create",
                provider="local",
                model="local-render",
                units=3,
                params={"prompt": "three tries", "width": 64, "height": 64},
            )
            await bus.publish(request)
            await asyncio.wait_for(provider.entered.wait(), 20)
            await bus.publish(OperationCancelRequested(operation_id=request.operation_id, user_id="joe"))
            claim_url = f"/internal/holds/{request.operation_id}/claim"
            for _ in range(100):  # billing has recorded the cancel once a claim says so
                if (await claim(billing, claim_url)).json()["outcome"] == "cancel_requested":
                    break
                await asyncio.sleep(0.05)
            provider.release.set()
            [done] = await bus.wait_count(OperationCompleted, 1)
            assert (done.units_delivered, done.units_canceled, done.units_failed, len(done.outputs)) == (
                1,
                2,
                0,
                1,
            )
            assert provider.calls == 1
            [settled] = await bus.wait_count(OperationSettled, 1)
            assert (settled.charged_credits, settled.released_credits) == (1, 2)


async def test_redelivered_after_a_cancel_delivers_only_what_was_stored(bus_names, amqp_url, tmp_path):
    """A worker died after storing variations 0 and 2 (1 failed); the user canceled; the message comes
    back."""
    import json

    from studio_common.events import OperationCancelRequested, OperationSettled, OutputRef
    from studio_common.storage import output_key
    from studio_providers.runner import manifest_key

    common = {"amqp_url": amqp_url, **bus_names}
    billing_app = create_billing(
        BillingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/b.db", **common)
    )
    storage = LocalStorage(str(tmp_path / "s"), "http://x", "s")
    registry = ProviderRegistry()
    registry.register(CountingLocalProvider())
    CountingLocalProvider.calls = 0
    async with running(billing_app) as billing, EventRecorder(amqp_url, bus_names["exchange"]) as bus:
        request = OperationRequested(
            operation_id=new_id(),
            user_id="kim",
            kind="create",
            provider="local",
            model="local-render",
            units=4,
            params={"prompt": "four tries", "width": 64, "height": 64},
        )
        await bus.publish(request)
        await bus.wait_count(OperationApproved, 1)
        approved = next(e for e in bus.events if isinstance(e.data, OperationApproved))
        claim_url = f"/internal/holds/{request.operation_id}/claim"
        assert (await claim(billing, claim_url)).json()["outcome"] == "claimed"  # the worker that died
        for index in (0, 2):
            key = output_key("kim", request.operation_id, index, "image/png")
            await storage.put(key, b"stored before the crash", "image/png")
            ref = OutputRef(index=index, storage_key=key, content_type="image/png", bytes=23)
            await storage.put(
                manifest_key("kim", request.operation_id, index),
                json.dumps([ref.model_dump()]).encode(),
                "application/json",
            )
        await bus.publish(OperationCancelRequested(operation_id=request.operation_id, user_id="kim"))
        for _ in range(100):
            if (await claim(billing, claim_url)).json()["outcome"] == "cancel_requested":
                break
            await asyncio.sleep(0.05)

        claims = claims_through(billing_app, GenerationSettings())
        generation_app = create_generation(
            GenerationSettings(storage_dir=str(tmp_path / "s"), **common), registry=registry, claims=claims
        )
        async with running(generation_app):
            await bus.publish_envelope(approved)  # the redelivery
            [done] = await bus.wait_count(OperationCompleted, 1)
            [settled] = await bus.wait_count(OperationSettled, 1)
    assert [o.index for o in done.outputs] == [0, 2] and CountingLocalProvider.calls == 0
    assert (done.units_delivered, done.units_canceled) == (2, 2)
    assert (settled.charged_credits, settled.released_credits) == (2, 2)
