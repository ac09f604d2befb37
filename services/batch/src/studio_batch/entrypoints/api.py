"""The batch service's internal HTTP API; the gateway calls it with the authenticated user's id."""

from fastapi import APIRouter

router = APIRouter(prefix="/internal")
