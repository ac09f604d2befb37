"""Billing's hot path as the user's history grows: CPU and statements (round trips) per reservation and
per settlement when the user already has N resolved holds in the period, on SQLite and PostgreSQL (the
handlers as plain calls, each in its own transaction; no broker, no inbox or outbox rows).

    uv run python scripts/bench_billing.py [--holds 100,10000,40000] [--requests 300]
                                           [--databases sqlite,postgres]
"""

import argparse
import asyncio
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from studio_billing.adapters import repository as repo
from studio_billing.adapters.tables import holds
from studio_billing.domain.pricing import PriceTable
from studio_billing.entrypoints.app import MIGRATIONS
from studio_billing.service_layer import accounts
from studio_billing.service_layer.handlers import Billing
from studio_common import db
from studio_common.events import OperationCompleted, OperationRequested
from studio_common.ids import as_utc, new_id, utcnow
from studio_common.migrations import upgrade
from studio_common.testing.stacks import postgres_databases

BILLING = Billing(PriceTable(), hold_timeout=timedelta(minutes=15))
USER = "heavy-user"


def request() -> OperationRequested:
    return OperationRequested(
        operation_id=new_id(), user_id=USER, kind="create", provider="local", model="local-render", units=1
    )


def completed(asked: OperationRequested) -> OperationCompleted:
    return OperationCompleted(
        operation_id=asked.operation_id,
        user_id=USER,
        kind=asked.kind,
        provider=asked.provider,
        model=asked.model,
        units_delivered=1,
        outputs=[],
    )


def history(count: int, period_start) -> list[dict]:
    """`count` holds of one image each, posted."""
    now = utcnow()
    posted = {
        "user_id": USER,
        "domain": "generation",
        "kind": "create",
        "provider": "local",
        "model": "local-render",
        "quota_category": "images",
        "unit": "image",
        "units": 1,
        "unit_credits": 1,
        "credits": 1,
        "status": "posted",
        "started": True,
        "units_delivered": 1,
        "charged": 1,
        "period_start": period_start,
        "created_at": now,
        "expires_at": now,
        "requeues": 0,
    }
    return [{**posted, "id": f"hold-{n}", "operation_id": f"op-{n}"} for n in range(count)]


class StatementCounter:
    """Counts the statements the engine sends (each one a round trip to the database)."""

    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


async def prepare(url: str, prior: int, requests: int):
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    # The history goes in before the running usage exists, and the migration that adds it counts it.
    await upgrade(engine, MIGRATIONS, "0003")
    async with sessions() as session, session.begin():
        await accounts.set_plan(session, USER, "enterprise")
        await accounts.grant(session, USER, 10 * (prior + requests), "bench", "g-1")
        account = await repo.lock_account(session, USER, utcnow())
        placed = history(prior, as_utc(account["period_start"]))
        for start in range(0, prior, 5000):
            await session.execute(holds.insert(), placed[start : start + 5000])
    await upgrade(engine, MIGRATIONS)
    return engine, sessions


async def measure(url: str, prior: int, requests: int) -> dict[str, float]:
    """CPU and statements per reservation and per settlement, each in its own transaction."""
    engine, sessions = await prepare(url, prior, requests)
    counter = StatementCounter(engine)
    spent = {"reserve": 0.0, "settle": 0.0}
    waited = {"reserve": 0.0, "settle": 0.0}
    sent = {"reserve": 0, "settle": 0}
    for _ in range(requests):
        asked = request()
        for step, handle in (("reserve", BILLING.on_requested), ("settle", BILLING.on_completed)):
            event_of_step = asked if step == "reserve" else completed(asked)
            before, started, clock = counter.count, time.process_time(), time.perf_counter()
            async with sessions() as session, session.begin():
                [answer] = await handle(session, event_of_step)
            spent[step] += time.process_time() - started
            waited[step] += time.perf_counter() - clock
            sent[step] += counter.count - before
            assert answer.type in ("operation.approved", "operation.settled"), answer
    await engine.dispose()
    figures = {f"{step} ms": 1000 * spent[step] / requests for step in spent}
    figures |= {f"{step} wall": 1000 * waited[step] / requests for step in waited}
    return figures | {f"{step} statements": sent[step] / requests for step in sent}


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "postgres":
        with postgres_databases("benchbilling", ("billing",)) as urls:
            yield urls["billing"]
        return
    with tempfile.TemporaryDirectory() as scratch:
        yield f"sqlite+aiosqlite:///{scratch}/billing.db"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--holds", default="100,10000,40000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    print("per call, ms   reserve: CPU  elapsed  statements   settle: CPU  elapsed  statements")
    for kind in args.databases.split(","):
        for prior in (int(n) for n in args.holds.split(",")):
            with database(kind) as url:
                f = asyncio.run(measure(url, prior, args.requests))
            print(
                f"{kind:<9}{prior:>6} holds {f['reserve ms']:5.2f} {f['reserve wall']:8.2f} "
                f"{f['reserve statements']:11.1f} {f['settle ms']:13.2f} {f['settle wall']:8.2f} "
                f"{f['settle statements']:11.1f}"
            )


if __name__ == "__main__":
    main()
