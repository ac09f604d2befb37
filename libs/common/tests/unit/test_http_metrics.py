"""Every service's answers are timed by route template and status, never by raw path."""

import httpx
from fastapi import FastAPI, HTTPException

from studio_common.http_metrics import HTTP_SECONDS, RequestTimer


def _count(method: str, route: str, status: str) -> float:
    for metric in HTTP_SECONDS.collect():
        for sample in metric.samples:
            labels = sample.labels
            if sample.name.endswith("_count") and (labels["method"], labels["route"], labels["status"]) == (
                method,
                route,
                status,
            ):
                return sample.value
    return 0.0


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/timed-things/{thing_id}")
    async def thing(thing_id: str) -> dict:
        if thing_id == "missing":
            raise HTTPException(404, "no such thing")
        return {"id": thing_id}

    app.add_middleware(RequestTimer)
    return app


async def test_requests_are_counted_under_their_route_template_with_their_status():
    before_ok = _count("GET", "/timed-things/{thing_id}", "200")
    before_missing = _count("GET", "/timed-things/{thing_id}", "404")
    before_unmatched = _count("GET", "(no route)", "404")
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/timed-things/a1")).status_code == 200
        assert (await client.get("/timed-things/b2")).status_code == 200
        assert (await client.get("/timed-things/missing")).status_code == 404
        assert (await client.get("/nowhere")).status_code == 404
    assert _count("GET", "/timed-things/{thing_id}", "200") == before_ok + 2
    assert _count("GET", "/timed-things/{thing_id}", "404") == before_missing + 1
    assert _count("GET", "(no route)", "404") == before_unmatched + 1
