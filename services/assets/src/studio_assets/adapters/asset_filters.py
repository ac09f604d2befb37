"""An asset query as SQL: the conditions that select the user's matching assets and their order. No
session here: the repository runs them."""

from sqlalchemy import and_, exists, func, or_

from studio_assets.adapters.tables import asset_tags, assets, collection_assets
from studio_assets.domain.rules import normalise_tags
from studio_assets.domain.search import AssetQuery, like_pattern


def query_conditions(query: AssetQuery) -> list:
    c = assets.c
    conditions = [
        c.user_id == query.user_id,
        c.deleted_at.is_not(None) if query.trashed else c.deleted_at.is_(None),
    ]
    exact = {
        "type": query.type,
        "module": query.module,
        "provider": query.provider,
        "model": query.model,
        "operation_id": query.operation_id,
        "status": query.status,
        "favourite": query.favourite,
        "width": query.width,
        "height": query.height,
    }
    conditions += [c[name] == value for name, value in exact.items() if value is not None]
    if query.tag and (tags := normalise_tags([query.tag])):
        conditions.append(_has_tag(asset_tags.c.tag == tags[0]))
    if query.sizes:
        conditions.append(or_(*(and_(c.width == width, c.height == height) for width, height in query.sizes)))
    if query.collection_id:
        conditions.append(
            exists().where(
                collection_assets.c.asset_id == c.id, collection_assets.c.collection_id == query.collection_id
            )
        )
    if query.date_from:
        conditions.append(c.created_at >= query.date_from)
    if query.date_to:
        conditions.append(c.created_at <= query.date_to)
    if term := query.search_term:
        pattern = like_pattern(term)
        conditions.append(
            or_(
                c.id == term,
                func.lower(c.prompt).like(pattern, escape="\\"),
                func.lower(c.title).like(pattern, escape="\\"),
                _has_tag(asset_tags.c.tag.like(pattern, escape="\\")),
            )
        )
    return conditions


def _has_tag(condition):
    return exists().where(asset_tags.c.asset_id == assets.c.id, condition)


def query_order(query: AssetQuery) -> list:
    columns = []
    for field, direction in query.order:
        column = func.lower(assets.c.title) if field == "title" else assets.c[field]
        columns.append(column.desc() if direction == "desc" else column.asc())
    return columns
