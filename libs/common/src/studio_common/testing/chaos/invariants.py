"""The invariant checker: after the faults stop, what the product promises is read back through the
public API (and the broker's dead-letter queues), and every breach is described well enough to debug.

I4: every 202 reaches a final status; I2: every hold resolves once (granted - available = charged, no
credits pending); outputs indexed exactly once and downloadable; an Idempotency-Key replays one
operation; no 5xx while the gateway itself is up; no dead letter left in a `.dlq` queue.
"""

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from studio_common.testing.chaos.faults import FaultLog
from studio_common.testing.chaos.load import LoadGenerator, Outcome, ServerError
from studio_common.testing.private_infra import PrivateRabbit

FINAL = {"succeeded", "failed", "canceled", "rejected", "expired"}


@dataclass
class Findings:
    accepted: int = 0
    statuses: Counter = field(default_factory=Counter)
    not_final: list[dict] = field(default_factory=list)  # no final status
    unsettled: list[dict] = field(default_factory=list)  # final, but what was charged never shown
    unresolved_holds: int = 0  # approved or running, so holding credits
    seconds_to_all_final: float | None = None
    ledger_breaks: list[str] = field(default_factory=list)
    duplicate_assets: int = 0
    asset_breaks: list[str] = field(default_factory=list)
    idempotency_breaks: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    server_errors_outside_downtime: list[str] = field(default_factory=list)
    server_errors_total: int = 0
    dead_letters: dict[str, list[str]] = field(default_factory=dict)  # a sample of each non-empty `.dlq`
    dead_letter_depths: dict[str, int] = field(default_factory=dict)
    recorded_dead_letters: list[dict] = field(default_factory=list)  # billing's record (`studio dlq list`)
    crashes: list[str] = field(default_factory=list)
    failed_starts: list[str] = field(default_factory=list)
    fault_errors: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        out = []
        if self.not_final:
            out.append(
                f"{len(self.not_final)} of {self.accepted} accepted operations not final:\n"
                + "\n".join(f"  {_describe(op)}" for op in self.not_final[:30])
            )
        if self.unsettled:
            out.append(
                f"{len(self.unsettled)} final operations whose charge the operation never showed:\n"
                + "\n".join(f"  {_describe(op)}" for op in self.unsettled[:30])
            )
        out += [f"ledger: {line}" for line in self.ledger_breaks]
        if self.duplicate_assets:
            out.append(f"{self.duplicate_assets} duplicate assets")
        out += [f"assets: {line}" for line in self.asset_breaks[:20]]
        out += [f"idempotency: {line}" for line in self.idempotency_breaks]
        out += [f"refused or unanswered: {line}" for line in self.refused[:20]]
        if self.server_errors_outside_downtime:
            out.append(
                f"{len(self.server_errors_outside_downtime)} 5xx while the gateway was up:\n"
                + "\n".join(f"  {line}" for line in self.server_errors_outside_downtime[:20])
            )
        for queue, messages in self.dead_letters.items():
            depth = self.dead_letter_depths.get(queue, len(messages))
            out.append(
                f"{depth} unresolved dead letters in {queue}, for example:\n"
                + "\n".join(f"  {m}" for m in messages[:15])
            )
        parked = [d for d in self.recorded_dead_letters if d.get("status") != "resolved"]
        if parked:
            out.append(
                f"{len(parked)} dead letters recorded but not resolved:\n"
                + "\n".join(f"  {_letter(d)}" for d in parked[:15])
            )
        out += [f"service crashed on its own: {c}" for c in self.crashes]
        out += [f"fault injection failed: {e}" for e in self.fault_errors]
        return out


ASSETS_CATCH_UP_SECONDS = 30.0


def _operator_headers() -> dict[str, str]:
    """A service token with the operator's scope, signed as the gateway (the development keys)."""
    from studio_common.service_auth import ServiceTokens
    from studio_common.settings import CommonSettings

    return ServiceTokens(CommonSettings(service_name="gateway")).headers("billing", ("dead-letters.operate",))


def _letter(letter: dict) -> str:
    return (
        f"{letter.get('status')} {letter.get('queue')} {letter.get('event_type')} "
        f"operation={letter.get('operation_id')} reason={letter.get('reason')}: "
        f"{letter.get('resolution')}"
    )


def _describe(op: dict) -> str:
    cost = op.get("cost") or {}
    return (
        f"{op.get('operation_id')} {op.get('kind')} status={op.get('status')} "
        f"progress={op.get('progress')} charged={cost.get('charged_credits')} error={op.get('error')}"
    )


