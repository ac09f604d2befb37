"""Notifications end to end below the API: real SMTP (an in-process aiosmtpd server), `.eml` files, webhooks
to a local HTTP receiver that verifies the Standard Webhooks signature, retries, refusals of non-public
addresses, and two replicas delivering the same queue."""

import asyncio
import email
import json
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from studio_batch.adapters import notify_tables, schedule_tables  # noqa: F401  (registers the tables)
from studio_batch.adapters.notifiers import Notifiers
from studio_batch.adapters.notify_tables import notifications
from studio_batch.adapters.tables import metadata
from studio_batch.domain.notices import RetryPolicy
from studio_batch.domain.webhooks import WebhookVerificationError, verify
from studio_batch.schedule_notify_settings import NotificationSettings
from studio_batch.service_layer import notifications as notify
from studio_common.db import create_schema, make_engine, session_factory
from studio_common.devstack import free_port
from studio_common.ids import utcnow
from studio_common.testing.plugin import database_of_kind

FAST = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(minutes=1))
PAYLOAD = {"batch_id": "b1", "name": "Spring sale", "state": "completed", "counts": {"succeeded": 50}}


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """SQLite unless a test asks for both: the delivery rules do not depend on the database."""
    return database_of_kind(request.param, request, tmp_path)


@pytest.fixture
async def sessions(database_url):
    engine = make_engine(database_url)
    await create_schema(engine, metadata)
    yield session_factory(engine)
    await engine.dispose()


class Mailbox:
    def __init__(self, refuse: bool = False) -> None:
        self.messages: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


class Receiver:
    """A webhook endpoint over real HTTP: verifies every signature and answers from a script."""

    def __init__(self, secret: str, answers: list[int], tls: ssl.SSLContext | None = None) -> None:
        self.secret, self.answers, self.requests = secret, list(answers), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                try:
                    verify(receiver.secret, dict(self.headers), body, datetime.now(UTC))
                    verified = True
                except WebhookVerificationError:
                    verified = False
                receiver.requests.append({"headers": dict(self.headers), "body": body, "verified": verified})
                status = receiver.answers.pop(0) if receiver.answers else 200
                if status == 0:  # a receiver that never answers in time
                    time.sleep(3)
                    status = 200
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def settings_for(tmp_path, **overrides) -> NotificationSettings:
    return NotificationSettings(data_dir=str(tmp_path), **overrides)


async def queue(
    sessions, notify_spec: dict, key: str = "completed:1", kind: str = "batch.completed"
) -> list[str]:
    async with sessions() as session, session.begin():
        return await notify.enqueue(session, "b1", "u1", kind, PAYLOAD, notify_spec, key=key)


async def deliveries(sessions) -> list[dict]:
    async with sessions() as session:
        return await notify.deliveries_for_batch(session, "b1")


async def test_email_goes_over_smtp(sessions, smtp_server, tmp_path):
    mailbox, port = smtp_server
    settings = settings_for(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="Studio <studio@example.com>",
    )
    [notification_id] = await queue(sessions, {"email": "ops@example.com"})
    assert await notify.deliver_due(sessions, utcnow(), Notifiers(settings)) == 1
    [message] = mailbox.messages
    assert message["To"] == "ops@example.com" and message["From"] == "Studio <studio@example.com>"
    assert message["Subject"] == "Batch “Spring sale” completed"
    assert "succeeded: 50" in message.get_content() and notification_id in message["Message-ID"]
    [shown] = await deliveries(sessions)
    assert shown["status"] == "delivered" and shown["attempt_log"][0]["outcome"] == "delivered"


def tls_files(tmp_path) -> tuple[ssl.SSLContext, str]:
    """A server context with a certificate for localhost, and the PEM of the CA that signed it."""
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_tls)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return server_tls, str(tmp_path / "ca.pem")


