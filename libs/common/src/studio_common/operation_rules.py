"""Rules about an operation that the gateway, billing and the workers must apply alike: the seed range,
how a length in seconds becomes billed units, and the id a provider's operation model goes by.

Written once here so that what the gateway estimates, what billing reserves and what a worker reports
as delivered cannot drift apart."""

import math

# The largest seed a request may carry; derived seeds (per operation, per variation) stay below it.
MAX_SEED = 4_294_967_294

# Float durations come back a hair over the whole second they were cut to (5.000001 s of a 5 s clip).
_SECOND_TOLERANCE = 1e-6


def billable_seconds(seconds: float) -> int:
    """Seconds of video or speech as billed units: rounded up to the whole second, at least one."""
    return max(1, math.ceil(seconds - _SECOND_TOLERANCE))


def operation_model(kind: str) -> str:
    """The model id of a single-purpose operation, named after its kind: edit.search_replace ->
    "search-replace", transform.3d -> "3d"."""
    return kind.split(".", 1)[1].replace("_", "-")
