"""The offline provider: real work with Pillow, NumPy (and OpenCV, ffmpeg for the operations that need
them), no model weights and no network. Where no honest local method exists it refuses and names a
provider that can, instead of faking a result."""

from collections.abc import Callable

from studio_common import metrics
from studio_providers.base import ProviderOutput, ProviderRequest, UnsupportedOperation
from studio_providers.imaging import content_type_of
from studio_providers.local.control import CONTROL_OPERATIONS
from studio_providers.local.edit import EDIT_OPERATIONS
from studio_providers.local.general_edit import GENERAL_EDIT_OPERATIONS
from studio_providers.local.render import RenderSpec, render
from studio_providers.local.transform import TRANSFORM_OPERATIONS
from studio_providers.local.upscale import UPSCALE_OPERATIONS

Operation = Callable[[ProviderRequest], ProviderOutput]


def _create(request: ProviderRequest) -> ProviderOutput:
    spec = RenderSpec(
        prompt=request.prompt,
        width=request.width or 1024,
        height=request.height or 1024,
        seed=request.seed,
        negative_prompt=request.negative_prompt,
        guidance_scale=request.params.get("guidance_scale"),
        steps=request.params.get("steps"),
        output_format=request.output_format,
    )
    return ProviderOutput(
        render(spec), content_type_of(request.output_format), spec.width, spec.height, request.seed
    )


class LocalProvider:
    name = "local"

    def __init__(self, operations: dict[str, Operation] | None = None) -> None:
        self.operations: dict[str, Operation] = {
            "create": _create,
            **EDIT_OPERATIONS,
            **GENERAL_EDIT_OPERATIONS,
            **UPSCALE_OPERATIONS,
            **CONTROL_OPERATIONS,
            **TRANSFORM_OPERATIONS,
            **(operations or {}),
        }

    def supports(self, kind: str, model: str) -> bool:
        return kind in self.operations and model.startswith("local-")

    async def run(self, request: ProviderRequest) -> ProviderOutput:
        operation = self.operations.get(request.kind)
        if operation is None:
            raise UnsupportedOperation(f"the local provider cannot do {request.kind}; use stability")
        # CPU-bound image work runs off the event loop so the worker keeps consuming and heartbeating.
        return await metrics.model_work("render", operation, request)

    async def aclose(self) -> None:
        return None
