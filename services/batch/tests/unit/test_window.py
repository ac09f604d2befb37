"""The window and its fairness: at most `concurrency` rows of a batch in flight, one row per user per turn,
the least recently served user first."""

from datetime import UTC, datetime, timedelta

from studio_batch.domain.window import Window, plan_dispatch

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_batch_never_exceeds_its_free_slots():
    plan = plan_dispatch([Window("b1", "ann", 3, tuple(range(1, 101)))], limit=50)
    assert plan == [("b1", 1), ("b1", 2), ("b1", 3)]


def test_a_full_window_sends_nothing():
    assert plan_dispatch([Window("b1", "ann", 0, (1, 2, 3))], limit=50) == []


def test_a_small_batch_is_not_starved_by_a_large_one():
    big = Window("big", "ann", 4, tuple(range(1, 10_001)))
    small = Window("small", "bob", 4, (1, 2))
    plan = plan_dispatch([big, small], limit=3)
    assert plan == [("big", 1), ("small", 1), ("big", 2)]


def test_the_least_recently_served_user_goes_first():
    served_recently = Window("a", "ann", 2, (1, 2), last_dispatch_at=T0 + timedelta(seconds=5))
    served_long_ago = Window("b", "bob", 2, (1, 2), last_dispatch_at=T0)
    never_served = Window("c", "cy", 2, (1, 2))
    plan = plan_dispatch([served_recently, served_long_ago, never_served], limit=3)
    assert [batch for batch, _ in plan] == ["c", "b", "a"]


def test_users_take_turns_not_batches():
    # ann has three batches, bob one: bob still gets every other row.
    windows = [Window(f"ann{i}", "ann", 4, (1, 2, 3, 4), T0) for i in range(3)]
    windows.append(Window("bob", "bob", 4, (1, 2, 3, 4), T0))
    plan = plan_dispatch(windows, limit=8)
    users = ["bob" if batch == "bob" else "ann" for batch, _ in plan]
    assert users == ["ann", "bob"] * 4
    assert {batch for batch, _ in plan if batch != "bob"} == {"ann0", "ann1", "ann2"}


def test_rows_go_out_in_row_order_and_once():
    plan = plan_dispatch([Window("b", "ann", 10, (3, 7, 9))], limit=10)
    assert plan == [("b", 3), ("b", 7), ("b", 9)]
