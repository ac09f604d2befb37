"""Runs the whole stack as local processes: used by `scripts/stack.py` (the one-command start) and by the
end-to-end tests. Each service is its own `python -m studio_<name>` process, as in production."""

import os
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    metrics_ports: dict[str, int] = field(default_factory=dict)  # default: each service's port + 1000
    services: tuple[str, ...] = SERVICES
    database_urls: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

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
            start_new_session=True,
        )

    def start_all(self, timeout: float = 60.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
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
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{service} not ready after {timeout}s:\n{self.log_tail(service)}")

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
