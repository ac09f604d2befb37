"""A studio request's body, read once as a FastAPI dependency: multipart (or url-encoded) fields and
files, or a JSON object. The routes of every studio take it the same way."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from studio_gateway.domain.create_request import RequestError
from studio_gateway.service_layer.studio import Submission

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def read_submission(request: Request) -> Submission:
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form(max_files=8, max_fields=64)
        fields: dict[str, str] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):  # a repeated field (formats=a&formats=b) becomes "a,b"
                fields[key] = f"{fields[key]},{value}" if key in fields else value
        files = {k: v for k, v in form.multi_items() if isinstance(v, UploadFile)}
        return Submission(fields, files)
    try:
        body = await request.json()
    except ValueError as exc:
        raise RequestError("body", "body must be multipart/form-data or a JSON object") from exc
    if not isinstance(body, dict):
        raise RequestError("body", "body must be a JSON object")
    return Submission(body, {})


StudioSubmission = Annotated[Submission, Depends(read_submission)]
