"""The fault injector: SIGKILLs and restarts services, restarts the broker and the database, or keeps a
service away for a while, on a seeded schedule, and records when each thing was down.

Each fault runs in its own thread at its time (the stack's start and wait are blocking calls), so faults
overlap as they would in production; one target is never hit again before it has recovered. Like an
orchestrator, the injector starts a service again when it exits on its own or fails to start: a start
that fails is counted (a service waits for a broker or database that is down, so none is expected), a
crash after a service was ready is a finding.
"""

import json
import random
import threading
import time
from dataclasses import dataclass, field

from studio_common.devstack import Stack
from studio_common.testing.private_infra import PrivatePostgres, PrivateRabbit


@dataclass(frozen=True)
class Fault:
    at: float  # seconds after the injector starts
    action: str  # kill, broker, postgres, outage
    target: str = ""
    down_for: float = 1.0


@dataclass(frozen=True)
class Window:
    action: str
    target: str
    start: float  # time.monotonic()
    end: float


@dataclass
class FaultLog:
    windows: list[Window] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)  # services that died after being ready, unkilled
    failed_starts: list[str] = field(default_factory=list)  # starts that exited before being ready
    errors: list[str] = field(default_factory=list)

    def down(self, target: str, at: float, grace: float = 1.0) -> bool:
        return any(w.target == target and w.start - grace <= at <= w.end + grace for w in self.windows)

    def describe(self, at: float) -> str:
        active = [f"{w.action} {w.target}".strip() for w in self.windows if w.start - 1 <= at <= w.end + 1]
        return ", ".join(active) or "no fault"


def plan_faults(
    seed: int,
    duration: float,
    services: tuple[str, ...],
    kills: int,
    broker_restarts: int = 0,
    db_restarts: int = 0,
) -> list[Fault]:
    """Every service killed at least once (then random ones up to `kills`), spread evenly over `duration`."""
    rng = random.Random(seed)
    targets = list(services)
    rng.shuffle(targets)
    targets += [rng.choice(services) for _ in range(max(0, kills - len(services)))]
    actions = [Fault(0, "kill", target, rng.uniform(0.3, 2.0)) for target in targets]
    actions += [Fault(0, "broker", "rabbitmq", rng.uniform(0.5, 2.0)) for _ in range(broker_restarts)]
    actions += [Fault(0, "postgres", "postgres") for _ in range(db_restarts)]
    rng.shuffle(actions)
    step = duration / (len(actions) + 1)
    return [
        Fault(round(step * (n + 1), 2), f.action, f.target, round(f.down_for, 2))
        for n, f in enumerate(actions)
    ]


WORKERS = ("generation", "editing", "transform")


def outage_faults(
    service: str, seconds: float, workers: tuple[str, ...] = WORKERS, backlog_seconds: float = 6.0
) -> list[Fault]:
    """`service` away for `seconds` while the workers have a backlog of approved operations: the workers
    are stopped while the first operations are approved, and come back just after `service` has gone."""
    return [
        *(Fault(0.0, "outage", worker, backlog_seconds + 3.0) for worker in workers),
        Fault(backlog_seconds, "outage", service, seconds),
    ]


class FaultInjector:
    def __init__(self, stack: Stack, rabbit: PrivateRabbit, postgres: PrivatePostgres | None = None) -> None:
        self.stack = stack
        self.rabbit = rabbit
        self.postgres = postgres
        self.log = FaultLog()
        self._threads: list[threading.Thread] = []
        self._locks = {name: threading.Lock() for name in (*stack.services, "rabbitmq", "postgres")}
        self._stopping = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, name="chaos-supervisor", daemon=True)

    def start(self, faults: list[Fault]) -> None:
        started = time.monotonic()
        for fault in faults:
            self._locks.setdefault(fault.target, threading.Lock())
            thread = threading.Thread(
                target=self._run,
                args=(fault, started),
                daemon=True,
                name=f"fault-{fault.action}-{fault.target}",
            )
            thread.start()
            self._threads.append(thread)
        self._supervisor.start()

    def join(self) -> None:
        """Until every fault has run and recovered, and every service is ready."""
        for thread in self._threads:
            thread.join()
        self._stopping.set()
        self._supervisor.join()
        for service in self.stack.services:
            with self._locks[service]:
                self._revive(service)

    def _run(self, fault: Fault, started: float) -> None:
        time.sleep(max(0.0, started + fault.at - time.monotonic()))
        with self._locks[fault.target]:
            try:
                self.inject(fault)
            except Exception as exc:  # keep going: one failed recovery must not hide the others
                self.log.errors.append(f"{fault}: {_short(repr(exc))}")

    def inject(self, fault: Fault) -> None:
        began = time.monotonic()
        if fault.action in ("kill", "outage"):
            self.stack.stop(fault.target, kill=fault.action == "kill")
            time.sleep(fault.down_for)
            self.start_until_ready(fault.target)
        elif fault.action == "broker":
            self.rabbit.restart(fault.down_for)
            self.wait_all_ready()
        elif fault.action == "postgres":
            assert self.postgres is not None, "a database restart needs the PostgreSQL stack"
            self.postgres.restart()
            self.wait_all_ready()
        else:
            raise ValueError(f"unknown fault {fault.action!r}")
        self.log.windows.append(Window(fault.action, fault.target, began, time.monotonic()))

    def start_until_ready(self, service: str, timeout: float = 180) -> None:
        """Started again after each failed start, waiting twice as long each time (up to 10 s), as
        Kubernetes backs off a container that keeps failing."""
        deadline = time.monotonic() + timeout
        pause = 1.0
        while True:
            self.stack.start(service)
            try:
                self.stack.wait_ready(service, max(1.0, deadline - time.monotonic()))
                return
            except RuntimeError:  # it exited before it was ready: start it again, as an orchestrator would
                self.log.failed_starts.append(f"{service}: {_last_error(self.stack.log_tail(service, 30))}")
                if time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 10.0)

    def wait_all_ready(self) -> None:
        for service in self.stack.services:
            with self._locks[service]:  # not while an overlapping kill restarts it
                self._revive(service)
                self.stack.wait_ready(service, 120)

    def _supervise(self) -> None:
        while not self._stopping.wait(0.5):
            for service in self.stack.services:
                if self._locks[service].acquire(blocking=False):
                    try:
                        self._revive(service)
                    except Exception as exc:
                        self.log.errors.append(f"restarting {service}: {_short(repr(exc))}")
                    finally:
                        self._locks[service].release()

    def _revive(self, service: str) -> None:
        """Called with the service's lock held: a process that died without being killed is restarted."""
        process = self.stack.processes.get(service)
        if process is None or process.poll() is None:
            return
        self.log.crashes.append(
            f"{service} exited with {process.returncode}: {_last_error(self.stack.log_tail(service, 30))}"
        )
        began = time.monotonic()
        self.start_until_ready(service)
        self.log.windows.append(Window("crash", service, began, time.monotonic()))


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _last_error(log_tail: str) -> str:
    """The last error line of a service's JSON log, first line of its message only."""
    for line in reversed(log_tail.splitlines()):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("level") in ("ERROR", "CRITICAL"):
            message = str(record.get("message", ""))
            tail = message.strip().splitlines()[-1] if message.strip() else ""
            return _short(f"{message.splitlines()[0]} ... {tail}" if "Traceback" in message else message, 240)
    return "(no error logged)"
