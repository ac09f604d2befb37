"""HTTP clients for the internal services; their 4xx answers pass through to the user unchanged.

Each call carries a short-lived service token (studio_common.service_auth): its audience is the called
service, and for a user's own data it names the user the gateway authenticated, which is where the called
service takes the user from."""

import httpx
from fastapi import HTTPException

from studio_common.service_auth import ServiceTokens, is_refusal

PASSED_HEADERS = ("Retry-After",)  # a refusal's headers the user needs too


class InternalService:
    """The transport: typed clients (billing_client, assets_client) build their calls on `call`."""

    SCOPES: tuple[str, ...] = ()  # what a call carries unless it asks for others

    def __init__(
        self,
        base_url: str,
        timeout: float,
        name: str,
        tokens: ServiceTokens,
        scopes: tuple[str, ...] | None = None,
    ) -> None:
        self.name = name
        self.tokens = tokens
        self.scopes = scopes or self.SCOPES
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def call(
        self,
        method: str,
        path: str,
        user_id: str | None = None,
        scopes: tuple[str, ...] | None = None,
        **kwargs,
    ) -> dict | list:
        headers = self.tokens.headers(self.name, scopes or self.scopes, user_id)
        try:
            response = await self.client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise HTTPException(
                503,
                f"the {self.name} service is unavailable: {exc.__class__.__name__}",
                headers={"Retry-After": "5"},
            ) from exc
        if response.status_code == 503:  # briefly unavailable (its database restarting): worth a retry
            raise HTTPException(
                503,
                f"the {self.name} service is briefly unavailable",
                headers={"Retry-After": response.headers.get("Retry-After", "5")},
            )
        if response.status_code >= 500:
            raise HTTPException(502, f"the {self.name} service failed ({response.status_code})")
        if is_refusal(response):  # the gateway's own credentials: not the user's fault
            raise HTTPException(502, f"the {self.name} service refused the gateway ({response.status_code})")
        if response.status_code >= 400:
            detail = (
                response.json().get("detail", response.text) if response.content else response.reason_phrase
            )
            passed = {name: response.headers[name] for name in PASSED_HEADERS if name in response.headers}
            raise HTTPException(response.status_code, detail, headers=passed or None)
        return response.json()

    async def aclose(self) -> None:
        await self.client.aclose()
