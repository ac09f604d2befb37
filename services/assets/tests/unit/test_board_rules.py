"""Who may open a share board: revoked, expired, password required, wrong or right password."""

from datetime import timedelta

import pytest

from studio_assets.domain.boards import (
    LOCKOUT,
    BoardClosed,
    PasswordRequired,
    TooManyAttempts,
    check_open,
    hash_password,
    new_token,
    password_matches,
)
from studio_common.ids import utcnow

NOW = utcnow()


def board(**changes) -> dict:
    return {"revoked_at": None, "expires_at": None, "password_hash": None, "locked_until": None, **changes}


def test_an_open_board_without_password_opens():
    check_open(board(), None, NOW)
    check_open(board(expires_at=NOW + timedelta(seconds=1)), None, NOW)


def test_revoked_and_expired_boards_are_closed_with_the_reason():
    with pytest.raises(BoardClosed, match="revoked"):
        check_open(board(revoked_at=NOW), None, NOW)
    with pytest.raises(BoardClosed, match="expired at"):
        check_open(board(expires_at=NOW), None, NOW)


def test_password_is_hashed_salted_and_checked():
    stored = hash_password("s3cret")
    assert "s3cret" not in stored and stored != hash_password("s3cret")  # a fresh salt each time
    assert password_matches("s3cret", stored) and not password_matches("S3cret", stored)
    with pytest.raises(PasswordRequired):
        check_open(board(password_hash=stored), None, NOW)
    check_open(board(password_hash=stored), "s3cret", NOW)  # the password itself is checked afterwards


def test_tokens_are_long_and_unguessable():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(token) >= 32 for token in tokens)


def test_a_locked_board_says_when_to_try_again():
    stored = hash_password("s3cret")
    with pytest.raises(TooManyAttempts, match="try again after") as refused:
        check_open(board(password_hash=stored, locked_until=NOW + LOCKOUT), "s3cret", NOW)
    assert refused.value.retry_after == LOCKOUT.total_seconds()
    check_open(board(password_hash=stored, locked_until=NOW), "s3cret", NOW)  # the lock has run out
