"""Scale-out on one machine: two replicas of the gateway and of each worker on the PostgreSQL stack give
the same results as one. Replicas compete for the same queues; each event is handled once (inbox, natural
keys), SSE is followed through either gateway, and money and the library add up."""

import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from studio_common.testing.client import SECRET, StudioClient
from studio_common.testing.stacks import isolated_stack, postgres_databases

SERVICES = ("billing", "assets", "generation", "gateway")
USERS = 4
OPERATIONS_PER_USER = 4  # 8 images: within the free plan's monthly quota of 10
VARIATIONS = 2


@pytest.fixture(scope="module")
def replicated_stack(tmp_path_factory, amqp_url, postgres_server):
    with (
        postgres_databases("studio_scale", server=postgres_server) as databases,
        isolated_stack(
            tmp_path_factory.mktemp("scale"), "scale", SECRET, services=SERVICES, database_urls=databases
        ) as stack,
    ):
        for service in SERVICES:
            stack.start_replica(service, 2)
        yield stack


def handled(stack, instance: str, event_type: str) -> float:
    """How many events of a type an instance handled successfully, from its own metrics."""
    text = httpx.get(stack.metrics_url(instance), timeout=5).text
    samples = re.findall(r"^studio_events_handled_total\{([^}]*)\} (\S+)$", text, flags=re.MULTILINE)
    wanted = {f'type="{event_type}"', 'outcome="ok"'}
    return sum(float(value) for labels, value in samples if wanted <= set(labels.split(",")))


def follow(client: StudioClient, operation_id: str) -> list[dict]:
    events = []
    with client.http.stream(
        "GET", f"/api/image-studio/operations/{operation_id}/events", timeout=90
    ) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    return events


def test_two_replicas_of_each_service_give_the_same_results(replicated_stack):
    stack = replicated_stack
    gateways = [stack.url("gateway"), stack.url("gateway-2")]
    names = [f"scale-{uuid.uuid4().hex[:6]}" for _ in range(USERS)]
    # Each user writes through one gateway and reads through the other.
    writers = [StudioClient(gateways[i % 2], name) for i, name in enumerate(names)]
    readers = [StudioClient(gateways[1 - i % 2], name) for i, name in enumerate(names)]
    starting = [reader.balance()["available_credits"] for reader in readers]

    def submit(index: int) -> str:
        writer = writers[index % USERS]
        return writer.create(prompt=f"scale-out {index}", width=128, height=128, num_variations=VARIATIONS)

    with ThreadPoolExecutor(8) as pool:
        operation_ids = list(pool.map(submit, range(USERS * OPERATIONS_PER_USER)))
        followed = pool.submit(follow, readers[0], operation_ids[0])
        finals = list(
            pool.map(
                lambda i: readers[i % USERS].wait(operation_ids[i], timeout=120), range(len(operation_ids))
            )
        )

    assert [op["status"] for op in finals] == ["succeeded"] * len(finals)
    assert all(op["cost"]["charged_credits"] == VARIATIONS for op in finals)
    assert followed.result()[-1]["status"] == "succeeded"

    for index, reader in enumerate(readers):
        balance = reader.wait_no_pending()
        assert balance["available_credits"] == starting[index] - OPERATIONS_PER_USER * VARIATIONS
    for index, operation_id in enumerate(operation_ids):
        assets = readers[index % USERS].assets_of(operation_id, VARIATIONS)
        assert len(assets) == VARIATIONS, f"{operation_id} indexed {len(assets)} times"

    # The replicas of each service together handled each event once.
    consumed = {
        "billing": "operation.requested",
        "generation": "operation.approved",
        "assets": "operation.completed",
    }
    for service, event_type in consumed.items():
        counts = [handled(stack, instance, event_type) for instance in (service, f"{service}-2")]
        assert sum(counts) == len(operation_ids), (service, counts)
