"""Standard Webhooks signatures: the published test vector, secrets, and what verification refuses."""

import base64
from datetime import UTC, datetime, timedelta

import pytest

from studio_batch.domain.webhooks import (
    WebhookVerificationError,
    new_secret,
    secret_key,
    signature,
    signed_headers,
    verify,
)

# The vector every reference library of the specification checks (libraries/*/tests in
# github.com/standard-webhooks/standard-webhooks).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
VECTOR_TIME = datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC)


def test_signature_matches_the_specifications_published_vector():
    assert signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE
    # The prefix only labels the secret.
    assert (
        signature(VECTOR_SECRET.removeprefix("whsec_"), VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
        == VECTOR_SIGNATURE
    )


def test_the_vector_verifies_and_any_change_breaks_it():
    headers = signed_headers(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    verify(VECTOR_SECRET, headers, VECTOR_BODY, VECTOR_TIME)
    verify(VECTOR_SECRET, {k.title(): v for k, v in headers.items()}, VECTOR_BODY, VECTOR_TIME)
    for changed_body, changed_headers in [
        (b'{"test": 2432232315}', headers),
        (VECTOR_BODY, {**headers, "webhook-id": "msg_other"}),
        (VECTOR_BODY, {**headers, "webhook-timestamp": str(VECTOR_TIMESTAMP + 1)}),
        (VECTOR_BODY, {**headers, "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="}),
        (VECTOR_BODY, {**headers, "webhook-signature": headers["webhook-signature"].replace("v1,", "v2,")}),
    ]:
        with pytest.raises(WebhookVerificationError):
            verify(VECTOR_SECRET, changed_headers, changed_body, VECTOR_TIME)


def test_one_matching_signature_among_several_is_enough_during_rotation():
    headers = signed_headers(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    old = signature(new_secret(), VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    verify(
        VECTOR_SECRET,
        {**headers, "webhook-signature": f"{old} {headers['webhook-signature']}"},
        VECTOR_BODY,
        VECTOR_TIME,
    )


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_stale_or_future_timestamps_are_refused(skew):
    headers = signed_headers(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    with pytest.raises(WebhookVerificationError, match="too old or too new"):
        verify(VECTOR_SECRET, headers, VECTOR_BODY, VECTOR_TIME + skew)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers_are_refused(missing):
    headers = signed_headers(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify(VECTOR_SECRET, headers, VECTOR_BODY, VECTOR_TIME)


def test_new_secrets_are_prefixed_random_and_long_enough():
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(secret_key(first)) == 32
    assert base64.b64encode(secret_key(first)).decode() == first.removeprefix("whsec_")


def test_ids_with_dots_cannot_be_signed():
    with pytest.raises(ValueError):
        signature(VECTOR_SECRET, "msg.1", VECTOR_TIMESTAMP, VECTOR_BODY)
