"""Every studio operation besides Create: its fields (validated, with the ranges users and providers
expect), the input images it takes, its pixel limit, and the kind and worker domain it maps to.

Strengths are 0-1 and an explicit 0.0 is a real value, never "use the default".

The fields and specs live by studio (edit, upscale, control, transform, social); spec.py holds what they
share. This package exports what the gateway uses."""

from studio_gateway.domain.studio_operations.control import CONTROL
from studio_gateway.domain.studio_operations.edit import EDIT, Inpaint, Outpaint
from studio_gateway.domain.studio_operations.social import SOCIAL
from studio_gateway.domain.studio_operations.spec import OperationFields, OperationSpec
from studio_gateway.domain.studio_operations.transform import TRANSFORM, ImageToVideo
from studio_gateway.domain.studio_operations.upscale import UPSCALE, UPSCALE_KINDS

__all__ = [
    "CONTROL",
    "EDIT",
    "SOCIAL",
    "TRANSFORM",
    "UPSCALE",
    "UPSCALE_KINDS",
    "ImageToVideo",
    "Inpaint",
    "OperationFields",
    "OperationSpec",
    "Outpaint",
]
