"""Assembles the editing worker (edit operations, upscale, social optimizer)."""

from fastapi import FastAPI

from studio_common.claims import HoldClaims
from studio_editing.domain.planning import plan
from studio_editing.domain.social.operation import SOCIAL_OPERATIONS
from studio_editing.settings import EditingSettings
from studio_providers.registry import ProviderRegistry
from studio_providers.worker import create_worker_app


def create_app(
    settings: EditingSettings | None = None,
    registry: ProviderRegistry | None = None,
    claims: HoldClaims | None = None,
) -> FastAPI:
    return create_worker_app(
        settings or EditingSettings(),
        "editing",
        plan,
        local_operations=SOCIAL_OPERATIONS,
        registry=registry,
        claims=claims,
    )
