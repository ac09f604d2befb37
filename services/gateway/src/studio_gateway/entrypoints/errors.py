"""Bad input gets a 4xx that names the problem (I8); nothing here ever answers 500 for a user's mistake."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from studio_common.images import ImageRejected
from studio_gateway.domain.create_request import RequestError
from studio_gateway.service_layer.operations import IdempotencyConflict


def _field(loc) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path"))


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{_field(e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()]
        detail = [{"field": _field(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"message": "; ".join(problems), "detail": detail}, status_code=422)

    @app.exception_handler(RequestError)
    async def unresolvable(_request: Request, exc: RequestError) -> JSONResponse:
        return JSONResponse(
            {"message": str(exc), "detail": [{"field": exc.field, "message": str(exc)}]}, status_code=422
        )

    @app.exception_handler(ImageRejected)
    async def bad_image(_request: Request, exc: ImageRejected) -> JSONResponse:
        status = 413 if "limit is" in str(exc) and "bytes" in str(exc) else 422
        return JSONResponse(
            {"message": str(exc), "detail": [{"field": exc.field, "message": str(exc)}]}, status_code=status
        )

    @app.exception_handler(IdempotencyConflict)
    async def conflict(_request: Request, exc: IdempotencyConflict) -> JSONResponse:
        return JSONResponse({"message": str(exc), "detail": str(exc)}, status_code=409)
