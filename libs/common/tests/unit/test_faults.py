"""Which failures are waited out (delay queue, 503) and which are poison (dead letter, 500)."""

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from studio_common.bus.faults import TransientError, is_transient
from studio_common.runtime import ServiceRuntime
from studio_common.settings import CommonSettings


class DriverError(Exception):
    """Shaped like asyncpg's errors: a SQLSTATE on the exception."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def wrapped(sqlstate: str) -> DBAPIError:
    """How SQLAlchemy hands a driver error over: DBAPIError with the driver's error in `orig`."""
    return DBAPIError("SELECT 1", {}, DriverError(sqlstate))


def test_a_database_shutting_down_or_unreachable_is_transient():
    assert is_transient(wrapped("57P01"))  # the database system is shutting down
    assert is_transient(wrapped("57P03"))  # the database system is starting up
    assert is_transient(wrapped("08006"))  # connection failure
    assert is_transient(wrapped("40001"))  # serialization failure: try again
    assert is_transient(OperationalError("SELECT 1", {}, Exception("database is locked")))


def test_a_wrapped_cause_counts():
    try:
        try:
            raise ConnectionResetError("peer went away")
        except ConnectionResetError as exc:
            raise RuntimeError("while publishing") from exc
    except RuntimeError as outer:
        assert is_transient(outer)


def test_dependencies_away_are_transient():
    assert is_transient(TransientError("billing unreachable"))
    assert is_transient(httpx.ConnectError("refused"))
    assert is_transient(TimeoutError())


def test_bugs_and_bad_data_are_poison():
    assert not is_transient(ValueError("a bug"))
    assert not is_transient(IntegrityError("INSERT", {}, DriverError("23505")))
    assert not is_transient(wrapped("22001"))  # value too long: the same every time


def test_a_database_outage_is_a_503_to_retry_and_a_database_bug_a_500():
    app = ServiceRuntime(CommonSettings(service_name="probe")).app("probe")

    @app.get("/outage")
    async def outage():
        raise wrapped("57P01")

    @app.get("/refused")
    async def refused():
        raise ConnectionRefusedError(111, "Connection refused")  # how SQLAlchemy lets a refused connect out

    @app.get("/bug")
    async def bug():
        raise wrapped("22001")

    client = TestClient(app)  # no `with`: the lifespan (broker) is not needed
    answer = client.get("/outage")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert client.get("/refused").status_code == 503
    assert client.get("/bug").status_code == 500
