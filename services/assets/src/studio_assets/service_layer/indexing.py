"""Indexing completed operations: every output becomes exactly one asset (I5), whatever is replayed (I7).

Runs as a handler of ServiceRuntime.consume, so the inbox record, the new assets and their AssetIndexed events
commit together; the primary key asset_id_for(operation_id, index) catches a replay under a new event id.
Vectors for search by meaning are made after, in batches (vectors.embed_pending): the model's time stays
out of this transaction, which on SQLite holds the one writer connection.
"""

from prometheus_client import Counter

from studio_assets.adapters import repository as repo
from studio_assets.domain.rules import asset_type, auto_tags, module_for, normalise_tags, title_for
from studio_assets.domain.versions import next_version
from studio_assets.service_layer.vectors import queue_vectors
from studio_common.db import Executor
from studio_common.events import AssetIndexed, EventData, OperationCompleted
from studio_common.ids import asset_id_for, utcnow

ASSETS_INDEXED = Counter("studio_assets_indexed_total", "Assets added to the library", ["type", "module"])


async def on_completed(session: Executor, event: OperationCompleted) -> list[EventData]:
    now = utcnow()
    module = module_for(event.kind)
    source = None
    if event.source_asset_id:
        source = await repo.source_of(session, event.user_id, event.source_asset_id)
    source_version, source_title = source or (None, None)
    title = title_for(event.prompt, event.kind, source_title)
    tags = auto_tags(event.prompt, module, event.provider)
    indexed: list[EventData] = []
    created_ids: list[str] = []
    for output in event.outputs:
        asset_id = asset_id_for(event.operation_id, output.index)
        kind = asset_type(output.content_type, output.storage_key)
        created = await repo.insert_if_absent(
            session,
            {
                "id": asset_id,
                "user_id": event.user_id,
                "operation_id": event.operation_id,
                "output_index": output.index,
                "type": kind,
                "module": module,
                "operation": event.kind,
                "provider": event.provider,
                "model": event.model,
                "prompt": event.prompt,
                "title": title,
                "cost_credits": event.unit_credits,
                "width": output.width,
                "height": output.height,
                "bytes": output.bytes,
                "content_type": output.content_type,
                "storage_key": output.storage_key,
                "status": "completed",
                "favourite": False,
                "source_asset_id": event.source_asset_id,
                "version": next_version(source_version),
                "download_count": 0,
                "share_count": 0,
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
                "phash": output.phash,
                "methods": output.methods,
            },
        )
        if not created:
            continue
        # What the worker saw in the pixels, beside the prompt's words.
        output_tags = normalise_tags([*tags, *(output.tags or [])])
        await repo.add_tags(session, asset_id, output_tags)  # a new asset: no tags to replace
        created_ids.append(asset_id)
        ASSETS_INDEXED.labels(kind, module).inc()
        indexed.append(
            AssetIndexed(
                operation_id=event.operation_id,
                user_id=event.user_id,
                domain=event.domain,
                batch_id=event.batch_id,
                asset_id=asset_id,
                output_index=output.index,
            )
        )
    await queue_vectors(session, created_ids, now)
    return indexed
