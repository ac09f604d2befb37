"""Hugging Face Inference adapter: text-to-image on HF's own serverless inference through the router.

One JSON POST to `/hf-inference/models/{repo_id}` answers the raw image bytes. The model generates at its
own size (sides a multiple of the model's step, capped at its largest side); the worker fits the output to
the exact requested size afterwards. A model that is still being loaded answers 503 with an estimated wait;
the current Hugging Face client no longer waits for it, so this adapter does, a bounded number of times.
"""

import io
import math

import httpx
from PIL import Image

from studio_common.catalog import ModelOffer, find_offer
from studio_providers.base import ProviderError, ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.http import (
    RETRY_STATUSES,
    RemoteProvider,
    RetryPolicy,
    StatusMeaning,
    exhausted_error,
    json_object,
    retry_after_seconds,
    send_with_retries,
    status_error,
)

# ProviderRequest.params keys passed through in "parameters" when set.
PASSED_PARAMS = ("num_inference_steps", "guidance_scale", "scheduler")
# A 503 is handled here (a loading model announces its wait); every other retryable status in http.py.
_RETRY_ON = tuple(status for status in RETRY_STATUSES if status != 503)
_LOADING_DEFAULT_WAIT = 1.0  # seconds, when a loading answer gives no usable estimated_time


