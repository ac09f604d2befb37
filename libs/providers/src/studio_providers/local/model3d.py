"""transform.3d on the local provider: an image relief (2.5D height field) as a binary glTF (GLB).

This is not a 3D reconstruction. Nothing behind the visible surface is invented: the result is a single
textured sheet whose height at each point comes from the picture itself, the way a bas-relief or a
lithophane is made. When the subject stands on a plain background (product shots, cut-outs), the
subject is separated from it and raised, with brighter parts raised a little more; otherwise height
follows brightness alone. For a full 3D object from one image, use Stability's stable-fast-3d.

The relief is computed in relief.py and written as binary glTF by glb.py.
"""

import io

import cv2
import numpy as np
from PIL import Image

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local import cv
from studio_providers.local.glb import build_glb
from studio_providers.local.relief import (
    MAX_CANVAS,
    MAX_VERTICES,
    MIN_VERTICES,
    foreground_map,
    frame_foreground,
    grid_size,
    height_map,
    relief_mesh,
)
from studio_providers.local.video import MAX_DECODE_SIDE

TEXTURE_RESOLUTIONS = (512, 1024, 2048)
HEIGHT_WORK_SIDE = 1024


def _png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def _params(params: dict) -> tuple[int, float, int]:
    texture = cv.number_param(params, "texture_resolution", 1024)
    if texture not in TEXTURE_RESOLUTIONS:
        raise ValueError(
            f"texture_resolution: must be one of {', '.join(map(str, TEXTURE_RESOLUTIONS))}, not {texture:g}"
        )
    ratio = cv.number_param(params, "foreground_ratio", 0.85)
    if not 0.1 <= ratio <= 1.0:
        raise ValueError(f"foreground_ratio: must be between 0.1 and 1, not {ratio:g}")
    vertices = cv.number_param(params, "vertex_count", -1)
    if vertices == -1:
        vertices = MAX_VERTICES
    if vertices != int(vertices) or not MIN_VERTICES <= vertices <= MAX_VERTICES:
        raise ValueError(
            f"vertex_count: must be -1 (the {MAX_VERTICES} maximum) or a whole number from "
            f"{MIN_VERTICES} to {MAX_VERTICES}, not {vertices:g}"
        )
    return int(texture), ratio, int(vertices)


def relief_glb(
    rgb: np.ndarray,
    texture_resolution: int = 1024,
    foreground_ratio: float = 0.85,
    vertex_count: int = MAX_VERTICES,
) -> tuple[bytes, dict]:
    if max(rgb.shape[:2]) > MAX_CANVAS:
        factor = MAX_CANVAS / max(rgb.shape[:2])
        size = (max(1, round(rgb.shape[1] * factor)), max(1, round(rgb.shape[0] * factor)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    foreground = foreground_map(rgb)
    framed, framed_foreground = frame_foreground(rgb, foreground, foreground_ratio)
    # Heights need only a few samples per grid cell: work at up to 1024 px, which keeps the blurs cheap.
    work, work_foreground = framed, framed_foreground
    if max(framed.shape[:2]) > HEIGHT_WORK_SIDE:
        factor = HEIGHT_WORK_SIDE / max(framed.shape[:2])
        size = (max(2, round(framed.shape[1] * factor)), max(2, round(framed.shape[0] * factor)))
        work = cv2.resize(framed, size, interpolation=cv2.INTER_AREA)
        if framed_foreground is not None:
            work_foreground = cv2.resize(framed_foreground, size, interpolation=cv2.INTER_AREA)
    heights = height_map(work, work_foreground)
    height, width = framed.shape[:2]
    columns, rows = grid_size(width / height, vertex_count, (width, height))
    positions, normals, uvs, indices = relief_mesh(heights, columns, rows, aspect=width / height)
    # A square power-of-two texture (what viewers and mipmapping like best); the UVs span it whole, so
    # a non-square picture is simply stored stretched and appears with its true proportions on the mesh.
    texture_size = (texture_resolution, texture_resolution)
    shrinking = texture_resolution * texture_resolution < width * height
    texture = cv2.resize(
        framed, texture_size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LANCZOS4
    )
    info = {
        "kind": "relief",
        "description": "2.5D height-field relief of the image; not a full 3D reconstruction",
        "height_source": "foreground and brightness" if framed_foreground is not None else "brightness",
        "grid": [columns, rows],
        "vertices": int(positions.shape[0]),
        "texture": list(texture_size),
    }
    return build_glb(positions, normals, uvs, indices, _png(texture), extras=info), info


def transform_3d(request: ProviderRequest) -> ProviderOutput:
    """Image to a GLB relief (2.5D). Not a full 3D reconstruction: see the module docstring."""
    texture_resolution, foreground_ratio, vertex_count = _params(request.params)
    rgb = cv.decode_upright(request.inputs.get("image"), "image", MAX_DECODE_SIDE)
    data, _ = relief_glb(rgb, texture_resolution, foreground_ratio, vertex_count)
    return ProviderOutput(data, "model/gltf-binary", None, None, request.seed)
