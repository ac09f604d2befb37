#!/usr/bin/env bash
# One command for a new machine: install what is needed and run every test (unit, integration against
# RabbitMQ and PostgreSQL on localhost, end to end, deployment files, the web studio's vitest suite and its
# browser tests in Chromium). Missing infrastructure fails; Chromium is installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_uv
ensure_rabbitmq
ensure_postgres
ensure_chromium
sync_python
build_web
exec uv run pytest -p no:cacheprovider "$@"
