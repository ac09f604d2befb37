from pydantic import Field

from studio_common.settings import CommonSettings


class GatewaySettings(CommonSettings):
    service_name: str = "gateway"
    http_port: int = 8080
    assets_url: str = "http://127.0.0.1:8083"
    batch_url: str = "http://127.0.0.1:8086"
    batch_max_rows: int = Field(10_000, description="the most rows one batch may hold")
    batch_file_max_bytes: int = Field(64 * 1024 * 1024, description="the largest batch file or images ZIP")
    internal_timeout_seconds: float = 10.0
    max_upload_bytes: int = 25 * 1024 * 1024
    max_request_bytes: int = Field(100 * 1024 * 1024, description="a larger request body is refused (413)")
    # Rate limits in `limits` notation ("N/second|minute|hour", several separated by ";"); empty: none.
    rate_limit_per_user: str = Field("3000/minute", description="requests per authenticated user")
    rate_limit_per_ip: str = Field("12000/minute", description="requests per client address")
    rate_limit_redis_url: str | None = Field(
        None, description="redis://host:port/db: counters every replica shares"
    )
    trusted_proxy_hops: int = Field(0, ge=0, description="proxies in front that append to X-Forwarded-For")
    bulk_download_max_bytes: int = Field(
        512 * 1024 * 1024, description="the largest library ZIP one request builds"
    )
    max_input_pixels: int = 40_000_000
    sse_heartbeat_seconds: float = 15.0
    sse_poll_seconds: float = 1.0
    sse_settle_seconds: float = Field(
        30.0, description="how long an operation's stream waits after its final status for the charge"
    )
    idempotency_ttl_hours: int = Field(24, description="how long an Idempotency-Key replays its first answer")
    oidc_issuer: str | None = Field(None, description="the OpenID Connect issuer the studio signs in with")
    oidc_client_id: str | None = Field(None, description="the studio's public client id at the issuer")
    oidc_scope: str = "openid profile email"
    web_dist_dir: str | None = Field(
        None, description="the built studio bundle; default web/dist in the checkout"
    )

    def secrets_in_use(self) -> dict[str, str]:
        # The download URL key also seals share-board file links, whatever the storage backend.
        user_tokens = {} if self.jwt_jwks_url else {"STUDIO_JWT_SECRET": self.jwt_secret}
        downloads = {"STUDIO_DOWNLOAD_URL_SECRET": self.download_url_secret}
        return {**user_tokens, **super().secrets_in_use(), **downloads}
