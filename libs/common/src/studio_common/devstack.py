"""Runs the whole stack as local processes: used by `scripts/stack.py` (the one-command start) and by the
end-to-end tests. Each service is its own `python -m studio_<name>` process, as in production."""

import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVICES = ("billing", "assets", "generation", "editing", "transform", "batch", "gateway")
DEFAULT_PORTS = {
    "gateway": 8080,
    "billing": 8081,
    "generation": 8082,
    "assets": 8083,
    "editing": 8084,
    "transform": 8085,
    "batch": 8086,
}


class PortBusy(RuntimeError):
    """A port the stack needs is taken by another program."""


_HANDED_OUT: set[int] = set()  # ports free_port gave in this process, never given twice


def free_port() -> int:
    """A port nothing listens on, below the kernel's range of ephemeral ports. A port from that range (what
    binding to port 0 gives) can become the local end of any outgoing connection, to RabbitMQ or
    PostgreSQL, between being chosen and the service binding it: a stack then failed to start with
    'address already in use'."""
    low = _ephemeral_ports_start()
    for _ in range(1000):
        port = random.randrange(max(1024, low - 12000), low)
        if port not in _HANDED_OUT and port_free(port):
            _HANDED_OUT.add(port)
            return port
    raise PortBusy(f"no free port below {low}")


def _ephemeral_ports_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def port_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:port (a port left in TIME_WAIT by a stopped service counts as free,
    as it does for the services, which bind with SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def ports_from(base: int) -> dict[str, int]:
    """The default layout moved to start at `base`: the gateway on it, the other services after it."""
    return {service: port - DEFAULT_PORTS["gateway"] + base for service, port in DEFAULT_PORTS.items()}


def _die_with_parent() -> None:
    """In the child, before exec: Linux sends it SIGTERM when the stack's process dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes  # only needed on Linux

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Stack:
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    metrics_ports: dict[str, int] = field(default_factory=dict)  # default: each service's port + 1000
    services: tuple[str, ...] = SERVICES
    database_urls: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # Tests give each service its own session; the one-command start keeps them in its process group
    # (and has them die with it), so stopping that group stops every service.
    own_sessions: bool = True

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def metrics_port(self, service: str) -> int:
        return self.metrics_ports.get(service) or self.ports[service] + 1000

    def metrics_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.metrics_port(service)}/metrics"

    def service_env(self, service: str, instance: str | None = None) -> dict[str, str]:
        instance = instance or service
        env = {
            **os.environ,
            **self.env,
            "STUDIO_HTTP_PORT": str(self.ports[instance]),
            "STUDIO_METRICS_PORT": str(self.metrics_port(instance)),
            "STUDIO_DATA_DIR": str(self.data_dir),
            "STUDIO_STORAGE_DIR": str(self.data_dir / "storage"),
            "STUDIO_PUBLIC_BASE_URL": self.url("gateway"),
            "STUDIO_BILLING_URL": self.url("billing"),
            "STUDIO_ASSETS_URL": self.url("assets"),
            "STUDIO_BATCH_URL": self.url("batch"),
        }
        if service in self.database_urls:
            env["STUDIO_DATABASE_URL"] = self.database_urls[service]
        return env

    def start(self, service: str, instance: str | None = None) -> None:
        instance = instance or service
        log = open(self.data_dir / f"{instance}.log", "ab")  # noqa: SIM115 (kept open for the child's life)
        self.processes[instance] = subprocess.Popen(
            [sys.executable, "-m", f"studio_{service}"],
            env=self.service_env(service, instance),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=self.own_sessions,
            preexec_fn=None if self.own_sessions else _die_with_parent,
        )

    def check_ports(self) -> None:
        """PortBusy naming the first port of the stack another program already listens on."""
        for service in self.services:
            for what, port in (("", self.ports[service]), (" metrics", self.metrics_port(service))):
                if not port_free(port):
                    raise PortBusy(f"port {port} ({service}{what}) is already in use by another program")

    def start_all(self, timeout: float = 60.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.check_ports()
        for service in self.services:
            self.start(service)
        for service in self.services:
            self.wait_ready(service, timeout)

    def start_replica(self, service: str, number: int, timeout: float = 60.0) -> str:
        """Another process of `service` on the same queues and database, with its own ports: replicas
        compete for work as they would behind a Kubernetes Deployment. Returns its instance name."""
        instance = f"{service}-{number}"
        self.ports[instance], self.metrics_ports[instance] = free_port(), free_port()
        self.start(service, instance)
        self.wait_ready(instance, timeout)
        return instance

    def wait_ready(self, service: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes[service]
            if process.poll() is not None:
                raise RuntimeError(
                    f"{service} exited with {process.returncode}; see {self.log_path(service)}:\n"
                    + self.log_tail(service)
                )
            try:
                if httpx.get(f"{self.url(service)}/readyz", timeout=2).status_code == 200:
                    self._check_answering(service, process)
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{service} not ready after {timeout}s:\n{self.log_tail(service)}")

    def _check_answering(self, service: str, process: subprocess.Popen) -> None:
        """Ready means this service answered, not whatever holds its port: the process is alive and
        /healthz names the service (a port taken since check_ports is caught here)."""
        name = service.rsplit("-", 1)[0] if service not in SERVICES else service
        try:
            answer = httpx.get(f"{self.url(service)}/healthz", timeout=2).json()
        except ValueError:  # not JSON: not a studio service
            answer = {}
        if process.poll() is not None or not isinstance(answer, dict) or answer.get("service") != name:
            raise PortBusy(f"port {self.ports[service]} ({service}) answers for another program")

    def stop(self, service: str, kill: bool = False) -> None:
        process = self.processes.pop(service, None)
        if process is None or process.poll() is not None:
            return
        process.kill() if kill else process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for instance in [name for name in self.processes if name not in self.services]:
            self.stop(instance)  # replicas first
        for service in reversed(self.services):
            self.stop(service)

    def log_path(self, service: str) -> Path:
        return self.data_dir / f"{service}.log"

    def log_tail(self, service: str, lines: int = 40) -> str:
        path = self.log_path(service)
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
