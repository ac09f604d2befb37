"""Benchmark of the Create pipeline through the running stack (local provider, 256x256).

Starts the services as processes on a private exchange (RabbitMQ on localhost), once per database
(SQLite files, PostgreSQL on 127.0.0.1:5432), then prints side by side: sustained throughput
(operations/s, accepted to succeeded), the gateway's POST and status-read latency under the burst, CPU
per operation per service (rendering, tagging and embedding, measured where they run, apart),
latency p50/p95/p99 from accept to succeeded at a steady 10 operations/s, and the broker's own limit
measured in the same run (scripts/bench_broker.py) with the pipeline's message rate as a share of it.
Times for accept and success are the gateway's own (created_at, finished_at), so client scheduling does
not blur them.

    uv run python scripts/bench_pipeline.py [--burst 1000] [--steady-seconds 30] [--rate 10]
        [--databases sqlite,postgres] [--profile DIR]

With --profile, py-spy (`uv tool install py-spy`) samples every service during the burst and writes
collapsed stacks per service to DIR; scripts/bench_profile.py summarises them.
"""

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import httpx
from bench_broker import broker_limit
from bench_hops import HopRecorder
from bench_metrics import (
    handler_summary,
    histogram_buckets,
    loop_lag_summary,
    model_cpu_seconds,
    model_work_summary,
    percentile,
    published_events,
    retry_summary,
    route_buckets,
    server_percentiles,
)
from bench_report import report

from studio_common.auth import issue_token
from studio_common.devstack import Stack
from studio_common.settings import CommonSettings
from studio_common.testing.stacks import isolated_stack, postgres_databases

SECRET = "bench-secret-" + "b" * 32
BODY = {"prompt": "benchmark: a lighthouse on a cliff at sunset", "width": 256, "height": 256}


async def prepare_user(client: httpx.AsyncClient, admin: dict, user: str, credits: int) -> dict:
    await client.put(f"/api/billing/accounts/{user}/plan", json={"plan": "enterprise"}, headers=admin)
    await client.post(
        "/api/billing/grants",
        headers=admin,
        json={"user_id": user, "credits": credits, "reason": "benchmark"},
    )
    return {"Authorization": f"Bearer {issue_token(user, SECRET)}"}


async def submit(
    client, headers, post_times: list[float], answer_times: list[float] | None = None, keyed: bool = False
) -> str:
    """POST one create (`keyed`: under an Idempotency-Key of its own, as the web studio sends); its time
    from the call, and (`answer_times`) from the request being written to the answer's headers read: the
    part the client's own queueing is not in."""
    started, written = time.perf_counter(), {}
    if keyed:
        headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}

    async def trace(event: str, _info) -> None:
        if event in ("http11.send_request_headers.started", "http11.receive_response_headers.complete"):
            written[event] = time.perf_counter()

    try:
        response = await client.post(
            "/api/image-studio/create", json=BODY, headers=headers, extensions={"trace": trace}
        )
    except httpx.TransportError:
        # A kept-alive connection the server closed as it was reused (seen about once in a few runs):
        # sent again without an idempotency key, which would change the workload measured; should the
        # first copy have been accepted after all, one extra operation runs and is not waited for.
        response = await client.post(
            "/api/image-studio/create", json=BODY, headers=headers, extensions={"trace": trace}
        )
    post_times.append(time.perf_counter() - started)
    if answer_times is not None and len(written) == 2:
        answer_times.append(
            written["http11.receive_response_headers.complete"]
            - written["http11.send_request_headers.started"]
        )
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


def cpu_seconds(pids: list[int], main_thread_only: bool = False) -> float:
    """User + system CPU time these processes (or only their main threads) have used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        stat = f"/proc/{pid}/task/{pid}/stat" if main_thread_only else f"/proc/{pid}/stat"
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def postgres_cpu() -> dict[int, float]:
    """CPU used so far by each PostgreSQL server process on this machine (its backends do the services'
    queries, so their CPU is part of an operation's cost as much as RabbitMQ's is)."""
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout.split()
    return {int(pid): cpu_seconds([int(pid)]) for pid in found}


def postgres_cpu_since(before: dict[int, float]) -> float:
    # Backends started during the run (new pool connections) count from zero.
    return sum(used - before.get(pid, 0.0) for pid, used in postgres_cpu().items())


def broker_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


@contextmanager
def sampled(pids: dict[str, int], directory: str | None, database: str):
    """py-spy recording each service while the block runs (nothing without a directory)."""
    if not directory:
        yield
        return
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy on PATH: uv tool install py-spy")
    Path(directory).mkdir(parents=True, exist_ok=True)  # py-spy would sample, then write nowhere
    recorders = [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "200",
                "--format",
                "raw",
                "--gil",
                "--output",
                str(Path(directory) / f"{database}-{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    ]
    try:
        yield
    finally:
        for recorder in recorders:
            recorder.send_signal(signal.SIGINT)
        for recorder in recorders:
            recorder.wait(timeout=60)


async def own_loop_lag(queue: list, lags: list[float], every: float = 0.01) -> None:
    """How late this client's own event loop wakes while the burst runs: a latency it measures includes
    that delay, which the services' own histograms do not."""
    while queue:
        due = time.perf_counter() + every
        await asyncio.sleep(every)
        lags.append(max(0.0, time.perf_counter() - due))