def only_studio(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    # handled=False: aiosmtpd answers (235 or 535) itself.
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"studio", b"s3cret"), handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # it is TLS, from the first byte
@pytest.mark.parametrize("mode", ["starttls", "implicit_tls"])
async def test_email_over_tls_with_a_login(sessions, tmp_path, mode):
    server_tls, ca_file = tls_files(tmp_path)
    mailbox = Mailbox()
    # aiosmtpd only counts STARTTLS as TLS when offering AUTH; with TLS from the first byte it must be told.
    tls_options = (
        {"tls_context": server_tls, "require_starttls": True}
        if mode == "starttls"
        else {"ssl_context": server_tls, "auth_require_tls": False}
    )
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        server_hostname="localhost",
        port=free_port(),
        authenticator=only_studio,
        auth_required=True,
        **tls_options,
    )
    controller.start()
    try:
        settings = settings_for(
            tmp_path,
            smtp_host="localhost",
            smtp_port=controller.port,
            smtp_starttls=mode == "starttls",
            smtp_use_tls=mode == "implicit_tls",
            smtp_username="studio",
            smtp_password="s3cret",
            smtp_ca_bundle=ca_file,
        )
        await queue(sessions, {"email": "ops@example.com"})
        await notify.deliver_due(sessions, utcnow(), Notifiers(settings))
    finally:
        controller.stop()
    [shown] = await deliveries(sessions)
    assert shown["status"] == "delivered", shown["last_error"]
    assert [m["To"] for m in mailbox.messages] == ["ops@example.com"]


async def test_a_wrong_smtp_password_is_not_delivered(sessions, tmp_path):
    server_tls, ca_file = tls_files(tmp_path)
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        server_hostname="localhost",
        port=free_port(),
        authenticator=only_studio,
        auth_required=True,
        tls_context=server_tls,
        require_starttls=True,
    )
    controller.start()
    try:
        settings = settings_for(
            tmp_path,
            smtp_host="localhost",
            smtp_port=controller.port,
            smtp_username="studio",
            smtp_password="wrong",
            smtp_ca_bundle=ca_file,
        )
        await queue(sessions, {"email": "ops@example.com"})
        await notify.deliver_due(sessions, utcnow(), Notifiers(settings))
    finally:
        controller.stop()
    [shown] = await deliveries(sessions)
    assert shown["status"] == "failed" and shown["attempt_log"][0]["status_code"] == 535, shown["last_error"]
    assert mailbox.messages == []


