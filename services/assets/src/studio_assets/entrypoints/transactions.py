"""One transaction per internal API call, and the library's errors as HTTP answers."""

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
    async def transaction() -> dict:
        async with request.app.state.runtime.transaction() as session:
            return await action(session, *args, **kwargs)

    return await answering(transaction())


async def answering(work) -> dict:
    """Await `work`, turning the library's errors into their HTTP answers."""
    try:
        return await work
    except tuple(STATUS_FOR) as exc:
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        raise HTTPException(STATUS_FOR[type(exc)], str(exc), headers=headers) from exc
