"""HTTP clients for the internal services; their 4xx answers pass through to the user unchanged."""

import httpx
from fastapi import HTTPException


class InternalService:
    def __init__(self, base_url: str, timeout: float, name: str) -> None:
        self.name = name
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def call(self, method: str, path: str, **kwargs) -> dict | list:
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise HTTPException(503, f"the {self.name} service is unavailable: {exc.__class__.__name__}",
                                headers={"Retry-After": "5"}) from exc
        if response.status_code >= 500:
            raise HTTPException(502, f"the {self.name} service failed ({response.status_code})")
        if response.status_code >= 400:
            detail = response.json().get("detail", response.text) if response.content else response.reason_phrase
            raise HTTPException(response.status_code, detail)
        return response.json()

    async def ping(self) -> None:
        response = await self.client.get("/healthz")
        response.raise_for_status()

    async def aclose(self) -> None:
        await self.client.aclose()
