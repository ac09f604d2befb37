"""The one interface every provider adapter implements, per capability ("kind")."""

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ProviderRequest:
    """One output's worth of work. Variations are separate requests with their own seeds."""

    kind: str  # create, edit.inpaint, upscale.fast, control.sketch, transform.video, ...
    model: str
    prompt: str = ""
    negative_prompt: str = ""
    width: int | None = None
    height: int | None = None
    seed: int = 0
    output_format: str = "png"
    params: dict[str, Any] = field(default_factory=dict)
    # Input media by role ("image", "mask", "style_image", "audio", ...), already checked by the gateway.
    inputs: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProviderOutput:
    data: bytes
    content_type: str
    width: int | None = None
    height: int | None = None
    seed: int | None = None
    duration_seconds: float | None = None
    # How the output was made where a step can use a model or its classical fall-back, e.g.
    # {"segmentation": "selfie+u2netp"}; shown with the asset.
    methods: dict[str, str] = field(default_factory=dict)


class ProviderError(Exception):
    """A provider refused or failed. `retryable` lets the worker fall back to the next provider;
    `charged` records whether the provider billed us for it anyway."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool = False,
        charged: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.retryable, self.charged, self.status = retryable, charged, status


class UnsupportedOperation(ProviderError):
    """The provider cannot honestly do this; the message names one that can."""

    def __init__(self, message: str) -> None:
        super().__init__("unsupported", message, retryable=False)


class Provider(Protocol):
    name: str

    def supports(self, kind: str, model: str) -> bool: ...

    async def run(self, request: ProviderRequest) -> ProviderOutput: ...

    async def aclose(self) -> None: ...
