"""scripts/up.sh, the one-command start: it reports only a stack of its own (a port another program
holds is named, exit 1), takes --port, and stopping its process group stops every service."""

import os
import random
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from studio_common.devstack import SERVICES, port_free

REPO = Path(__file__).resolve().parents[2]


def free_block() -> int:
    """A gateway port whose stack ports (it and the six after it, and each 1000 above) are all free."""
    for _ in range(200):
        base = random.randrange(20_000, 40_000)
        if all(port_free(base + offset + extra) for offset in range(7) for extra in (0, 1000)):
            return base
    raise RuntimeError("no free block of ports")


class Up:
    """bash scripts/up.sh in its own process group, its output collected as it comes."""

    def __init__(self, tmp_path: Path, bus_names: dict, port: int) -> None:
        env = {
            **os.environ,
            "STUDIO_EXCHANGE": bus_names["exchange"],
            "STUDIO_QUEUE_PREFIX": bus_names["queue_prefix"],
        }
        command = ["bash", "scripts/up.sh", "--api-only", "--port", str(port), "--data-dir", str(tmp_path)]
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert self.process.poll() is None, f"up.sh exited {self.process.returncode}:\n{self.output}"
            assert time.monotonic() < deadline, f"no {text!r} after {timeout} s:\n{self.output}"
            time.sleep(0.5)


class AlwaysOk(BaseHTTPRequestHandler):
    """Another program on the port, answering every request with 200 (as a stack of its own would)."""

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        body = b'{"status": "ready", "service": "gateway"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def services_under(pid: int) -> list[int]:
    """The service processes (`python -m studio_<name>`) descending from pid."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])

    def descends(child: int) -> bool:
        while child in parents and child != pid:
            child = parents[child]
        return child == pid

    found = []
    for child in parents:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if child != pid and b"-m" in command and descends(child):
            found.append(child)
    return found


def test_a_port_another_program_holds_is_named_and_no_stack_is_reported(tmp_path, bus_names):
    port = free_block()
    squatter = ThreadingHTTPServer(("127.0.0.1", port), AlwaysOk)
    threading.Thread(target=squatter.serve_forever, daemon=True).start()
    try:
        up = Up(tmp_path, bus_names, port)
        up.process.wait(timeout=240)
    finally:
        squatter.shutdown()
        squatter.server_close()
    assert up.process.returncode == 1, up.output
    assert f"port {port} (gateway) is already in use by another program" in up.output
    assert "--port" in up.output and "is running" not in up.output


def test_the_stack_runs_on_the_chosen_port_and_stops_with_its_process_group(tmp_path, bus_names):
    port = free_block()
    up = Up(tmp_path, bus_names, port)
    services: list[int] = []
    try:
        up.wait_for(f"Image Studio is running: http://127.0.0.1:{port}")
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json()["service"] == "gateway"
        services = services_under(up.process.pid)
        assert len(services) == len(SERVICES), up.output

        os.killpg(up.process.pid, signal.SIGTERM)
        up.process.wait(timeout=90)
        deadline = time.monotonic() + 60
        while any(alive(pid) for pid in services) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert [pid for pid in services if alive(pid)] == [], up.output
        assert all(port_free(port + offset) for offset in range(7))
    finally:
        for pid in services:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if up.process.poll() is None:
            os.killpg(up.process.pid, signal.SIGKILL)