async def test_a_refused_recipient_is_a_permanent_failure(sessions, smtp_server, tmp_path):
    mailbox, port = smtp_server
    mailbox.refuse = True
    settings = settings_for(tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    await queue(sessions, {"email": "nobody@example.com"})
    await notify.deliver_due(sessions, utcnow(), Notifiers(settings))
    [shown] = await deliveries(sessions)
    assert shown["status"] == "failed" and shown["attempt_log"][0]["status_code"] == 550
    assert mailbox.messages == []


async def test_without_an_smtp_host_emails_become_eml_files(sessions, tmp_path):
    [notification_id] = await queue(sessions, {"email": "ops@example.com"})
    await notify.deliver_due(sessions, utcnow(), Notifiers(settings_for(tmp_path)))
    path = tmp_path / "mail" / f"{notification_id}.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email_policy.default)
    assert message["To"] == "ops@example.com" and "Spring sale" in message["Subject"]
    assert [p.name for p in (tmp_path / "mail").iterdir()] == [path.name]


async def test_webhook_retries_after_500s_with_one_id_and_valid_signatures(sessions, tmp_path):
    async with sessions() as session, session.begin():
        stored, secret = notify.prepare_notify(
            {"webhook_url": "http://127.0.0.1/hook"},
            settings_for(tmp_path, webhook_allowed_hosts="127.0.0.1"),
        )
    receiver = Receiver(secret, [500, 503, 200])
    try:
        stored["webhook_url"] = f"http://127.0.0.1:{receiver.port}/hook"
        [notification_id] = await queue(sessions, stored)
        notifiers = Notifiers(settings_for(tmp_path, webhook_allowed_hosts="127.0.0.1"))
        start = utcnow()
        tried = [
            await notify.deliver_due(sessions, start + timedelta(seconds=s), notifiers, FAST)
            for s in (0, 5, 10, 25, 30, 100)
        ]
    finally:
        receiver.close()
    # Due at 0; after the first 500 again at +10; after the second at +30 (back-off doubled).
    assert tried == [1, 0, 1, 0, 1, 0]
    assert [r["verified"] for r in receiver.requests] == [True, True, True]
    assert {r["headers"]["webhook-id"] for r in receiver.requests} == {notification_id}
    assert len({r["body"] for r in receiver.requests}) == 1
    assert json.loads(receiver.requests[0]["body"])["type"] == "batch.completed"
    [shown] = await deliveries(sessions)
    assert shown["status"] == "delivered" and shown["attempts"] == 3
    assert [(a["status_code"], a["outcome"]) for a in shown["attempt_log"]] == [
        (500, "retrying"),
        (503, "retrying"),
        (200, "delivered"),
    ]
    assert all(a["duration_ms"] >= 0 for a in shown["attempt_log"])


async def test_webhook_gives_up_after_a_day(sessions, tmp_path):
    receiver = Receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", [500] * 100)
    try:
        await queue(
            sessions, {"webhook_url": f"http://127.0.0.1:{receiver.port}/", "webhook_secret": receiver.secret}
        )
        notifiers = Notifiers(settings_for(tmp_path, webhook_allowed_hosts="127.0.0.1"))
        hourly = RetryPolicy(base=timedelta(hours=4), cap=timedelta(hours=8))
        start = utcnow()
        for hours in range(0, 30, 4):
            await notify.deliver_due(sessions, start + timedelta(hours=hours), notifiers, hourly)
    finally:
        receiver.close()
    [shown] = await deliveries(sessions)
    # Tries at 0, +4 h, +12 h, +20 h (waits of 4 h, then 8 h capped); the next, at 28 h, would pass the day.
    assert shown["status"] == "failed" and shown["attempts"] == 4 and len(receiver.requests) == 4
    assert [a["outcome"] for a in shown["attempt_log"]] == ["retrying"] * 3 + ["failed"]
    assert "gave up" in shown["last_error"] and shown["next_attempt_at"] is None


async def test_a_receiver_too_slow_to_answer_is_tried_again_later(sessions, tmp_path):
    receiver = Receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", [0])
    try:
        await queue(
            sessions, {"webhook_url": f"http://127.0.0.1:{receiver.port}/", "webhook_secret": receiver.secret}
        )
        await notify.deliver_due(
            sessions,
            utcnow(),
            Notifiers(settings_for(tmp_path, webhook_allowed_hosts="127.0.0.1", webhook_timeout_seconds=0.5)),
            FAST,
        )
    finally:
        receiver.close()
    [shown] = await deliveries(sessions)
    assert shown["status"] == "pending" and shown["attempt_log"][0]["outcome"] == "retrying"
    assert "no answer within 0.5 s" in shown["last_error"] and shown["attempt_log"][0]["duration_ms"] < 2500


async def test_redirects_are_not_followed(sessions, tmp_path):
    receiver = Receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", [302])
    try:
        await queue(
            sessions, {"webhook_url": f"http://127.0.0.1:{receiver.port}/", "webhook_secret": receiver.secret}
        )
        await notify.deliver_due(
            sessions, utcnow(), Notifiers(settings_for(tmp_path, webhook_allowed_hosts="127.0.0.1"))
        )
    finally:
        receiver.close()
    [shown] = await deliveries(sessions)
    assert len(receiver.requests) == 1 and shown["status"] == "failed" and "redirect" in shown["last_error"]


async def test_an_allowed_host_name_is_connected_by_its_checked_address_with_its_own_host_header(
    sessions, tmp_path
):
    receiver = Receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", [204])
    try:
        await queue(
            sessions,
            {"webhook_url": f"http://localhost:{receiver.port}/in", "webhook_secret": receiver.secret},
        )
        await notify.deliver_due(
            sessions, utcnow(), Notifiers(settings_for(tmp_path, webhook_allowed_hosts="localhost"))
        )
    finally:
        receiver.close()
    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["host"] == f"localhost:{receiver.port}" and request["verified"]


@pytest.mark.parametrize(("certified_name", "delivered"), [("localhost", True), ("hooks.example.com", False)])
async def test_https_connects_to_the_checked_address_and_still_checks_the_certificate_for_the_name(
    sessions, tmp_path, certified_name, delivered
):
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(certified_name).configure_cert(server_tls)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    receiver = Receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", [200], tls=server_tls)
    try:
        await queue(
            sessions,
            {"webhook_url": f"https://localhost:{receiver.port}/in", "webhook_secret": receiver.secret},
        )
        await notify.deliver_due(
            sessions,
            utcnow(),
            Notifiers(
                settings_for(
                    tmp_path, webhook_allowed_hosts="localhost", webhook_ca_bundle=str(tmp_path / "ca.pem")
                )
            ),
        )
    finally:
        receiver.close()
    [shown] = await deliveries(sessions)
    if delivered:
        assert shown["status"] == "delivered" and receiver.requests[0]["verified"]
    else:  # a certificate for another name is refused although the address was allowed
        assert shown["status"] == "pending" and receiver.requests == []
        assert "certificate" in shown["last_error"].lower() or "ssl" in shown["last_error"].lower()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://127.0.0.1:{port}/", "loopback"),
        ("https://localhost:{port}/", "loopback"),  # judged by what the name resolves to
        ("https://[::1]:{port}/", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://[fd00:ec2::254]/", "metadata"),
        ("https://10.0.0.5/", "private"),
        ("https://100.64.1.1/", "carrier-grade NAT"),
        ("https://[::ffff:127.0.0.1]:{port}/", "wrapping an IPv4"),
        ("https://224.0.0.251/", "multicast"),
        ("https://2130706433:{port}/", "loopback"),  # 127.0.0.1 written as one number
        ("https://0x7f.1:{port}/", "loopback"),  # and in hex, short form
        ("https://0.0.0.0:{port}/", "unspecified"),
        ("http://127.0.0.1:{port}/", "https"),
        ("https://no-such-host.invalid/", "does not resolve"),
    ],
)
async def test_webhooks_to_non_public_addresses_are_refused_at_send_time(sessions, tmp_path, url, why):
    receiver = Receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", [])
    try:
        await queue(
            sessions, {"webhook_url": url.format(port=receiver.port), "webhook_secret": receiver.secret}
        )
        await notify.deliver_due(sessions, utcnow(), Notifiers(settings_for(tmp_path)))
    finally:
        receiver.close()
    [shown] = await deliveries(sessions)
    assert receiver.requests == []
    assert shown["status"] == "failed" and why in shown["last_error"], shown["last_error"]
    assert len(shown["attempt_log"]) == 1


