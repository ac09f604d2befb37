"""Public JSON shapes of gateway resources."""

from studio_common.ids import as_utc, asset_id_for


def operation_view(row, storage, url_ttl: int) -> dict:
    outputs = [
        {
            "asset_id": asset_id_for(row["id"], o["index"]),
            "url": storage.signed_url(o["storage_key"], url_ttl),
            "content_type": o["content_type"],
            "width": o.get("width"),
            "height": o.get("height"),
            "bytes": o["bytes"],
            "duration_seconds": o.get("duration_seconds"),
        }
        for o in row["outputs"] or []
    ]
    error = None
    if row["error_code"] and row["status"] != "succeeded":
        error = {"code": row["error_code"], "message": row["error_message"], **(row["error_details"] or {})}
    return {
        "operation_id": row["id"],
        "kind": row["kind"],
        "status": row["status"],
        "progress": row["progress"],
        "provider": row["provider"],
        "model": row["model"],
        "created_at": as_utc(row["created_at"]).isoformat(),
        "updated_at": as_utc(row["updated_at"]).isoformat(),
        "finished_at": as_utc(row["finished_at"]).isoformat() if row["finished_at"] else None,
        "cost": {
            "estimated_credits": row["estimated_credits"],
            "reserved_credits": row["reserved_credits"],
            "charged_credits": row["charged_credits"],
        },
        "error": error,
        "outputs": outputs,
        "request": row["request"],
        "source_asset_id": row["source_asset_id"],
        "batch_id": row["batch_id"],
        "partial": (row["error_details"] or {}).get("units_failed") if row["status"] == "succeeded" else None,
    }
