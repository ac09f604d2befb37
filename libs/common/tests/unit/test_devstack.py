"""The local stack's ports: the layout --port moves, and a port another program holds is named."""

import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from studio_common.devstack import DEFAULT_PORTS, PortBusy, Stack, free_port, port_free, ports_from


def test_the_default_layout_moves_with_the_gateway_port():
    assert ports_from(8080) == DEFAULT_PORTS
    moved = ports_from(9080)
    assert moved["gateway"] == 9080 and sorted(moved.values()) == list(range(9080, 9087))


def test_a_listening_port_is_busy_and_named_before_anything_starts(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        assert not port_free(taken)
        ports = {service: free_port() for service in DEFAULT_PORTS} | {"billing": taken}
        stack = Stack(data_dir=tmp_path, ports=ports, metrics_ports={s: free_port() for s in DEFAULT_PORTS})
        with pytest.raises(PortBusy, match=f"port {taken} \\(billing\\) is already in use"):
            stack.start_all()
        assert stack.processes == {}  # nothing was started
    assert port_free(taken)


class Squatter(BaseHTTPRequestHandler):
    """Another program that took the port after the check: it answers everything with 200."""

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


def test_ready_means_the_service_itself_answered_not_whatever_holds_its_port(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Squatter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ours = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])  # alive, not serving
    try:
        stack = Stack(data_dir=tmp_path, ports={"gateway": server.server_address[1]})
        stack.processes["gateway"] = ours
        with pytest.raises(PortBusy, match="answers for another program"):
            stack.wait_ready("gateway", timeout=10)
    finally:
        ours.kill()
        ours.wait()
        server.shutdown()
        server.server_close()


def test_free_ports_are_distinct_and_outside_the_range_outgoing_connections_take():
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == 50
    assert all(1024 <= port < low and port_free(port) for port in ports)
