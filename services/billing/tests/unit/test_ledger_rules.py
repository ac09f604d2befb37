"""Pricing, quota and settlement rules, without I/O."""

from datetime import UTC, datetime

import pytest

from studio_billing.domain.ledger import Balance, Counted, check_reservation, counted, settle
from studio_billing.domain.plans import PLANS, period_bounds, quota_category
from studio_billing.domain.pricing import PriceTable, PricingError

END = datetime(2026, 11, 30, tzinfo=UTC)


def test_prices_come_from_the_catalog_with_margin_rounded_up():
    assert PriceTable().quote("create", "stability", "ultra", 3).credits == 24
    assert (
        PriceTable(margin=0.1).quote("create", "stability", "sd3.5-large", 1).unit_credits == 8
    )  # 7.15 -> 8
    assert (
        PriceTable(overrides={"local/local-render": 4}).quote("create", "local", "local-render", 2).credits
        == 8
    )


def test_minimum_billed_units():
    assert PriceTable().quote("transform.avatar", "wavespeed", "infinitetalk-480p", 2).units == 5


@pytest.mark.parametrize(
    ("kind", "provider", "model"), [("create", "local", "nope"), ("edit.inpaint", "stability", "ultra")]
)
def test_unknown_or_mismatched_models_are_refused(kind, provider, model):
    with pytest.raises(PricingError):
        PriceTable().quote(kind, provider, model, 1)


def test_reservation_checks_quota_then_spend_cap_then_balance():
    quote = PriceTable().quote("create", "local", "local-render", 3)
    free = PLANS["free"]
    assert check_reservation(Balance(200, 0, 0), free, quote, {"images": 7}, 0, END) is None
    quota = check_reservation(Balance(200, 0, 0), free, quote, {"images": 8}, 0, END)
    assert quota.reason == "quota_exceeded" and (quota.limit, quota.usage) == (10, 8)
    cap = check_reservation(Balance(500, 0, 0), free, quote, {}, 199, END)
    assert cap.reason == "quota_exceeded" and cap.limit == 200
    broke = check_reservation(Balance(200, 198, 0), free, quote, {}, 0, END)
    assert broke.reason == "insufficient_credits"


def test_unlimited_is_explicit():
    assert PLANS["enterprise"].quota("images") is None
    assert PLANS["enterprise"].to_dict()["quotas"]["images"] == "unlimited"


def test_settle_charges_delivered_units_never_more_than_reserved():
    assert settle(4, 1, 3) == settle(4, 1, 3) and settle(4, 1, 3).charged == 3
    assert settle(4, 1, 3).released == 1
    assert settle(4, 2, 9).charged == 4
    assert settle(4, 1, 0).charged == 0


def test_quota_categories_and_period():
    assert [quota_category(k) for k in ("create", "control.sketch", "edit.inpaint", "transform.video")] == [
        "images",
        "images",
        "edits",
        "videos",
    ]
    start, end = period_bounds(datetime(2026, 2, 14, 10, tzinfo=UTC))
    assert (start.day, end.day, end.month) == (1, 28, 2)


def test_the_plan_names_the_contract_accepts_are_billings_plans():
    from typing import get_args

    from studio_billing.domain.plans import PLANS
    from studio_common.contracts.billing import PlanName

    assert set(get_args(PlanName)) == set(PLANS)


def test_a_hold_counts_what_it_reserved_then_what_it_delivered():
    hold = {"unit": "image", "units": 4, "credits": 8, "units_delivered": 3, "charged": 6}
    assert counted({**hold, "status": "pending"}) == Counted(4, 8)
    assert counted({**hold, "status": "posted"}) == Counted(3, 6)
    assert counted({**hold, "status": "voided"}) == counted({**hold, "status": "expired"}) == Counted(0, 0)
    video = {"unit": "second", "units": 10, "credits": 50, "units_delivered": 10, "charged": 50}
    assert counted({**video, "status": "pending"}) == counted({**video, "status": "posted"}) == Counted(1, 50)
    assert counted({**video, "status": "posted", "units_delivered": 0, "charged": 0}) == Counted(0, 0)
