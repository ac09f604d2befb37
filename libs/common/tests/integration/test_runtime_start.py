"""A service whose broker is down when it starts waits for it instead of exiting (reachability.py), and a
stop asked for meanwhile ends the wait at once."""

import asyncio
import contextlib
import signal
import subprocess
import sys
import textwrap
import time
from urllib.parse import urlsplit

import pytest

from studio_common.devstack import free_port
from studio_common.events import OperationProgress, OperationStarted
from studio_common.reachability import ExitRequested
from studio_common.runtime import ServiceRuntime
from studio_common.settings import CommonSettings
from studio_common.testing.recorder import EventRecorder


class LateBroker:
    """A port that refuses connections until `open()`, then relays them to the real RabbitMQ: the broker
    as a service sees it while the broker's node is still booting."""

    def __init__(self, amqp_url: str) -> None:
        target = urlsplit(amqp_url)
        self.target = (target.hostname, target.port or 5672)
        self.port = free_port()
        self.url = amqp_url.replace(f"{target.hostname}:{target.port or 5672}", f"127.0.0.1:{self.port}")
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in self._pipes:
            task.cancel()

    async def _relay(self, reader, writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            task = asyncio.create_task(_pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


def settings_for(amqp_url: str, bus_names: dict) -> CommonSettings:
    return CommonSettings(amqp_url=amqp_url, service_name="probe", **bus_names)


async def test_a_broker_down_at_start_is_waited_for_and_consumed_from_once_it_answers(bus_names, amqp_url):
    broker = LateBroker(amqp_url)
    runtime = ServiceRuntime(settings_for(broker.url, bus_names))

    async def on_progress(_session, event: OperationProgress):
        return [
            OperationStarted(operation_id=event.operation_id, user_id=event.user_id, provider="p", model="m")
        ]

    runtime.consume("probe", {OperationProgress: on_progress})
    starting = asyncio.create_task(runtime.start())
    await asyncio.sleep(1.5)
    assert not starting.done(), "the start gave up (or got through) while the broker refused connections"
    await broker.open()
    try:
        await asyncio.wait_for(starting, 15)
        assert (await runtime.ready())["broker"] == "ok"
        async with EventRecorder(amqp_url, bus_names["exchange"]) as recorder:
            await recorder.publish(OperationProgress(operation_id="op-late", user_id="u", progress=0.5))
            await recorder.wait_for(lambda events: any(e.type == "operation.started" for e in events))
    finally:
        await runtime.stop()
        await broker.close()


async def test_a_stop_asked_for_while_waiting_ends_the_start(bus_names):
    runtime = ServiceRuntime(settings_for(f"amqp://guest:guest@127.0.0.1:{free_port()}/", bus_names))
    starting = asyncio.create_task(runtime.start())
    await asyncio.sleep(0.8)
    runtime.exiting.set()
    with pytest.raises(ExitRequested):
        await asyncio.wait_for(starting, 2)


SERVICE = textwrap.dedent(
    """
    import sys
    from studio_common.runtime import ServiceRuntime
    from studio_common.service_app import serve
    from studio_common.settings import CommonSettings

    settings = CommonSettings(
        amqp_url=sys.argv[1], service_name="probe", http_port=int(sys.argv[2]), metrics_port=int(sys.argv[3])
    )
    serve(ServiceRuntime(settings).app("probe"), settings)
    """
)


def test_a_service_process_waiting_for_its_broker_stays_up_and_exits_cleanly_on_sigterm():
    unreachable = f"amqp://guest:guest@127.0.0.1:{free_port()}/"
    process = subprocess.Popen(
        [sys.executable, "-c", SERVICE, unreachable, str(free_port()), str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(4)
        assert process.poll() is None, "the service exited instead of waiting for its broker"
        process.send_signal(signal.SIGTERM)
        # Uvicorn ends by raising the signal it caught again, as after any graceful stop.
        assert process.wait(timeout=5) == -signal.SIGTERM
        output = process.stdout.read()
        assert "broker unreachable at start" in output and "startup failed" not in output
    finally:
        if process.poll() is None:
            process.kill()
