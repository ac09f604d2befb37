"""transform.3d on the local provider: an image relief (2.5D height field) as a binary glTF (GLB).

This is not a 3D reconstruction. Nothing behind the visible surface is invented: the result is a single
textured sheet whose height at each point comes from the picture itself, the way a bas-relief or a
lithophane is made. When the subject stands on a plain background (product shots, cut-outs), the
subject is separated from it and raised, with brighter parts raised a little more; otherwise height
follows brightness alone. For a full 3D object from one image, use Stability's stable-fast-3d.

The GLB is written with numpy, struct and json: a 12-byte header, a JSON chunk and a BIN chunk (each
padded to 4 bytes) holding positions (with min/max), normals, UVs, triangle indices and the image itself
as an embedded PNG texture on a double-sided material.
"""

import io
import json
import math
import struct

import cv2
import numpy as np
from PIL import Image

from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local import cv
from studio_providers.local.video import MAX_DECODE_SIDE

TEXTURE_RESOLUTIONS = (512, 1024, 2048)
MAX_GRID_SIDE = 256
MAX_VERTICES = MAX_GRID_SIDE * MAX_GRID_SIDE
MIN_VERTICES = 16
MAX_CANVAS = 2048  # pixels on the longer side of the framed picture; the largest texture needs no more
HEIGHT_WORK_SIDE = 1024
RELIEF_DEPTH = 0.12  # height range, as a fraction of the model's longer side (which is 1.0)
GLB_MAGIC, GLB_VERSION = 0x46546C67, 2  # "glTF"
CHUNK_JSON, CHUNK_BIN = 0x4E4F534A, 0x004E4942
FLOAT, UNSIGNED_SHORT, UNSIGNED_INT = 5126, 5123, 5125
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963


# ------------------------------------------------------------------------------------------- height field


