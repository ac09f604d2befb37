"""Opaque, expiring references to stored files for share-board visitors: the storage key (which names the
owner and the operation) is encrypted and authenticated (AES-GCM), so a visitor's URL says nothing but
"this file, until then", and cannot be altered to name another."""

import base64
import hashlib
import json
import os
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PURPOSE = b"studio shared file link"


class LinkInvalid(ValueError):
    pass


class SealedLinks:
    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(PURPOSE + b"\0" + secret.encode()).digest())

    def seal(self, storage_key: str, ttl_seconds: int, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + ttl_seconds)
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, json.dumps([storage_key, expires]).encode(), PURPOSE)
        return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()

    def open(self, reference: str, now: float | None = None) -> str:
        """The storage key, or LinkInvalid when the reference was altered, forged or has expired."""
        try:
            raw = base64.urlsafe_b64decode(reference + "=" * (-len(reference) % 4))
            storage_key, expires = json.loads(self._aead.decrypt(raw[:12], raw[12:], PURPOSE))
        except (ValueError, InvalidTag, TypeError) as exc:
            raise LinkInvalid("this file link is invalid") from exc
        if expires < (now if now is not None else time.time()):
            raise LinkInvalid("this file link has expired; open the board again")
        return storage_key