class InvariantChecker:
    def __init__(
        self,
        load: LoadGenerator,
        rabbit: PrivateRabbit,
        queue_prefix: str,
        faults: FaultLog,
        billing_url: str,
    ) -> None:
        self.billing_url = billing_url
        self.load = load
        self.rabbit = rabbit
        self.queue_prefix = queue_prefix
        self.faults = faults

    async def check(
        self, outcomes: list[Outcome], granted: dict[str, int], quiet_at: float, final_timeout: float
    ) -> Findings:
        findings = Findings(
            crashes=list(self.faults.crashes),
            failed_starts=list(self.faults.failed_starts),
            fault_errors=list(self.faults.errors),
        )
        self._check_answers(outcomes, findings)
        self._check_server_errors(self.load.server_errors, findings)
        users = sorted({o.job.user for o in outcomes})
        clients = {user: self.load.client(user) for user in users}
        try:
            ids = {o.operation_id: o.job.user for o in outcomes if o.operation_id}
            findings.accepted = len(ids)
            finals = await self._wait_final(clients, ids, quiet_at, final_timeout, findings)
            for user in users:
                listed = await _list_operations(clients[user])
                unknown = [op for op in listed if op["operation_id"] not in ids]
                if unknown:
                    findings.idempotency_breaks.append(
                        f"{user}: {len(unknown)} operations the client never got an answer for, e.g. "
                        f"{_describe(unknown[0])}"
                    )
                await self._check_ledger(clients[user], user, granted[user], listed, findings)
            await self._check_assets(clients, ids, finals, findings)
        finally:
            for client in clients.values():
                await client.aclose()
        findings.dead_letter_depths, findings.dead_letters = await asyncio.to_thread(self._dead_letters)
        findings.recorded_dead_letters = await self._recorded_dead_letters()
        return findings

    def _check_answers(self, outcomes: list[Outcome], findings: Findings) -> None:
        for o in outcomes:
            if len(set(o.operation_ids)) > 1:
                findings.idempotency_breaks.append(f"key {o.job.key} answered {o.operation_ids}")
            if o.rejected:
                findings.refused.append(f"{o.job.kind} {o.job.key}: {o.rejected[0]} {o.rejected[1]}")
            if o.gave_up:
                findings.refused.append(f"{o.job.kind} {o.job.key}: {o.gave_up}")

    def _check_server_errors(self, errors: list[ServerError], findings: Findings) -> None:
        findings.server_errors_total = len(errors)
        for error in errors:
            # With its own database restarting the gateway is as good as down: a 503 (retry later) is the
            # honest answer then, but never a 500.
            database_down = error.status == 503 and self.faults.down("postgres", error.at, grace=5.0)
            if not self.faults.down("gateway", error.at) and not database_down:
                findings.server_errors_outside_downtime.append(
                    f"{error.status} {error.path} during [{self.faults.describe(error.at)}]: {error.body}"
                )

    async def _wait_final(
        self, clients, ids: dict[str, str], quiet_at: float, timeout: float, findings: Findings
    ) -> dict[str, dict]:
        finals: dict[str, dict] = {}
        latest: dict[str, dict] = {}
        waiting = set(ids)
        limit = asyncio.Semaphore(16)

        async def read(op_id: str) -> None:
            async with limit:
                try:
                    response = await clients[ids[op_id]].get(f"/api/image-studio/operations/{op_id}")
                except httpx.TransportError:
                    return
            if response.status_code != 200:
                latest[op_id] = {"operation_id": op_id, "status": f"HTTP {response.status_code}"}
                return
            op = latest[op_id] = response.json()
            settled = op["status"] == "rejected" or (op.get("cost") or {}).get("charged_credits") is not None
            if op["status"] in FINAL and settled:
                finals[op_id] = op
                waiting.discard(op_id)

        deadline = quiet_at + timeout
        while waiting and time.monotonic() < deadline:
            await asyncio.gather(*(read(op_id) for op_id in list(waiting)))
            if waiting:
                await asyncio.sleep(0.5)
        if not waiting:
            findings.seconds_to_all_final = round(max(0.0, time.monotonic() - quiet_at), 1)
        stuck = [
            latest.get(op_id, {"operation_id": op_id, "status": "never read"}) for op_id in sorted(waiting)
        ]
        findings.not_final = [op for op in stuck if op.get("status") not in FINAL]
        findings.unsettled = [op for op in stuck if op.get("status") in FINAL]
        findings.unresolved_holds = sum(1 for op in stuck if op.get("status") in ("approved", "running"))
        findings.statuses = Counter(op["status"] for op in finals.values())
        findings.statuses.update(op.get("status") for op in stuck)
        return finals

    async def _check_ledger(
        self, client: httpx.AsyncClient, user: str, granted: int, listed: list[dict], findings: Findings
    ) -> None:
        balance = (await client.get("/api/billing/balance")).json()
        charged = sum((op.get("cost") or {}).get("charged_credits") or 0 for op in listed)
        spent = granted - balance["available_credits"]
        if spent != charged or balance["pending_credits"] != 0:
            findings.ledger_breaks.append(
                f"{user}: granted {granted} - available {balance['available_credits']} = {spent}, but "
                f"operations were charged {charged}; pending {balance['pending_credits']}"
            )

    async def _check_assets(
        self, clients, ids: dict[str, str], finals: dict[str, dict], findings: Findings
    ) -> None:
        limit = asyncio.Semaphore(16)
        # Indexing follows completion asynchronously: an assets service that restarted last may still be
        # catching up when every operation is final, so each operation gets until the deadline (I5 is
        # "eventually, exactly once").
        deadline = time.monotonic() + ASSETS_CATCH_UP_SECONDS

        async def indexed(client, op: dict) -> list[dict]:
            while True:
                async with limit:
                    items = (
                        await client.get(
                            "/api/content-assets",
                            params={"operation_id": op["operation_id"], "page_size": 100},
                        )
                    ).json()["items"]
                if len(items) >= len(op["outputs"]) or time.monotonic() > deadline:
                    return items
                await asyncio.sleep(0.5)

        async def check(op: dict) -> None:
            client = clients[ids[op["operation_id"]]]
            items = await indexed(client, op)
            async with limit:
                expected = len(op["outputs"])
                if len(items) > expected:
                    findings.duplicate_assets += len(items) - expected
                if len(items) < expected:
                    findings.asset_breaks.append(
                        f"{op['operation_id']} {op['kind']}: {len(items)} assets "
                        f"indexed for {expected} outputs"
                    )
                for item in items:
                    await self._check_download(client, plain, op, item, findings)

        async with httpx.AsyncClient(timeout=30) as plain:  # signed URLs carry their own authority
            await asyncio.gather(*(check(op) for op in finals.values() if op["status"] == "succeeded"))

    @staticmethod
    async def _check_download(
        client: httpx.AsyncClient, plain: httpx.AsyncClient, op: dict, item: dict, findings: Findings
    ) -> None:
        link = await client.get(f"/api/content-assets/{item['id']}/download")
        if link.status_code != 200:
            findings.asset_breaks.append(
                f"{op['operation_id']}: download link answered {link.status_code} {link.text[:100]}"
            )
            return
        body = await plain.get(link.json()["url"])
        if body.status_code != 200 or not body.content:
            findings.asset_breaks.append(
                f"{op['operation_id']}: asset {item['id']} bytes answer {body.status_code}"
            )

    async def _recorded_dead_letters(self) -> list[dict]:
        """What billing's dead-letter resolver recorded (the API behind `studio dlq list`), read as the
        operator's tool reads it."""
        async with httpx.AsyncClient(base_url=self.billing_url, timeout=30) as billing:
            response = await billing.get("/internal/dead-letters", headers=_operator_headers())
        if response.status_code != 200:
            answer = f"unreadable (billing answered {response.status_code})"
            return [{"status": answer, "resolution": response.text[:200]}]
        return response.json()

    def _dead_letters(self) -> tuple[dict[str, int], dict[str, list[str]]]:
        depths = self.rabbit.queue_depths()
        queues = [
            q for q, n in depths.items() if q.startswith(self.queue_prefix) and q.endswith(".dlq") and n
        ]
        return (
            {queue: depths[queue] for queue in queues},
            {queue: peek_dead_letters(self.rabbit.amqp_url, queue) for queue in queues},
        )


