"""Billing's reservation as the user's history grows: CPU per approved request when the user already has
N resolved holds in the period (SQLite file, no broker: the handler as a plain call).

    uv run python scripts/bench_billing.py [--holds 100,10000,40000] [--requests 300]
"""

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta

from studio_billing.adapters import repository as repo
from studio_billing.adapters.tables import holds
from studio_billing.domain.pricing import PriceTable
from studio_billing.entrypoints.app import MIGRATIONS
from studio_billing.service_layer import accounts
from studio_billing.service_layer.handlers import Billing
from studio_common import db
from studio_common.events import OperationRequested
from studio_common.ids import as_utc, new_id, utcnow
from studio_common.migrations import upgrade

BILLING = Billing(PriceTable(), hold_timeout=timedelta(minutes=15))
USER = "heavy-user"


def request() -> OperationRequested:
    return OperationRequested(
        operation_id=new_id(), user_id=USER, kind="create", provider="local", model="local-render", units=1
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


async def measure(prior: int, requests: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        engine = db.make_engine(f"sqlite+aiosqlite:///{scratch}/billing.db")
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
        started = time.process_time()
        for _ in range(requests):
            async with sessions() as session, session.begin():
                [approved] = await BILLING.on_requested(session, request())
                assert approved.type == "operation.approved", approved
        used = time.process_time() - started
        await engine.dispose()
        return 1000 * used / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--holds", default="100,10000,40000")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    for prior in (int(n) for n in args.holds.split(",")):
        cpu = asyncio.run(measure(prior, args.requests))
        print(f"{prior:>7} holds in the period: {cpu:6.2f} ms CPU per reservation")


if __name__ == "__main__":
    main()