async def burst(client, admin, args, stack: Stack, pids: dict[str, int]) -> dict:
    """`users` accounts (a content team) submit `count` creates as fast as `concurrency` clients can,
    while a few clients read operation statuses, as a studio watching its work would."""
    count, users = args.burst, args.users
    team = [
        await prepare_user(client, admin, f"bench-burst-{uuid.uuid4().hex[:6]}", count * 2)
        for _ in range(users)
    ]
    post_times: list[float] = []
    answer_times: list[float] = []
    read_times: list[float] = []
    queue = list(range(count))
    before = {name: cpu_seconds([pid]) for name, pid in pids.items()}
    loop_before = {name: cpu_seconds([pid], main_thread_only=True) for name, pid in pids.items()}
    image_before, events_before = model_cpu_seconds(stack), published_events(stack)
    broker_before, client_before = cpu_seconds(broker_pids()), time.process_time()
    postgres_before = postgres_cpu()
    posts_before = route_buckets(stack, "POST", "/api/image-studio/create")
    reads_before = route_buckets(stack, "GET", "/api/image-studio/operations/{operation_id}")
    waits_before = histogram_buckets(stack, "gateway", "studio_database_wait_seconds", purpose="write")
    ids: dict[int, list[str]] = {i: [] for i in range(users)}

    async def submitter():
        # Each closed-loop client has a connection of its own, as separate people would: through one
        # shared pool, requests queued inside the client (httpcore) for up to seconds under the burst.
        async with httpx.AsyncClient(base_url=client.base_url, timeout=60) as own:
            while queue:
                n = queue.pop()
                ids[n % users].append(
                    await submit(own, team[n % users], post_times, answer_times, keyed=args.keys)
                )

    async def reader(n: int):
        while queue:
            await asyncio.sleep(0.1)
            if ids[n % users]:
                started = time.perf_counter()
                operation = ids[n % users][-1]
                try:
                    response = await client.get(
                        f"/api/image-studio/operations/{operation}", headers=team[n % users]
                    )
                except httpx.TransportError:  # a kept-alive connection the server closed meanwhile
                    continue
                read_times.append(time.perf_counter() - started)
                response.raise_for_status()

    client_lag: list[float] = []
    with sampled(pids, args.profile, args.database):
        await asyncio.gather(
            *(submitter() for _ in range(args.concurrency)),
            *(reader(n) for n in range(4)),
            own_loop_lag(queue, client_lag),
        )
        ops = [op for i in range(users) for op in await wait_all(client, team[i], ids[i], timeout=600)]
    by_service = {name: (cpu_seconds([pid]) - before[name]) * 1000 / count for name, pid in pids.items()}
    by_loop = {
        name: (cpu_seconds([pid], main_thread_only=True) - loop_before[name]) * 1000 / count
        for name, pid in pids.items()
    }
    image = (model_cpu_seconds(stack) - image_before) * 1000 / count
    broker_cpu, client_cpu = cpu_seconds(broker_pids()) - broker_before, time.process_time() - client_before
    first = min(datetime.fromisoformat(op["created_at"]) for op in ops)
    last = max(datetime.fromisoformat(op["finished_at"]) for op in ops)
    span = (last - first).total_seconds()
    events_per_op = (published_events(stack) - events_before) / count
    services = sum(by_service.values())
    return {
        "ops_per_s": count / span,
        "failed": sum(op["status"] != "succeeded" for op in ops),
        "post_ms": [percentile(post_times, p) * 1000 for p in (50, 95, 99)],
        "post_answer_ms": [percentile(answer_times or [0.0], p) * 1000 for p in (50, 95, 99)],
        "read_ms": [percentile(read_times or [0.0], p) * 1000 for p in (50, 95, 99)],
        "client_lag_ms": [percentile(client_lag or [0.0], p) * 1000 for p in (50, 95, 99)],
        "post_server_ms": server_percentiles(
            posts_before, route_buckets(stack, "POST", "/api/image-studio/create")
        ),
        "read_server_ms": server_percentiles(
            reads_before, route_buckets(stack, "GET", "/api/image-studio/operations/{operation_id}")
        ),
        "gateway_wait_ms": server_percentiles(
            waits_before,
            histogram_buckets(stack, "gateway", "studio_database_wait_seconds", purpose="write"),
        ),
        "cpu_ms": by_service,
        "loop_ms": by_loop,
        "services_ms": services,
        "image_ms": image,
        "orchestration_ms": services - image,
        "rabbitmq_ms": broker_cpu * 1000 / count,
        "postgres_ms": postgres_cpu_since(postgres_before) * 1000 / count,
        "client_ms": client_cpu * 1000 / count,
        "events_per_op": events_per_op,
        "events_per_s": events_per_op * count / span,
    }


