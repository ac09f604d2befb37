"""Row and batch rules: ids derived from batch, row and attempt; how operation events move a row; the
state a batch ends in."""

from studio_batch.domain.batches import final_state, progress, row_change, row_operation_id
from studio_common.events import (
    OperationApproved,
    OperationCompleted,
    OperationExpired,
    OperationFailed,
    OperationRejected,
    OutputRef,
)
from studio_common.ids import asset_id_for

IDS = {"operation_id": "op1", "user_id": "ann", "batch_id": "b1"}


def test_row_operation_ids_are_stable_per_attempt():
    assert row_operation_id("b1", 7, 1) == row_operation_id("b1", 7, 1)
    assert (
        len(
            {
                row_operation_id("b1", 7, 1),
                row_operation_id("b1", 7, 2),
                row_operation_id("b1", 8, 1),
                row_operation_id("b2", 7, 1),
            }
        )
        == 4
    )


def test_a_rejected_failed_or_expired_operation_is_a_failed_row_with_its_reason():
    rejected = OperationRejected(**IDS, reason="insufficient_credits", message="no money")
    assert row_change("queued", rejected) == {"status": "failed", "error": "insufficient_credits: no money"}
    failed = OperationFailed(**IDS, code="provider_error", message="down")
    assert row_change("running", failed)["error"] == "provider_error: down"
    assert row_change("queued", OperationExpired(**IDS))["status"] == "failed"


def test_completed_rows_keep_their_outputs_and_asset_ids():
    output = OutputRef(index=0, storage_key="k", content_type="image/png", bytes=3)
    done = OperationCompleted(
        **IDS, kind="create", provider="local", model="m", outputs=[output], units_delivered=1
    )
    change = row_change("running", done)
    assert change["status"] == "succeeded" and change["outputs"][0]["asset_id"] == asset_id_for("op1", 0)


def test_rows_only_move_forward():
    approved = OperationApproved(
        **IDS,
        kind="create",
        provider="local",
        model="m",
        hold_id="h",
        credits=1,
        unit_credits=1,
        deadline="2030-01-01T00:00:00Z",
    )
    assert row_change("queued", approved) == {"status": "running"}
    assert row_change("succeeded", approved) == {}
    assert row_change("failed", OperationFailed(**IDS, code="x", message="y")) == {}


def test_the_state_a_batch_ends_in():
    assert final_state({"succeeded": 3, "running": 1}, canceled=False, stopped=False) is None
    assert final_state({"succeeded": 3}, canceled=False, stopped=False) == "completed"
    assert final_state({"succeeded": 3, "failed": 1, "skipped": 2}, False, False) == "completed_with_errors"
    assert final_state({"succeeded": 1, "canceled": 3}, canceled=True, stopped=False) == "canceled"
    assert final_state({"failed": 1, "canceled": 3}, canceled=False, stopped=True) == "failed"
    assert progress({"succeeded": 1, "failed": 1, "pending": 2, "skipped": 5}) == 0.5
