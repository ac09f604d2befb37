"""The read model moves forward only: duplicates and late events change nothing."""

from studio_common.events import (
    OperationApproved,
    OperationCompleted,
    OperationFailed,
    OperationProgress,
    OperationRejected,
    OperationSettled,
    OperationStarted,
    OutputRef,
)
from studio_common.ids import utcnow
from studio_gateway.domain.read_model import fold, settled

IDS = {"operation_id": "op", "user_id": "u"}
APPROVED = OperationApproved(
    **IDS,
    kind="create",
    provider="local",
    model="local-render",
    hold_id="h",
    credits=2,
    unit_credits=1,
    deadline=utcnow(),
)
COMPLETED = OperationCompleted(
    **IDS,
    kind="create",
    provider="local",
    model="local-render",
    units_delivered=1,
    outputs=[OutputRef(index=0, storage_key="k", content_type="image/png", bytes=1)],
)


def test_happy_path():
    assert fold("queued", 0, APPROVED) == {
        "status": "approved",
        "reserved_credits": 2,
        "estimated_credits": 2,
    }
    assert fold("approved", 0, OperationStarted(**IDS, provider="local", model="m")) == {"status": "running"}
    assert fold("running", 0, OperationProgress(**IDS, progress=0.5)) == {"progress": 0.5}
    changes = fold("running", 0.5, COMPLETED)
    assert changes["status"] == "succeeded" and changes["progress"] == 1.0 and len(changes["outputs"]) == 1


def test_late_and_duplicate_events_change_nothing():
    assert fold("succeeded", 1.0, OperationStarted(**IDS, provider="local", model="m")) == {}
    assert fold("succeeded", 1.0, OperationProgress(**IDS, progress=0.5)) == {}
    assert fold("succeeded", 1.0, COMPLETED) == {}
    assert fold("succeeded", 1.0, OperationFailed(**IDS, code="x", message="y")) == {}
    assert fold("running", 0.7, OperationProgress(**IDS, progress=0.5)) == {}
    assert fold("running", 0, APPROVED) == {"reserved_credits": 2, "estimated_credits": 2}


def test_completed_before_started_still_succeeds():
    assert fold("approved", 0, COMPLETED)["status"] == "succeeded"


def test_rejection_keeps_its_reason_and_limits():
    rejected = OperationRejected(**IDS, reason="quota_exceeded", message="limit", limit=10, usage=10)
    changes = fold("queued", 0, rejected)
    assert changes["status"] == "rejected" and changes["error_code"] == "quota_exceeded"
    assert changes["error_details"]["limit"] == 10


def test_settlement_records_the_charge_whatever_the_status():
    assert fold("succeeded", 1, OperationSettled(**IDS, charged_credits=2, released_credits=0)) == {
        "charged_credits": 2
    }


def test_a_completion_with_canceled_units_ends_canceled_with_its_outputs():
    partial = COMPLETED.model_copy(update={"units_canceled": 4})
    changes = fold("running", 0.2, partial)
    assert changes["status"] == "canceled" and changes["error_code"] == "canceled"
    assert len(changes["outputs"]) == 1 and changes["error_details"] == {"units_canceled": 4}
    assert "1 output(s)" in changes["error_message"] and "4 unit(s) released" in changes["error_message"]
    assert fold("canceled", 1.0, partial) == {} and fold("canceled", 1.0, COMPLETED) == {}


def test_an_operation_is_settled_once_final_and_charged():
    assert not settled("running", None)
    assert not settled("succeeded", None)  # completed, but billing's settlement is still to come
    assert settled("succeeded", 3)
    assert settled("failed", 0)
    assert settled("rejected", None)  # never held: nothing to settle
