"""An asset query as SQL: always the user's own assets, in or out of the trash, plus each filter set."""

from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from studio_assets.adapters.asset_filters import query_conditions, query_order
from studio_assets.adapters.tables import assets
from studio_assets.domain.search import AssetQuery


def sql(query: AssetQuery) -> str:
    statement = select(assets.c.id).where(*query_conditions(query)).order_by(*query_order(query))
    return str(statement.compile(dialect=postgresql.dialect()))


def test_a_bare_query_names_the_user_and_leaves_the_trash_out():
    conditions = query_conditions(AssetQuery(user_id="u1"))
    assert len(conditions) == 2
    text = sql(AssetQuery(user_id="u1"))
    assert "assets.user_id = " in text and "assets.deleted_at IS NULL" in text


def test_the_trash_is_its_own_view():
    assert "assets.deleted_at IS NOT NULL" in sql(AssetQuery(user_id="u1", trashed=True))


def test_each_filter_set_adds_one_condition():
    query = AssetQuery(user_id="u1", type="image", tag="Cats", sizes=((1080, 1080),), search="sky")
    assert len(query_conditions(query)) == 2 + 4
    text = sql(query)
    assert "asset_tags" in text and "lower(assets.prompt) LIKE" in text


def test_a_title_sort_ignores_case():
    assert "ORDER BY lower(assets.title)" in sql(AssetQuery(user_id="u1", sort="title"))
