"""Share boards: a read-only public link to a collection, with an optional password and expiry, that its
owner can revoke. Pure rules; the token is the only secret a visitor holds."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

PBKDF2_ITERATIONS = 120_000
MAX_EXPIRY = timedelta(days=365)
MIN_PASSWORD_CHARS, MAX_PASSWORD_CHARS = 8, 200
# Guessing a board's password: after this many wrong answers the board refuses every try for a while.
MAX_FAILED_ATTEMPTS = 10
LOCKOUT = timedelta(minutes=15)


class BoardClosed(Exception):
    """Revoked or expired: the link existed but opens nothing any more (HTTP 410)."""


class PasswordRequired(Exception):
    """No password given for a board that has one (HTTP 401)."""


class WrongPassword(Exception):
    """HTTP 403. The failed attempt is recorded even though the request fails."""


class TooManyAttempts(Exception):
    """HTTP 429: too many wrong passwords; locked until a moment it names (and Retry-After)."""

    def __init__(self, until: datetime, now: datetime) -> None:
        super().__init__(f"too many wrong passwords; try again after {until.isoformat()}")
        self.retry_after = max(1, int((until - now).total_seconds() + 0.999))


def new_token() -> str:
    """32 URL-safe characters, never starting with - or _ (read as an option or dropped by some tools)."""
    while not (token := secrets.token_urlsafe(24))[0].isalnum():
        pass
    return token


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    _, iterations, salt, expected = stored.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


def check_open(board: dict, password: str | None, now: datetime) -> None:
    """Raise why a visitor may not see this board before its password is checked, if they may not."""
    if board["revoked_at"] is not None:
        raise BoardClosed("this board was revoked by its owner")
    if board["expires_at"] is not None and board["expires_at"] <= now:
        raise BoardClosed(f"this board expired at {board['expires_at'].isoformat()}")
    if board["password_hash"]:
        if board["locked_until"] is not None and board["locked_until"] > now:
            raise TooManyAttempts(board["locked_until"], now)
        if not password:
            raise PasswordRequired("this board needs a password (X-Board-Password header)")