async def _list_operations(client: httpx.AsyncClient) -> list[dict]:
    items, page = [], 1
    while True:
        params = {"page": page, "page_size": 100}
        body = (await client.get("/api/image-studio/operations", params=params)).json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


def peek_dead_letters(amqp_url: str, queue: str, limit: int = 20) -> list[str]:
    """What sits in a dead-letter queue (type, operation, why), without consuming it."""

    async def peek() -> list[str]:
        import aio_pika

        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            source = await channel.get_queue(queue, ensure=False)
            seen = []
            for _ in range(limit):
                message = await source.get(no_ack=False, fail=False)
                if message is None:
                    break
                seen.append(_dead_letter_line(message))
            return seen  # closing the channel unacknowledged returns them all to the queue

    try:
        return asyncio.run(peek())
    except Exception as exc:
        return [f"(could not read {queue}: {exc!r})"]


def _dead_letter_line(message) -> str:
    try:
        body = json.loads(message.body)
    except ValueError:
        body = {}
    deaths = (message.headers or {}).get("x-death") or [{}]
    reason = deaths[0].get("reason") if isinstance(deaths[0], dict) else None
    data = body.get("data") if isinstance(body.get("data"), dict) else body
    operation = data.get("operation_id") or body.get("subject")
    return (
        f"{body.get('type', message.routing_key)} operation={operation} "
        f"reason={reason or (message.headers or {}).get('x-first-death-reason')}"
    )
