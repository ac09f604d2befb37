"""A private RabbitMQ node and a private PostgreSQL cluster for tests that restart their infrastructure.

The shared broker (5672) and database server (5432) serve everyone on the machine; a test that stops
them breaks every other run. These give one test run its own node and cluster on free ports, under a
throw-away directory, that it may stop, kill and restart at will, and remove afterwards.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from studio_common.devstack import free_port


def _port_answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} not up after {timeout}s")


class PrivateRabbit:
    """Its own node name, ports, database, logs, config and (no) plugins: nothing shared but epmd."""

    def __init__(self) -> None:
        token = uuid.uuid4().hex[:8]
        self.node = f"chaos-{token}@localhost"
        self.port = free_port()
        # Directly under /tmp: the server scripts drop from root to the rabbitmq user, who cannot enter
        # pytest's private temporary directories.
        self.dir = Path(tempfile.mkdtemp(prefix=f"rabbit-{token}-"))
        self.dir.chmod(0o777)
        (self.dir / "rabbitmq.conf").write_text(f"listeners.tcp.1 = 127.0.0.1:{self.port}\n")
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "env.conf").write_text("")
        self.env = {
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_PID_FILE": str(self.dir / "pid"),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.dir / "env.conf"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        for path in self.dir.iterdir():
            path.chmod(0o666)

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _run(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            command, env={**os.environ, **self.env}, capture_output=True, text=True, timeout=timeout
        )

    def start(self, timeout: float = 90) -> None:
        result = self._run("rabbitmq-server", "-detached")
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmq-server -detached failed: {result.stderr or result.stdout}")
        _wait_for(
            lambda: _port_answers(self.port) and self.ctl("-q", "status").returncode == 0,
            timeout,
            f"RabbitMQ node {self.node}",
        )

    def stop(self) -> None:
        self.ctl("stop", timeout=60)
        _wait_for(lambda: not _port_answers(self.port), 30, f"{self.node} stopping")

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def ctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return self._run("rabbitmqctl", "-n", self.node, *args, timeout=timeout)

    def queue_depths(self) -> dict[str, int]:
        """Ready plus unacknowledged messages per queue."""
        out = self.ctl("-q", "list_queues", "name", "messages", "--no-table-headers").stdout
        depths = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                depths[parts[0]] = int(parts[1])
        return depths


class PrivatePostgres:
    """A cluster of its own (pg_createcluster), trust auth on a free port; `restart` is a real restart."""

    def __init__(self) -> None:
        self.version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
        self.name = f"chaos{uuid.uuid4().hex[:8]}"
        self.port = free_port()

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, action: str, *args: str) -> None:
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action, *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctlcluster {action} failed: {result.stderr or result.stdout}")

    def create(self) -> None:
        result = subprocess.run(
            ["pg_createcluster", self.version, self.name, "-p", str(self.port), "--", "--auth=trust"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pg_createcluster failed: {result.stderr or result.stdout}")
        self.start()

    def start(self) -> None:
        self._ctl("start")
        _wait_for(lambda: _port_answers(self.port), 60, f"PostgreSQL cluster {self.name}")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")
        _wait_for(lambda: _port_answers(self.port), 60, f"PostgreSQL cluster {self.name}")

    def drop(self) -> None:
        subprocess.run(
            ["pg_dropcluster", "--stop", self.version, self.name], capture_output=True, timeout=120
        )


@contextmanager
def private_rabbit(keep_logs_in: Path | None = None) -> Iterator[PrivateRabbit]:
    """A started node, stopped and removed afterwards (its log copied to `keep_logs_in` if given)."""
    rabbit = PrivateRabbit()
    try:
        rabbit.start()
        yield rabbit
    finally:
        try:
            rabbit.stop()
        finally:
            if keep_logs_in is not None:
                shutil.copytree(rabbit.dir / "log", Path(keep_logs_in) / "rabbitmq-log", dirs_exist_ok=True)
            shutil.rmtree(rabbit.dir, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    postgres = PrivatePostgres()
    postgres.create()
    try:
        yield postgres
    finally:
        postgres.drop()