def fit_size(
    width: int | None, height: int | None, multiple: int, max_side: int
) -> tuple[int | None, int | None]:
    """Sides the model can generate: scaled down (keeping the aspect ratio) so neither exceeds max_side,
    then each rounded to the nearest multiple (halves up), at least one multiple and never above max_side."""
    multiple = max(1, multiple)
    largest = max(multiple, max_side // multiple * multiple)
    sides = [side for side in (width, height) if side]
    scale = min(1.0, max_side / max(sides)) if sides else 1.0

    def fit(side: int | None) -> int | None:
        if not side:
            return None
        return min(largest, max(multiple, math.floor(side * scale / multiple + 0.5) * multiple))

    return fit(width), fit(height)


def _is_set(value) -> bool:
    return value is not None and not (isinstance(value, str) and value == "")


def _image_info(data: bytes) -> tuple[str, int, int] | None:
    """Content type and size of a readable image; None for anything else."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = (image.format or "").lower()
            width, height = image.size
    except Exception:
        return None
    if not image_format:
        return None
    return f"image/{'jpeg' if image_format == 'jpg' else image_format}", width, height


class HuggingFaceProvider(RemoteProvider):
    name = "huggingface"
    key_label = "access token"
    default_base_url = "https://router.huggingface.co"

    def __init__(
        self,
        api_token: str,
        base_url: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        client: httpx.AsyncClient | None = None,
        retry_policy: RetryPolicy | None = None,
        loading_retries: int = 5,
        max_loading_wait: float = 30.0,
    ) -> None:
        super().__init__(api_token, base_url, timeout, client, retry_policy)
        self._loading_retries = max(0, loading_retries)
        self._max_loading_wait = max(0.0, max_loading_wait)

    # -- capability -----------------------------------------------------------------------------------

    def _offer(self, kind: str, model: str) -> ModelOffer | None:
        offer = find_offer(self.name, model)
        return offer if offer is not None and kind in offer.kinds else None

    def supports(self, kind: str, model: str) -> bool:
        return self._offer(kind, model) is not None

    # -- request building -----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self._api_key}", "accept": "image/png"}

    def build_payload(self, request: ProviderRequest) -> tuple[str, dict]:
        """The endpoint path and the JSON body `{inputs, parameters}`; only values that are set go in."""
        offer = self._offer(request.kind, request.model)
        if offer is None:
            raise UnsupportedOperation(f"huggingface has no model {request.model!r} for {request.kind}")
        parameters: dict = {}
        if request.negative_prompt:
            parameters["negative_prompt"] = request.negative_prompt
        width, height = fit_size(request.width, request.height, offer.size_multiple, offer.max_side)
        if width:
            parameters["width"] = width
        if height:
            parameters["height"] = height
        for name in PASSED_PARAMS:
            value = request.params.get(name)
            if _is_set(value):
                parameters[name] = value
        parameters["seed"] = request.seed
        return f"/hf-inference/models/{request.model}", {"inputs": request.prompt, "parameters": parameters}

    # -- running --------------------------------------------------------------------------------------

    async def run(self, request: ProviderRequest) -> ProviderOutput:
        path, payload = self.build_payload(request)
        url = self._base_url + path
        loading_waits = unavailable_waits = 0
        while True:
            # Text-to-image has no side effect, and a 5xx answer carries no image, so statuses are retried.
            response = await send_with_retries(
                self._client,
                "POST",
                url,
                retry_on=_RETRY_ON,
                policy=self._policy,
                idempotent=False,
                statuses_safe=True,
                provider=self.name,
                json=payload,
                headers=self._headers(),
            )
            try:
                if response.status_code == 200:
                    return self._output(response, request)
                if response.status_code != 503:
                    raise self._error(response, request.model)
                loading, estimate = self._loading(response)
                if loading and loading_waits < self._loading_retries:
                    delay = min(
                        estimate if estimate is not None else _LOADING_DEFAULT_WAIT, self._max_loading_wait
                    )
                    loading_waits += 1
                elif not loading and unavailable_waits < self._policy.attempts - 1:
                    hinted = retry_after_seconds(response)
                    delay = (
                        min(hinted, self._policy.max_delay)
                        if hinted is not None
                        else self._policy.backoff(unavailable_waits)
                    )
                    unavailable_waits += 1
                else:
                    detail = (
                        f"{request.model} still loading after {loading_waits} waits"
                        if loading
                        else self._detail(response)
                    )
                    raise exhausted_error(response, self.name, detail or None)
            finally:
                await response.aclose()
            await self._policy.sleep(delay)

    # -- responses ------------------------------------------------------------------------------------

    def _output(self, response: httpx.Response, request: ProviderRequest) -> ProviderOutput:
        data = response.content
        info = _image_info(data) if data else None
        if info is None:
            answered = response.headers.get("content-type", "no content type").split(";", 1)[0].strip()
            raise ProviderError(
                "bad_output",
                f"huggingface: the answer is not an image ({answered}, {len(data)} bytes)",
                retryable=True,
                charged=True,
                status=200,
            )
        content_type, width, height = info
        return ProviderOutput(data, content_type, width, height, request.seed)

    @classmethod
    def _loading(cls, response: httpx.Response) -> tuple[bool, float | None]:
        """Whether a 503 says the model is loading, and its estimated wait in seconds if given."""
        body = json_object(response)
        error = body.get("error")
        if not (isinstance(error, str) and "loading" in error.lower()):
            return False, None
        estimate = body.get("estimated_time")
        if (
            isinstance(estimate, bool)
            or not isinstance(estimate, (int, float))
            or not math.isfinite(estimate)
            or estimate < 0
        ):
            return True, None
        return True, float(estimate)

    def _detail(self, response: httpx.Response) -> str:
        """The error text: the `error` field of a JSON body (a string or a list), else the raw body."""
        error = json_object(response).get("error")
        if isinstance(error, str):
            text = error
        elif isinstance(error, list) and error:
            text = "; ".join(str(item) for item in error)
        else:
            try:
                text = response.text.strip()
            except UnicodeDecodeError:
                text = ""
        return text.replace(self._api_key, "***")[:1000]

    def _error(self, response: httpx.Response, model: str) -> ProviderError:
        status = response.status_code
        detail = self._detail(response)
        # A model the router does not serve is this request's problem; no other status differs from the table.
        missing_model = StatusMeaning(
            "invalid_request", False, f"huggingface does not serve the model {model!r}"
        )
        return status_error(self.name, status, detail or None, {404: missing_model})
