"""Run an ASGI app (a fake provider) on a real local port in a background thread, for adapter tests that
must go over real HTTP."""

import asyncio
import socket
import threading
import time
from collections.abc import Callable

import uvicorn


def serve_in_thread(
    app, *, host: str = "127.0.0.1", startup_timeout: float = 10.0
) -> tuple[str, Callable[[], None]]:
    """Start `app` with uvicorn on a free port; return its base URL and a function that stops it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"fake-server-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the fake server on port {port} did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    return f"http://{host}:{port}", stop


def requested_scenarios(request) -> dict[str, str | None]:
    """Failure scenarios a fake should play for this request: the `X-Fake-Scenario` header (per request)
    or `app.state.default_scenario` (for clients, such as a whole worker, that cannot add test headers);
    a comma-separated list of `name` or `name:argument`."""
    raw = request.headers.get("x-fake-scenario") or getattr(request.app.state, "default_scenario", "") or ""
    result: dict[str, str | None] = {}
    for token in filter(None, (part.strip() for part in raw.split(","))):
        name, _, arg = token.partition(":")
        result[name] = arg or None
    return result


class RecordedSleep:
    """A stand-in for asyncio.sleep in a RetryPolicy: records each requested delay and yields at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)
