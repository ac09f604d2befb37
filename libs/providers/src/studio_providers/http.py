"""The HTTP plumbing every remote adapter shares: time-outs, retries with back-off, and the error for a
response that is still failing once the retries are spent.

Retrying is only safe when repeating the request cannot do (and bill) the work twice. A request that never
reached the server (a connect error) is always safe to repeat. Once it may have arrived, only an idempotent
request is repeated; a 429 is the exception, since the server says it refused the request unprocessed.
Adapters whose provider documents that a failed call does nothing and costs nothing can say so with
`statuses_safe=True` to have 5xx answers retried as well.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import httpx

from studio_providers.base import ProviderError

RETRY_STATUSES: tuple[int, ...] = (429, 500, 502, 503, 504)
# A request that never reached the server: repeating it cannot repeat any work.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The request may have reached the server: only an idempotent request is repeated.
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    # How to wait between attempts; tests pass a recorder to check the delays without timing them.
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def backoff(self, retry: int) -> float:
        """Exponential back-off with jitter for the n-th retry (0-based), never above max_delay."""
        ceiling = min(self.max_delay, self.base_delay * (2**retry))
        return random.uniform(ceiling / 2, ceiling)


def make_timeout(
    connect: float = 5.0, read: float = 60.0, write: float | None = None, pool: float | None = None
) -> httpx.Timeout:
    return httpx.Timeout(
        connect=connect,
        read=read,
        write=write if write is not None else read,
        pool=pool if pool is not None else connect,
    )


DEFAULT_TIMEOUT = make_timeout()


def retry_after_seconds(response: httpx.Response) -> float | None:
    """A numeric `Retry-After` header in seconds; dates and garbage are ignored."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay


def _delay(
    policy: RetryPolicy,
    retry: int,
    response: httpx.Response | None,
    hint: Callable[[httpx.Response], float | None] = retry_after_seconds,
) -> float:
    if response is not None:
        hinted = hint(response)
        if hinted is not None:
            return min(hinted, policy.max_delay)
    return policy.backoff(retry)


async def send_with_retries(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    retry_on: Collection[int] = RETRY_STATUSES,
    policy: RetryPolicy = RetryPolicy(),
    idempotent: bool,
    statuses_safe: bool = False,
    provider: str = "provider",
    delay_hint: Callable[[httpx.Response], float | None] = retry_after_seconds,
    **kwargs,
) -> httpx.Response:
    """Send one request, repeating it on `retry_on` statuses and on transport failures where that is safe.

    Before a repeat it waits for the delay the failed response asks for (`delay_hint`, by default its
    `Retry-After` header; capped at the policy's max_delay), or else for the policy's back-off.

    Returns the last response, which may still carry a retryable status once the attempts are spent (turn it
    into an error with `exhausted_error`). Raises ProviderError when no response arrived at all.
    """
    attempts = max(1, policy.attempts)
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            response = await client.request(method, url, **kwargs)
        except _NOT_SENT as exc:
            if last:
                raise ProviderError(
                    "unreachable", f"{provider}: could not connect ({type(exc).__name__})", retryable=True
                ) from None
            await policy.sleep(policy.backoff(attempt))
            continue
        except _MAYBE_SENT as exc:
            if last or not idempotent:
                code = "timeout" if isinstance(exc, httpx.TimeoutException) else "provider_error"
                # A request that may have been processed could have been billed.
                raise ProviderError(
                    code,
                    f"{provider}: no complete answer ({type(exc).__name__})",
                    retryable=True,
                    charged=not idempotent,
                ) from None
            await policy.sleep(policy.backoff(attempt))
            continue
        if response.status_code not in retry_on or last:
            return response
        if not (idempotent or statuses_safe or response.status_code == 429):
            return response
        delay = _delay(policy, attempt, response, delay_hint)
        await response.aclose()
        await policy.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises


@dataclass(frozen=True, slots=True)
class StatusMeaning:
    """What a provider's HTTP status means for the operation: the error code, whether another provider
    (or a later try) may still succeed, and the words for it ("{provider}" is filled in)."""

    code: str
    retryable: bool
    says: str

    def error(self, provider: str, status: int, detail: str | None = None) -> ProviderError:
        message = f"{self.says.replace('{provider}', provider)} ({detail or f'HTTP {status}'})"
        return ProviderError(self.code, message, retryable=self.retryable, status=status)


