"""Personas, always scoped to their owner: another user's persona looks like a missing one (I6)."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from studio_common.ids import as_utc, new_id, utcnow
from studio_gateway.adapters.tables import personas
from studio_gateway.domain.personas import PersonaBody, PersonaPatch

MAX_PERSONAS = 50


class PersonaLimit(Exception):
    pass


def view(row) -> dict:
    return {
        **{
            k: row[k]
            for k in (
                "id",
                "name",
                "description",
                "brand_colors",
                "style_preset",
                "subject_keywords",
                "avoid_words",
            )
        },
        "created_at": as_utc(row["created_at"]).isoformat(),
        "updated_at": as_utc(row["updated_at"]).isoformat(),
    }


async def create(session: AsyncSession, user_id: str, body: PersonaBody) -> dict:
    count = await session.scalar(
        select(func.count()).select_from(personas).where(personas.c.user_id == user_id)
    )
    if count >= MAX_PERSONAS:
        raise PersonaLimit(f"at most {MAX_PERSONAS} personas per user")
    now = utcnow()
    values = {"id": new_id(), "user_id": user_id, **body.model_dump(), "created_at": now, "updated_at": now}
    await session.execute(personas.insert().values(**values))
    return view(values)


async def get(session: AsyncSession, user_id: str, persona_id: str):
    return (
        (
            await session.execute(
                select(personas).where(personas.c.id == persona_id, personas.c.user_id == user_id)
            )
        )
        .mappings()
        .first()
    )


async def list_for(session: AsyncSession, user_id: str) -> list[dict]:
    rows = (
        (
            await session.execute(
                select(personas).where(personas.c.user_id == user_id).order_by(personas.c.name)
            )
        )
        .mappings()
        .all()
    )
    return [view(r) for r in rows]


async def update(session: AsyncSession, user_id: str, persona_id: str, patch: PersonaPatch) -> dict | None:
    row = await get(session, user_id, persona_id)
    if row is None:
        return None
    changes = patch.model_dump(exclude_unset=True)
    await session.execute(
        personas.update().where(personas.c.id == persona_id).values(**changes, updated_at=utcnow())
    )
    return view(await get(session, user_id, persona_id))


async def delete(session: AsyncSession, user_id: str, persona_id: str) -> bool:
    result = await session.execute(
        personas.delete().where(personas.c.id == persona_id, personas.c.user_id == user_id)
    )
    return result.rowcount > 0
