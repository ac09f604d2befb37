from pydantic import Field

from studio_common.settings import CommonSettings


class BillingSettings(CommonSettings):
    service_name: str = "billing"
    http_port: int = 8081
    hold_timeout_seconds: int = Field(900, description="an approved operation must start within this")
    running_timeout_seconds: int = Field(3600, description="a started operation must finish within this")
    lease_seconds: float = Field(15.0, description="a running worker must renew its claim within this")
    sweep_interval_seconds: float = 5.0
    price_margin: float = Field(0.0, description="operator mark-up on list prices, 0.2 = +20 %")
    price_overrides: dict[str, float] = Field(
        default_factory=dict, description='list prices by "provider/model", e.g. {"local/local-render": 2}'
    )
