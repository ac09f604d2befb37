"""Static checks of the Kubernetes manifests in deploy/k8s, without a cluster.

The kustomize base with the example Secrets (deploy/overlays/example) is rendered with
`kubectl kustomize`; the built-in kinds are validated with
`kubernetes-validate --strict` against the bundled Kubernetes schemas, the KEDA objects against the
schemas in keda_schema.py, and the cross-references (Services, probes, NetworkPolicies, Secrets, the
ScaledObject's target) are checked here.
"""

import copy
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy" / "k8s"
EXAMPLE = REPO / "deploy" / "overlays" / "example"
NAMESPACE = "image-studio"

# service -> (port, replicas)
SERVICES = {
    "gateway": (8080, 2),
    "billing": (8081, 2),
    "generation": (8082, 1),
    "assets": (8083, 2),
    "editing": (8084, 1),
    "transform": (8085, 1),
    "batch": (8086, 2),
}
METRICS = {name: port + 1000 for name, (port, _) in SERVICES.items()}  # /metrics has a port of its own
DATABASE_SERVICES = {"gateway", "billing", "assets", "batch"}
# worker -> (queue, minReplicaCount, maxReplicaCount, messages waiting per replica)
WORKERS = {
    "generation": ("generation", 1, 10, "20"),
    "editing": ("editing", 1, 10, "10"),
    "transform": ("transform", 1, 8, "4"),
}
PROVIDER_KEYS = {
    "STUDIO_STABILITY_API_KEY",
    "STUDIO_WAVESPEED_API_KEY",
    "STUDIO_HF_API_TOKEN",
    "STUDIO_GEMINI_API_KEY",
}
# Oldest Kubernetes minor this base is meant for, and the newest schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
CUSTOM_KINDS = {"ScaledObject", "TriggerAuthentication", "PrometheusRule"}
CLUSTER_SCOPED_KINDS = {"Namespace"}


