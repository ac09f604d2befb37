"""The one table of the gateway's typed errors and their statuses, and the answers built from them."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio_common.images import ImageRejected, ImageTooLarge, check_image
from studio_gateway.domain.batch_files import BatchFileError
from studio_gateway.domain.create_request import RequestError
from studio_gateway.entrypoints import errors
from studio_gateway.service_layer.batch_submission import BatchTooLarge
from studio_gateway.service_layer.personas import PersonaLimit
from studio_gateway.service_layer.submissions import IdempotencyConflict


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RequestError("prompt", "prompt is required"), 422),
        (ImageRejected("mask is empty", "mask"), 422),
        (ImageTooLarge("image is 9 bytes; the limit is 8", "image"), 413),
        (BatchFileError("file: the CSV has no header row"), 422),
        (BatchTooLarge("a batch holds at most 3 rows"), 413),
        (IdempotencyConflict("Idempotency-Key 'k' was used for a different request"), 409),
        (PersonaLimit("at most 20 personas per user"), 409),
    ],
)
def test_each_typed_error_has_one_status(error, status):
    assert errors.status_for(error) == status


def test_an_oversized_image_is_typed_by_the_check_not_by_its_message():
    with pytest.raises(ImageTooLarge) as raised:
        check_image(b"x" * 10, "image", max_bytes=5)
    assert errors.status_for(raised.value) == 413
    with pytest.raises(ImageRejected) as raised:
        check_image(b"not an image at all", "image")
    assert errors.status_for(raised.value) == 422


def _app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.get("/fail")
    async def fail():
        raise error

    return TestClient(app)


def test_an_error_with_a_field_names_it_and_one_with_a_code_carries_it():
    answer = _app_raising(BatchTooLarge("a batch holds at most 3 rows")).get("/fail")
    assert answer.status_code == 413
    assert answer.json() == {
        "message": "a batch holds at most 3 rows",
        "detail": [{"field": "rows", "message": "a batch holds at most 3 rows"}],
        "code": "batch_too_large",
    }
    answer = _app_raising(BatchFileError("file: the file is not UTF-8 text")).get("/fail")
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "file"


def test_an_error_without_a_field_is_answered_with_its_message():
    conflict = IdempotencyConflict("Idempotency-Key 'k' was used for a different request")
    answer = _app_raising(conflict).get("/fail")
    assert answer.status_code == 409
    assert answer.json() == {"message": str(conflict), "detail": str(conflict)}


def test_an_error_outside_the_table_is_not_taken_for_bad_input():
    with pytest.raises(ZeroDivisionError):
        _app_raising(ZeroDivisionError("a bug")).get("/fail")