async def steady(client, admin, rate: float, duration: float, stack: Stack) -> dict:
    count = int(rate * duration)
    headers = await prepare_user(client, admin, f"bench-steady-{uuid.uuid4().hex[:6]}", count * 2)
    post_times: list[float] = []
    tasks = []
    async with HopRecorder(CommonSettings().amqp_url, stack.env["STUDIO_EXCHANGE"]) as hops:
        start = time.perf_counter()
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(submit(client, headers, post_times)))
        ids = await asyncio.gather(*tasks)
        ops = await wait_all(client, headers, ids, timeout=300)
    latencies = [seconds(op) for op in ops if op["status"] == "succeeded"] or [float("nan")]
    return {
        "count": count,
        "succeeded": sum(op["status"] == "succeeded" for op in ops),
        "latency_ms": [percentile(latencies, p) * 1000 for p in (50, 95, 99)],
        "post_ms": [percentile(post_times, p) * 1000 for p in (50, 95, 99)],
        "hops_ms": hops.summary(ops),
    }


async def run(args, stack: Stack) -> dict:
    admin = {"Authorization": f"Bearer {issue_token('bench-admin', SECRET, admin=True)}"}
    limits = httpx.Limits(max_connections=args.concurrency + 8)
    pids = {name: p.pid for name, p in stack.processes.items()}
    for name, pid in pids.items():
        if name != "gateway" and args.background_nice:
            # Threads have their own nice value on Linux: every thread of the service, not only its first.
            for thread in os.listdir(f"/proc/{pid}/task"):
                os.setpriority(os.PRIO_PROCESS, int(thread), args.background_nice)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=60, limits=limits) as client:
        return {
            "steady": await steady(client, admin, args.rate, args.steady_seconds, stack),
            "burst": await burst(client, admin, args, stack, pids),
        }


def measure(args, database: str) -> dict:
    """One stack on `database` (its own exchange, data and databases), measured, then removed."""
    with tempfile.TemporaryDirectory() as data_dir, ExitStack() as resources:
        databases = resources.enter_context(postgres_databases("bench")) if database == "postgres" else {}
        quiet = {"STUDIO_LOG_LEVEL": "WARNING"}
        stack = resources.enter_context(
            isolated_stack(Path(data_dir), "bench", SECRET, quiet, database_urls=databases)
        )
        results = asyncio.run(run(argparse.Namespace(**vars(args), database=database), stack))
        if args.logs:  # the data directory goes with the stack: keep the services' logs
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            for service in stack.services:
                shutil.copy(stack.log_path(service), Path(args.logs) / f"{database}-{service}.log")
        if args.handler_times:
            print(f"[{database}] ", end="")
            handler_summary(stack)
            loop_lag_summary(stack)
            model_work_summary(stack)
            retry_summary(stack)
        return results


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
        "--databases",
        default="sqlite,postgres",
        help="comma-separated, each measured on its own stack: sqlite (files), postgres (127.0.0.1:5432)",
    )
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL only (--databases postgres)")
    parser.add_argument("--logs", help="a directory to copy the services' logs into")
    parser.add_argument(
        "--background-nice",
        type=int,
        default=0,
        help="run every service but the gateway at this nice value (as a deployment giving the gateway "
        "CPU of its own would)",
    )
    parser.add_argument("--profile", help="a directory for py-spy's samples of each service during the burst")
    parser.add_argument(
        "--keys",
        action="store_true",
        help="each burst POST carries an Idempotency-Key (the web studio's way)",
    )
    parser.add_argument("--handler-times", action="store_true", help="also print mean handler time per event")
    args = parser.parse_args()
    databases = ["postgres"] if args.postgres else [d.strip() for d in args.databases.split(",") if d.strip()]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the stack's services stop with it
    results = {database: measure(args, database) for database in databases}
    broker = asyncio.run(broker_limit())
    report(args, results, broker)


if __name__ == "__main__":
    main()
