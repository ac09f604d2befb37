# syntax=docker/dockerfile:1
# Image Studio - the image of every service, one build per service.
#
# Build from the repository root (the uv workspace and its uv.lock live there):
#   docker build --build-arg SERVICE=gateway --build-arg PORT=8080 -t image-studio/gateway:latest .
#
# Build arguments (both required; docker-compose.yml passes them for each service):
#   SERVICE  gateway | billing | generation | assets | editing | transform. The image installs the
#            workspace package studio-$SERVICE (from services/$SERVICE) and runs its module studio_$SERVICE.
#   PORT     the port the service listens on: exposed, set as STUDIO_HTTP_PORT and health-checked.
#            gateway 8080, billing 8081, generation 8082, assets 8083, editing 8084, transform 8085.
#
# No service needs system packages: Pillow and numpy, libvips (pyvips-binary), OpenCV
# (opencv-python-headless) and ffmpeg (the static binary in imageio-ffmpeg) all come as manylinux wheels
# with their native libraries bundled, so the slim base is enough for every image.
#
# Tuning that belongs to one service is set where it is deployed, not here: the editing worker's
# MALLOC_ARENA_MAX=2 is in docker-compose.yml and deploy/k8s/editing.yaml (pass it with `docker run -e`
# when running that image on its own).

ARG PYTHON_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:20-slim

# ---------------------------------------------------------------------------
# builder: resolve the locked dependencies of studio-$SERVICE into /app/.venv
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ARG UV_VERSION=0.13.9
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN pip install "uv==${UV_VERSION}"

WORKDIR /app

# The layers above are the same for every service (and cached once); those below depend on SERVICE.
ARG SERVICE

# Third-party dependencies first: this layer changes only when uv.lock does.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-workspace --package "studio-${SERVICE}"

# Then the workspace packages, installed as wheels (not editable) so the runtime image needs nothing but
# the virtual environment: the shared libraries and the service's own package.
COPY libs/ libs/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN uv sync --frozen --no-dev --no-editable --package "studio-${SERVICE}"

# ---------------------------------------------------------------------------
# web: the studio bundle (React + Vite) from web/, with the exact versions of web/package-lock.json.
# Only the public API serves it (STUDIO_WEB_DIST_DIR); the stage is built once and cached for every
# image, so the Dockerfile stays one recipe parametrised by SERVICE and PORT alone.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS web

WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# ---------------------------------------------------------------------------
# runtime: the virtual environment and a non-root user, nothing else
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    STUDIO_HTTP_HOST=0.0.0.0 \
    STUDIO_DATA_DIR=/app/var \
    STUDIO_STORAGE_DIR=/app/var/storage \
    STUDIO_WEB_DIST_DIR=/app/web

RUN groupadd --system --gid 10001 studio \
    && useradd --system --uid 10001 --gid studio --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin studio \
    && mkdir -p /app/var \
    && chown studio:studio /app/var

WORKDIR /app

ARG SERVICE
ARG PORT
# STUDIO_MODULE is read by CMD below (the services' settings ignore it). `${NAME:?message}` stops the
# build with that message when the argument is not given, before anything is built.
ENV STUDIO_MODULE="studio_${SERVICE:?build with --build-arg SERVICE=<service>}" \
    STUDIO_HTTP_PORT="${PORT:?build with --build-arg PORT=<port the service listens on>}"

COPY --from=builder /app/.venv /app/.venv
COPY --from=web /web/dist /app/web

USER 10001:10001
EXPOSE ${PORT}

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['STUDIO_HTTP_PORT'], timeout=4)"]

# The shell only expands the module name; `exec` replaces it, so python runs as PID 1 and receives the
# stop signal itself.
CMD ["/bin/sh", "-c", "exec python -m \"$STUDIO_MODULE\""]
