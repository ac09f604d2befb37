"""Static checks of docker-compose.yml, the Dockerfile and .dockerignore.

No Docker engine is needed: the compose file is validated against the Compose Specification schema and
parsed, and the Dockerfile (one for every service, parametrised by the build arguments SERVICE and PORT) is
read instruction by instruction, with the build arguments substituted as the build would.
"""

import http.server
import json
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"

# service -> port it listens on
APP_SERVICES = {
    "gateway": 8080,
    "billing": 8081,
    "generation": 8082,
    "assets": 8083,
    "editing": 8084,
    "transform": 8085,
    "batch": 8086,
}
DATABASE_SERVICES = {"gateway", "billing", "assets", "batch"}
# Queue consumers: they claim holds from billing and may call the AI providers.
WORKER_SERVICES = {"generation", "editing", "transform"}
INFRA_SERVICES = {"rabbitmq", "postgres", "minio", "minio-init"}
PROVIDER_KEYS = {
    "STUDIO_STABILITY_API_KEY",
    "STUDIO_WAVESPEED_API_KEY",
    "STUDIO_HF_API_TOKEN",
    "STUDIO_GEMINI_API_KEY",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _depends_on(service: dict) -> dict[str, dict]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def _environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {key: None if value is None else str(value) for key, value in env.items()}


# ---------------------------------------------------------------------------------------------- compose


def test_compose_file_matches_the_compose_specification():
    checker = Path(sys.executable).parent / "check-jsonschema"
    assert checker.exists(), f"{checker} is missing: install the dev dependencies (uv sync)"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"docker-compose.yml is not valid Compose:\n{result.stdout}\n{result.stderr}"
    )


def test_compose_has_no_top_level_name(compose):
    # docker-compose 1.x rejects it, and the project name comes from the directory anyway.
    assert "name" not in compose


def test_compose_runs_every_service_and_its_infrastructure(compose):
    assert set(compose["services"]) == set(APP_SERVICES) | INFRA_SERVICES
    assert re.fullmatch(r"rabbitmq:3\.13(\.\d+)?-management", compose["services"]["rabbitmq"]["image"])
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    assert compose["services"]["minio"]["image"].startswith("minio/minio")
    assert compose["services"]["minio-init"]["image"].startswith("minio/mc")


def test_depends_on_targets_exist_and_can_report_their_condition(compose):
    services = compose["services"]
    problems = []
    for name, service in services.items():
        for target, spec in _depends_on(service).items():
            if target not in services:
                problems.append(f"{name} depends on unknown service {target!r}")
                continue
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy" and not _has_healthcheck(services[target]):
                problems.append(f"{name} waits for {target} to be healthy, but {target} has no healthcheck")
            if (
                condition == "service_completed_successfully"
                and services[target].get("restart", "no") != "no"
            ):
                problems.append(f"{name} waits for {target} to complete, but {target} restarts")
    assert not problems, "\n".join(problems)


def _has_healthcheck(service: dict) -> bool:
    healthcheck = service.get("healthcheck")
    if healthcheck is not None:
        return not healthcheck.get("disable", False)
    build = service.get("build")
    if build is None:
        return False
    dockerfile = (
        REPO
        / (build if isinstance(build, str) else build.get("context", "."))
        / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
    )
    return any(keyword == "HEALTHCHECK" for _, keyword, _ in _instructions(dockerfile))


