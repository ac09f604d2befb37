"""transform.3d on the local provider: a relief GLB that is valid glTF 2.0 binary (header, chunks,
accessors that match the data), textured with the image, within the vertex cap."""

import io
import json
import struct

import cv2
import numpy as np
import pytest
from PIL import Image

from studio_providers.base import ProviderRequest
from studio_providers.local import model3d, relief

COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3}
DTYPES = {5126: "<f4", 5123: "<u2", 5125: "<u4"}


def png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def photo() -> np.ndarray:
    """A busy picture with no plain background (brightness decides the height)."""
    ys, xs = np.mgrid[0:300, 0:400]
    rgb = np.stack([xs * 255 // 400, ys * 255 // 300, (np.sin(xs / 9.0) * np.cos(ys / 7.0) * 120 + 128)], -1)
    return rgb.astype(np.uint8)


def product_on_white() -> np.ndarray:
    """A red disc on a white background, like a product shot."""
    rgb = np.full((600, 800, 3), 255, np.uint8)
    cv2.circle(rgb, (400, 300), 150, (200, 40, 40), -1)
    return rgb


def request(rgb: np.ndarray, **params) -> ProviderRequest:
    return ProviderRequest(
        kind="transform.3d", model="local-relief", seed=5, params=params, inputs={"image": png(rgb)}
    )


def parse_glb(glb: bytes) -> tuple[dict, bytes]:
    magic, version, length = struct.unpack_from("<III", glb, 0)
    assert magic == 0x46546C67 and glb[:4] == b"glTF"
    assert version == 2
    assert length == len(glb) and length % 4 == 0
    json_length, json_type = struct.unpack_from("<II", glb, 12)
    assert json_type == 0x4E4F534A and json_length % 4 == 0
    document = json.loads(glb[20 : 20 + json_length].decode("utf-8"))
    bin_offset = 20 + json_length
    bin_length, bin_type = struct.unpack_from("<II", glb, bin_offset)
    assert bin_type == 0x004E4942 and bin_length % 4 == 0
    assert bin_offset + 8 + bin_length == len(glb)
    binary = glb[bin_offset + 8 :]
    assert document["buffers"] == [{"byteLength": bin_length}]
    return document, binary


def accessor_data(document: dict, binary: bytes, index: int) -> np.ndarray:
    accessor = document["accessors"][index]
    view = document["bufferViews"][accessor["bufferView"]]
    assert view["byteOffset"] % 4 == 0 and view["byteOffset"] + view["byteLength"] <= len(binary)
    dtype = np.dtype(DTYPES[accessor["componentType"]])
    width = COMPONENTS[accessor["type"]]
    assert view["byteLength"] == accessor["count"] * width * dtype.itemsize
    values = np.frombuffer(binary, dtype, accessor["count"] * width, view["byteOffset"])
    return values.reshape(accessor["count"], width)


def test_the_relief_is_valid_glb_with_a_textured_mesh():
    out = model3d.transform_3d(request(photo(), texture_resolution=512))
    assert (out.content_type, out.seed) == ("model/gltf-binary", 5)
    document, binary = parse_glb(out.data)
    assert document["asset"]["version"] == "2.0"
    assert document["extras"]["kind"] == "relief"
    primitive = document["meshes"][0]["primitives"][0]
    assert {"POSITION", "TEXCOORD_0", "NORMAL"} <= set(primitive["attributes"])
    assert document["scenes"][document["scene"]]["nodes"] == [0] and document["nodes"][0]["mesh"] == 0

    positions = accessor_data(document, binary, primitive["attributes"]["POSITION"])
    accessor = document["accessors"][primitive["attributes"]["POSITION"]]
    np.testing.assert_allclose(accessor["min"], positions.min(axis=0))
    np.testing.assert_allclose(accessor["max"], positions.max(axis=0))
    assert positions[:, 0].max() - positions[:, 0].min() == pytest.approx(1.0)  # longer side is 1
    assert positions[:, 1].max() - positions[:, 1].min() == pytest.approx(0.75, abs=0.01)  # 4:3 image
    assert 0.05 < positions[:, 2].max() - positions[:, 2].min() <= relief.RELIEF_DEPTH + 1e-6

    uvs = accessor_data(document, binary, primitive["attributes"]["TEXCOORD_0"])
    assert uvs.min() == 0.0 and uvs.max() == 1.0
    normals = accessor_data(document, binary, primitive["attributes"]["NORMAL"])
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-5)
    indices = accessor_data(document, binary, primitive["indices"]).reshape(-1)
    assert indices.size % 3 == 0 and indices.max() < len(positions)

    # Triangles face the viewer (+z): counter-clockwise when seen from the front.
    a, b, c = (positions[indices[k::3], :2] for k in range(3))
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    assert np.all(cross > 0)

    image = document["images"][document["textures"][0]["source"]]
    assert image["mimeType"] == "image/png"
    view = document["bufferViews"][image["bufferView"]]
    texture_bytes = binary[view["byteOffset"] : view["byteOffset"] + view["byteLength"]]
    assert texture_bytes[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(texture_bytes)) as texture:
        assert texture.size == (512, 512)
    material = document["materials"][primitive["material"]]
    assert material["pbrMetallicRoughness"]["baseColorTexture"]["index"] == 0


@pytest.mark.parametrize(("cap", "expected"), [(1000, 1000), (-1, 256 * 192), (65536, 256 * 192)])
def test_the_vertex_cap_is_respected(cap, expected):
    out = model3d.transform_3d(request(photo(), texture_resolution=512, vertex_count=cap))
    document, _ = parse_glb(out.data)
    count = document["accessors"][0]["count"]
    assert count <= (cap if cap > 0 else 65536)
    assert count >= 0.9 * expected  # the cap is used, not wasted (a 4:3 picture fills 256 x 192 at most)
    columns, rows = document["extras"]["grid"]
    assert columns * rows == count and max(columns, rows) <= 256


def test_a_small_picture_gets_no_more_vertices_than_pixels():
    out = model3d.transform_3d(request(photo()[:40, :60], texture_resolution=512))
    document, _ = parse_glb(out.data)
    assert document["extras"]["grid"] == [60, 40]


def test_a_product_is_raised_over_its_background_and_framed_by_the_foreground_ratio():
    rgb = product_on_white()
    for ratio in (1.0, 0.5):
        glb, info = model3d.relief_glb(rgb, texture_resolution=512, foreground_ratio=ratio, vertex_count=4096)
        assert info["height_source"] == "foreground and brightness"
        document, binary = parse_glb(glb)
        positions = accessor_data(document, binary, 0)
        columns, rows = info["grid"]
        z = positions[:, 2].reshape(rows, columns)
        assert z[rows // 2, columns // 2] > z[0, 0] + 0.05  # the disc stands out of the flat background
        view = document["bufferViews"][document["images"][0]["bufferView"]]
        texture_bytes = binary[view["byteOffset"] : view["byteOffset"] + view["byteLength"]]
        with Image.open(io.BytesIO(texture_bytes)) as tex:
            texture = np.asarray(tex.convert("RGB")).astype(int)
        red = (texture[:, :, 0] - texture[:, :, 1]) > 80
        xs = np.nonzero(red.any(axis=0))[0]
        assert (xs.max() - xs.min() + 1) / texture.shape[1] == pytest.approx(ratio, abs=0.05)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"texture_resolution": 700}, "texture_resolution"),
        ({"foreground_ratio": 0.05}, "foreground_ratio"),
        ({"foreground_ratio": 1.5}, "foreground_ratio"),
        ({"vertex_count": 10}, "vertex_count"),
        ({"vertex_count": 70000}, "vertex_count"),
    ],
)
def test_bad_parameters_are_rejected_naming_the_field(params, field):
    with pytest.raises(ValueError, match=f"^{field}"):
        model3d.transform_3d(request(photo(), **params))
