# Shared by scripts/up.sh and .ci/run.

ensure_uv() {
  if ! command -v uv >/dev/null 2>&1; then
    echo "installing uv (the Python package manager this workspace uses) ..."
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
    export PATH="$HOME/.local/bin:$PATH"
  fi
  export UV_PYTHON_DOWNLOADS=never UV_PYTHON=python3.11
  command -v python3.11 >/dev/null 2>&1 || export UV_PYTHON=python3
}

port_open() {  # port_open PORT: something accepts connections on 127.0.0.1:PORT
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2).close()' \
    "$1" 2>/dev/null
}

amqp_up() { port_open 5672; }

ensure_rabbitmq() {
  amqp_up && return 0
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "RabbitMQ is installed but not running: starting it ..."
    rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do
      amqp_up && { echo "RabbitMQ is up."; return 0; }
      sleep 1
    done
    echo "RabbitMQ did not start within 60 s; check 'rabbitmq-diagnostics status'." >&2
    return 1
  fi
  echo "RabbitMQ is needed on 127.0.0.1:5672 and is not installed." >&2
  echo "Install it (Debian/Ubuntu: sudo apt-get install rabbitmq-server) or run 'docker compose up'." >&2
  return 1
}

postgres_up() { port_open 5432; }

ensure_postgres() {
  postgres_up && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is installed but not running: starting it ..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do postgres_up && return 0; sleep 1; done
  fi
  echo "PostgreSQL is needed on 127.0.0.1:5432 (trust auth for user postgres) and is not reachable." >&2
  return 1
}

node_ok() {  # Node 20.19+ (or 22.12+), which Vite 8 needs
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22 ? 0 : 1)'
}

sync_python() {  # the locked environment, its modules compiled once
  # Compiled here because a machine may set PYTHONDONTWRITEBYTECODE: then every process (each service of
  # the stack, each restart, each test run) compiles the same ~6 s of modules from source again.
  uv sync --frozen --compile-bytecode --quiet
  uv run --no-sync python -m compileall -q libs/*/src services/*/src >/dev/null
}

build_web() {  # the web studio's bundle in web/dist, from the exact versions in web/package-lock.json
  if ! node_ok; then
    echo "Node.js 20.19+ with npm is needed to build the web studio (Debian: apt-get install nodejs npm)." >&2
    return 1
  fi
  echo "building the web studio (npm ci, npm run build) ..."
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent) >/dev/null
}

ensure_chromium() {  # the browser tests drive Debian's Chromium; it is never downloaded by the tests
  [ -x "${STUDIO_CHROMIUM:-/usr/bin/chromium}" ] && return 0
  echo "installing Chromium for the browser tests (apt-get install chromium) ..."
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  [ -x "${STUDIO_CHROMIUM:-/usr/bin/chromium}" ] || { echo "Chromium is still missing." >&2; return 1; }
}
