"""Assembles the generation worker (create and control operations)."""

from fastapi import FastAPI

from studio_common.claims import HoldClaims
from studio_generation.domain.planning import plan
from studio_generation.settings import GenerationSettings
from studio_providers.registry import ProviderRegistry
from studio_providers.worker import create_worker_app


def create_app(
    settings: GenerationSettings | None = None,
    registry: ProviderRegistry | None = None,
    claims: HoldClaims | None = None,
) -> FastAPI:
    return create_worker_app(
        settings or GenerationSettings(), "generation", plan, registry=registry, claims=claims
    )
