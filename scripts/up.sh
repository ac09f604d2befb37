#!/usr/bin/env bash
# One command for a new machine: install what is needed and start the whole stack on the embedded
# defaults (SQLite files, local storage, the local provider) against RabbitMQ on localhost, with the web
# studio built and served by the gateway at its root URL.
#
#   bash scripts/up.sh [--port 8080] [--data-dir var] [--api-only]
#
# --port chooses the gateway's port (the other services take the six after it); --api-only skips
# building the web studio. It fails, naming the port, when another program holds one of the stack's
# ports. Stopping its process group (Ctrl-C, or kill -- -PGID) stops every service.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

build=1
args=()
for arg in "$@"; do
  if [ "$arg" = "--api-only" ]; then build=0; else args+=("$arg"); fi
done

ensure_uv
ensure_rabbitmq
sync_python
if [ "$build" = 1 ] && ! build_web; then
  echo "the web studio could not be built: starting the API alone (the studio page will be missing)" >&2
fi
# exec: the stack takes this shell's process and process group, which its services join.
exec uv run --no-sync python scripts/stack.py ${args[@]+"${args[@]}"}
