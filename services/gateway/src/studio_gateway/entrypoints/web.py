"""The web studio and the API docs on the gateway's origin: the built bundle at `/` (every client route
falls back to index.html), Swagger UI from a Python package instead of a CDN, and a strict
Content-Security-Policy on every response."""

from pathlib import Path
from urllib.parse import urlsplit

import swagger_ui
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route

SWAGGER_UI_FILES = Path(swagger_ui.__file__).parent / "static"  # Swagger UI 5: OpenAPI 3.1
CHECKOUT_DIST = Path(__file__).resolve().parents[5] / "web" / "dist"
API_PREFIXES = ("api/", "assets/", "docs", "openapi.json", "healthz", "readyz", "metrics")
# The studio's own routes (web/src/app): only these fall back to index.html; any other path is a 404.
CLIENT_ROUTES = frozenset(
    {
        "",
        "create",
        "edit",
        "upscale",
        "control",
        "social",
        "transform",
        "library",
        "batch",
        "account",
        "shared",
        "signin",
    }
)
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}
NO_CACHE = {"Cache-Control": "no-cache"}

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Image Studio API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>
"""
# A file, not an inline script, so the page runs under the same script-src 'self' as the studio.
DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"
});
"""


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(settings) -> str:
    """'self' for everything the studio loads; signed file URLs may live on the public base URL or the S3
    endpoint, and OIDC sign-in talks to the issuer."""
    files = sorted({o for o in (_origin(settings.public_base_url), _origin(settings.s3_endpoint_url)) if o})
    issuer = [o for o in [_origin(settings.oidc_issuer)] if o]
    media = " ".join(["'self'", "blob:", "data:", *files])
    connect = " ".join(["'self'", *files, *issuer])
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {media}",
            f"media-src {media}",
            "font-src 'self'",
            "manifest-src 'self'",
            f"connect-src {connect}",
            "worker-src 'self' blob:",
            f"form-action 'self' {' '.join(issuer)}".strip(),
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


class SecurityHeaders:
    """Pure ASGI (streaming responses such as SSE pass through untouched)."""

    def __init__(self, app, policy: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_docs(app: FastAPI) -> None:
    """Swagger UI from the swagger-ui-py package (its static files); FastAPI's own pages load it from a
    CDN."""
    cdn_pages = ("/docs", "/docs/oauth2-redirect", "/redoc")
    routes = app.router.routes
    routes[:] = [r for r in routes if not (isinstance(r, Route) and r.path in cdn_pages)]
    app.mount("/docs/assets", StaticFiles(directory=SWAGGER_UI_FILES), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    @app.get("/docs/init.js", include_in_schema=False)
    async def docs_init() -> Response:
        return Response(DOCS_INIT, media_type="text/javascript")


def install_studio(app: FastAPI, dist: Path) -> bool:
    """Serve the built studio at `/`; without a build the API works alone (and `/` answers 404).
    Client routes are whatever no API route matched: a GET that would be a 404 outside the API's
    prefixes answers index.html, so unknown API paths and methods keep their usual 404 and 405."""
    index = dist / "index.html"
    if not index.is_file():

        @app.get("/", include_in_schema=False)
        async def not_built() -> JSONResponse:
            return JSONResponse(
                {
                    "detail": f"the web studio is not built ({dist} has no index.html): run "
                    "`npm ci && npm run build` in web/; the API is under /api"
                },
                404,
            )

        return False
    if (dist / "assets").is_dir():
        # Compressed here and only here: images and API answers are left alone.
        assets = GZipMiddleware(StaticFiles(directory=dist / "assets"), minimum_size=1024)
        app.mount("/assets", assets, name="studio-assets")
    root = dist.resolve()

    @app.exception_handler(StarletteHTTPException)
    async def studio_or_error(request: Request, exc: StarletteHTTPException):
        path = request.url.path.lstrip("/")
        if exc.status_code != 404 or request.method not in ("GET", "HEAD") or path.startswith(API_PREFIXES):
            return await http_exception_handler(request, exc)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate, headers=NO_CACHE)
        if path.split("/", 1)[0] not in CLIENT_ROUTES:
            return await http_exception_handler(request, exc)
        return FileResponse(index, headers=NO_CACHE)

    return True


class ImmutableAssets:
    """Hashed bundle files never change under one name: let browsers keep them."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/assets/"):
            return await self.app(scope, receive, send)

        async def send_cached(message):
            if message["type"] == "http.response.start" and message["status"] == 200:
                cache = [(k.lower().encode(), v.encode()) for k, v in IMMUTABLE.items()]
                message = {**message, "headers": [*message.get("headers", []), *cache]}
            await send(message)

        await self.app(scope, receive, send_cached)


def install(app: FastAPI, settings) -> None:
    install_docs(app)
    install_studio(app, Path(settings.web_dist_dir) if settings.web_dist_dir else CHECKOUT_DIST)
    app.add_middleware(ImmutableAssets)
    app.add_middleware(SecurityHeaders, policy=content_security_policy(settings))
