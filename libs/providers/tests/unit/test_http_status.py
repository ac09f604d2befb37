"""One table says what a provider's HTTP status means, for every remote adapter."""

import httpx
import pytest

from studio_providers.http import StatusMeaning, exhausted_error, status_error


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [
        (400, "invalid_request", False),
        (422, "invalid_request", False),
        (401, "auth", True),
        (403, "auth", True),
        (402, "provider_credits", True),
        (413, "too_large", False),
        (429, "rate_limited", True),
        (503, "provider_error", True),
        (418, "provider_error", False),
    ],
)
def test_each_status_has_one_meaning(status, code, retryable):
    error = status_error("acme", status, "the detail")
    assert (error.code, error.retryable, error.status) == (code, retryable, status)
    assert error.message.startswith("acme") and "(the detail)" in error.message


def test_an_adapter_overrides_only_what_its_api_documents_differently():
    gone = StatusMeaning("invalid_request", True, "{provider} does not know the model")
    assert status_error("acme", 404, None, {404: gone}).message == "acme does not know the model (HTTP 404)"
    assert status_error("acme", 400, None, {404: gone}).code == "invalid_request"


def test_after_retries_only_rate_limits_and_server_errors_stay_retryable():
    def answer(status: int) -> httpx.Response:
        return httpx.Response(status)

    assert exhausted_error(answer(429), "acme").code == "rate_limited"
    assert exhausted_error(answer(502), "acme").retryable
    assert not exhausted_error(answer(401), "acme").retryable
