"""Bad input gets a 4xx that names the problem (I8); nothing here ever answers 500 for a user's mistake.

The domain and service layers raise typed errors; STATUS_FOR is the one table of their HTTP statuses. An
error with a `field` is answered with that field named in `detail`; one with a `code` carries it too."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from studio_common.images import ImageRejected, ImageTooLarge
from studio_gateway.domain.batch_files import BatchFileError
from studio_gateway.domain.create_request import RequestError
from studio_gateway.service_layer.batch_submission import BatchTooLarge
from studio_gateway.service_layer.personas import PersonaLimit
from studio_gateway.service_layer.submissions import IdempotencyConflict

STATUS_FOR: dict[type[Exception], int] = {
    RequestError: 422,
    ImageRejected: 422,
    ImageTooLarge: 413,
    BatchFileError: 422,
    BatchTooLarge: 413,
    IdempotencyConflict: 409,
    PersonaLimit: 409,
}


def status_for(exc: Exception) -> int:
    """The status of the nearest class in the table: a subclass may answer otherwise than its base."""
    return next(STATUS_FOR[cls] for cls in type(exc).__mro__ if cls in STATUS_FOR)


def answer_for(exc: Exception) -> JSONResponse:
    message = str(exc)
    field = getattr(exc, "field", None)
    body: dict = {"message": message, "detail": message}
    if field is not None:
        body["detail"] = [{"field": field, "message": message}]
    if code := getattr(exc, "code", None):
        body["code"] = code
    return JSONResponse(body, status_code=status_for(exc))


def _field(loc) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path"))


async def _typed(_request: Request, exc: Exception) -> JSONResponse:
    return answer_for(exc)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{_field(e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()]
        detail = [{"field": _field(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"message": "; ".join(problems), "detail": detail}, status_code=422)

    for error in STATUS_FOR:
        app.add_exception_handler(error, _typed)
