"""The local stack's ports: the layout --port moves, and a port another program holds is named."""

import socket

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
