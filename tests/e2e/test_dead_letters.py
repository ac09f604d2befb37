"""Dead letters through the whole stack: an approval a worker rejects ends the operation `failed`
(internal_error) with its credits released, visible to the user and on the SSE stream; an operator lists,
shows and replays dead letters with `studio dlq`."""

import asyncio
import json

import aio_pika
import httpx

from studio_common.testing.client import StudioClient
from studio_gateway import cli


def reject_the_next_approval(stack, queue: str) -> dict:
    """Take the approval waiting in a worker's queue and reject it, as a worker whose handler keeps
    failing would: the broker dead-letters it into `<queue>.dlq`."""

    async def reject() -> dict:
        connection = await aio_pika.connect(
            stack.env.get("STUDIO_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
        )
        async with connection:
            channel = await connection.channel()
            work = await channel.declare_queue(queue, passive=True)
            for _ in range(100):
                message = await work.get(fail=False)
                if message is not None:
                    await message.reject(requeue=False)
                    return json.loads(message.body)
                await asyncio.sleep(0.1)
        raise AssertionError(f"no approval arrived in {queue}")

    return asyncio.run(reject())


def test_an_approval_a_worker_cannot_process_fails_the_operation_and_releases_credits(
    stack, user: StudioClient, monkeypatch, capsys
):
    before = user.wait_no_pending()["available_credits"]
    stack.stop("generation")
    try:
        op_id = user.create(
            prompt="a lighthouse that will never be drawn", width=256, height=256, num_variations=2
        )
        rejected = reject_the_next_approval(stack, stack.env["STUDIO_QUEUE_PREFIX"] + "generation")
        assert rejected["subject"] == op_id
        op = user.wait(op_id, timeout=60)
        assert (op["status"], op["error"]["code"]) == ("failed", "internal_error"), op
        assert op["cost"]["charged_credits"] == 0
        assert user.wait_no_pending()["available_credits"] == before
        with user.http.stream("GET", f"/api/image-studio/operations/{op_id}/events") as stream:
            lines = [line for line in stream.iter_lines() if line.startswith("data:")]
        assert json.loads(lines[-1].removeprefix("data:"))["status"] == "failed"
    finally:
        stack.start("generation")
        stack.wait_ready("generation")

    monkeypatch.setenv("STUDIO_BILLING_URL", stack.url("billing"))
    assert cli.main(["dlq", "list"]) == 0
    listing = capsys.readouterr().out
    line = next(row for row in listing.splitlines() if op_id in row)
    letter_id = line.split()[0]
    assert "resolved" in line and "generation" in line
    assert cli.main(["dlq", "show", letter_id]) == 0
    assert json.loads(capsys.readouterr().out)["operation_id"] == op_id
    assert cli.main(["dlq", "replay", letter_id]) == 0  # safe: the hold is voided, the worker drops it
    capsys.readouterr()
    assert cli.main(["dlq", "show", letter_id]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "replayed"
    assert httpx.get(f"{stack.url('billing')}/internal/dead-letters").status_code == 401  # operators only
    assert user.wait(op_id)["status"] == "failed"
    assert user.get("/api/content-assets", params={"operation_id": op_id}).json()["items"] == []
