#!/usr/bin/env bash
# One command for a new machine: install what is needed and start the whole stack on the embedded
# defaults (SQLite files, local storage, the local provider) against RabbitMQ on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_uv
ensure_rabbitmq
uv sync --frozen
exec uv run python scripts/stack.py "$@"
