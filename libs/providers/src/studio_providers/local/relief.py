"""An image relief (2.5D height field) as a mesh: what stands out from a plain background, how high each
point is, and the grid of positions, normals, UVs and triangles over the picture. Numbers only: the file
is written by glb.py."""

import math

import cv2
import numpy as np

MAX_GRID_SIDE = 256
MAX_VERTICES = MAX_GRID_SIDE * MAX_GRID_SIDE
MIN_VERTICES = 16
MAX_CANVAS = 2048  # pixels on the longer side of the framed picture; the largest texture needs no more
RELIEF_DEPTH = 0.12  # height range, as a fraction of the model's longer side (which is 1.0)


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
