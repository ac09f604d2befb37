"""Benchmark of the Create pipeline through the running stack (local provider, 256x256).

Starts the four services as processes on a private exchange (RabbitMQ on localhost, SQLite files), then
prints: sustained throughput (operations/s, accepted to succeeded), latency p50/p95/p99 from accept to
succeeded at a steady 10 operations/s, and the gateway's POST latency. Times for accept and success
are the gateway's own (created_at, finished_at), so client scheduling does not blur them.

    uv run python scripts/bench_pipeline.py [--burst 1000] [--steady-seconds 30] [--rate 10]
"""

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import httpx

from studio_common.auth import issue_token
from studio_common.devstack import Stack
from studio_common.testing.stacks import isolated_stack, postgres_databases

SECRET = "bench-secret-" + "b" * 32
BODY = {"prompt": "benchmark: a lighthouse on a cliff at sunset", "width": 256, "height": 256}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def prepare_user(client: httpx.AsyncClient, admin: dict, user: str, credits: int) -> dict:
    await client.put(f"/api/billing/accounts/{user}/plan", json={"plan": "enterprise"}, headers=admin)
    await client.post(
        "/api/billing/grants",
        headers=admin,
        json={"user_id": user, "credits": credits, "reason": "benchmark"},
    )
    return {"Authorization": f"Bearer {issue_token(user, SECRET)}"}


async def submit(client, headers, post_times: list[float]) -> str:
    started = time.perf_counter()
    response = await client.post("/api/image-studio/create", json=BODY, headers=headers)
    post_times.append(time.perf_counter() - started)
    response.raise_for_status()
    return response.json()["operation_id"]


async def wait_all(client, headers, ids: list[str], timeout: float) -> list[dict]:
    """Poll the user's operation list (newest first, 100 per page) until every id is final."""
    pending, done = set(ids), {}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        await asyncio.sleep(2.0)  # the list is the gateway's work too: poll gently
        page = 1
        while True:
            listing = (
                await client.get(
                    "/api/image-studio/operations", headers=headers, params={"page": page, "page_size": 100}
                )
            ).json()
            for op in listing["items"]:
                if op["operation_id"] in pending and op["finished_at"]:
                    pending.discard(op["operation_id"])
                    done[op["operation_id"]] = op
            if page * 100 >= listing["total"]:
                break
            page += 1
    if pending:
        raise RuntimeError(f"{len(pending)} operations not finished in {timeout}s")
    return [done[i] for i in ids]


def seconds(op: dict) -> float:
    return (
        datetime.fromisoformat(op["finished_at"]) - datetime.fromisoformat(op["created_at"])
    ).total_seconds()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time these processes have used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def broker_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


async def burst(client, admin, count: int, concurrency: int, users: int, pids: dict[str, int]) -> None:
    """`users` accounts (a content team) submit `count` creates as fast as `concurrency` clients can."""
    team = [
        await prepare_user(client, admin, f"bench-burst-{uuid.uuid4().hex[:6]}", count * 2)
        for _ in range(users)
    ]
    post_times: list[float] = []
    queue = list(range(count))
    before = {name: cpu_seconds([pid]) for name, pid in pids.items()}
    broker_before, client_before = cpu_seconds(broker_pids()), time.process_time()
    ids: dict[int, list[str]] = {i: [] for i in range(users)}

    async def worker():
        while queue:
            n = queue.pop()
            ids[n % users].append(await submit(client, team[n % users], post_times))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    ops = [op for i in range(users) for op in await wait_all(client, team[i], ids[i], timeout=600)]
    by_service = {name: cpu_seconds([pid]) - before[name] for name, pid in pids.items()}
    services_cpu = sum(by_service.values())
    broker_cpu, client_cpu = cpu_seconds(broker_pids()) - broker_before, time.process_time() - client_before
    failed = [op for op in ops if op["status"] != "succeeded"]
    first = min(datetime.fromisoformat(op["created_at"]) for op in ops)
    last = max(datetime.fromisoformat(op["finished_at"]) for op in ops)
    span = (last - first).total_seconds()
    print(f"burst: {count} creates by {users} users, {concurrency} concurrent clients")
    print(
        f"  sustained throughput (accepted -> succeeded): {count / span:.1f} operations/s over {span:.1f} s"
        f"  (failed: {len(failed)})"
    )
    print(
        f"  gateway POST latency under load: p50 {percentile(post_times, 50) * 1000:.1f} ms, "
        f"p95 {percentile(post_times, 95) * 1000:.1f} ms, p99 {percentile(post_times, 99) * 1000:.1f} ms"
    )
    # What one operation costs the machine: the ceiling on throughput is cores / this.
    per_op = (services_cpu + broker_cpu) / count
    print(
        f"  CPU per operation: services {services_cpu / count * 1000:.1f} ms + RabbitMQ "
        f"{broker_cpu / count * 1000:.1f} ms (this client {client_cpu / count * 1000:.1f} ms); "
        f"ceiling on {os.cpu_count()} cores without the client: {os.cpu_count() / per_op:.0f} operations/s"
    )
    print(
        "  CPU per operation by service: "
        + ", ".join(f"{name} {cpu / count * 1000:.1f} ms" for name, cpu in by_service.items())
    )


