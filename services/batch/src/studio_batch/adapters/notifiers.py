"""Sending notifications: email over SMTP (or `.eml` files when no SMTP server is configured) and signed
webhooks over HTTPS to public addresses only.

Each send answers with a `Delivery`: delivered, or why not and whether trying again could help.
"""

import asyncio
import ipaddress
import logging
import os
import socket
import ssl
import time
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import aiosmtplib
import certifi
import httpx

from studio_batch.domain.addresses import Address, Allowlist, refusal_reason
from studio_batch.domain.notices import email_text
from studio_batch.domain.webhooks import signed_headers
from studio_batch.schedule_notify_settings import NotificationSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    status_code: int | None = None
    error: str | None = None
    permanent: bool = False  # trying again cannot help (a refused address, a rejected recipient)
    duration_ms: int = 0


@dataclass(frozen=True)
class Notice:
    """One notification as the senders need it (a row of the notifications table)."""

    id: str
    channel: str
    target: str
    body: str
    secret: str | None = None


class Notifiers:
    def __init__(self, settings: NotificationSettings) -> None:
        self.email = EmailSender(settings)
        self.webhook = WebhookSender(settings)

    async def send(self, notice: Notice) -> Delivery:
        started = time.monotonic()
        sender = self.email if notice.channel == "email" else self.webhook
        try:
            delivery = await sender.send(notice)
        except Exception as exc:  # recorded as a failed attempt, never lost with the others sent alongside
            log.exception("sending notification %s failed", notice.id)
            delivery = Delivery(False, None, f"internal error: {type(exc).__name__}: {exc}")
        return replace(delivery, duration_ms=int((time.monotonic() - started) * 1000))


class EmailSender:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self.mail_dir = Path(settings.mail_dir or Path(settings.data_dir) / "mail")

    def message(self, notice: Notice) -> EmailMessage:
        subject, text = email_text(notice.body)
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = notice.target
        message["Subject"] = subject
        message["Date"] = formatdate(time.time(), usegmt=True)
        # The same Message-ID on every attempt lets a mail system drop a duplicate of a retried send.
        message["Message-ID"] = make_msgid(idstring=notice.id, domain="image-studio")
        message.set_content(text)
        return message

    async def send(self, notice: Notice) -> Delivery:
        message = self.message(notice)
        if not self.settings.smtp_host:
            return await asyncio.to_thread(self._write_eml, notice.id, message)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.settings.smtp_host,
                port=self.settings.smtp_port,
                use_tls=self.settings.smtp_use_tls,
                start_tls=self.settings.smtp_starttls and not self.settings.smtp_use_tls,
                username=self.settings.smtp_username,
                password=self.settings.smtp_password,
                cert_bundle=self.settings.smtp_ca_bundle,
                timeout=self.settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refusal = exc.recipients[0]
            return Delivery(
                False, refusal.code, f"SMTP {refusal.code}: {refusal.message}", permanent=refusal.code >= 500
            )
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server will say the same next time (no such mailbox, relay refused).
            return Delivery(False, exc.code, f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Delivery(False, None, f"SMTP: {type(exc).__name__}: {exc}")
        return Delivery(True, 250)

    def _write_eml(self, notice_id: str, message: EmailMessage) -> Delivery:
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        final = self.mail_dir / f"{notice_id}.eml"
        partial = final.with_suffix(".eml.part")
        partial.write_bytes(bytes(message))
        os.replace(partial, final)  # one file per notification, whole or absent, however often written
        return Delivery(True)


class AddressRefused(Exception):
    pass


class WebhookSender:
    def __init__(self, settings: NotificationSettings) -> None:
        self.allowlist = Allowlist.parse(settings.webhook_allowed_hosts)
        self.timeout = settings.webhook_timeout_seconds
        self.tls = ssl.create_default_context(cafile=certifi.where())  # what httpx trusts by default
        if settings.webhook_ca_bundle:
            self.tls.load_verify_locations(settings.webhook_ca_bundle)

    async def send(self, notice: Notice) -> Delivery:
        body = notice.body.encode()
        # Signed at the moment of sending: receivers refuse timestamps more than minutes old.
        headers = {
            **signed_headers(notice.secret, notice.id, int(time.time()), body),
            "content-type": "application/json",
            "user-agent": "ImageStudio-Webhooks/1",
        }
        url = httpx.URL(notice.target)
        try:
            addresses = await self.checked_addresses(url)
        except AddressRefused as exc:
            return Delivery(False, None, str(exc), permanent=True)
        for index, address in enumerate(addresses):
            try:
                return await self._post(url, address, headers, body)
            except httpx.ConnectError as exc:
                if index + 1 < len(addresses):
                    continue  # another checked address of the same host may answer
                return Delivery(False, None, f"ConnectError: {exc}")
            except httpx.HTTPError as exc:
                return Delivery(
                    False, None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                )
            except TimeoutError:
                return Delivery(False, None, f"no answer within {self.timeout:g} s")
        raise AssertionError("a host resolves to at least one address")

    async def checked_addresses(self, url: httpx.URL) -> list[Address]:
        """The addresses to connect to: every address the host resolves to must be allowed."""
        host_allowed = self.allowlist.allows_host(url.host)
        if url.scheme != "https" and not (url.scheme == "http" and host_allowed):
            raise AddressRefused("webhook URLs must use https")
        addresses = await self._resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
        if not host_allowed:
            for address in addresses:
                reason = refusal_reason(address)
                if reason and not self.allowlist.allows_address(address):
                    raise AddressRefused(
                        f"{url.host} resolves to {address}, {reason}: webhooks go to public addresses only"
                    )
        return addresses

    @staticmethod
    async def _resolve(host: str, port: int) -> list[Address]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise AddressRefused(f"{host} does not resolve: {exc.strerror}") from None
        # A scoped IPv6 answer ("fe80::1%eth0") loses its scope here; it is link-local and refused anyway.
        return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))

    async def _post(self, url: httpx.URL, address: Address, headers: dict, body: bytes) -> Delivery:
        # Connect to the address that was checked, not to whatever the name resolves to a moment later;
        # the Host header and TLS server name (and so certificate checking) still use the host name.
        pinned = url.copy_with(host=str(address))
        headers = {**headers, "host": url.netloc.decode("ascii")}
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        # trust_env off: a proxy from the environment would resolve the name again, elsewhere.
        # The whole exchange has one deadline (a receiver dripping bytes cannot hold a sender), and the
        # answer's body is never read: only its status matters.
        async with (
            asyncio.timeout(self.timeout),
            httpx.AsyncClient(
                timeout=self.timeout, follow_redirects=False, trust_env=False, verify=self.tls
            ) as client,
        ):
            request = client.build_request(
                "POST", pinned, content=body, headers=headers, extensions=extensions
            )
            response = await client.send(request, stream=True)
            await response.aclose()
        if response.is_success:
            return Delivery(True, response.status_code)
        if response.is_redirect:
            return Delivery(
                False, response.status_code, "redirects are not followed; give the final URL", permanent=True
            )
        return Delivery(False, response.status_code, f"HTTP {response.status_code}")
