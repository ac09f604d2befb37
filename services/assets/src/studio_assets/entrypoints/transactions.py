"""One transaction per internal API call (a read transaction for calls that only read), and the library's
errors as HTTP answers."""

from fastapi import HTTPException, Request

from studio_assets.domain.boards import BoardClosed, PasswordRequired, TooManyAttempts, WrongPassword
from studio_assets.service_layer.boards import BoardNotFound
from studio_assets.service_layer.collections import CollectionNameTaken, CollectionNotFound
from studio_assets.service_layer.library import AssetNotFound, AssetsNotFound, SelectionTooLarge

STATUS_FOR = {
    AssetNotFound: 404,
    AssetsNotFound: 404,
    CollectionNotFound: 404,
    BoardNotFound: 404,
    PasswordRequired: 401,
    WrongPassword: 403,
    CollectionNameTaken: 409,
    BoardClosed: 410,
    SelectionTooLarge: 413,
    TooManyAttempts: 429,
}


async def in_transaction(request: Request, action, *args, **kwargs) -> dict:
    return await answering(_within(request.app.state.runtime.transaction(), action, *args, **kwargs))


async def in_reading(request: Request, action, *args, **kwargs) -> dict:
    """For calls that only read: a read transaction (on SQLite, never queued behind a write)."""
    return await answering(_within(request.app.state.runtime.reading(), action, *args, **kwargs))


async def _within(transaction, action, *args, **kwargs) -> dict:
    async with transaction as session:
        return await action(session, *args, **kwargs)


async def answering(work) -> dict:
    """Await `work`, turning the library's errors into their HTTP answers."""
    try:
        return await work
    except tuple(STATUS_FOR) as exc:
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        raise HTTPException(STATUS_FOR[type(exc)], str(exc), headers=headers) from exc