def _load_keda_schemas():
    spec = importlib.util.spec_from_file_location("keda_schema", Path(__file__).with_name("keda_schema.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SCHEMAS


KEDA_SCHEMAS = _load_keda_schemas()


def _kubectl() -> str:
    kubectl = shutil.which("kubectl") or ("/usr/bin/kubectl" if Path("/usr/bin/kubectl").exists() else None)
    if kubectl is None:
        pytest.fail(
            "kubectl is not installed, so deploy/k8s cannot be rendered: install kubectl 1.27 or newer "
            "(its built-in kustomize v5 renders this base) and run the tests again"
        )
    return kubectl


@pytest.fixture(scope="module")
def rendered_file(tmp_path_factory) -> Path:
    result = subprocess.run(
        [_kubectl(), "kustomize", str(EXAMPLE)], check=False, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"kubectl kustomize deploy/overlays/example failed:\n{result.stderr}"
    path = tmp_path_factory.mktemp("k8s") / "rendered.yaml"
    path.write_text(result.stdout)
    return path


@pytest.fixture(scope="module")
def objects(rendered_file) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(rendered_file.read_text()) if doc]


def _of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}


def _selects(selector: dict, labels: dict) -> bool:
    match = selector.get("matchLabels", {})
    assert not selector.get("matchExpressions"), "matchExpressions are not checked by these tests"
    return all(labels.get(key) == value for key, value in match.items())


def _pod_labels(deployment: dict) -> dict:
    return deployment["spec"]["template"]["metadata"]["labels"]


def _container(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, deployment["metadata"]["name"]
    return containers[0]


def _container_port(deployment: dict, port: int | str) -> int | None:
    """The container port a Service targetPort or NetworkPolicy port names, if the pod has it."""
    for entry in _container(deployment).get("ports", []):
        if port in (entry["containerPort"], entry.get("name")):
            return entry["containerPort"]
    return None


def _secret_data(secret: dict) -> dict:
    return {**secret.get("data", {}), **secret.get("stringData", {})}


def _effective_env(deployment: dict, objects: list[dict]) -> dict[str, str]:
    """The environment a container starts with: envFrom ConfigMaps and Secrets, then env."""
    configmaps, secrets = _of_kind(objects, "ConfigMap"), _of_kind(objects, "Secret")
    container = _container(deployment)
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            ref = source["configMapRef"]
            assert ref["name"] in configmaps or ref.get("optional"), f"unknown ConfigMap {ref['name']}"
            env.update(configmaps.get(ref["name"], {}).get("data", {}))
        if "secretRef" in source:
            ref = source["secretRef"]
            assert ref["name"] in secrets or ref.get("optional"), f"unknown Secret {ref['name']}"
            env.update(_secret_data(secrets.get(ref["name"], {})))
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            ref = item["valueFrom"].get("secretKeyRef") or item["valueFrom"].get("configMapKeyRef")
            kind = secrets if "secretKeyRef" in item["valueFrom"] else configmaps
            assert ref["name"] in kind, f"{item['name']} refers to unknown {ref['name']}"
            env[item["name"]] = _secret_data(kind[ref["name"]]).get(ref["key"]) or kind[ref["name"]].get(
                "data", {}
            ).get(ref["key"])
    return env


# ------------------------------------------------------------------------------- rendering and schemas


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_rendered_manifests_pass_strict_kubernetes_validation(rendered_file, objects, version):
    validator = Path(sys.executable).parent / "kubernetes-validate"
    assert validator.exists(), f"{validator} is missing: install the dev dependencies (uv sync)"
    result = subprocess.run(
        [str(validator), "--strict", "--quiet", "-k", version, str(rendered_file)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"kubernetes-validate --strict -k {version} failed:\n{output}"
    # Unknown kinds are skipped with a warning and exit 0: only the KEDA kinds may be skipped, so that a
    # misspelt apiVersion or kind cannot slip through unvalidated.
    skipped = set(re.findall(r"Couldn't find schema for kind (\w+)", output))
    assert skipped <= CUSTOM_KINDS, f"not validated (unknown apiVersion or kind?): {skipped - CUSTOM_KINDS}"
    assert {obj["kind"] for obj in objects} - CUSTOM_KINDS, "nothing to validate"


def test_keda_objects_match_their_schema(objects):
    keda = [obj for obj in objects if obj["apiVersion"].startswith("keda.sh/")]
    assert sorted(obj["kind"] for obj in keda) == ["ScaledObject"] * len(WORKERS) + ["TriggerAuthentication"]
    for obj in keda:
        jsonschema.validate(obj, KEDA_SCHEMAS[obj["kind"]])


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda so: so["spec"]["triggers"][0].update(type="kafka"), "ScaledObject"),
        (lambda so: so["spec"]["triggers"][0]["metadata"].pop("queueName"), "ScaledObject"),
        (lambda so: so["spec"]["triggers"][0]["metadata"].update(mode="Length"), "ScaledObject"),
        (lambda so: so["spec"]["triggers"][0]["metadata"].update(value=20), "ScaledObject"),
        (lambda so: so["spec"]["triggers"][0]["metadata"].update(host="amqp://u:p@mq:5672/"), "ScaledObject"),
        (lambda so: so["spec"].pop("scaleTargetRef"), "ScaledObject"),
        (lambda so: so["spec"].update(maxReplicas=10), "ScaledObject"),
        (lambda ta: ta["spec"]["secretTargetRef"][0].update(parameter="password"), "TriggerAuthentication"),
        (lambda ta: ta["spec"]["secretTargetRef"][0].pop("key"), "TriggerAuthentication"),
    ],
    ids=[
        "other-scaler",
        "no-queue-name",
        "unknown-mode",
        "numeric-value",
        "inline-host",
        "no-target",
        "unknown-field",
        "no-host-parameter",
        "no-secret-key",
    ],
)
def test_keda_schema_rejects_broken_objects(objects, change, kind):
    originals = [obj for obj in objects if obj["kind"] == kind]
    assert originals, f"no {kind}"
    for original in originals:
        jsonschema.validate(original, KEDA_SCHEMAS[kind])
        broken = copy.deepcopy(original)
        change(broken)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, KEDA_SCHEMAS[kind])


def test_everything_lives_in_the_image_studio_namespace(objects):
    assert NAMESPACE in _of_kind(objects, "Namespace")
    for obj in objects:
        if obj["kind"] not in CLUSTER_SCOPED_KINDS:
            assert obj["metadata"].get("namespace") == NAMESPACE, f"{obj['kind']}/{obj['metadata']['name']}"


