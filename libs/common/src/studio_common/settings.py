"""The settings every service shares; each service subclasses `CommonSettings` once."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STUDIO_", env_file=".env", extra="ignore")

    service_name: str = "studio"
    environment: str = Field("development", description="development | test | production")
    http_host: str = "127.0.0.1"
    http_port: int = 8000

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

    def check_production_safety(self) -> None:
        """Refuse to run a production deployment with secrets anybody can read in the source."""
        if self.environment == "production" and self.jwt_secret == DEFAULT_JWT_SECRET and not self.jwt_jwks_url:
            raise RuntimeError("STUDIO_JWT_SECRET must be set to a private value in production")

    @property
    def enabled_provider_names(self) -> list[str]:
        return [name.strip() for name in self.enabled_providers.split(",") if name.strip()]