async def test_enqueue_belongs_to_the_callers_transaction_and_a_replayed_event_adds_nothing(sessions):
    spec = {
        "email": "ops@example.com",
        "webhook_url": "https://hooks.example.com/x",
        "webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    }
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            await notify.enqueue(session, "b1", "u1", "batch.failed", PAYLOAD, spec, key="failed:1")
            raise RuntimeError("the batch change failed")
    assert await deliveries(sessions) == []
    first = await queue(sessions, spec, key="failed:1", kind="batch.failed")
    again = await queue(sessions, spec, key="failed:1", kind="batch.failed")
    assert first == again and len(await deliveries(sessions)) == 2
    with pytest.raises(ValueError):
        await queue(sessions, spec, kind="batch.exploded")
    with pytest.raises(ValueError, match="webhook_secret"):
        await queue(sessions, {"webhook_url": "https://hooks.example.com/x"}, key="no-secret")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_two_replicas_deliver_each_notification_once(sessions, tmp_path):
    receiver = Receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", [])
    try:
        spec = {"webhook_url": f"http://127.0.0.1:{receiver.port}/", "webhook_secret": receiver.secret}
        for n in range(30):
            await queue(sessions, spec, key=f"k{n}")
        notifiers = Notifiers(settings_for(tmp_path, webhook_allowed_hosts="127.0.0.1"))
        now = utcnow()

        async def replica() -> int:
            sent = 0
            while tried := await notify.deliver_due(sessions, now, notifiers, limit=4):
                sent += tried
            return sent

        counts = await asyncio.gather(replica(), replica())
    finally:
        receiver.close()
    assert sum(counts) == 30
    assert (
        sorted(r["headers"]["webhook-id"] for r in receiver.requests)
        == sorted({r["headers"]["webhook-id"] for r in receiver.requests})
        and len(receiver.requests) == 30
    )
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(notifications).where(notifications.c.status == "delivered")
            )
            == 30
        )
