from studio_common.settings import CommonSettings


class AssetsSettings(CommonSettings):
    service_name: str = "assets"
    http_port: int = 8083
