"""When a pending hold may run, is held by a worker, stalled, or ran out of time: one place decides."""

from datetime import UTC, datetime, timedelta

from studio_billing.domain.leases import Standing, may_take_over, standing

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def hold(
    started: bool,
    expires_in: float,
    lease_in: float | None = None,
    claimed_by: str | None = None,
    requeues: int = 0,
) -> dict:
    return {
        "started": started,
        "expires_at": NOW + timedelta(seconds=expires_in),
        "requeues": requeues,
        "lease_until": None if lease_in is None else NOW + timedelta(seconds=lease_in),
        "claimed_by": claimed_by,
    }


def test_a_waiting_hold_is_claimable_until_its_deadline_then_expired():
    assert standing(hold(False, 10), NOW) is Standing.CLAIMABLE
    assert standing(hold(False, -1), NOW) is Standing.EXPIRED


def test_a_requeued_operation_past_its_deadline_timed_out_rather_than_expired():
    assert standing(hold(False, -1, requeues=1), NOW) is Standing.TIMED_OUT


def test_a_running_hold_is_leased_while_heartbeats_renew_it_and_lapses_after():
    assert standing(hold(True, 600, lease_in=5, claimed_by="w1"), NOW) is Standing.LEASED
    assert standing(hold(True, 600, lease_in=-1, claimed_by="w1"), NOW) is Standing.LAPSED
    assert standing(hold(True, -1, lease_in=5, claimed_by="w1"), NOW) is Standing.TIMED_OUT


def test_sqlite_naive_datetimes_are_read_as_utc():
    naive = hold(True, 600, lease_in=-1)
    naive["lease_until"] = naive["lease_until"].replace(tzinfo=None)
    naive["expires_at"] = naive["expires_at"].replace(tzinfo=None)
    assert standing(naive, NOW) is Standing.LAPSED


def test_only_the_lease_holder_renews_and_anyone_takes_over_a_lapsed_lease():
    assert may_take_over(hold(False, 600), "w2", NOW)  # waiting: anyone's first claim
    assert not may_take_over(hold(False, -1), "w2", NOW)  # waited past its deadline
    live = hold(True, 600, lease_in=5, claimed_by="w1")
    assert may_take_over(live, "w1", NOW)
    assert not may_take_over(live, "w2", NOW)
    assert may_take_over(hold(True, 600, lease_in=-1, claimed_by="w1"), "w2", NOW)
    assert not may_take_over(hold(True, -1, lease_in=5, claimed_by="w1"), "w1", NOW)
