"""Benchmark of the batch processor through the running stack (local provider, 256x256 creates).

Starts every service as a process on a private exchange (RabbitMQ on localhost, SQLite files), then prints:
  - validation of a 10,000-row CSV: in-process (parse + the endpoints' own validation) and through the
    public API (POST /batches, answered with the draft and its cost preview);
  - a 1,000-row batch against 1,000 plain creates kept at the same concurrency by a client, in the same
    run: rows/s for each and their ratio;
  - the batch service's CPU per row (and the gateway's, for both ways of running the same work).

    uv run python scripts/bench_batch.py [--rows 1000] [--concurrency 8] [--validate-rows 10000]
"""

import argparse
import asyncio
import csv
import io
import json
import signal
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
from bench_pipeline import SECRET, cpu_seconds, prepare_user

from studio_common.auth import issue_token
from studio_common.testing.stacks import isolated_stack
from studio_gateway.domain.batch_files import iter_rows
from studio_gateway.service_layer.batch_submission import ZipImages, validate_row
from studio_gateway.settings import GatewaySettings

BODY = {"prompt": "benchmark: a lighthouse on a cliff at sunset", "width": 256, "height": 256}
FINAL = ("succeeded", "failed", "canceled", "rejected", "expired")


def rows_csv(count: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "name", "prompt", "template_id", "num_variations"])
    templates = ("instagram-feed-square", "", "linkedin-post", "")
    for n in range(1, count + 1):
        writer.writerow(["create", f"row {n}", f"product shot number {n}, studio light", templates[n % 4], 1])
    return out.getvalue().encode()


async def validate_in_process(count: int) -> None:
    state = SimpleNamespace(settings=GatewaySettings(enabled_providers="local"))
    data = rows_csv(count)
    started, cpu_started = time.perf_counter(), time.process_time()
    invalid = 0
    for number, raw in enumerate(iter_rows(io.BytesIO(data), "csv"), start=1):
        row = await validate_row(state, "bench", number, raw, {}, ZipImages(None, 1))
        invalid += "errors" in row
    took, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # CPU time as well as wall time: on a machine shared with other work, wall time says more about
    # the others.
    print(
        f"validation, in process: {count} rows parsed and validated in {took:.2f} s wall, {cpu:.2f} s CPU "
        f"({count / took:,.0f} rows/s, {invalid} invalid)"
    )


async def validate_through_api(
    client: httpx.AsyncClient, headers: dict, count: int, pids: dict[str, int]
) -> None:
    before = {name: cpu_seconds([pids[name]]) for name in ("gateway", "batch", "billing")}
    started = time.perf_counter()
    response = await client.post(
        "/api/image-studio/batches",
        headers=headers,
        data={"name": "validation"},
        files={"file": ("rows.csv", rows_csv(count), "text/csv")},
    )
    took = time.perf_counter() - started
    response.raise_for_status()
    draft = response.json()
    cpu = {name: cpu_seconds([pids[name]]) - before[name] for name in before}
    print(
        f"validation, POST /batches: {count} rows -> draft with preview ({draft['preview']['total_credits']} "
        f"credits, {draft['invalid_rows']} invalid) in {took:.2f} s wall; CPU "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in cpu.items())
    )


async def wait_operation(client, headers, operation_id: str) -> None:
    async with client.stream(
        "GET", f"/api/image-studio/operations/{operation_id}/events", headers=headers
    ) as s:
        async for line in s.aiter_lines():
            if line.startswith("data:") and json.loads(line[5:]).get("status") in FINAL:
                return


async def plain_creates(client, headers, count: int, concurrency: int) -> float:
    """A client keeping `concurrency` creates in flight: what a batch's window does, done by hand."""
    queue = list(range(count))

    async def worker():
        while queue:
            queue.pop()
            response = await client.post("/api/image-studio/create", json=BODY, headers=headers)
            response.raise_for_status()
            await wait_operation(client, headers, response.json()["operation_id"])

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def one_batch(client, headers, count: int, concurrency: int) -> tuple[float, dict]:
    rows = [{"kind": "create", "name": f"r{n}", **BODY} for n in range(count)]
    draft = (
        await client.post(
            "/api/image-studio/batches",
            headers=headers,
            json={"name": "bench", "concurrency": concurrency, "rows": rows},
        )
    ).json()
    confirm = await client.post(f"/api/image-studio/batches/{draft['id']}/confirm", headers=headers)
    confirm.raise_for_status()
    while True:
        batch = (await client.get(f"/api/image-studio/batches/{draft['id']}", headers=headers)).json()
        if batch["state"] in ("completed", "completed_with_errors", "failed", "canceled"):
            break
        await asyncio.sleep(0.5)
    span = datetime.fromisoformat(batch["finished_at"]) - datetime.fromisoformat(batch["started_at"])
    return span.total_seconds(), batch


async def run(args, gateway: str, pids: dict[str, int]) -> None:
    admin = {"Authorization": f"Bearer {issue_token('bench-admin', SECRET, admin=True)}"}
    async with httpx.AsyncClient(
        base_url=gateway, timeout=120, limits=httpx.Limits(max_connections=args.concurrency + 8)
    ) as client:
        headers = await prepare_user(client, admin, f"bench-batch-{uuid.uuid4().hex[:6]}", args.rows * 4)
        await validate_in_process(args.validate_rows)
        await validate_through_api(client, headers, args.validate_rows, pids)

        before = {name: cpu_seconds([pid]) for name, pid in pids.items()}
        plain_span = await plain_creates(client, headers, args.rows, args.concurrency)
        plain_cpu = {name: cpu_seconds([pid]) - before[name] for name, pid in pids.items()}

        before = {name: cpu_seconds([pid]) for name, pid in pids.items()}
        batch_span, batch = await one_batch(client, headers, args.rows, args.concurrency)
        batch_cpu = {name: cpu_seconds([pid]) - before[name] for name, pid in pids.items()}

    plain_rate, batch_rate = args.rows / plain_span, args.rows / batch_span
    print(f"{args.rows} creates of 256x256 at concurrency {args.concurrency}:")
    print(
        f"  plain creates (client keeps {args.concurrency} in flight): {plain_rate:.1f} operations/s "
        f"over {plain_span:.1f} s"
    )
    print(
        f"  one batch of {args.rows} rows: {batch_rate:.1f} rows/s over {batch_span:.1f} s "
        f"({batch['counts']})  ->  {batch_rate / plain_rate:.2f}x plain"
    )
    print(f"  batch service CPU per row: {batch_cpu['batch'] / args.rows * 1000:.1f} ms")
    print(
        "  CPU per operation by service, plain / batch: "
        + ", ".join(
            f"{name} {plain_cpu[name] / args.rows * 1000:.1f} / {batch_cpu[name] / args.rows * 1000:.1f} ms"
            for name in pids
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--validate-rows", type=int, default=10_000)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with (
        tempfile.TemporaryDirectory() as data_dir,
        isolated_stack(Path(data_dir), "bench", SECRET, {"STUDIO_LOG_LEVEL": "WARNING"}) as stack,
    ):
        pids = {name: process.pid for name, process in stack.processes.items()}
        asyncio.run(run(args, stack.url("gateway"), pids))


if __name__ == "__main__":
    main()
