"""The internal API bodies both sides use: the rules the library and billing enforce, in one place."""

import pytest
from pydantic import ValidationError

from studio_common.contracts.assets import (
    MAX_BULK_DOWNLOAD,
    MAX_TAG_CHARS,
    MAX_TAGS,
    TITLE_MAX_CHARS,
    AssetPatch,
    BulkDelete,
    BulkDownload,
    BulkDownloadQuery,
    Usage,
)
from studio_common.contracts.batches import MAX_ROWS_PER_CALL, ConfirmBody, NewBatch, Row, Rows
from studio_common.contracts.billing import ClaimBody, EstimateBody, Grant, GrantBody, PlanBody


def test_an_asset_patch_trims_its_title_and_tags():
    patch = AssetPatch(title="  sunset  ", tags=[" beach "])
    assert (patch.title, patch.tags) == ("sunset", ["beach"])
    assert patch.model_dump(exclude_none=True) == {"title": "sunset", "tags": ["beach"]}


@pytest.mark.parametrize(
    "body",
    [
        {"title": "   "},  # blank once trimmed
        {"title": "x" * (TITLE_MAX_CHARS + 1)},
        {"tags": ["t" * (MAX_TAG_CHARS + 1)]},
        {"tags": [f"t{i}" for i in range(MAX_TAGS + 1)]},
        {"owner": "mallory"},  # a field the library does not know is refused, not ignored
    ],
)
def test_an_asset_patch_refuses_what_the_library_would(body):
    with pytest.raises(ValidationError):
        AssetPatch.model_validate(body)


@pytest.mark.parametrize(
    "ids", [[], ["../etc"], ["a" * 65], [f"a{i}" for i in range(501)]], ids=["none", "path", "long", "many"]
)
def test_bulk_delete_takes_between_one_and_500_well_formed_ids(ids):
    with pytest.raises(ValidationError):
        BulkDelete(asset_ids=ids)
    assert BulkDelete(asset_ids=["a1", "b.2"]).asset_ids == ["a1", "b.2"]


def test_a_bulk_download_query_is_the_users_selection_and_a_byte_bound():
    with pytest.raises(ValidationError):
        BulkDownload(asset_ids=[f"a{i}" for i in range(MAX_BULK_DOWNLOAD + 1)])
    query = BulkDownloadQuery(asset_ids=["a1"], max_bytes=10)
    assert query.model_dump() == {"asset_ids": ["a1"], "max_bytes": 10}
    with pytest.raises(ValidationError):
        BulkDownloadQuery(asset_ids=["a1"], max_bytes=0)
    with pytest.raises(ValidationError):
        Usage(event="print")


def test_billing_records_a_grant_only_with_its_id_while_the_gateway_may_take_one_without():
    fields = {"user_id": "alice", "credits": 10, "reason": "welcome"}
    assert GrantBody(**fields).grant_id is None
    with pytest.raises(ValidationError):
        Grant(**fields)
    with pytest.raises(ValidationError):
        Grant(**fields, grant_id="")
    assert Grant(**fields, grant_id="g1").model_dump() == {**fields, "grant_id": "g1"}


@pytest.mark.parametrize(
    "body",
    [
        {"user_id": "has space", "credits": 1, "reason": "r", "grant_id": "g"},
        {"user_id": "alice", "credits": 0, "reason": "r", "grant_id": "g"},
        {"user_id": "alice", "credits": 1, "reason": "", "grant_id": "g"},
    ],
)
def test_a_grant_names_a_real_user_and_a_positive_amount_for_a_reason(body):
    with pytest.raises(ValidationError):
        Grant.model_validate(body)


def test_plan_estimate_and_claim_bodies_keep_their_bounds():
    with pytest.raises(ValidationError):
        PlanBody(plan="platinum")
    with pytest.raises(ValidationError):
        EstimateBody(kind="create", provider="local", model="m", units=0)
    assert EstimateBody(kind="create", provider="local", model="m").units == 1
    with pytest.raises(ValidationError):
        ClaimBody(worker="w" * 65)
    assert ClaimBody().worker == ""


def test_a_new_batch_names_no_user_and_keeps_its_bounds():
    with pytest.raises(ValidationError):
        NewBatch(name="b", user_id="mallory")
    with pytest.raises(ValidationError):
        NewBatch(concurrency=65)
    with pytest.raises(ValidationError):
        ConfirmBody(skip_invalid=True, everything=True)


def test_rows_carry_a_request_or_its_problems_and_no_more_than_a_call_takes():
    rows = Rows.model_validate(
        {
            "rows": [
                {"row_number": 1, "name": "a", "kind": "create", "request": {"prompt": "cat"}},
                {"row_number": 2, "kind": "create", "errors": [{"field": "prompt", "message": "required"}]},
            ]
        }
    )
    assert [row.row_number for row in rows.rows] == [1, 2]
    with pytest.raises(ValidationError):
        Row(row_number=0)
    with pytest.raises(ValidationError):
        Rows(rows=[Row(row_number=1)] * (MAX_ROWS_PER_CALL + 1))
