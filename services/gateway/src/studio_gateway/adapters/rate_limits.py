"""Request rate limits on the `limits` library: in-process counters by default, or Redis when a URL is
set, so that every gateway replica counts against the same budget. Sliding-window counters: two numbers
per key and window, in memory or in Redis (atomic there)."""

import logging
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Refusal:
    scope: str  # "user" or "ip"
    limit: str
    retry_after: int


class RateLimits:
    def __init__(self, per_user: str, per_ip: str, redis_url: str | None = None) -> None:
        self.per_user: list[RateLimitItem] = parse_many(per_user) if per_user else []
        self.per_ip: list[RateLimitItem] = parse_many(per_ip) if per_ip else []
        self.storage: Storage = _storage(redis_url)
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)

    async def hit_user(self, user_id: str) -> Refusal | None:
        return await self._hit(self.per_user, "user", user_id)

    async def hit_ip(self, address: str) -> Refusal | None:
        return await self._hit(self.per_ip, "ip", address)

    async def _hit(self, items: list[RateLimitItem], scope: str, who: str) -> Refusal | None:
        """Count one request against each limit; the first exhausted one refuses it. When Redis cannot
        be reached the request is let through (and logged): the limits protect capacity, and an outage
        of the counters must not take the API down with it."""
        try:
            for item in items:
                if not await self.limiter.hit(item, scope, who):
                    stats = await self.limiter.get_window_stats(item, scope, who)
                    return Refusal(scope, str(item), max(1, int(stats.reset_time - time.time() + 0.999)))
        except StorageError as exc:
            log.warning("rate limits not counted: %s", exc)
        return None

    async def aclose(self) -> None:
        """Close the Redis connections (the counters stay: they belong to every replica)."""
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()


def _storage(redis_url: str | None) -> Storage:
    if not redis_url:
        return MemoryStorage()
    uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
    return RedisStorage(
        uri,
        implementation="redispy",
        key_prefix="studio-rate",
        wrap_exceptions=True,
        socket_connect_timeout=1,
        socket_timeout=1,
    )