async def steady(client, admin, rate: float, duration: float) -> None:
    count = int(rate * duration)
    headers = await prepare_user(client, admin, f"bench-steady-{uuid.uuid4().hex[:6]}", count * 2)
    post_times: list[float] = []
    tasks = []
    start = time.perf_counter()
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(submit(client, headers, post_times)))
    ids = await asyncio.gather(*tasks)
    ops = await wait_all(client, headers, ids, timeout=300)
    latencies = [seconds(op) for op in ops if op["status"] == "succeeded"]
    print(f"steady: {count} creates at {rate:g}/s")
    print(
        f"  accept -> succeeded: p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f} ms, "
        f"mean {statistics.mean(latencies) * 1000:.0f} ms  (succeeded {len(latencies)}/{count})"
    )
    print(
        f"  gateway POST latency: p50 {percentile(post_times, 50) * 1000:.1f} ms, "
        f"p95 {percentile(post_times, 95) * 1000:.1f} ms, p99 {percentile(post_times, 99) * 1000:.1f} ms"
    )


def handler_summary(stack: Stack) -> None:
    """Mean time per handled event, per service and event type, from each service's /metrics."""
    print("handler time per event (mean ms, count):")
    for service in stack.services:
        text = httpx.get(stack.metrics_url(service)).text
        sums, counts = {}, {}
        for line in text.splitlines():
            if line.startswith("studio_handler_seconds_sum{"):
                labels, value = line[len("studio_handler_seconds_sum") :].rsplit(" ", 1)
                sums[labels] = float(value)
            elif line.startswith("studio_handler_seconds_count{"):
                labels, value = line[len("studio_handler_seconds_count") :].rsplit(" ", 1)
                counts[labels] = float(value)
        for labels, total in sorted(sums.items()):
            if counts.get(labels):
                event = labels.split('type="')[1].split('"')[0]
                print(
                    f"  {service:10} {event:28} {1000 * total / counts[labels]:7.2f} ms"
                    f"  x{int(counts[labels])}"
                )


async def run(args, gateway: str, pids: dict[str, int]) -> None:
    admin = {"Authorization": f"Bearer {issue_token('bench-admin', SECRET, admin=True)}"}
    limits = httpx.Limits(max_connections=args.concurrency + 8)
    async with httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits) as client:
        await steady(client, admin, args.rate, args.steady_seconds)
        await burst(client, admin, args.burst, args.concurrency, args.users, pids)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=16, help="accounts the burst is spread over")
    parser.add_argument("--steady-seconds", type=float, default=30.0)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="gateway, billing and assets on PostgreSQL (127.0.0.1:5432) instead of SQLite files",
    )
    parser.add_argument("--handler-times", action="store_true", help="also print mean handler time per event")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the stack's services stop with it
    with tempfile.TemporaryDirectory() as data_dir, ExitStack() as resources:
        databases = resources.enter_context(postgres_databases("bench")) if args.postgres else {}
        quiet = {"STUDIO_LOG_LEVEL": "WARNING"}
        stack = resources.enter_context(
            isolated_stack(Path(data_dir), "bench", SECRET, quiet, database_urls=databases)
        )
        asyncio.run(run(args, stack.url("gateway"), {name: p.pid for name, p in stack.processes.items()}))
        if args.handler_times:
            handler_summary(stack)


if __name__ == "__main__":
    main()
