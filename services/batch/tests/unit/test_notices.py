"""Notification rules: which addresses a webhook may reach, the notify spec, the messages, the back-off."""

import ipaddress
import json
from datetime import UTC, datetime, timedelta

import pytest

from studio_batch.domain.addresses import Allowlist, refusal_reason
from studio_batch.domain.notices import NotifyError, RetryPolicy, email_text, parse_notify, webhook_body

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("168.63.129.16", "metadata"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "address"),
        ("192.0.2.10", "address"),  # documentation range
        ("::ffff:127.0.0.1", "wrapping an IPv4"),
        ("::ffff:8.8.8.8", "wrapping an IPv4"),  # mapped addresses are refused whatever they wrap
        ("::ffff:169.254.169.254", "wrapping an IPv4"),
        ("2002:7f00:1::", "wrapping a loopback"),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", "wrapping a private"),  # NAT64 of 10.0.0.1
    ],
)
def test_non_public_addresses_are_refused_with_a_reason(address, why):
    reason = refusal_reason(ipaddress.ip_address(address))
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]
)
def test_public_addresses_pass(address):
    assert refusal_reason(ipaddress.ip_address(address)) is None


def test_the_allowlist_takes_names_addresses_and_networks():
    allowlist = Allowlist.parse(" receiver.internal., 127.0.0.1 ,10.20.0.0/16, ")
    assert allowlist.allows_host("Receiver.Internal")
    assert allowlist.allows_host("127.0.0.1") and allowlist.allows_host("10.20.3.4")
    assert not allowlist.allows_host("10.21.0.1") and not allowlist.allows_host("other.internal")
    assert allowlist.allows_address(ipaddress.ip_address("10.20.9.9"))
    assert not allowlist.allows_address(ipaddress.ip_address("::1"))
    assert not Allowlist.parse("").allows_host("localhost")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"email": "not-an-address"}, "notify.email"),
        ({"email": "a@b.example\r\nBcc: everyone@example.com"}, "notify.email"),
        ({"webhook_url": "http://hooks.example.com/x"}, "notify.webhook_url"),
        ({"webhook_url": "ftp://hooks.example.com/x"}, "notify.webhook_url"),
        ({"webhook_url": "https:///nohost"}, "notify.webhook_url"),
        ({"webhook_url": "https://user:pw@hooks.example.com/"}, "notify.webhook_url"),
        ({"webhook_url": "https://hooks.example.com:99999/"}, "notify.webhook_url"),
        ({"sms": "+4912345"}, "notify."),
        ("someone@example.com", "notify."),
    ],
)
def test_bad_notify_specs_are_refused_by_field(spec, field):
    with pytest.raises(NotifyError) as caught:
        parse_notify(spec, Allowlist())
    assert caught.value.field == field


def test_plain_http_is_accepted_only_for_an_allowed_host():
    spec = {"email": "ops@example.com", "webhook_url": "http://127.0.0.1:8099/hook"}
    assert parse_notify(spec, Allowlist.parse("127.0.0.1")) == spec


def test_the_body_is_a_compact_envelope_and_the_email_reads_it():
    body = webhook_body(
        "batch.completed",
        {
            "batch_id": "b1",
            "name": "Spring sale",
            "state": "completed_with_errors",
            "counts": {"succeeded": 47, "failed": 3},
        },
        NOW,
    )
    assert " " not in body.replace("Spring sale", "")
    assert json.loads(body) == {
        "type": "batch.completed",
        "timestamp": NOW.isoformat(),
        "data": {
            "batch_id": "b1",
            "name": "Spring sale",
            "state": "completed_with_errors",
            "counts": {"succeeded": 47, "failed": 3},
        },
    }
    subject, text = email_text(body)
    assert subject == "Batch “Spring sale” completed with errors"
    assert "counts: failed: 3, succeeded: 47" in text and "batch id: b1" in text


def test_back_off_doubles_up_to_the_cap_and_stops_after_a_day():
    policy = RetryPolicy()
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert policy.delay(12) == timedelta(hours=1) and policy.delay(500) == timedelta(hours=1)
    give_up_at = NOW + timedelta(days=1)
    moment, attempts = NOW, 0
    while moment is not None:
        attempts += 1
        last, moment = moment, policy.next_attempt(attempts, moment, give_up_at)
    assert last <= give_up_at and give_up_at - last < timedelta(hours=1)
    assert 25 < attempts < 40
