"""One chaos run: the whole stack on a private broker (and, for the PostgreSQL variant, a private database
cluster), a seeded mixed load through the gateway, faults on a seeded schedule, then the invariants."""

import asyncio
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from studio_common.devstack import DEFAULT_PORTS, SERVICES, Stack, free_port
from studio_common.testing.chaos.faults import Fault, FaultInjector, outage_faults, plan_faults
from studio_common.testing.chaos.invariants import Findings, InvariantChecker
from studio_common.testing.chaos.load import LoadGenerator, plan_jobs
from studio_common.testing.client import SECRET
from studio_common.testing.private_infra import private_postgres, private_rabbit
from studio_common.testing.stacks import postgres_databases


@dataclass(frozen=True)
class ChaosConfig:
    seed: int = 1
    operations: int = 300
    rate: float = 20.0
    burst: int = 0  # the first operations sent at 20/s, so workers have a backlog when faults begin
    users: int = 4
    kills: int = 12
    broker_restarts: int = 1
    db_restarts: int = 0
    postgres: bool = False
    outage: tuple[str, float] | None = None  # instead of kills: one service away this long (outage_faults)
    final_timeout: float = 60.0

    @property
    def load_seconds(self) -> float:
        burst = min(self.burst, self.operations)
        return burst / 20.0 + (self.operations - burst) / self.rate

    def faults(self) -> list[Fault]:
        if self.outage:
            return outage_faults(*self.outage)
        db_restarts = self.db_restarts if self.postgres else 0
        return plan_faults(
            self.seed, self.load_seconds, SERVICES, self.kills, self.broker_restarts, db_restarts
        )


@dataclass
class ChaosResult:
    config: ChaosConfig
    findings: Findings
    faults: list[Fault]
    seconds: float
    data_dir: Path
    phases: dict = field(default_factory=dict)  # seconds: start, load, faults (until recovered), check

    def figures(self) -> dict[str, object]:
        f = self.findings
        return {
            "accepted": f.accepted,
            "not final after quiet": len(f.not_final),
            "final, charge unknown": len(f.unsettled),
            "unresolved holds": f.unresolved_holds,
            "ledger mismatches": len(f.ledger_breaks),
            "duplicate assets": f.duplicate_assets,
            "quiet to all final (s)": "-" if f.seconds_to_all_final is None else f.seconds_to_all_final,
            "5xx outside gateway downtime": len(f.server_errors_outside_downtime),
            "5xx total": f.server_errors_total,
            "dead letters in queues": sum(f.dead_letter_depths.values()),
            "dead letters recorded": len(f.recorded_dead_letters),
            "crashes": len(f.crashes),
            "failed starts": len(f.failed_starts),
            "statuses": " ".join(f"{k}={v}" for k, v in sorted(f.statuses.items(), key=str)),
        }


def run_chaos(config: ChaosConfig, data_dir: Path) -> ChaosResult:
    data_dir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with ExitStack() as resources:
        rabbit = resources.enter_context(private_rabbit(data_dir))
        postgres = resources.enter_context(private_postgres()) if config.postgres else None
        database_urls = (
            resources.enter_context(postgres_databases("chaos", server=postgres.server_url))
            if postgres
            else {}
        )
        token = uuid.uuid4().hex[:8]
        prefix = f"chaos.{token}."
        env = {
            "STUDIO_AMQP_URL": rabbit.amqp_url,
            "STUDIO_EXCHANGE": f"chaos.{token}.events",
            "STUDIO_QUEUE_PREFIX": prefix,
            "STUDIO_JWT_SECRET": SECRET,
            "STUDIO_LOG_LEVEL": "INFO",
        }
        stack = Stack(
            data_dir=data_dir,
            ports={s: free_port() for s in DEFAULT_PORTS},
            database_urls=database_urls,
            env=env,
        )
        resources.callback(stack.stop_all)
        stack.start_all(timeout=120)
        injector = FaultInjector(stack, rabbit, postgres)
        faults = config.faults()
        phases = {"start": round(time.monotonic() - began, 1)}
        findings = asyncio.run(_drive(config, stack, injector, faults, rabbit, prefix, phases))
    return ChaosResult(config, findings, faults, round(time.monotonic() - began, 1), data_dir, phases)


async def _drive(
    config: ChaosConfig,
    stack: Stack,
    injector: FaultInjector,
    faults: list[Fault],
    rabbit,
    prefix: str,
    phases: dict,
) -> Findings:
    load = LoadGenerator(stack.url("gateway"), SECRET)
    users = [f"chaos-{config.seed}-{n}" for n in range(config.users)]
    granted = await _enterprise_plans(load, users)
    jobs = plan_jobs(config.seed, config.operations, users)
    began = time.monotonic()
    injector.start(faults)
    outcomes = await load.run(jobs, config.rate, config.burst)
    phases["load"] = round(time.monotonic() - began, 1)
    await asyncio.to_thread(injector.join)
    quiet_at = time.monotonic()
    phases["faults"] = round(quiet_at - began, 1)
    checker = InvariantChecker(load, rabbit, prefix, injector.log, stack.url("billing"))
    findings = await checker.check(outcomes, granted, quiet_at, config.final_timeout)
    phases["check"] = round(time.monotonic() - quiet_at, 1)
    return findings


async def _enterprise_plans(load: LoadGenerator, users: list[str]) -> dict[str, int]:
    """Unlimited quotas and enough credits, so every request is accepted and the checks see only faults.
    Answers the credits each user was granted (the admin API's answer)."""
    granted = {}
    async with load.client("chaos-admin", admin=True) as admin:
        for user in users:
            response = await admin.put(f"/api/billing/accounts/{user}/plan", json={"plan": "enterprise"})
            response.raise_for_status()
            granted[user] = response.json()["granted_credits"]
    return granted


def figures_table(results: list[ChaosResult]) -> str:
    rows = [r.figures() for r in results]
    names = list(rows[0])
    header = ["run", *names]
    body = [
        [f"{r.config.seed}{' pg' if r.config.postgres else ''}", *(str(row[n]) for n in names)]
        for r, row in zip(results, rows, strict=True)
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    return "\n".join(
        " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in [header, *body]
    )
