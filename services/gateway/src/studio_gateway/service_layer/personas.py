"""Personas, always scoped to their owner: another user's persona looks like a missing one (I6)."""

from studio_common.db import Executor
from studio_common.ids import as_utc, new_id, utcnow
from studio_gateway.adapters import repository as repo
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


async def create(session: Executor, user_id: str, body: PersonaBody) -> dict:
    if await repo.count_personas(session, user_id) >= MAX_PERSONAS:
        raise PersonaLimit(f"at most {MAX_PERSONAS} personas per user")
    now = utcnow()
    values = {"id": new_id(), "user_id": user_id, **body.model_dump(), "created_at": now, "updated_at": now}
    await repo.add_persona(session, **values)
    return view(values)


async def get(session: Executor, user_id: str, persona_id: str):
    return await repo.persona(session, user_id, persona_id)


async def list_for(session: Executor, user_id: str) -> list[dict]:
    return [view(r) for r in await repo.personas_of(session, user_id)]


async def update(session: Executor, user_id: str, persona_id: str, patch: PersonaPatch) -> dict | None:
    if await get(session, user_id, persona_id) is None:
        return None
    changes = patch.model_dump(exclude_unset=True)
    await repo.change_persona(session, user_id, persona_id, **changes, updated_at=utcnow())
    return view(await get(session, user_id, persona_id))


async def delete(session: Executor, user_id: str, persona_id: str) -> bool:
    return await repo.remove_persona(session, user_id, persona_id)
