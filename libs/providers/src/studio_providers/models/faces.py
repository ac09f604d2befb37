"""Faces: MediaPipe BlazeFace (short range) through OpenCV's TFLite reader, OpenCV's Haar cascades when
the model file is absent.

BlazeFace sees 128x128 px, so it finds faces that fill a good part of its input. The image is
scanned whole and then in overlapping square tiles, so faces down to about 1/15 of the short side
are found too; detections are merged by non-maximum suppression. Boxes come back normalised to
0..1 of the image, largest first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from studio_providers.models import store

INPUT_SIDE = 128
MIN_SCORE = 0.75  # below this BlazeFace fires on textures (star fields, foliage) in tiles
NMS_IOU = 0.3
SCAN_PIXELS = 1280 * 960  # area of the copy that is scanned (tiles are cut from it)
SCAN_SIDE = 2560  # long-side cap for panoramas
TILE_LEVELS = (1, 2, 4)  # tiles of 1, 1/2 and 1/4 of the short side (no smaller than MIN_TILE)
MIN_TILE = 80  # smaller tiles are enlarged to 128 px: faces of ~16 px are found
MAX_TILES = 48
HAAR_PIXELS = 512 * 384

NormBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class FaceScan:
    boxes: tuple[NormBox, ...]  # (x0, y0, x1, y1), normalised, largest first
    scores: tuple[float, ...]
    method: str  # "blazeface" or "haar (model file absent)"

    @property
    def count(self) -> int:
        return len(self.boxes)


def _anchors() -> np.ndarray:
    """The 896 SSD anchor centres of BlazeFace short range: strides 8 (2 per cell) and 16 (6 per cell)."""
    centres = []
    for grid, per_cell in ((16, 2), (8, 6)):
        ys, xs = np.mgrid[0:grid, 0:grid]
        cells = np.stack([(xs.ravel() + 0.5) / grid, (ys.ravel() + 0.5) / grid], axis=1)
        centres.append(np.repeat(cells, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


_ANCHORS = _anchors()
_net_lock = threading.Lock()  # an OpenCV Net keeps state between setInput and forward


def _load_net(path) -> cv2.dnn.Net:
    return cv2.dnn.readNetFromTFLite(str(path))


def _square(tile: np.ndarray) -> tuple[np.ndarray, float, int, int]:
    """Letterbox ``tile`` into a square (as BlazeFace was trained): the square, its side, x and y pads."""
    height, width = tile.shape[:2]
    side = max(height, width)
    pad_x, pad_y = (side - width) // 2, (side - height) // 2
    square = cv2.copyMakeBorder(
        tile, pad_y, side - height - pad_y, pad_x, side - width - pad_x, cv2.BORDER_CONSTANT, value=(0, 0, 0)
    )
    return square, float(side), pad_x, pad_y


def _detect_tile(net: cv2.dnn.Net, tile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (x0, y0, x1, y1) in ``tile`` pixels and their scores."""
    square, side, pad_x, pad_y = _square(tile)
    enlarge = square.shape[0] < INPUT_SIDE
    blob = cv2.resize(
        square, (INPUT_SIDE, INPUT_SIDE), interpolation=cv2.INTER_LINEAR if enlarge else cv2.INTER_AREA
    ).astype(np.float32)
    blob = (blob / 127.5 - 1.0).transpose(2, 0, 1)[None].copy()
    with _net_lock:
        net.setInput(blob)
        scores, boxes = net.forward(["classificators", "regressors"])
    scores = 1.0 / (1.0 + np.exp(-np.clip(scores.reshape(-1).astype(np.float64), -100, 100)))
    keep = scores >= MIN_SCORE
    raw, anchors = boxes.reshape(-1, 16)[keep], _ANCHORS[keep]
    cx = raw[:, 0] / INPUT_SIDE + anchors[:, 0]
    cy = raw[:, 1] / INPUT_SIDE + anchors[:, 1]
    w, h = raw[:, 2] / INPUT_SIDE, raw[:, 3] / INPUT_SIDE
    found = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1) * side
    found -= np.array([pad_x, pad_y, pad_x, pad_y], dtype=np.float32)
    return found, scores[keep]


