#!/usr/bin/env bash
# One command for a new machine: install what is needed and start the whole stack on the embedded
# defaults (SQLite files, local storage, the local provider) against RabbitMQ on localhost, with the web
# studio built and served by the gateway at its root URL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_uv
ensure_rabbitmq
uv sync --frozen
if ! build_web; then
  echo "the web studio could not be built: starting the API alone (the studio page will be missing)" >&2
fi
exec uv run python scripts/stack.py "$@"