_REJECTED = StatusMeaning("invalid_request", False, "{provider} rejected the request")
# Credentials and balance are ours, not the request's: another provider may still serve it.
_CREDENTIALS = StatusMeaning("auth", True, "{provider} refused our credentials")
RATE_LIMITED = StatusMeaning("rate_limited", True, "{provider}: rate limited")
SERVER_ERROR = StatusMeaning("provider_error", True, "{provider}: server error")
UNEXPECTED = StatusMeaning("provider_error", False, "{provider}: unexpected answer")

# The one table of what an HTTP status from any provider means; an adapter passes overrides only for what
# its API documents differently. Statuses not here: 5xx is a server error, anything else unexpected.
STATUS_MEANINGS: Mapping[int, StatusMeaning] = MappingProxyType(
    {
        400: _REJECTED,
        422: _REJECTED,
        401: _CREDENTIALS,
        403: _CREDENTIALS,
        402: StatusMeaning("provider_credits", True, "{provider} account is out of credits"),
        413: StatusMeaning("too_large", False, "{provider}: request too large"),
        429: RATE_LIMITED,
    }
)


def status_error(
    provider: str,
    status: int,
    detail: str | None = None,
    overrides: Mapping[int, StatusMeaning] | None = None,
) -> ProviderError:
    """The error for a failed answer, by the status table (and the adapter's overrides)."""
    meaning = (overrides or {}).get(status) or STATUS_MEANINGS.get(status)
    if meaning is None:
        meaning = SERVER_ERROR if status >= 500 else UNEXPECTED
    return meaning.error(provider, status, detail)


def exhausted_error(response: httpx.Response, provider: str, message: str | None = None) -> ProviderError:
    """The error for a response that still fails after retrying: 429 and 5xx may succeed elsewhere or
    later, so they are retryable; anything else is not."""
    status = response.status_code
    meaning = RATE_LIMITED if status == 429 else SERVER_ERROR if status >= 500 else UNEXPECTED
    return meaning.error(provider, status, message)


class RemoteProvider:
    """What every remote adapter shares: its key (never shown), base URL, retry policy, HTTP client, and
    polling an asynchronous job until it is done. Adapters set the class defaults."""

    name = "remote"
    key_label = "API key"
    default_base_url = ""
    default_timeout: httpx.Timeout | float = DEFAULT_TIMEOUT
    poll_interval = 2.0
    poll_timeout = 300.0

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        client: httpx.AsyncClient | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_interval: float | None = None,
        poll_timeout: float | None = None,
    ) -> None:
        if not api_key:
            raise ValueError(f"a {self.name} {self.key_label} is required")
        self._api_key = api_key
        self._base_url = (base_url or self.default_base_url).rstrip("/")
        self._policy = retry_policy or RetryPolicy()
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=timeout if timeout is not None else self.default_timeout
        )
        self._poll_interval = poll_interval if poll_interval is not None else self.poll_interval
        self._poll_timeout = poll_timeout if poll_timeout is not None else self.poll_timeout

    async def _poll(
        self,
        url: str,
        headers: dict,
        pending: str,
        answer: Callable[[httpx.Response], Awaitable],
        timeout: float | None = None,
    ):
        """GET `url` every poll interval until `answer(response)` gives something other than None (it
        raises for failures). `pending` says what is not done yet, for the time-out error."""
        timeout = timeout if timeout is not None else self._poll_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ProviderError(
                    "timeout",
                    f"{self.name}: {pending} after {timeout:g}s; it may still finish and be billed",
                    retryable=True,
                    charged=True,
                )
            await asyncio.sleep(min(self._poll_interval, remaining))
            response = await send_with_retries(
                self._client,
                "GET",
                url,
                policy=self._policy,
                idempotent=True,
                provider=self.name,
                headers=headers,
            )
            result = await answer(response)
            if result is not None:
                return result

    def __repr__(self) -> str:  # never show the key
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    def _clean(self, text: str) -> str:
        """A provider's text, safe to put in an error: the key masked, the length bounded."""
        return text.replace(self._api_key, "***")[:1000]

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


def json_object(response: httpx.Response) -> dict:
    """The response's JSON object, or {} when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