def _tiles(height: int, width: int, levels: tuple[int, ...], min_tile: int) -> list[tuple[int, int, int]]:
    """(x, y, side) of the square tiles scanned after the whole image, overlapping by a quarter."""
    tiles: list[tuple[int, int, int]] = []
    for level in levels:
        side = min(height, width) // level
        if side < min_tile and level > 1:
            break
        if level == 1 and height == width:  # that tile is the whole image, already scanned
            continue
        step = max(1, side * 3 // 4)
        xs = sorted({*range(0, width - side + 1, step), width - side})
        ys = sorted({*range(0, height - side + 1, step), height - side})
        tiles.extend((x, y, side) for y in ys for x in xs)
    return tiles[:MAX_TILES]


def _nms(boxes: np.ndarray, scores: np.ndarray) -> list[int]:
    order, kept = list(np.argsort(-scores)), []
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order:
        best = order.pop(0)
        kept.append(best)
        rest = np.array(order, dtype=int)
        if not len(rest):
            break
        ix0 = np.maximum(boxes[best, 0], boxes[rest, 0])
        iy0 = np.maximum(boxes[best, 1], boxes[rest, 1])
        ix1 = np.minimum(boxes[best, 2], boxes[rest, 2])
        iy1 = np.minimum(boxes[best, 3], boxes[rest, 3])
        inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
        smaller = np.minimum(areas[best], areas[rest])
        # Overlap over the smaller box too: a tile's half-face inside a whole face is the same face.
        same = (inter / (areas[best] + areas[rest] - inter) > NMS_IOU) | (inter / smaller > 0.6)
        order = [i for i, drop in zip(order, same, strict=True) if not drop]
    return kept


def _blazeface(
    net: cv2.dnn.Net, rgb: np.ndarray, levels: tuple[int, ...], min_tile: int
) -> tuple[np.ndarray, np.ndarray]:
    height, width = rgb.shape[:2]
    found_boxes, found_scores = [], []
    for x, y, side in [(0, 0, 0), *_tiles(height, width, levels, min_tile)]:
        tile = rgb if side == 0 else rgb[y : y + side, x : x + side]
        boxes, scores = _detect_tile(net, tile)
        found_boxes.append(boxes + np.array([x, y, x, y], dtype=np.float32))
        found_scores.append(scores)
    boxes, scores = np.concatenate(found_boxes), np.concatenate(found_scores)
    if not len(boxes):
        return boxes, scores
    kept = _nms(boxes, scores)
    return boxes[kept], scores[kept]


def _scan_copy(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb[..., :3] if rgb.ndim == 3 else cv2.cvtColor(rgb, cv2.COLOR_GRAY2RGB)
    scale = min((SCAN_PIXELS / (rgb.shape[0] * rgb.shape[1])) ** 0.5, SCAN_SIDE / max(rgb.shape[:2]))
    if scale >= 1:
        return np.ascontiguousarray(rgb)
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def find_faces(
    rgb: np.ndarray, tile_levels: tuple[int, ...] = TILE_LEVELS, min_tile: int = MIN_TILE
) -> FaceScan:
    """Faces in a uint8 RGB (or RGBA, or grey) image, largest first. Fewer ``tile_levels`` or a larger
    ``min_tile`` cost less and miss the smallest faces."""
    net = store.load("blazeface", _load_net)
    if net is None:
        boxes, scores, method = *haar_faces(rgb), "haar (model file absent)"
    else:
        small = _scan_copy(rgb)
        boxes, scores = _blazeface(net, small, tile_levels, min_tile)
        boxes, method = boxes / np.array([small.shape[1], small.shape[0]] * 2, dtype=np.float32), "blazeface"
    boxes = np.clip(boxes, 0.0, 1.0) if len(boxes) else boxes
    order = np.argsort(-((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))) if len(boxes) else []
    return FaceScan(
        tuple(tuple(float(v) for v in boxes[i]) for i in order),  # type: ignore[misc]
        tuple(float(scores[i]) for i in order),
        method,
    )


def faces_in_image(data: bytes) -> FaceScan:
    """Faces in encoded image bytes (PNG, JPEG, WebP), decoded at a reduced scale where the format allows."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (SCAN_SIDE, SCAN_SIDE))
        rgb = np.asarray(image.convert("RGB"))
    return find_faces(rgb)


# ---------------------------------------------------------------------------
# Classical fall-back: two Haar cascades, the second confirming the first
# ---------------------------------------------------------------------------

_local = threading.local()  # a CascadeClassifier must not be shared between threads


def _cascade(name: str) -> cv2.CascadeClassifier:
    cascades = _local.__dict__.setdefault("cascades", {})
    if name not in cascades:
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
        if cascade.empty():  # pragma: no cover - the cascades ship inside opencv
            raise RuntimeError(f"cannot load the face cascade {name}")
        cascades[name] = cascade
    return cascades[name]


def haar_faces(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frontal faces by OpenCV's Haar cascade, each confirmed by a differently trained one; normalised
    boxes and scores of 1 (the cascades give none)."""
    gray = rgb if rgb.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY)
    scale = min(1.0, (HAAR_PIXELS / max(1, gray.size)) ** 0.5)
    small = (
        cv2.resize(
            gray,
            (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale))),
            interpolation=cv2.INTER_AREA,
        )
        if scale < 1
        else gray
    )
    sh, sw = small.shape
    min_side = max(20, round(min(sh, sw) * 0.06))
    if min(sh, sw) < min_side:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
    found = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        small, scaleFactor=1.15, minNeighbors=5, minSize=(min_side, min_side)
    )
    confirm = _cascade("haarcascade_frontalface_alt2.xml")
    boxes = []
    for fx, fy, fw, fh in (tuple(int(v) for v in f) for f in found):
        m = fw // 3
        roi = small[max(0, fy - m) : min(sh, fy + fh + m), max(0, fx - m) : min(sw, fx + fw + m)]
        lo = max(20, round(fw * 0.6))
        if len(confirm.detectMultiScale(roi, scaleFactor=1.1, minNeighbors=2, minSize=(lo, lo))):
            boxes.append((fx / sw, fy / sh, (fx + fw) / sw, (fy + fh) / sh))
    return np.array(boxes, np.float32).reshape(-1, 4), np.ones(len(boxes), np.float32)
