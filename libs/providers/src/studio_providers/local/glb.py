"""A binary glTF (GLB) writer for one textured, double-sided triangle mesh, with numpy, struct and json.

The GLB is a 12-byte header, a JSON chunk and a BIN chunk (each padded to 4 bytes) holding positions
(with min/max), normals, UVs, triangle indices and the image itself as an embedded PNG texture on a
double-sided material.
"""

import json
import struct

import numpy as np

GLB_MAGIC, GLB_VERSION = 0x46546C67, 2  # "glTF"
CHUNK_JSON, CHUNK_BIN = 0x4E4F534A, 0x004E4942
FLOAT, UNSIGNED_SHORT, UNSIGNED_INT = 5126, 5123, 5125
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963


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