# ------------------------------------------------------------------------------------------ workloads


def test_one_deployment_per_service(objects):
    deployments = _of_kind(objects, "Deployment")
    assert set(deployments) == set(SERVICES)
    for name, (_, replicas) in SERVICES.items():
        deployment = deployments[name]
        assert deployment["spec"]["replicas"] == replicas, name
        assert _selects(deployment["spec"]["selector"], _pod_labels(deployment)), name
        assert re.fullmatch(rf"image-studio/{name}(:[\w.-]+)?", _container(deployment)["image"]), name


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_deployment_has_probes_limits_and_a_locked_down_pod(objects, name):
    deployment = _of_kind(objects, "Deployment")[name]
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    port = SERVICES[name][0]
    assert _container_port(deployment, "http") == port

    for probe, path in (
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
        ("startupProbe", "/healthz"),
    ):
        assert probe in container, f"{name}: no {probe}"
        http = container[probe]["httpGet"]
        assert http["path"] == path, f"{name}: {probe} checks {http['path']}"
        assert _container_port(deployment, http["port"]) == port, f"{name}: {probe} port {http['port']}"

    resources = container.get("resources", {})
    for section in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources.get(section, {})), f"{name}: resources.{section} incomplete"

    pod_security = pod.get("securityContext", {})
    security = container.get("securityContext", {})
    assert pod_security.get("runAsNonRoot") or security.get("runAsNonRoot"), f"{name}: may run as root"
    assert security.get("readOnlyRootFilesystem") is True, name
    assert security.get("allowPrivilegeEscalation") is False, name
    assert "ALL" in security.get("capabilities", {}).get("drop", []), name

    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
    assert tmp and "emptyDir" in volumes[tmp[0]["name"]], f"{name}: /tmp must be a writable emptyDir"

    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/scrape") == "true", name
    assert annotations.get("prometheus.io/port") == str(METRICS[name]), name
    assert _container_port(deployment, "metrics") == METRICS[name], name
    assert annotations.get("prometheus.io/path") == "/metrics", name


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_deployment_environment(objects, name):
    deployment = _of_kind(objects, "Deployment")[name]
    refs = [next(iter(source.values()))["name"] for source in _container(deployment).get("envFrom", [])]
    assert "studio-config" in refs and any(ref in _of_kind(objects, "Secret") for ref in refs), refs
    env = _effective_env(deployment, objects)

    assert env["STUDIO_ENVIRONMENT"] == "production"
    assert env["STUDIO_HTTP_HOST"] == "0.0.0.0"
    assert env["STUDIO_HTTP_PORT"] == str(SERVICES[name][0])
    assert env["STUDIO_METRICS_PORT"] == str(METRICS[name])
    assert env.get("STUDIO_SERVICE_KEYS"), f"{name} has no service key"
    assert env["STUDIO_AMQP_URL"].startswith("amqp://")
    assert env["STUDIO_STORAGE_BACKEND"] == "s3"
    for key in (
        "STUDIO_S3_ENDPOINT_URL",
        "STUDIO_S3_BUCKET",
        "STUDIO_S3_REGION",
        "STUDIO_S3_ACCESS_KEY_ID",
        "STUDIO_S3_SECRET_ACCESS_KEY",
        "STUDIO_ENABLED_PROVIDERS",
    ):
        assert env.get(key), f"{name}: {key} not set"
    assert env["STUDIO_DATA_DIR"].startswith("/tmp/"), "the root filesystem is read-only"

    if name == "gateway":  # the web studio's production sign-in
        assert env["STUDIO_OIDC_ISSUER"].startswith("https://") and env["STUDIO_OIDC_CLIENT_ID"]
        assert env["STUDIO_JWT_JWKS_URL"].startswith(env["STUDIO_OIDC_ISSUER"])

    if name in DATABASE_SERVICES:
        url = env["STUDIO_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://") and url.endswith(f"/studio_{name}"), url
    else:
        assert "STUDIO_DATABASE_URL" not in env, f"{name} owns no database"
    if name == "gateway":
        assert env.get("STUDIO_JWT_SECRET")
        assert env.get("STUDIO_DOWNLOAD_URL_SECRET")
        assert env["STUDIO_ASSETS_URL"] == "http://assets:8083"
    else:
        assert "STUDIO_JWT_SECRET" not in env, f"{name} must not see the JWT secret"
    if name == "gateway" or name in WORKERS:
        # The gateway places holds; each worker claims an operation's hold before running it.
        assert env.get("STUDIO_BILLING_URL") == "http://billing:8081", name
    if name in WORKERS:
        assert set(env) >= PROVIDER_KEYS, f"{name} lacks {PROVIDER_KEYS - set(env)}"
    else:
        assert not PROVIDER_KEYS & set(env), f"{name} must not see provider keys"
    if name == "editing":
        # Measured: two malloc arenas cut the editing worker's peak memory by about 30 %.
        assert env.get("MALLOC_ARENA_MAX") == "2"


