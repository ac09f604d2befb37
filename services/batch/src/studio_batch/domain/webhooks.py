"""Signing webhooks the Standard Webhooks way (https://www.standardwebhooks.com), and verifying them.

The signed content is "{webhook-id}.{webhook-timestamp}.{body}", HMAC-SHA256 with the endpoint's secret,
sent as `webhook-signature: v1,<base64>`. Secrets are shown to users as `whsec_<base64 of 32 random bytes>`.
Verification is here too: the tests use it as a receiver would, and the README's example mirrors it.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec asks for 24 to 64 random bytes
DEFAULT_TOLERANCE_SECONDS = 5 * 60


class WebhookVerificationError(ValueError):
    pass


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The raw key behind a `whsec_...` secret (the prefix is optional, as in the reference libraries)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise WebhookVerificationError("the webhook secret is not base64") from None
    if not key:
        raise WebhookVerificationError("the webhook secret is empty")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    if "." in message_id:  # the spec forbids it: a dot would let id and timestamp trade characters
        raise ValueError("a webhook id may not contain '.'")
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: dict[str, str],
    body: bytes,
    now: datetime,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise WebhookVerificationError unless one `v1` signature matches and the timestamp is recent."""
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id, stamp, sent = (
        lowered.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    if not (message_id and stamp and sent):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is too old or too new (a replay?)")
    expected = signature(secret, message_id, timestamp, body).encode()
    # Several signatures, space separated, while a secret is being rotated.
    if not any(
        hmac.compare_digest(expected, candidate.encode())
        for candidate in sent.split(" ")
        if candidate.startswith("v1,")
    ):
        raise WebhookVerificationError("no matching signature")