def test_app_services_start_after_broker_storage_and_database(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        deps = _depends_on(services[name])
        assert deps.get("rabbitmq", {}).get("condition") == "service_healthy", name
        if name in DATABASE_SERVICES:
            assert deps.get("postgres", {}).get("condition") == "service_healthy", name
        if name not in ("billing", "batch"):  # billing and batch keep no objects
            assert deps.get("minio-init", {}).get("condition") == "service_completed_successfully", name
    assert _depends_on(services["minio-init"])["minio"]["condition"] == "service_healthy"


def _build_args(service: dict) -> dict[str, str | None]:
    args = service["build"].get("args", {})
    if isinstance(args, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in args)
    return {key: None if value is None else str(value) for key, value in args.items()}


def test_app_services_build_the_shared_dockerfile_for_their_service(compose):
    declared = {name for stage in _stages(DOCKERFILE) for name in _arg_declarations(stage)}
    for name, port in APP_SERVICES.items():
        service = compose["services"][name]
        build = service["build"]
        assert isinstance(build, dict), f"{name}: build needs context, dockerfile and args"
        assert (REPO / build["context"]).resolve() == REPO, (
            f"{name}: build context must be the repository root"
        )
        assert build["dockerfile"] == "Dockerfile", f"{name} builds {build['dockerfile']}"
        assert (REPO / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
        assert DOCKERFILE.is_file(), "Dockerfile missing"
        assert service["image"].startswith(f"image-studio/{name}:")

        args = _build_args(service)
        assert set(args) == {"SERVICE", "PORT"}, f"{name}: build args {sorted(args)}"
        assert set(args) <= declared, f"{name}: the Dockerfile declares no ARG {set(args) - declared}"
        assert args["SERVICE"] == name, f"the {name} service builds the image of {args['SERVICE']}"
        pyproject = REPO / "services" / args["SERVICE"] / "pyproject.toml"
        assert pyproject.is_file(), f"{name}: SERVICE={args['SERVICE']} has no package directory"
        project = tomllib.loads(pyproject.read_text())["project"]["name"]
        assert project == f"studio-{args['SERVICE']}", f"{pyproject} is {project}"
        # The image exposes and health-checks PORT; the service listens on STUDIO_HTTP_PORT.
        listens = _environment(service)["STUDIO_HTTP_PORT"]
        assert args["PORT"] == listens == str(port), (
            f"{name}: PORT={args['PORT']}, STUDIO_HTTP_PORT={listens}"
        )


def test_no_package_keeps_a_dockerfile_of_its_own():
    # Every image comes from the one Dockerfile at the root; a copy per service would drift from it.
    strays = sorted(
        path.relative_to(REPO).as_posix()
        for pattern in ("services/*/Dockerfile*", "libs/*/Dockerfile*")
        for path in REPO.glob(pattern)
    )
    assert not strays, f"build every image from {DOCKERFILE.name} with SERVICE and PORT instead of {strays}"


def _published(service: dict) -> list[tuple[str | None, str | None, int]]:
    """(host address, host port, container port) for each `ports` entry, short or long syntax."""
    published = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            host_port = entry.get("published")
            published.append(
                (entry.get("host_ip"), None if host_port is None else str(host_port), int(entry["target"]))
            )
            continue
        parts = str(entry).split("/", 1)[0].rsplit(":", 2)
        host_ip = parts[0] if len(parts) == 3 else None
        host_port = parts[-2] if len(parts) >= 2 else None
        published.append((host_ip, host_port, int(parts[-1])))
    return published


def test_only_the_gateway_and_the_minio_s3_api_publish_ports(compose):
    services = compose["services"]
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"gateway", "minio"}

    ((_, _, gateway_port),) = _published(services["gateway"])
    assert gateway_port == 8080

    # Download links are presigned for http://minio:9000 (the services' endpoint): the host must reach MinIO
    # on that same port, and only its S3 API (not the console on 9001) is published, on loopback only.
    assert _environment(services["gateway"])["STUDIO_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert _published(services["minio"]) == [("127.0.0.1", "9000", 9000)]


def test_compose_explains_how_the_host_follows_download_links():
    # Presigned URLs name the host `minio`; a browser on the host resolves it only through /etc/hosts.
    comments = "\n".join(
        line for line in COMPOSE_FILE.read_text().splitlines() if line.lstrip().startswith("#")
    )
    assert re.search(r"127\.0\.0\.1\s+minio\b", comments), "document `127.0.0.1 minio` for /etc/hosts"
    assert "/etc/hosts" in comments


def test_app_services_environment(compose):
    for name, port in APP_SERVICES.items():
        env = _environment(compose["services"][name])
        assert env["STUDIO_ENVIRONMENT"] == "production", name
        assert env["STUDIO_HTTP_HOST"] == "0.0.0.0", name
        assert env["STUDIO_HTTP_PORT"] == str(port), name
        assert env["STUDIO_AMQP_URL"].startswith("amqp://") and "@rabbitmq:5672/" in env["STUDIO_AMQP_URL"]
        assert env["STUDIO_STORAGE_BACKEND"] == "s3", name
        assert env["STUDIO_S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert env["STUDIO_S3_BUCKET"] == "studio", name
        for key in ("STUDIO_S3_ACCESS_KEY_ID", "STUDIO_S3_SECRET_ACCESS_KEY", "STUDIO_S3_REGION"):
            assert env.get(key), f"{name}: {key} not set"
        if name in DATABASE_SERVICES:
            url = env["STUDIO_DATABASE_URL"]
            assert url.startswith("postgresql+asyncpg://") and url.endswith(
                f"@postgres:5432/studio_{name}"
            ), url
        else:
            assert "STUDIO_DATABASE_URL" not in env, f"{name} owns no database"
    gateway = _environment(compose["services"]["gateway"])
    assert gateway["STUDIO_ASSETS_URL"] == "http://assets:8083"
    assert gateway["STUDIO_BATCH_URL"] == "http://batch:8086"


def test_the_gateway_and_the_workers_know_where_billing_is(compose):
    # The gateway places holds; each worker claims an operation's hold before running it.
    callers = {
        name for name in APP_SERVICES if "STUDIO_BILLING_URL" in _environment(compose["services"][name])
    }
    assert callers == {"gateway", "batch"} | WORKER_SERVICES
    for name in callers:
        assert _environment(compose["services"][name])["STUDIO_BILLING_URL"] == "http://billing:8081", name


def test_jwt_secret_must_be_supplied_and_stays_with_the_gateway(compose):
    assert re.fullmatch(
        r"\$\{STUDIO_JWT_SECRET:\?[^}]+\}", _environment(compose["services"]["gateway"])["STUDIO_JWT_SECRET"]
    )
    for name in set(APP_SERVICES) - {"gateway"}:
        assert "STUDIO_JWT_SECRET" not in _environment(compose["services"][name]), name


def test_provider_keys_go_to_the_workers_only(compose):
    for name in APP_SERVICES:
        env = _environment(compose["services"][name])
        if name in WORKER_SERVICES:
            assert set(env) >= PROVIDER_KEYS, f"{name} lacks {PROVIDER_KEYS - set(env)}"
            # Passed through from the shell, never written into the file.
            assert all(env[key] is None for key in PROVIDER_KEYS), name
        else:
            assert not PROVIDER_KEYS & set(env), name


def test_editing_worker_limits_malloc_arenas(compose):
    # Measured: two arenas cut the editing worker's peak memory by about 30 %. It is set where the editing
    # worker is deployed (here and in deploy/k8s/editing.yaml): the image is shared by every service.
    assert _environment(compose["services"]["editing"]).get("MALLOC_ARENA_MAX") == "2"
    for stage in _stages(DOCKERFILE):
        assert "MALLOC_ARENA_MAX" not in _env_instructions(stage), (
            "the Dockerfile would set MALLOC_ARENA_MAX for every service, not only the editing worker"
        )


def test_postgres_init_script_creates_every_service_database(compose):
    mounts = [str(volume) for volume in compose["services"]["postgres"]["volumes"]]
    init = [m for m in mounts if ":/docker-entrypoint-initdb.d/" in m]
    assert len(init) == 1, mounts
    source = init[0].split(":", 1)[0]
    script = REPO / source
    assert script.resolve() == REPO / "deploy/compose/postgres-init.sql" and script.is_file()
    created = set(re.findall(r"CREATE\s+DATABASE\s+(\w+)", script.read_text(), flags=re.IGNORECASE))
    assert created == {f"studio_{name}" for name in DATABASE_SERVICES}


def test_minio_init_creates_the_bucket(compose):
    init = compose["services"]["minio-init"]
    command = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    assert "mc mb" in command and "/studio" in command


# ------------------------------------------------------------------------------------------ Dockerfiles


def _instructions(dockerfile: Path) -> list[tuple[int, str, str]]:
    """(line number, KEYWORD, arguments) per instruction; continuation lines joined, comments dropped."""
    instructions: list[tuple[int, str, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(dockerfile.read_text().splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, arguments = full.partition(" ")
        instructions.append((start, keyword.upper(), arguments.strip()))
    assert not pending, f"{dockerfile}: file ends inside a continued line"
    return instructions


def _stages(dockerfile: Path) -> list[list[tuple[int, str, str]]]:
    stages: list[list[tuple[int, str, str]]] = []
    for instruction in _instructions(dockerfile):
        if instruction[1] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _env_instructions(stage: list[tuple[int, str, str]]) -> dict[str, str]:
    """The variables the stage's ENV instructions set (`ENV K=V ...` and the legacy `ENV K V`)."""
    env: dict[str, str] = {}
    for _, keyword, arguments in stage:
        if keyword != "ENV":
            continue
        words = shlex.split(arguments)
        if "=" not in words[0]:
            env[words[0]] = arguments.split(None, 1)[1]
            continue
        for word in words:
            key, separator, value = word.partition("=")
            assert separator, f"ENV {arguments}: {word!r} is not KEY=VALUE"
            env[key] = value
    return env


def _exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(item, str) for item in value), arguments
    return value


def _arg_declarations(stage: list[tuple[int, str, str]]) -> dict[str, str | None]:
    """The build arguments the ARG instructions declare: name -> default (None when it has none)."""
    declared: dict[str, str | None] = {}
    for _, keyword, arguments in stage:
        if keyword != "ARG":
            continue
        for word in shlex.split(arguments):
            name, separator, default = word.partition("=")
            declared[name] = default if separator else None
    return declared


class MissingBuildArgument(Exception):
    """A `${NAME:?message}` substitution met an argument the build was not given."""


_VARIABLE = re.compile(r"\$(?:\{(\w+)(?:(:?[-+?])([^}]*))?\}|(\w+))")


def _expand(text: str, variables: dict[str, str]) -> str:
    """Substitute $NAME, ${NAME}, ${NAME:-word}, ${NAME:+word} and ${NAME:?message} as the build does.

    Names not in `variables` are left as written (they belong to the base image or to the container's
    shell), except in ${NAME:?message}, which stops the build.
    """

    def substitute(match: re.Match) -> str:
        name = match.group(1) or match.group(4)
        modifier, word = match.group(2), match.group(3) or ""
        value = variables.get(name)
        given = value is not None and (value != "" or not (modifier or "").startswith(":"))
        if modifier is None:
            return value if value is not None else match.group(0)
        if modifier.endswith("-"):
            return value if given else word
        if modifier.endswith("+"):
            return word if given else ""
        if not given:
            raise MissingBuildArgument(f"{name}: {word or 'is not allowed to be unset'}")
        return value

    return _VARIABLE.sub(substitute, text)


# The instructions whose arguments the build substitutes (RUN: the shell does, with ARG and ENV values).
_SUBSTITUTED = {"ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "RUN", "USER", "VOLUME", "WORKDIR"}


def _resolved_stages(build_args: dict[str, str]) -> list[list[tuple[int, str, str]]]:
    """The Dockerfile's stages as `docker build --build-arg KEY=VALUE ...` sees them: arguments substituted.

    Follows the scoping rules: an ARG before the first FROM serves the FROM lines, and a stage sees an
    argument only after declaring it; ENV values are seen by the instructions that follow.
    """
    global_args: dict[str, str] = {}
    stages: list[list[tuple[int, str, str]]] = []
    scope: dict[str, str] = {}
    for number, keyword, arguments in _instructions(DOCKERFILE):
        if keyword == "FROM":
            stages.append([(number, keyword, _expand(arguments, global_args))])
            scope = {}
            continue
        target = scope if stages else global_args
        expanded = _expand(arguments, target) if keyword in _SUBSTITUTED else arguments
        if keyword == "ARG":
            for name, default in _arg_declarations([(number, keyword, expanded)]).items():
                if name in build_args:
                    target[name] = build_args[name]
                elif default is not None:
                    target[name] = default
                elif stages and name in global_args:
                    target[name] = global_args[name]
        if keyword == "ENV":
            scope.update(_env_instructions([(number, keyword, expanded)]))
        if stages:
            stages[-1].append((number, keyword, expanded))
    return stages


def _image(name: str) -> list[list[tuple[int, str, str]]]:
    """The stages of the service's image, built as docker-compose.yml builds it."""
    return _resolved_stages({"SERVICE": name, "PORT": str(APP_SERVICES[name])})


def _copied(stage: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """(line, source) for every file or directory a stage copies from the build context."""
    return [
        (number, source)
        for number, keyword, arguments in stage
        if keyword in {"COPY", "ADD"} and "--from=" not in arguments
        for source in [part for part in shlex.split(arguments) if not part.startswith("--")][:-1]
    ]


def test_dockerfile_serves_every_service_through_its_build_arguments():
    stages = _stages(DOCKERFILE)
    for argument in ("SERVICE", "PORT"):
        declared = [_arg_declarations(stage) for stage in stages if argument in _arg_declarations(stage)]
        assert declared, f"no stage declares ARG {argument}"
        assert all(arguments[argument] is None for arguments in declared), (
            f"{argument} must be given for each build, not defaulted to one service"
        )
    # Whatever differs between the images comes from SERVICE and PORT, not from a service written in.
    for number, keyword, arguments in _instructions(DOCKERFILE):
        for name, port in APP_SERVICES.items():
            assert not re.search(rf"\b{name}\b", arguments), f"Dockerfile:{number}: {keyword} names {name}"
            assert not re.search(rf"\b{port}\b", arguments), f"Dockerfile:{number}: {keyword} names {port}"


@pytest.mark.parametrize("missing", ["SERVICE", "PORT"])
def test_dockerfile_refuses_to_build_without_service_or_port(missing):
    given = {"SERVICE": "gateway", "PORT": "8080"}
    del given[missing]
    with pytest.raises(MissingBuildArgument, match=rf"^{missing}: "):
        _resolved_stages(given)


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_dockerfile_cmd_runs_the_service_module(name, tmp_path):
    runtime = _image(name)[-1]
    assert not [a for _, k, a in _instructions(DOCKERFILE) if k == "ENTRYPOINT"], "CMD is the whole command"
    cmds = [arguments for _, keyword, arguments in runtime if keyword == "CMD"]
    assert cmds, "the runtime stage has no CMD"
    cmd = _exec_form(cmds[-1])

    # Run the CMD as the container would, in the image's environment, with a stand-in `python` that
    # reports its arguments and its process id (the same as the CMD's when the shell `exec`s it, so that
    # python runs as PID 1 and receives the stop signal itself).
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\necho "$$ $*"\n')
    fake.chmod(0o755)
    env = {**_env_instructions(runtime), "PATH": f"{tmp_path}:/usr/bin:/bin"}
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    pid, _, arguments = stdout.strip().partition(" ")
    assert pid == str(process.pid), f"{cmd} does not run python in place of itself (exec)"
    assert arguments == f"-m studio_{name}", f"the {name} image runs `python {arguments}`"

    package = REPO / "services" / name / "src" / f"studio_{name}"
    assert (package / "__init__.py").is_file() and (package / "__main__.py").is_file(), (
        f"{package} is not a runnable package"
    )


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_dockerfile_builds_a_small_non_root_image(name):
    stages = _image(name)
    assert len(stages) >= 2, "multi-stage build expected"
    for stage in stages:
        base = stage[0][2].split()[0]
        # The one Node stage builds the web studio's bundle; everything that runs is on the Python base.
        expected = "node:20-slim" if stage[0][2].split()[-1] == "web" else "python:3.11-slim"
        assert base == expected, f"{name}: stage based on {base}"

    builder = " ".join(a for _, k, a in stages[0] if k == "RUN")
    assert "pip install" in builder and "uv" in builder
    sync = [shlex.split(a) for _, k, a in stages[0] if k == "RUN" and "uv sync" in a]
    assert len(sync) == 2, "the builder installs the dependencies, then the workspace packages"
    for command in sync:
        for flag in ("--frozen", "--no-dev"):
            assert flag in command, f"{name}: `{' '.join(command)}` lacks {flag}"
        assert command.count("--package") == 1, command
        package = command[command.index("--package") + 1]
        assert package == f"studio-{name}", f"the {name} image installs {package}"
    assert "--no-install-workspace" in sync[0] and "--no-editable" in sync[1]
    first_sync = _first_run_of(stages[0], "uv sync")
    first_copies = sorted(source for number, source in _copied(stages[0]) if number < first_sync)
    assert first_copies == ["pyproject.toml", "uv.lock"], (
        f"the locked dependencies must be installed from pyproject.toml and uv.lock alone: {first_copies}"
    )
    assert f'name = "studio-{name}"' in (REPO / "uv.lock").read_text(), f"studio-{name} is not in uv.lock"
    assert _env_instructions(stages[0]).get("UV_PROJECT_ENVIRONMENT") == "/app/.venv"

    runtime = stages[-1]
    keywords = [k for _, k, _ in runtime]
    users = [a for _, k, a in runtime if k == "USER"]
    assert users, f"{name}: the runtime stage runs as root"
    assert users[-1].split(":")[0] not in {"root", "0"}, users[-1]
    assert keywords.index("USER") < keywords.index("CMD")
    assert any(k == "COPY" and "--from=" in a and "/app/.venv" in a for _, k, a in runtime)
    assert [a for _, k, a in runtime if k == "EXPOSE"] == [str(APP_SERVICES[name])]

    env = _env_instructions(runtime)
    assert env.get("STUDIO_HTTP_PORT") == str(APP_SERVICES[name]), "the image listens where it exposes"
    healthchecks = [a for _, k, a in runtime if k == "HEALTHCHECK"]
    assert len(healthchecks) == 1, f"{name}: one HEALTHCHECK expected"
    check = healthchecks[0]
    assert "/healthz" in check and "STUDIO_HTTP_PORT" in check, check
    cmd = _exec_form(check[check.index("CMD") + 3 :].strip())
    assert cmd[0] == "python", "the slim base has no curl: the health check must use python"


def _first_run_of(stage: list[tuple[int, str, str]], command: str) -> int:
    return next(number for number, keyword, arguments in stage if keyword == "RUN" and command in arguments)


def _healthcheck_command() -> list[str]:
    (check,) = [a for _, k, a in _stages(DOCKERFILE)[-1] if k == "HEALTHCHECK"]
    return _exec_form(check[check.index("CMD") + 3 :].strip())


def test_healthcheck_passes_only_while_the_service_answers_on_its_port():
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    def check(port: int) -> int:
        command = [sys.executable, *_healthcheck_command()[1:]]
        env = {"STUDIO_HTTP_PORT": str(port), "PATH": "/usr/bin:/bin"}
        return subprocess.run(command, env=env, capture_output=True, timeout=30, check=False).returncode

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        assert check(port) == 0, "the health check fails against a healthy service"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert check(port) != 0, "the health check passes with nothing listening"


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_dockerfile_copies_only_files_in_the_build_context(name):
    ignored = {line.strip().rstrip("/") for line in (REPO / ".dockerignore").read_text().splitlines()}
    copied = [entry for stage in _image(name) for entry in _copied(stage)]
    assert copied, "the Dockerfile copies nothing"
    for number, source in copied:
        path = source.rstrip("/")
        assert (REPO / path).exists(), f"Dockerfile:{number}: {source} does not exist in the build context"
        assert path.split("/")[0] not in ignored, (
            f"Dockerfile:{number}: {source} is excluded by .dockerignore"
        )


def _workspace_packages() -> dict[str, Path]:
    """Workspace package name -> its directory (relative to the repository)."""
    packages = {}
    for pyproject in sorted([*REPO.glob("libs/*/pyproject.toml"), *REPO.glob("services/*/pyproject.toml")]):
        packages[tomllib.loads(pyproject.read_text())["project"]["name"]] = pyproject.parent.relative_to(REPO)
    return packages


def _workspace_dependencies(package: str, packages: dict[str, Path]) -> set[str]:
    """The workspace packages `package` needs, itself included, following dependencies transitively."""
    needed, pending = set(), [package]
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.add(name)
        project = tomllib.loads((REPO / packages[name] / "pyproject.toml").read_text())["project"]
        for requirement in project.get("dependencies", []):
            dependency = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")
            if dependency in packages:
                pending.append(dependency)
    return needed


def test_workspace_dependencies_are_what_the_images_expect():
    # Every worker runs providers; the gateway probes inputs with the standard library and Pillow alone,
    # so its image carries no OpenCV, ffmpeg or model files.
    packages = _workspace_packages()
    for name in sorted(WORKER_SERVICES):
        assert "studio-providers" in _workspace_dependencies(f"studio-{name}", packages), name
    assert "studio-providers" not in _workspace_dependencies("studio-gateway", packages)


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_dockerfile_copies_every_workspace_package_before_installing_it(name):
    """uv sync --package builds the service's workspace dependencies from source: each must be copied."""
    builder = _image(name)[0]
    packages = _workspace_packages()
    installs = [
        number
        for number, keyword, arguments in builder
        if keyword == "RUN" and "uv sync" in arguments and "--no-install-workspace" not in arguments
    ]
    assert installs, f"{name}: no uv sync installs the workspace packages"
    copied = [source.rstrip("/") for number, source in _copied(builder) if number < installs[0]]
    for package in sorted(_workspace_dependencies(f"studio-{name}", packages)):
        directory = packages[package].as_posix()
        assert any(directory == source or directory.startswith(source + "/") for source in copied), (
            f"Dockerfile: {package} ({directory}) is not copied before `uv sync` installs it; "
            f"copied: {copied}"
        )
    # Of the services, only its own: another service's change must not rebuild (or bloat) this image.
    services = {source for source in copied if source == "services" or source.startswith("services/")}
    assert services == {f"services/{name}"}, f"the {name} image copies {sorted(services)}"


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    patterns = {line.strip().rstrip("/") for line in (REPO / ".dockerignore").read_text().splitlines()}
    for required in (".git", ".venv", "var", "**/__pycache__", "**/.pytest_cache", ".env"):
        assert required in patterns, f".dockerignore lacks {required}"
    for needed in ("uv.lock", "pyproject.toml", "libs", "services"):
        assert needed not in patterns, f".dockerignore must not exclude {needed}"


def test_every_image_is_pinned(compose):
    for name, service in compose["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name} runs {image}"


def test_services_run_locked_down(compose):
    for name, service in compose["services"].items():
        assert "no-new-privileges:true" in service.get("security_opt", []), name
        assert service.get("cap_drop") == ["ALL"], name
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service.get("read_only") is True, name
        tmpfs = service.get("tmpfs", [])
        assert any(mount.startswith("/tmp") for mount in tmpfs), f"{name}: no writable /tmp"


def test_no_password_has_a_well_known_default():
    text = COMPOSE_FILE.read_text()
    for variable in (
        "RABBITMQ_PASSWORD",
        "POSTGRES_PASSWORD",
        "MINIO_ROOT_PASSWORD",
        "STUDIO_JWT_SECRET",
        "STUDIO_DOWNLOAD_URL_SECRET",
    ):
        uses = re.findall(r"\$\{" + variable + r"(:?[-?])?[^}]*\}", text)
        assert uses and all(kind == ":?" for kind in uses), f"{variable} must be required, not defaulted"


def test_each_service_holds_the_service_keys_it_needs(compose):
    expected = {
        "gateway": {"gateway"},
        "assets": {"gateway"},
        "batch": {"gateway", "batch"},
        "billing": {"gateway", "batch"} | WORKER_SERVICES,
        **{w: {w} for w in WORKER_SERVICES},
    }
    for name, callers in expected.items():
        keys = json.loads(_environment(compose["services"][name])["STUDIO_SERVICE_KEYS"])
        assert set(keys) == callers, name
        assert all(re.fullmatch(r"\$\{STUDIO_[A-Z]+_KEY:\?[^}]+\}", key) for key in keys.values()), name


def test_every_image_carries_the_web_studio_built_in_a_node_stage():
    stages = _stages(DOCKERFILE)
    (web,) = [stage for stage in stages if stage[0][2].split()[-1] == "web"]
    runs = " ".join(a for _, k, a in web if k == "RUN")
    assert "npm ci" in runs and "npm run build" in runs, "the bundle is built from the lock file's versions"
    copied = [a for _, k, a in web if k == "COPY"]
    assert copied[0].split()[:2] == ["web/package.json", "web/package-lock.json"], "dependencies cached first"
    runtime = stages[-1]
    assert any(k == "COPY" and a.split()[:2] == ["--from=web", "/web/dist"] for _, k, a in runtime)
    assert _env_instructions(runtime)["STUDIO_WEB_DIST_DIR"] == "/app/web"
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert "web/dist" in ignored and "**/node_modules" in ignored, "the image builds its own bundle"
