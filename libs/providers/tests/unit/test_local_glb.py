"""The GLB writer: a header that names glTF 2.0 and the whole length, a JSON chunk, then a BIN chunk."""

import json
import struct

import numpy as np

from studio_providers.local import glb


def test_a_glb_has_its_header_and_both_chunks():
    positions = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=np.float32)
    normals = np.array([[0, 0, 1]] * 3, dtype=np.float32)
    uvs = np.array([[0, 1], [1, 1], [0, 0]], dtype=np.float32)
    data = glb.build_glb(positions, normals, uvs, np.array([0, 1, 2]), b"png!", extras={"kind": "relief"})
    magic, version, total = struct.unpack_from("<III", data, 0)
    assert (magic, version, total) == (glb.GLB_MAGIC, 2, len(data))
    json_length, json_type = struct.unpack_from("<II", data, 12)
    assert json_type == glb.CHUNK_JSON and json_length % 4 == 0
    document = json.loads(data[20 : 20 + json_length])
    assert document["extras"] == {"kind": "relief"}
    assert document["accessors"][3]["componentType"] == glb.UNSIGNED_SHORT
    bin_length, bin_type = struct.unpack_from("<II", data, 20 + json_length)
    assert bin_type == glb.CHUNK_BIN and bin_length == document["buffers"][0]["byteLength"]
