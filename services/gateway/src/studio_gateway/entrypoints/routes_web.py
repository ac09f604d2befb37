"""What the web studio needs before anyone signs in: how to sign in, and (outside production) a token."""

import re
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, field_validator

from studio_common.auth import issue_token

config_router = APIRouter(prefix="/api", tags=["studio"])
dev_router = APIRouter(prefix="/api/dev", tags=["development"])

DEV_TOKEN_TTL_SECONDS = 12 * 3600


class OidcConfig(BaseModel):
    issuer: str
    client_id: str
    scope: str
    audience: str | None


class StudioConfig(BaseModel):
    environment: str
    sign_in: Literal["development", "oidc"]
    oidc: OidcConfig | None


USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class DevTokenBody(BaseModel):
    user_name: str = Field(
        min_length=1,
        max_length=64,
        description="letters, digits, dot, dash and underscore; it becomes the user id",
    )

    @field_validator("user_name")
    @classmethod
    def _plain(cls, value: str) -> str:
        if not USER_NAME.fullmatch(value):
            raise ValueError(
                "use letters, digits, dots, dashes and underscores only, starting with a letter or digit"
            )
        return value


class DevToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user_id: str


def is_production(settings) -> bool:
    return settings.environment == "production"


@config_router.get("/studio-config")
async def studio_config(request: Request) -> StudioConfig:
    settings = request.app.state.settings
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        oidc = OidcConfig(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            scope=settings.oidc_scope,
            audience=settings.jwt_audience,
        )
    if is_production(settings) and oidc is None:
        raise HTTPException(
            503, "sign-in is not configured: set STUDIO_OIDC_ISSUER and STUDIO_OIDC_CLIENT_ID"
        )
    return StudioConfig(
        environment=settings.environment,
        sign_in="oidc" if is_production(settings) else "development",
        oidc=oidc,
    )


@dev_router.post("/token")
async def dev_token(body: DevTokenBody, request: Request) -> DevToken:
    """Development sign-in: a token for any user name, signed with the development secret. This route is not
    mounted at all when STUDIO_ENVIRONMENT=production."""
    settings = request.app.state.settings
    token = issue_token(
        body.user_name, settings.jwt_secret, ttl_seconds=DEV_TOKEN_TTL_SECONDS, audience=settings.jwt_audience
    )
    return DevToken(access_token=token, expires_in=DEV_TOKEN_TTL_SECONDS, user_id=body.user_name)
