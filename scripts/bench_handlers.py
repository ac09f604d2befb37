"""The read model's fold and the library's indexing, per operation: CPU, elapsed time and statements
(round trips) on SQLite and PostgreSQL. The handlers as plain calls, each event in its own transaction
(no broker; no inbox or outbox rows; under load the gateway folds several events per transaction).

    uv run python scripts/bench_handlers.py [--operations 500] [--databases sqlite,postgres]
"""

import argparse
import asyncio
import importlib
import time
from datetime import timedelta

from bench_billing import StatementCounter, database

from studio_assets.service_layer.indexing import on_completed
from studio_common import db
from studio_common.events import (
    OperationApproved,
    OperationCompleted,
    OperationSettled,
    OutputRef,
)
from studio_common.ids import new_id, utcnow
from studio_common.migrations import upgrade
from studio_gateway.adapters import repository as gateway_repository
from studio_gateway.service_layer.operations import apply_event, queued_row

USER = "bench-user"
WHAT = {"kind": "create", "provider": "local", "model": "local-render"}


def events_of_one_operation(operation_id: str) -> dict[str, list]:
    ids = {"operation_id": operation_id, "user_id": USER}
    output = OutputRef(
        index=0, storage_key=f"outputs/{operation_id}/0.png", content_type="image/png", bytes=4096, width=256
    )
    completed = OperationCompleted(
        **ids, **WHAT, outputs=[output], units_delivered=1, prompt="a lighthouse at dusk, watercolour"
    )
    approved = OperationApproved(
        **ids,
        **WHAT,
        hold_id=f"hold-{operation_id}",
        credits=1,
        unit_credits=1,
        deadline=utcnow() + timedelta(1),
    )
    return {
        "gateway": [
            approved,  # `started` only for a slow run and `progress` between steps: none for one image
            completed,
            OperationSettled(**ids, charged_credits=1, released_credits=0),
        ],
        "assets": [completed],
    }


async def submitted(sessions) -> str:
    """An operation submitted through the gateway: its row of the read model exists, queued."""
    operation_id = new_id()
    asked = OperationApproved(
        operation_id=operation_id,
        user_id=USER,
        **WHAT,
        hold_id="h",
        credits=1,
        unit_credits=1,
        deadline=utcnow(),
    )
    async with sessions() as session, session.begin():
        await gateway_repository.add_operation(session, **queued_row(asked, {"kind": "create"}, utcnow()))
    return operation_id


async def unknown_to_assets(_sessions) -> str:
    return new_id()


HANDLERS = {"gateway": (apply_event, submitted), "assets": (on_completed, unknown_to_assets)}


async def measure(service: str, url: str, operations: int) -> dict[str, float]:
    app = importlib.import_module(f"studio_{service}.entrypoints.app")
    handle, new_operation = HANDLERS[service]
    engine = db.make_engine(url)
    await upgrade(engine, app.MIGRATIONS)
    sessions = db.session_factory(engine)
    counter = StatementCounter(engine)
    cpu = elapsed = sent = 0.0
    for _ in range(operations):
        for event in events_of_one_operation(await new_operation(sessions))[service]:
            before, started, clock = counter.count, time.process_time(), time.perf_counter()
            async with sessions() as session, session.begin():
                await handle(session, event)
            cpu += time.process_time() - started
            elapsed += time.perf_counter() - clock
            sent += counter.count - before
    await engine.dispose()
    return {
        "cpu": 1000 * cpu / operations,
        "elapsed": 1000 * elapsed / operations,
        "statements": sent / operations,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--operations", type=int, default=500)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    print("per operation, ms            CPU  elapsed  statements")
    for kind in args.databases.split(","):
        for service, what in (("gateway", "fold of 3 events"), ("assets", "indexing")):
            with database(kind) as url:
                f = asyncio.run(measure(service, url, args.operations))
            print(
                f"{kind:<9}{service:<8}{what:<17}{f['cpu']:6.2f} {f['elapsed']:8.2f} {f['statements']:11.1f}"
            )


if __name__ == "__main__":
    main()
