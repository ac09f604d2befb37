"""The wire to an internal service, for the gateway's typed clients: requests are recorded and answered
by a function of the request, as the called service would answer them."""

import json
from collections.abc import Callable

import httpx
import pytest

from studio_common.service_auth import ServiceTokens
from studio_common.settings import CommonSettings

Answer = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, answer: Answer | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer or (lambda _request: httpx.Response(200, json={"ok": True}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def body(self, index: int = -1) -> dict:
        return json.loads(self.requests[index].content)


@pytest.fixture
def wire():
    """`wire(ClientClass, service_name, answer)`: a client whose calls reach `answer`, and its recorder."""
    tokens = ServiceTokens(CommonSettings(service_name="gateway"))

    def connect(kind, name: str, answer: Answer | None = None):
        recorder = Recorder(answer)
        client = kind("http://called", 1.0, name, tokens)
        client.client = httpx.AsyncClient(base_url="http://called", transport=httpx.MockTransport(recorder))
        return client, recorder

    return connect
