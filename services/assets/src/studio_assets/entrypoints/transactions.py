"""One transaction per internal API call, and the library's errors as HTTP answers."""

from fastapi import HTTPException, Request

from studio_assets.domain.boards import BoardClosed, PasswordRequired, TooManyAttempts, WrongPassword
from studio_assets.service_layer.boards import BoardNotFound, KeepChanges
from studio_assets.service_layer.collections import CollectionNameTaken, CollectionNotFound
from studio_assets.service_layer.library import AssetNotFound, AssetsNotFound, SelectionTooLarge

STATUS_FOR = {AssetNotFound: 404, AssetsNotFound: 404, CollectionNotFound: 404, BoardNotFound: 404,
              PasswordRequired: 401, WrongPassword: 403, CollectionNameTaken: 409, BoardClosed: 410,
              SelectionTooLarge: 413, TooManyAttempts: 429}


async def in_transaction(request: Request, action, *args, **kwargs) -> dict:
    try:
        async with request.app.state.runtime.sessions() as session:
            async with session.begin():
                try:
                    return await action(session, *args, **kwargs)
                except KeepChanges as kept:
                    failure = kept.error  # leaving the block normally commits, then the request fails
            raise failure
    except tuple(STATUS_FOR) as exc:
        raise HTTPException(STATUS_FOR[type(exc)], str(exc)) from exc
