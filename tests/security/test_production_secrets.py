"""Finding 3: production refuses short, default and placeholder secrets, and the kustomize base ships none."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from studio_common.settings import DEFAULT_JWT_SECRET, CommonSettings
from studio_gateway.settings import GatewaySettings

REPO = Path(__file__).resolve().parents[2]
STRONG = {
    "jwt_secret": "Zq8vL2-pX9rT4wK7mN1bC6yH3jF0dS5aU",
    "download_url_secret": "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gIk",
}


def production(**overrides) -> GatewaySettings:
    return GatewaySettings(_env_file=None, environment="production", **{**STRONG, **overrides})


@pytest.mark.parametrize(
    "secret",
    [
        "x",
        "short-but-random-Q7",
        DEFAULT_JWT_SECRET,
        "REPLACE-ME-with-at-least-32-random-bytes",
        "change-me-change-me-change-me-change-me",
        "s" * 40,
    ],
)
def test_weak_jwt_secrets_stop_a_production_start(secret):
    with pytest.raises(RuntimeError, match="STUDIO_JWT_SECRET"):
        production(jwt_secret=secret).check_production_safety()


def test_the_download_url_key_and_service_keys_are_checked_too():
    with pytest.raises(RuntimeError, match="STUDIO_DOWNLOAD_URL_SECRET"):
        production(download_url_secret="abc").check_production_safety()
    with pytest.raises(RuntimeError, match=r"STUDIO_SERVICE_KEYS\[gateway\]"):
        production(service_keys={"gateway": "REPLACE-ME"}).check_production_safety()
    with pytest.raises(RuntimeError, match="differ"):
        production(download_url_secret=STRONG["jwt_secret"]).check_production_safety()
    with pytest.raises(RuntimeError, match="no key for the billing service"):
        production().service_key("billing")
    production().check_production_safety()


def test_jwks_mode_ignores_the_unused_shared_secret_but_not_the_others():
    production(jwt_secret=DEFAULT_JWT_SECRET, jwt_jwks_url="https://idp/jwks.json").check_production_safety()
    with pytest.raises(RuntimeError, match="STUDIO_DOWNLOAD_URL_SECRET"):  # it seals board links on S3 too
        production(
            jwt_jwks_url="https://idp/jwks.json",
            storage_backend="s3",
            download_url_secret="dev-only-download-url-secret-change-me-0123456789",
        ).check_production_safety()


def test_services_that_verify_no_user_token_need_no_jwt_secret():
    CommonSettings(_env_file=None, environment="production", storage_backend="s3").check_production_safety()


def test_every_service_checks_its_secrets_when_it_starts(tmp_path):
    from studio_billing.entrypoints.app import create_app as create_billing
    from studio_billing.settings import BillingSettings
    from studio_generation.entrypoints.app import create_app as create_generation
    from studio_generation.settings import GenerationSettings

    with pytest.raises(RuntimeError, match="STUDIO_SERVICE_KEYS"):
        create_billing(
            BillingSettings(
                environment="production", data_dir=str(tmp_path), service_keys={"gateway": "too-short"}
            )
        )
    with pytest.raises(RuntimeError, match="STUDIO_DOWNLOAD_URL_SECRET"):
        create_generation(
            GenerationSettings(
                environment="production", storage_backend="local", jwt_secret=STRONG["jwt_secret"]
            )
        )


def _render(path: Path) -> list[dict]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl renders the manifests"
    result = subprocess.run(
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def test_the_kustomize_base_ships_no_secret_values():
    secrets = [doc["metadata"]["name"] for doc in _render(REPO / "deploy" / "k8s") if doc["kind"] == "Secret"]
    assert secrets == []


def test_the_example_overlay_values_would_not_start_in_production():
    for doc in _render(REPO / "deploy" / "overlays" / "example"):
        if doc["kind"] != "Secret":
            continue
        values = doc.get("stringData", {})
        for name in ("STUDIO_JWT_SECRET", "STUDIO_DOWNLOAD_URL_SECRET"):
            if name in values:
                with pytest.raises(RuntimeError):
                    setting = name.removeprefix("STUDIO_").lower()
                    production(**{setting: values[name]}).check_production_safety()
