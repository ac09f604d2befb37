"""Assembles the transform worker (image to video, talking avatar, image to 3D)."""

from fastapi import FastAPI

from studio_common.claims import HoldClaims
from studio_providers.registry import ProviderRegistry
from studio_providers.worker import create_worker_app
from studio_transform.domain.planning import plan
from studio_transform.settings import TransformSettings


def create_app(
    settings: TransformSettings | None = None,
    registry: ProviderRegistry | None = None,
    claims: HoldClaims | None = None,
) -> FastAPI:
    return create_worker_app(
        settings or TransformSettings(), "transform", plan, registry=registry, claims=claims
    )
