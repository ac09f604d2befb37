"""Request rate limits on the `limits` library: in-process counters by default, or Redis when a URL is
set, so that every gateway replica counts against the same budget. Sliding-window counters: two numbers
per key and window, in memory or in Redis (atomic there)."""

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter


@dataclass(frozen=True, slots=True)
class Refusal:
    scope: str  # "user" or "ip"
    limit: str
    retry_after: int


class RateLimits:
    def __init__(self, per_user: str, per_ip: str, redis_url: str | None = None) -> None:
        self.per_user: RateLimitItem | None = parse(per_user) if per_user else None
        self.per_ip: RateLimitItem | None = parse(per_ip) if per_ip else None
        self.storage: Storage = _storage(redis_url)
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)

    async def hit_user(self, user_id: str) -> Refusal | None:
        return await self._hit(self.per_user, "user", user_id)

    async def hit_ip(self, address: str) -> Refusal | None:
        return await self._hit(self.per_ip, "ip", address)

    async def _hit(self, item: RateLimitItem | None, scope: str, who: str) -> Refusal | None:
        if item is None or await self.limiter.hit(item, scope, who):
            return None
        stats = await self.limiter.get_window_stats(item, scope, who)
        return Refusal(scope, str(item), max(1, int(stats.reset_time - time.time() + 0.999)))

    async def aclose(self) -> None:
        """Close the Redis connections (the counters stay: they belong to every replica)."""
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()


def _storage(redis_url: str | None) -> Storage:
    if not redis_url:
        return MemoryStorage()
    uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
    return RedisStorage(uri, implementation="redispy", key_prefix="studio-rate")
