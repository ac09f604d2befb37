"""The started notice: published only for a block that outlasts its delay, and never after the block."""

import asyncio

from studio_providers.start_notice import started_if_slow


class Notices:
    def __init__(self, fail: bool = False, seconds: float = 0.0) -> None:
        self.sent, self.fail, self.seconds = 0, fail, seconds

    async def publish(self) -> None:
        await asyncio.sleep(self.seconds)
        if self.fail:
            raise ConnectionError("broker away")
        self.sent += 1


async def test_a_block_that_ends_before_the_delay_sends_nothing():
    notices = Notices()
    async with started_if_slow(notices.publish, 0.2):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # nothing was left behind to send it later
    assert notices.sent == 0


async def test_a_block_that_outlasts_the_delay_sends_one_notice_while_it_runs():
    notices = Notices()
    async with started_if_slow(notices.publish, 0.05):
        await asyncio.sleep(0.2)
        assert notices.sent == 1
    assert notices.sent == 1


async def test_no_delay_sends_the_notice_before_the_block_runs():
    notices = Notices()
    async with started_if_slow(notices.publish, 0):
        assert notices.sent == 1


async def test_a_notice_being_published_when_the_block_ends_is_sent_before_leaving():
    notices = Notices(seconds=0.2)
    async with started_if_slow(notices.publish, 0.05):
        await asyncio.sleep(0.1)  # the publish is under way
    assert notices.sent == 1


async def test_a_notice_that_cannot_be_published_does_not_fail_the_run(caplog):
    notices = Notices(fail=True)
    async with started_if_slow(notices.publish, 0.01):
        await asyncio.sleep(0.1)
    assert "could not publish that the operation started" in caplog.text
