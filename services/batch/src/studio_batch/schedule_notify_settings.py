"""Settings of schedules and notifications, kept apart so the senders can be built without the whole
service's settings; the batch service's settings class inherits them."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotificationSettings(BaseSettings):
    """STUDIO_SMTP_*, STUDIO_WEBHOOK_*, STUDIO_NOTIFY_*, STUDIO_SCHEDULE_*; BatchSettings inherits these."""

    model_config = SettingsConfigDict(env_prefix="STUDIO_", env_file=".env", extra="ignore")

    data_dir: str = "var"
    schedule_interval_seconds: float = Field(5.0, description="how often due schedules are fired")
    smtp_host: str | None = Field(None, description="no host: emails are written as .eml files instead")
    smtp_port: int = 587
    smtp_from: str = "Image Studio <studio@localhost>"
    smtp_starttls: bool = Field(True, description="upgrade a plain connection with STARTTLS (port 587)")
    smtp_use_tls: bool = Field(False, description="TLS from the first byte (port 465)")
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 30.0
    smtp_ca_bundle: str | None = Field(
        None, description="PEM file of the CA that signed a private SMTP server"
    )
    mail_dir: str | None = Field(None, description="where .eml files go; default <data_dir>/mail")
    webhook_allowed_hosts: str = Field(
        "", description="host names, addresses or networks a webhook may reach although not public"
    )
    webhook_timeout_seconds: float = 10.0
    webhook_ca_bundle: str | None = Field(
        None, description="PEM file of extra certificate authorities, for receivers with a private CA"
    )
    notify_interval_seconds: float = 2.0
    notify_retry_base_seconds: float = 30.0
    notify_retry_max_seconds: float = 3600.0
    notify_give_up_after_seconds: float = 86400.0
