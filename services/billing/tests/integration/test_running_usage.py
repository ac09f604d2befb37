"""The running usage per account period (what quotas and the spend cap read) agrees with the holds it
counts: after every kind of resolution, and when migration 0004 fills it from the holds of an older
database."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from studio_billing.adapters.tables import holds, period_usage
from studio_billing.domain.ledger import Counted, counted
from studio_billing.domain.pricing import PriceTable
from studio_billing.entrypoints.app import MIGRATIONS
from studio_billing.service_layer.handlers import Billing
from studio_common import db
from studio_common.events import OperationExpired, OperationFailed, OperationRequested
from studio_common.ids import new_id
from studio_common.migrations import upgrade
from studio_common.testing.events import completion_of

BILLING = Billing(PriceTable(), hold_timeout=timedelta(minutes=15))
PERIOD = datetime(2026, 12, 1, tzinfo=UTC)


async def usage_rows(session) -> dict[tuple[str, str], Counted]:
    rows = (await session.execute(select(period_usage))).mappings().all()
    return {(r["user_id"], r["quota_category"]): Counted(r["units"], r["credits"]) for r in rows}


async def usage_from_holds(session) -> dict[tuple[str, str], Counted]:
    """The same figures summed from the holds, hold by hold, with the ledger's rule."""
    totals: dict[tuple[str, str], Counted] = {}
    for hold in (await session.execute(select(holds))).mappings().all():
        key = (hold["user_id"], hold["quota_category"])
        totals[key] = totals.get(key, Counted(0, 0)) + counted(hold)
    return {key: value for key, value in totals.items() if value != Counted(0, 0)}


def requested(user: str, units: int = 2, **fields) -> OperationRequested:
    return OperationRequested(
        operation_id=new_id(),
        user_id=user,
        units=units,
        **{"kind": "create", "provider": "local", "model": "local-render", **fields},
    )


async def test_running_usage_follows_every_resolution(database_url):
    engine = db.make_engine(database_url)
    sessions = db.session_factory(engine)
    try:
        await upgrade(engine, MIGRATIONS)
        video = {
            "domain": "transform",
            "kind": "transform.video",
            "provider": "wavespeed",
            "model": "wan-2.5-480p",
        }
        ops = [
            requested("ana", 3),
            requested("ana", 2),
            requested("ana", 1),
            requested("ana", 4),
            requested("bo", 5, **video),
        ]
        async with sessions() as session, session.begin():
            for op in ops:
                await BILLING.on_requested(session, op)
        async with sessions() as session, session.begin():
            await BILLING.on_completed(session, completion_of(ops[0], 2))  # partly delivered
            await BILLING.on_failed(session, OperationFailed(**ids(ops[1]), code="x", message="y"))
            await BILLING.on_expired(session, OperationExpired(**ids(ops[2])))
            await BILLING.on_completed(session, completion_of(ops[4], 5))  # a video counts once
            await BILLING.on_completed(session, completion_of(ops[0], 3))  # resolved once: no change
        async with sessions() as session:
            running = await usage_rows(session)
            assert running == await usage_from_holds(session)
        # ana: 2 delivered + 4 still pending; bo: one video of 5 seconds
        assert running[("ana", "images")].units == 6
        assert running[("bo", "videos")].units == 1
    finally:
        await engine.dispose()


async def test_migration_0004_counts_the_holds_already_placed(database_url):
    engine = db.make_engine(database_url)
    sessions = db.session_factory(engine)
    try:
        await upgrade(engine, MIGRATIONS, "0003")
        async with sessions() as session, session.begin():
            for n, (status, unit, units, delivered, credits, charged) in enumerate(
                [
                    ("pending", "image", 3, 0, 3, 0),
                    ("posted", "image", 4, 2, 4, 2),
                    ("voided", "image", 5, 0, 5, 0),
                    ("expired", "image", 1, 0, 1, 0),
                    ("posted", "second", 10, 10, 150, 150),
                    ("posted", "second", 10, 0, 150, 0),
                ]
            ):
                category = "videos" if unit == "second" else "images"
                await session.execute(
                    holds.insert().values(
                        **hold_row(n, status, unit, units, delivered, credits, charged, category)
                    )
                )
        await upgrade(engine, MIGRATIONS)
        async with sessions() as session:
            running = await usage_rows(session)
            assert running == await usage_from_holds(session)
        assert running[("ana", "images")] == Counted(3 + 2, 3 + 2)
        assert running[("ana", "videos")] == Counted(1, 150)
    finally:
        await engine.dispose()


def ids(op: OperationRequested) -> dict:
    return {"operation_id": op.operation_id, "user_id": op.user_id, "domain": op.domain}


def hold_row(n, status, unit, units, delivered, credits, charged, category) -> dict:
    return dict(
        id=f"hold-{n}",
        operation_id=f"op-{n}",
        user_id="ana",
        domain="generation",
        kind="create",
        provider="local",
        model="local-render",
        quota_category=category,
        unit=unit,
        units=units,
        unit_credits=1,
        credits=credits,
        status=status,
        started=status != "pending",
        units_delivered=delivered,
        charged=charged,
        period_start=PERIOD,
        created_at=PERIOD,
        expires_at=PERIOD + timedelta(hours=1),
        requeues=0,
    )
