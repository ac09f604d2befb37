"""The settings every service shares; each service subclasses `CommonSettings` once."""

import hashlib
import hmac

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from studio_common.secrets import weakness

DEFAULT_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"
DEFAULT_DOWNLOAD_URL_SECRET = "dev-only-download-url-secret-change-me-0123456789"
# Development only: each service's key is derived from this, so a local stack needs no configuration.
DEFAULT_SERVICE_KEY_SEED = "dev-only-service-key-seed-change-me-0123456789"
DEFAULTS = (DEFAULT_JWT_SECRET, DEFAULT_DOWNLOAD_URL_SECRET, DEFAULT_SERVICE_KEY_SEED)


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STUDIO_", env_file=".env", extra="ignore")

    service_name: str = "studio"
    environment: str = Field("development", description="development | test | production")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    metrics_port: int = Field(0, description="/metrics is served on this port only (0: http_port + 1000)")

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    exchange: str = "studio.events"
    # Prefixed to every queue name so that test runs and tenants never share durable queues.
    queue_prefix: str = ""
    # Deliveries before the broker itself dead-letters a message: only a backstop for handlers that crash
    # the process; handlers that fail are rejected by the retry middleware after `poison_after` tries.
    delivery_limit: int = 20
    poison_after: int = 3
    # Messages taken at once: a service's real concurrency, so a killed replica returns only these.
    prefetch: int = 16
    # How long transient failures are retried through delay queues before the message counts as poison.
    retry_window_seconds: float = 1800.0
    # On SIGTERM, how long handlers already running may take to finish before the process exits.
    drain_seconds: float = 20.0

    database_url: str = ""
    # PostgreSQL connections kept per replica (as many again opened while busy); SQLite has one writer.
    database_pool_size: int = 10
    data_dir: str = "var"

    storage_backend: str = Field("local", description="local | s3")
    storage_dir: str = "var/storage"
    s3_endpoint_url: str | None = None
    s3_bucket: str = "studio"
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    public_base_url: str = "http://127.0.0.1:8080"
    download_url_ttl_seconds: int = 600

    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    jwt_algorithms: str = Field(
        "RS256", description="the identity provider's algorithms (JWKS mode), comma-separated"
    )
    admin_role: str = Field("studio-admin", description="the role in a token's `roles` that makes an admin")
    download_url_secret: str = Field(DEFAULT_DOWNLOAD_URL_SECRET, description="signs local download URLs")
    service_keys: dict[str, str] = Field(
        default_factory=dict,
        description='service token keys by service name, e.g. {"gateway": "..."}: a service signs with its '
        "own and verifies its callers' with theirs",
    )
    service_token_ttl_seconds: int = Field(60, ge=5, le=3600)

    billing_url: str = "http://127.0.0.1:8081"
    enabled_providers: str = "local"
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str | None = None
    # "file:/path" writes finished spans as JSON lines, so a test can follow one trace across processes.
    otel_span_file: str | None = None

    def queue_name(self, base: str) -> str:
        return f"{self.queue_prefix}{base}"

    def default_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir}/{self.service_name}.db"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def served_metrics_port(self) -> int:
        return self.metrics_port or self.http_port + 1000

    def service_key(self, service: str) -> str:
        """The key that signs and verifies `service`'s tokens; outside production, derived from a public
        seed so that a local stack needs no configuration."""
        if key := self.service_keys.get(service):
            return key
        if self.is_production:
            raise RuntimeError(f"STUDIO_SERVICE_KEYS has no key for the {service} service")
        return hmac.new(DEFAULT_SERVICE_KEY_SEED.encode(), service.encode(), hashlib.sha256).hexdigest()

    def secrets_in_use(self) -> dict[str, str]:
        """The secrets this service relies on, by setting name."""
        secrets = {f"STUDIO_SERVICE_KEYS[{name}]": key for name, key in self.service_keys.items()}
        if self.storage_backend == "local":
            secrets["STUDIO_DOWNLOAD_URL_SECRET"] = self.download_url_secret
        return secrets

    def check_production_safety(self) -> None:
        """Refuse to run a production deployment with secrets anybody can read in the source, placeholders
        or short ones."""
        if not self.is_production:
            return
        secrets = self.secrets_in_use()
        for name, value in secrets.items():
            if reason := weakness(value, DEFAULTS):
                raise RuntimeError(f"{name} must be set to a private value in production: {reason}")
        if len(set(secrets.values())) < len(secrets):
            raise RuntimeError("production secrets must differ from each other")

    @property
    def enabled_provider_names(self) -> list[str]:
        return [name.strip() for name in self.enabled_providers.split(",") if name.strip()]