_QUANTITY_UNITS = {
    "m": 10**-3,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def _quantity(value: str | float) -> float:
    """A Kubernetes resource quantity ("500m", "1536Mi", "2", 1) as a number of cores or bytes."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)", str(value))
    assert match and match.group(2) in {"", *_QUANTITY_UNITS}, f"unexpected quantity {value!r}"
    return float(match.group(1)) * _QUANTITY_UNITS.get(match.group(2), 1)


def _resources(objects: list[dict], name: str) -> dict[str, float]:
    resources = _container(_of_kind(objects, "Deployment")[name])["resources"]
    return {
        f"{section}.{kind}": _quantity(resources[section][kind])
        for section in ("requests", "limits")
        for kind in ("cpu", "memory")
    }


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_requests_fit_within_limits(objects, name):
    resources = _resources(objects, name)
    for kind in ("cpu", "memory"):
        assert resources[f"requests.{kind}"] <= resources[f"limits.{kind}"], f"{name}: {kind}"


def test_editing_worker_has_room_for_libvips_and_opencv(objects):
    assert _resources(objects, "editing")["limits.memory"] >= 1536 * 2**20


def test_transform_worker_is_sized_for_video_encoding(objects):
    assert _resources(objects, "transform") == {
        "requests.cpu": 1,
        "limits.cpu": 2,
        "requests.memory": 2**30,
        "limits.memory": 2 * 2**30,
    }


def test_configmap_holds_no_secrets(objects):
    secret_like = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|ACCESS_KEY|DATABASE_URL|AMQP_URL")
    for name, configmap in _of_kind(objects, "ConfigMap").items():
        leaked = [key for key in configmap.get("data", {}) if secret_like.search(key)]
        assert not leaked, f"ConfigMap {name} holds secrets: {leaked}"


def test_example_secrets_are_marked_for_replacement(objects):
    secrets = _of_kind(objects, "Secret")
    for name, secret in secrets.items():
        assert secret["metadata"].get("annotations", {}).get("image-studio/example-values"), name
        for key, value in _secret_data(secret).items():
            assert value == "" or "REPLACE-ME" in value, (
                f"Secret {name}/{key} holds a value not marked to replace"
            )


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_deployment_has_a_matching_cluster_ip_service(objects, name):
    deployment = _of_kind(objects, "Deployment")[name]
    services = _of_kind(objects, "Service")
    assert name in services, f"no Service {name}"
    service = services[name]
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert _selects({"matchLabels": service["spec"]["selector"]}, _pod_labels(deployment))
    (port,) = service["spec"]["ports"]
    assert port["port"] == SERVICES[name][0]
    assert _container_port(deployment, port.get("targetPort", port["port"])) == SERVICES[name][0]
    # Exactly one Deployment behind each Service.
    behind = [
        d
        for d in _of_kind(objects, "Deployment").values()
        if _selects({"matchLabels": service["spec"]["selector"]}, _pod_labels(d))
    ]
    assert [d["metadata"]["name"] for d in behind] == [name]


def test_disruption_budgets_keep_one_pod_of_each_api(objects):
    # The workers have none: KEDA may scale them to their minimum, and a redelivered message is retried.
    budgets = _of_kind(objects, "PodDisruptionBudget")
    deployments = _of_kind(objects, "Deployment")
    covered = set()
    for budget in budgets.values():
        assert budget["spec"].get("minAvailable") == 1, budget["metadata"]["name"]
        selected = [n for n, d in deployments.items() if _selects(budget["spec"]["selector"], _pod_labels(d))]
        assert len(selected) == 1, f"PDB {budget['metadata']['name']} selects {selected}"
        covered.update(selected)
    assert covered == {"gateway", "billing", "assets", "batch"}


def test_each_worker_and_only_the_workers_scale_with_keda(objects):
    targets = [
        scaled["spec"]["scaleTargetRef"]["name"] for scaled in _of_kind(objects, "ScaledObject").values()
    ]
    assert sorted(targets) == sorted(WORKERS)


@pytest.mark.parametrize("name", sorted(WORKERS))
def test_worker_scales_on_its_queue_with_keda(objects, name):
    queue, min_replicas, max_replicas, value = WORKERS[name]
    scaled_objects = [
        scaled
        for scaled in _of_kind(objects, "ScaledObject").values()
        if scaled["spec"]["scaleTargetRef"]["name"] == name
    ]
    assert len(scaled_objects) == 1, f"{name}: {len(scaled_objects)} ScaledObjects"
    (scaled,) = scaled_objects
    target = scaled["spec"]["scaleTargetRef"]
    assert target.get("kind", "Deployment") == "Deployment"
    assert target["name"] in _of_kind(objects, "Deployment")
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (
        min_replicas,
        max_replicas,
    )
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["queueName"] == queue
    assert trigger["metadata"]["mode"] == "QueueLength"
    assert trigger["metadata"]["value"] == value

    auths = _of_kind(objects, "TriggerAuthentication")
    auth = auths[trigger["authenticationRef"]["name"]]
    (host,) = [ref for ref in auth["spec"]["secretTargetRef"] if ref["parameter"] == "host"]
    secret = _of_kind(objects, "Secret").get(host["name"])
    assert secret is not None, f"TriggerAuthentication reads unknown Secret {host['name']}"
    assert host["key"] == "STUDIO_AMQP_URL" and host["key"] in _secret_data(secret)
    # The worker reads the same broker address as KEDA.
    assert (
        _effective_env(_of_kind(objects, "Deployment")[name], objects)["STUDIO_AMQP_URL"]
        == (_secret_data(secret)[host["key"]])
    )


# ----------------------------------------------------------------------------------------- networking


def _policies_for(objects: list[dict], deployment: dict) -> list[dict]:
    return [
        policy
        for policy in _of_kind(objects, "NetworkPolicy").values()
        if "Ingress" in policy["spec"].get("policyTypes", ["Ingress"])
        and _selects(policy["spec"]["podSelector"], _pod_labels(deployment))
    ]


def test_network_policies_refer_to_existing_pods_and_ports(objects):
    deployments = _of_kind(objects, "Deployment")
    for name, policy in _of_kind(objects, "NetworkPolicy").items():
        selected = [
            d for d in deployments.values() if _selects(policy["spec"]["podSelector"], _pod_labels(d))
        ]
        assert selected, f"NetworkPolicy {name} selects no pods"
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    sources = [
                        d for d in deployments.values() if _selects(peer["podSelector"], _pod_labels(d))
                    ]
                    assert sources, f"NetworkPolicy {name} allows traffic from pods that do not exist: {peer}"
            for port in rule.get("ports", []):
                for deployment in selected:
                    assert _container_port(deployment, port["port"]) is not None, (
                        f"NetworkPolicy {name} opens port {port['port']}, "
                        f"which {deployment['metadata']['name']} does not listen on"
                    )


def test_ingress_is_denied_by_default(objects):
    default = [
        p
        for p in _of_kind(objects, "NetworkPolicy").values()
        if p["spec"]["podSelector"] in ({}, None)
        and p["spec"].get("policyTypes") == ["Ingress"]
        and not p["spec"].get("ingress")
    ]
    assert default, "no default-deny ingress NetworkPolicy"


MONITORING_PEER = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}


def _peers(objects: list[dict], name: str) -> list[tuple[dict | None, list]]:
    """(peer or None for 'anyone', ports) for every ingress rule that applies to the service's pods."""
    deployment = _of_kind(objects, "Deployment")[name]
    allowed = []
    for policy in _policies_for(objects, deployment):
        for rule in policy["spec"].get("ingress", []):
            ports = [_container_port(deployment, p["port"]) for p in rule.get("ports", [])]
            for peer in rule.get("from") or [None]:
                allowed.append((peer, ports))
    return allowed


def test_gateway_is_reachable_from_anywhere_on_its_port(objects):
    open_rules = [ports for peer, ports in _peers(objects, "gateway") if peer is None]
    assert [8080] in open_rules


def _pod_peer(name: str) -> dict:
    return {"podSelector": {"matchLabels": {"app.kubernetes.io/name": name}}}


# internal API -> the services that call it
INTERNAL_CALLERS = {
    "billing": {"gateway", "batch", *WORKERS},  # the gateway and batch place holds, the workers claim them
    "assets": {"gateway"},
    "batch": {"gateway"},
}


@pytest.mark.parametrize("name", sorted(INTERNAL_CALLERS))
def test_internal_apis_accept_only_their_callers_and_monitoring(objects, name):
    peers = _peers(objects, name)
    for caller in sorted(INTERNAL_CALLERS[name]):
        assert (_pod_peer(caller), [SERVICES[name][0]]) in peers, f"{name} does not accept {caller}"
    expected = [_pod_peer(caller) for caller in INTERNAL_CALLERS[name]] + [MONITORING_PEER]
    for peer, _ in peers:
        assert peer in expected, f"{name} also accepts {peer}"


def test_billing_does_not_accept_the_asset_library(objects):
    assets = _pod_labels(_of_kind(objects, "Deployment")["assets"])
    for peer, _ in _peers(objects, "billing"):
        assert peer is not None, "billing accepts anyone"
        if "podSelector" in peer and "namespaceSelector" not in peer:
            assert not _selects(peer["podSelector"], assets), f"billing accepts assets through {peer}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_monitoring_namespace_may_scrape_every_pod_on_its_metrics_port_only(objects, name):
    monitoring = [ports for peer, ports in _peers(objects, name) if peer == MONITORING_PEER]
    assert monitoring and all(ports == [METRICS[name]] for ports in monitoring), monitoring


def test_the_base_ships_no_secrets():
    result = subprocess.run(
        [_kubectl(), "kustomize", str(BASE)], check=False, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert not [doc for doc in yaml.safe_load_all(result.stdout) if doc and doc["kind"] == "Secret"]


def test_images_are_pinned(objects):
    for name, deployment in _of_kind(objects, "Deployment").items():
        image = _container(deployment)["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name} runs {image}"


def _egress_rules(objects: list[dict], name: str) -> list[dict]:
    deployment = _of_kind(objects, "Deployment")[name]
    return [
        rule
        for policy in _of_kind(objects, "NetworkPolicy").values()
        if "Egress" in policy["spec"].get("policyTypes", [])
        and _selects(policy["spec"]["podSelector"], _pod_labels(deployment))
        for rule in policy["spec"].get("egress", [])
    ]


def test_egress_is_denied_by_default(objects):
    assert any(
        p["spec"]["podSelector"] in ({}, None)
        and p["spec"].get("policyTypes") == ["Egress"]
        and not p["spec"].get("egress")
        for p in _of_kind(objects, "NetworkPolicy").values()
    )


def _reaches(rules: list[dict], port: int, peer: dict | None = None) -> bool:
    return any(
        port in [p["port"] for p in rule.get("ports", [])] and (peer is None or peer in rule.get("to", []))
        for rule in rules
    )


# service -> the internal APIs it calls
INTERNAL_CALLS = {
    "gateway": {"billing", "assets", "batch"},
    "billing": set(),
    "assets": set(),
    "batch": {"billing"},
    **{worker: {"billing"} for worker in WORKERS},
}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_egress_reaches_only_what_each_service_calls(objects, name):
    rules = _egress_rules(objects, name)
    assert _reaches(rules, 53) and _reaches(rules, 5672), f"{name}: no DNS or broker"
    assert _reaches(rules, 5432) == (name in DATABASE_SERVICES), name
    for api in ("billing", "assets", "batch"):
        assert _reaches(rules, SERVICES[api][0], _pod_peer(api)) == (api in INTERNAL_CALLS[name]), (name, api)
    for rule in rules:
        for peer in rule.get("to", []):
            if "ipBlock" in peer:
                excepted = peer["ipBlock"].get("except", [])
                assert "169.254.0.0/16" in excepted, f"{name} may reach the metadata API"


@pytest.mark.parametrize("name", sorted(WORKERS))
def test_workers_accept_only_monitoring(objects, name):
    assert {str(peer) for peer, _ in _peers(objects, name)} == {str(MONITORING_PEER)}


def _ingress_routes(objects: list[dict]) -> list[tuple[str, str]]:
    return [
        (path["pathType"], path["path"])
        for ingress in _of_kind(objects, "Ingress").values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]


def _ingress_serves(routes: list[tuple[str, str]], request_path: str) -> bool:
    """Whether an Ingress path matches the request path, by the Kubernetes Exact/Prefix rules."""
    for path_type, path in routes:
        assert path_type in {"Exact", "Prefix"}, f"{path_type} matching depends on the controller"
        if path_type == "Exact" and request_path == path:
            return True
        if path_type == "Prefix":
            prefix = path.rstrip("/")
            if request_path == prefix or request_path.startswith(prefix + "/"):
                return True
    return False


def test_ingress_routes_the_api_and_the_web_studio_only(objects):
    routes = _ingress_routes(objects)
    assert ("Prefix", "/api") in routes
    studio_pages = re.findall(r'path: "([a-z-]+)"', (REPO / "web/src/app/modules.ts").read_text())
    assert len(studio_pages) >= 9, studio_pages
    for path in [
        "/",
        "/favicon.svg",
        "/assets/index-abc.js",
        "/signin",
        "/shared/token-1",
        *(f"/{page}" for page in studio_pages),
    ]:
        assert _ingress_serves(routes, path), f"the Ingress does not route the studio's {path}"
    for path in ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/.vite/manifest.json"):
        assert not _ingress_serves(routes, path), f"the Ingress exposes {path}"


@pytest.fixture(scope="module")
def gateway_app(tmp_path_factory):
    from studio_gateway.entrypoints.app import create_app
    from studio_gateway.settings import GatewaySettings

    data = tmp_path_factory.mktemp("gateway")
    settings = GatewaySettings(
        _env_file=None, environment="test", data_dir=str(data), storage_dir=str(data / "storage")
    )
    return create_app(settings)


def test_ingress_serves_the_public_api_and_keeps_operations_internal(objects, gateway_app):
    routes = _ingress_routes(objects)
    public = sorted(gateway_app.openapi()["paths"])
    assert public, "the gateway documents no paths"
    unreachable = [path for path in public if not _ingress_serves(routes, path)]
    assert not unreachable, f"the Ingress does not route these gateway paths: {unreachable}"
    internal = ["/healthz", "/readyz", "/metrics", gateway_app.openapi_url, gateway_app.docs_url]
    internal += [gateway_app.redoc_url] if gateway_app.redoc_url else []
    exposed = [path for path in internal if _ingress_serves(routes, path)]
    assert not exposed, f"the Ingress exposes internal paths: {exposed}"
    assert not _ingress_serves(routes, "/apis"), "Prefix /api must not match /apis"


def test_ingress_exposes_only_the_gateway(objects):
    ingresses = _of_kind(objects, "Ingress")
    assert ingresses, "no Ingress"
    services = _of_kind(objects, "Service")
    for name, ingress in ingresses.items():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["name"] == "gateway", f"Ingress {name} exposes {backend['name']}"
                service_ports = services[backend["name"]]["spec"]["ports"]
                wanted = backend["port"].get("name") or backend["port"].get("number")
                assert any(wanted in (p.get("name"), p["port"]) for p in service_ports), wanted


def test_alerts_watch_dead_letters_retries_and_waiting_vectors(objects):
    [rule] = _of_kind(objects, "PrometheusRule").values()
    exprs = " ".join(r["expr"] for group in rule["spec"]["groups"] for r in group["rules"])
    watched = (
        "studio_dead_letters",
        "studio_events_dead_lettered_total",
        "studio_event_retries_total",
        "studio_vectors_oldest_wait_seconds",
    )
    for metric in watched:
        assert metric in exprs


@pytest.mark.parametrize("name", WORKERS)
def test_workers_may_drain_before_they_are_killed(objects, name):
    from studio_providers.setup import WorkerSettings

    pod = _of_kind(objects, "Deployment")[name]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > WorkerSettings().drain_seconds
