#!/usr/bin/env bash
# One command for a new machine: install what is needed and run every test (unit, integration against
# RabbitMQ and PostgreSQL on localhost, end to end, deployment files). Missing infrastructure fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_uv
ensure_rabbitmq
ensure_postgres
uv sync --frozen
exec uv run pytest -p no:cacheprovider "$@"
