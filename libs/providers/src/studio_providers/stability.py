"""Stability AI REST v2beta adapter: generate, edit, upscale, control and Stable Fast 3D.

Every call is a multipart POST (image files as file parts, every other field as a text part). Relight and
creative upscale are asynchronous: the POST answers `{id}` and the result is polled from
`/v2beta/results/{id}`. Stability does not bill failed generations, so a 429/5xx answer is retried.
"""

import base64
import re

import httpx

from studio_providers.base import ProviderError, ProviderOutput, ProviderRequest
from studio_providers.http import RemoteProvider, json_object, send_with_retries, status_error
from studio_providers.imaging import probe_size
from studio_providers.stability_models import build_parts, operation_key

_RESULT_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


class StabilityProvider(RemoteProvider):
    name = "stability"
    default_base_url = "https://api.stability.ai"
    poll_interval = 10.0
    poll_timeout = 300.0

    # -- capability -----------------------------------------------------------------------------------

    def supports(self, kind: str, model: str) -> bool:
        return operation_key(kind, model) is not None

    # -- request building -----------------------------------------------------------------------------

    def _headers(self, accept: str) -> dict[str, str]:
        return {
            "authorization": f"Bearer {self._api_key}",
            "accept": accept,
            "stability-client-id": "image-studio",
        }

    # -- running --------------------------------------------------------------------------------------

    async def run(self, request: ProviderRequest) -> ProviderOutput:
        operation, parts = build_parts(request)
        response = await send_with_retries(
            self._client,
            "POST",
            self._base_url + operation.path,
            policy=self._policy,
            idempotent=False,
            statuses_safe=True,
            provider=self.name,
            files=parts,
            headers=self._headers(operation.accept),
        )
        try:
            if response.status_code != 200:
                raise self._error(response)
            if not operation.asynchronous:
                return self._output(response)
            generation_id = json_object(response).get("id")
        finally:
            await response.aclose()
        if not isinstance(generation_id, str) or not _RESULT_ID.fullmatch(generation_id):
            raise ProviderError(
                "provider_error", "stability: async submit answered without a valid id", retryable=True
            )
        return await self._poll_result(generation_id)

    async def _poll_result(self, generation_id: str) -> ProviderOutput:
        async def answer(response: httpx.Response) -> ProviderOutput | None:
            if response.status_code == 202:
                return None
            if response.status_code == 200:
                return self._output(response)
            if response.status_code == 404:
                raise ProviderError(
                    "not_found",
                    f"stability: result {generation_id} is unknown or expired"
                    f"{self._detail(response, prefix=': ')}",
                    retryable=True,
                    status=404,
                )
            raise self._error(response)

        return await self._poll(
            f"{self._base_url}/v2beta/results/{generation_id}",
            self._headers("*/*"),
            f"result {generation_id} not ready",
            answer,
        )

    # -- responses ------------------------------------------------------------------------------------

    def _output(self, response: httpx.Response) -> ProviderOutput:
        content_type = response.headers.get("content-type", "application/octet-stream")
        if content_type.startswith("application/json"):
            body = json_object(response)
            finish_reason = body.get("finish_reason")
            seed = body.get("seed")
            try:
                data = base64.b64decode(body.get("image") or "", validate=True)
            except ValueError:
                raise ProviderError(
                    "provider_error", "stability: JSON answer without a valid image", retryable=True
                ) from None
            match = re.search(r"type=([\w.+-]+/[\w.+-]+)", content_type)
            content_type = match.group(1) if match else "image/png"
        else:
            data = response.content
            finish_reason = response.headers.get("finish-reason")
            seed = response.headers.get("seed")
            content_type = content_type.split(";", 1)[0].strip()
        if finish_reason == "CONTENT_FILTERED":
            raise ProviderError(
                "content_filtered",
                "stability: the output was blocked by the content filter",
                retryable=False,
                charged=True,
                status=response.status_code,
            )
        if not data:
            raise ProviderError("provider_error", "stability: empty answer", retryable=True)
        width = height = None
        if content_type.startswith("image/"):
            size = probe_size(data)
            if size is None:
                raise ProviderError(
                    "provider_error", "stability: the answer is not a readable image", retryable=True
                )
            width, height = size
        try:
            seed_value = int(seed) if seed is not None else None
        except (TypeError, ValueError):
            seed_value = None
        return ProviderOutput(data, content_type, width, height, seed_value)

    def _detail(self, response: httpx.Response, prefix: str = "") -> str:
        body = json_object(response)
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            text = "; ".join(str(e) for e in errors)
        elif isinstance(body.get("message"), str):
            text = body["message"]
        else:
            text = ""
        text = text.replace(self._api_key, "***")[:1000]
        return prefix + text if text else ""

    def _error(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        detail = self._detail(response)
        name = json_object(response).get("name")
        if status == 403 and name == "content_moderation":
            return ProviderError(
                "content_moderation",
                f"stability refused the input: {detail or 'content moderation'}",
                retryable=False,
                charged=False,
                status=status,
            )
        return status_error(self.name, status, detail or None)
