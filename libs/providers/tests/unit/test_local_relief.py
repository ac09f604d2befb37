"""The relief mesh: a grid that follows the picture's aspect, heights within the relief depth."""

import numpy as np

from studio_providers.local import relief


def test_grid_size_follows_the_aspect():
    assert relief.grid_size(1.0, 65536) == (256, 256)
    columns, rows = relief.grid_size(16 / 9, 65536)
    assert columns == 256 and abs(columns / rows - 16 / 9) < 0.02
    columns, rows = relief.grid_size(0.25, 400)
    assert columns * rows <= 400 and abs(columns / rows - 0.25) < 0.05


def test_a_mesh_covers_the_grid_with_two_triangles_per_cell():
    heights = np.linspace(0.0, 1.0, 12, dtype=np.float32).reshape(3, 4)
    positions, normals, uvs, triangles = relief.relief_mesh(heights, 4, 3)
    assert positions.shape == (12, 3) and normals.shape == (12, 3) and uvs.shape == (12, 2)
    assert triangles.size == (4 - 1) * (3 - 1) * 2 * 3 and triangles.max() == 11
    assert np.allclose(np.linalg.norm(normals, axis=1), 1.0)
    assert positions[:, 2].max() <= relief.RELIEF_DEPTH + 1e-6
