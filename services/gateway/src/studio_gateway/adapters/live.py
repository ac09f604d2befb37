"""Live fan-out inside one gateway replica: SSE streams wait here for news of their operation."""

import asyncio
from collections import defaultdict


class LiveHub:
    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)

    def notify(self, operation_id: str) -> None:
        for waiter in self._waiters.get(operation_id, ()):
            waiter.set()

    def subscribe(self, operation_id: str) -> asyncio.Event:
        waiter = asyncio.Event()
        self._waiters[operation_id].add(waiter)
        return waiter

    def unsubscribe(self, operation_id: str, waiter: asyncio.Event) -> None:
        waiters = self._waiters.get(operation_id)
        if waiters is not None:
            waiters.discard(waiter)
            if not waiters:
                del self._waiters[operation_id]