def _background(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """The border's median colour, and whether the border is plain enough to call it a background."""
    height, width = rgb.shape[:2]
    band = max(1, round(0.02 * min(height, width)))
    border = np.concatenate(
        [
            rgb[:band].reshape(-1, 3),
            rgb[-band:].reshape(-1, 3),
            rgb[:, :band].reshape(-1, 3),
            rgb[:, -band:].reshape(-1, 3),
        ]
    ).astype(np.float32)
    colour = np.median(border, axis=0)
    spread = np.percentile(np.abs(border - colour).max(axis=1), 75) / 255.0
    return colour, spread < 0.08


def foreground_map(rgb: np.ndarray) -> np.ndarray | None:
    """Soft 0–1 map of what differs from a plain background, or None when the background is not plain
    (or nothing stands out from it)."""
    colour, plain = _background(rgb)
    if not plain:
        return None
    distance = np.abs(rgb.astype(np.float32) - colour).max(axis=2) / 255.0
    mask = np.clip((distance - 0.06) / 0.14, 0.0, 1.0)
    kernel = max(3, round(0.01 * min(rgb.shape[:2])) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((kernel, kernel), np.uint8))
    covered = float((mask > 0.5).mean())
    return mask if 0.005 < covered < 0.98 else None


def frame_foreground(
    rgb: np.ndarray, foreground: np.ndarray | None, ratio: float
) -> tuple[np.ndarray, np.ndarray | None]:
    """Crop around the foreground so that it spans `ratio` of the result's longer side, padding with the
    background colour where the margin runs past the picture. Without a separable foreground the image
    is used whole."""
    if foreground is None:
        return rgb, None
    subject = (
        max(
            np.ptp(np.nonzero((foreground > 0.5).any(axis=0))[0]),
            np.ptp(np.nonzero((foreground > 0.5).any(axis=1))[0]),
        )
        + 1
    )
    if subject / ratio > MAX_CANVAS:  # a small ratio around a big subject: shrink first, not pad hugely
        factor = MAX_CANVAS / (subject / ratio)
        size = (max(1, round(rgb.shape[1] * factor)), max(1, round(rgb.shape[0] * factor)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        foreground = cv2.resize(foreground, size, interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(foreground > 0.5)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    margin = max(x1 - x0, y1 - y0) * (1.0 / ratio - 1.0) / 2.0
    left, top = math.floor(x0 - margin), math.floor(y0 - margin)
    right, bottom = math.ceil(x1 + margin), math.ceil(y1 + margin)
    height, width = rgb.shape[:2]
    pads = (max(0, -top), max(0, bottom - height), max(0, -left), max(0, right - width))
    colour, _ = _background(rgb)
    if any(pads):
        rgb = cv2.copyMakeBorder(rgb, *pads, cv2.BORDER_CONSTANT, value=[float(c) for c in colour])
        foreground = cv2.copyMakeBorder(foreground, *pads, cv2.BORDER_CONSTANT, value=0.0)
        top, bottom, left, right = top + pads[0], bottom + pads[0], left + pads[2], right + pads[2]
    return (
        np.ascontiguousarray(rgb[top:bottom, left:right]),
        np.ascontiguousarray(foreground[top:bottom, left:right]),
    )


def height_map(rgb: np.ndarray, foreground: np.ndarray | None) -> np.ndarray:
    """0–1 heights: the foreground raised (and its brighter parts a little more) over a flat background,
    or brightness alone when there is no separable foreground; smoothed so the surface has no spikes."""
    luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    sigma = max(1.0, 0.012 * max(rgb.shape[:2]))
    if foreground is None:
        heights = luma
    else:
        soft = cv2.GaussianBlur(foreground.astype(np.float32), (0, 0), sigma * 2)
        heights = soft * (0.6 + 0.4 * luma)
    heights = cv2.GaussianBlur(heights, (0, 0), sigma)
    low, high = float(heights.min()), float(heights.max())
    return (heights - low) / (high - low) if high - low > 1e-6 else np.zeros_like(heights)


def grid_size(
    aspect: float, cap: int, limit: tuple[int, int] = (MAX_GRID_SIDE, MAX_GRID_SIDE)
) -> tuple[int, int]:
    """(columns, rows) of vertices following `aspect` (w/h), with columns*rows <= cap, each side at most
    256 and at most `limit` (the picture's own pixels: a denser grid would add no detail)."""
    cap = max(MIN_VERTICES, min(cap, MAX_VERTICES))
    max_columns = max(2, min(MAX_GRID_SIDE, limit[0]))
    max_rows = max(2, min(MAX_GRID_SIDE, limit[1]))
    columns = min(max_columns, max(2, int(math.sqrt(cap * aspect))))
    rows = min(max_rows, max(2, round(columns / aspect)))
    columns = min(max_columns, max(columns, round(rows * aspect)))
    while columns * rows > cap:
        if columns / rows > aspect and columns > 2:
            columns -= 1
        elif rows > 2:
            rows -= 1
        else:
            columns -= 1
    return columns, rows


# ------------------------------------------------------------------------------------------------- mesh


def relief_mesh(
    heights: np.ndarray, columns: int, rows: int, depth: float = RELIEF_DEPTH, aspect: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A grid over the picture: positions (x right, y up, z toward the viewer; longer side 1.0, centred),
    normals, UVs (glTF convention: v = 0 at the top of the image) and counter-clockwise triangles."""
    if aspect is None:
        aspect = heights.shape[1] / heights.shape[0]
    size_x, size_y = (1.0, 1.0 / aspect) if aspect >= 1.0 else (aspect, 1.0)
    sampled = cv2.resize(heights, (columns, rows), interpolation=cv2.INTER_AREA)
    u = np.linspace(0.0, 1.0, columns, dtype=np.float32)
    v = np.linspace(0.0, 1.0, rows, dtype=np.float32)
    xs, ys = (u - 0.5) * size_x, (0.5 - v) * size_y
    z = sampled.astype(np.float32) * depth
    grid_x, grid_y = np.meshgrid(xs, ys)
    positions = np.stack([grid_x, grid_y, z], axis=-1).reshape(-1, 3).astype(np.float32)
    dz_dy, dz_dx = np.gradient(z, ys, xs)
    normals = np.stack([-dz_dx, -dz_dy, np.ones_like(z)], axis=-1).reshape(-1, 3)
    normals = (normals / np.linalg.norm(normals, axis=1, keepdims=True)).astype(np.float32)
    grid_u, grid_v = np.meshgrid(u, v)
    uvs = np.stack([grid_u, grid_v], axis=-1).reshape(-1, 2).astype(np.float32)
    top_left = (np.arange(rows - 1)[:, None] * columns + np.arange(columns - 1)[None, :]).reshape(-1)
    top_right, bottom_left = top_left + 1, top_left + columns
    bottom_right = bottom_left + 1
    triangles = np.stack([top_left, bottom_left, top_right, top_right, bottom_left, bottom_right], axis=1)
    return positions, normals, uvs, triangles.reshape(-1)


def _png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def build_glb(
    positions: np.ndarray,
    normals: np.ndarray,
    uvs: np.ndarray,
    indices: np.ndarray,
    texture_png: bytes,
    *,
    name: str = "image_relief",
    extras: dict | None = None,
) -> bytes:
    """A glTF 2.0 binary with one textured, double-sided triangle mesh."""
    small = positions.shape[0] <= 65535
    index_type, index_dtype = (UNSIGNED_SHORT, "<u2") if small else (UNSIGNED_INT, "<u4")
    blob, views = bytearray(), []

    def add_view(data: bytes, target: int | None) -> int:
        while len(blob) % 4:
            blob.append(0)
        view = {"buffer": 0, "byteOffset": len(blob), "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        views.append(view)
        blob.extend(data)
        return len(views) - 1

    position_view = add_view(positions.astype("<f4").tobytes(), ARRAY_BUFFER)
    normal_view = add_view(normals.astype("<f4").tobytes(), ARRAY_BUFFER)
    uv_view = add_view(uvs.astype("<f4").tobytes(), ARRAY_BUFFER)
    index_view = add_view(indices.astype(index_dtype).tobytes(), ELEMENT_ARRAY_BUFFER)
    image_view = add_view(texture_png, None)
    while len(blob) % 4:
        blob.append(0)
    count = int(positions.shape[0])
    accessors = [
        {
            "bufferView": position_view,
            "componentType": FLOAT,
            "count": count,
            "type": "VEC3",
            "min": [float(v) for v in positions.min(axis=0)],
            "max": [float(v) for v in positions.max(axis=0)],
        },
        {"bufferView": normal_view, "componentType": FLOAT, "count": count, "type": "VEC3"},
        {
            "bufferView": uv_view,
            "componentType": FLOAT,
            "count": count,
            "type": "VEC2",
            "min": [float(v) for v in uvs.min(axis=0)],
            "max": [float(v) for v in uvs.max(axis=0)],
        },
        {
            "bufferView": index_view,
            "componentType": index_type,
            "count": int(indices.size),
            "type": "SCALAR",
            "min": [int(indices.min())],
            "max": [int(indices.max())],
        },
    ]
    document = {
        "asset": {"version": "2.0", "generator": "Image Studio local relief"},
        "scene": 0,
        "scenes": [{"name": name, "nodes": [0]}],
        "nodes": [{"name": name, "mesh": 0}],
        "meshes": [
            {
                "name": name,
                "primitives": [
                    {
                        "attributes": {"POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2},
                        "indices": 3,
                        "material": 0,
                        "mode": 4,
                    }
                ],
            }
        ],
        "materials": [
            {
                "name": f"{name}_texture",
                "doubleSided": True,
                "pbrMetallicRoughness": {
                    "baseColorTexture": {"index": 0, "texCoord": 0},
                    "metallicFactor": 0.0,
                    "roughnessFactor": 0.9,
                },
            }
        ],
        "textures": [{"sampler": 0, "source": 0}],
        "samplers": [{"magFilter": 9729, "minFilter": 9987, "wrapS": 33071, "wrapT": 33071}],
        "images": [{"name": f"{name}_texture", "bufferView": image_view, "mimeType": "image/png"}],
        "accessors": accessors,
        "bufferViews": views,
        "buffers": [{"byteLength": len(blob)}],
    }
    if extras:
        document["extras"] = extras
    json_chunk = json.dumps(document, separators=(",", ":")).encode("utf-8")
    json_chunk += b" " * (-len(json_chunk) % 4)
    bin_chunk = bytes(blob)
    total = 12 + 8 + len(json_chunk) + 8 + len(bin_chunk)
    return b"".join(
        [
            struct.pack("<III", GLB_MAGIC, GLB_VERSION, total),
            struct.pack("<II", len(json_chunk), CHUNK_JSON),
            json_chunk,
            struct.pack("<II", len(bin_chunk), CHUNK_BIN),
            bin_chunk,
        ]
    )


# ---------------------------------------------------------------------------------------------- operation


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
