"""Focal point of an image: faces first, then visual saliency, then the centre.

The analysis runs once per image on a small copy (about 512x384 px in area) and returns normalised
coordinates, so the result applies to the full-resolution image and to every output format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np

from studio_providers.models.faces import find_faces

FocalSource = Literal["face", "saliency", "center", "override"]
NormBox = tuple[float, float, float, float]

ANALYSIS_PIXELS = 512 * 384  # the detectors see a copy of this area, whatever the aspect ratio
MAX_ANALYSIS_SIDE = 1024  # cap for panoramas
SALIENCY_SIZE = 64  # long side of the spectral-residual map (the method works at coarse scale)


@dataclass(frozen=True, slots=True)
class FocalPoint:
    x: float  # 0..1 of the width
    y: float  # 0..1 of the height
    source: FocalSource
    box: NormBox | None = None  # (x0, y0, x1, y1), normalised
    faces: tuple[NormBox, ...] = ()  # each face found, largest first

    @property
    def point(self) -> tuple[float, float]:
        return self.x, self.y


CENTER = FocalPoint(0.5, 0.5, "center", None)


def analysis_scale(width: int, height: int, pixels: int = ANALYSIS_PIXELS) -> float:
    """Scale (at most 1) that brings an image to about ``pixels`` in area.

    Area rather than long side keeps enough resolution on the short side of wide panoramas for
    faces to remain detectable.
    """
    scale = min(1.0, (pixels / max(1, width * height)) ** 0.5)
    return min(scale, MAX_ANALYSIS_SIDE / max(width, height))


def _scaled(width: int, height: int, scale: float) -> tuple[int, int]:
    return max(1, round(width * scale)), max(1, round(height * scale))


def to_gray_small(image: Any, pixels: int = ANALYSIS_PIXELS) -> np.ndarray:
    """An 8-bit grayscale copy of ``image`` reduced to about ``pixels`` in area (never enlarged).

    ``image`` is anything ``numpy.asarray`` understands: an H×W or H×W×C array (RGB or RGBA,
    uint8 or another integer/float type), a Pillow image or a small pyvips image.
    """
    arr = np.asarray(image)
    if arr.ndim == 3:
        arr = arr[:, :, :3] if arr.shape[2] >= 3 else arr[:, :, 0]
    if arr.ndim not in (2, 3) or arr.size == 0:
        raise ValueError(f"expected an image array, got shape {np.shape(image)}")
    if arr.dtype != np.uint8:
        a = arr.astype(np.float32)
        hi = 65535.0 if arr.dtype == np.uint16 else (1.0 if np.issubdtype(arr.dtype, np.floating) else 255.0)
        arr = np.clip(a * (255.0 / hi), 0, 255).astype(np.uint8)
    if arr.ndim == 3:
        arr = cv2.cvtColor(np.ascontiguousarray(arr), cv2.COLOR_RGB2GRAY)
    h, w = arr.shape
    scale = analysis_scale(w, h, pixels)
    if scale < 1.0:
        arr = cv2.resize(arr, _scaled(w, h, scale), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(arr)


def _faces_focal(boxes: tuple[NormBox, ...]) -> FocalPoint:
    """The area-weighted centre of the faces, their union as ``box`` and each of them, largest first."""
    areas = np.array([(x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in boxes], dtype=np.float64)
    cx = np.array([(x0 + x1) / 2 for x0, _, x1, _ in boxes])
    cy = np.array([(y0 + y1) / 2 for _, y0, _, y1 in boxes])
    union = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    total = areas.sum()
    centre = float((cx * areas).sum() / total), float((cy * areas).sum() / total)
    return FocalPoint(*centre, "face", union, boxes)


def saliency_map(gray: np.ndarray) -> np.ndarray:
    """Spectral-residual saliency (Hou & Zhang, 2007) of ``gray``, at ``SALIENCY_SIZE`` scale, 0..1."""
    h, w = gray.shape
    scale = SALIENCY_SIZE / max(h, w)
    size = (max(4, round(w * scale)), max(4, round(h * scale)))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    spectrum = np.fft.fft2(small)
    log_amp = np.log(np.abs(spectrum) + 1e-6).astype(np.float32)
    phase = np.angle(spectrum)
    residual = log_amp - cv2.blur(log_amp, (3, 3), borderType=cv2.BORDER_REPLICATE)
    sal = np.abs(np.fft.ifft2(np.exp(residual + 1j * phase))) ** 2
    sal = cv2.GaussianBlur(sal.astype(np.float32), (0, 0), sigmaX=max(size) / 24)
    # The FFT treats the image as periodic, which lights up the borders: fade them out, and give
    # a mild preference to the middle of the frame.
    sh, sw = sal.shape
    yy = (np.arange(sh, dtype=np.float32) + 0.5) / sh - 0.5
    xx = (np.arange(sw, dtype=np.float32) + 0.5) / sw - 0.5
    prior = np.exp(-(yy[:, None] ** 2 + xx[None, :] ** 2) / (2 * 0.35**2))
    sal = sal * (0.6 + 0.4 * prior)
    b = max(1, round(max(sh, sw) / 32))
    sal[:b, :] = 0
    sal[-b:, :] = 0
    sal[:, :b] = 0
    sal[:, -b:] = 0
    top = float(sal.max())
    return sal / top if top > 0 else sal


def _saliency_focal(gray: np.ndarray) -> FocalPoint | None:
    """Centre of mass of the salient regions.

    Using the mass of every strong region rather than the single strongest one keeps the point on
    the subject as a whole (a whole animal rather than one hoof) and lets evenly spread texture
    settle near the middle of the frame.
    """
    if float(gray.std()) < 2.0:  # flat image: nothing stands out
        return None
    sal = saliency_map(gray)
    if not np.isfinite(sal).all() or float(sal.max()) <= 0:
        return None
    weights = np.where(sal >= 0.3, sal, 0.0) ** 2
    total = float(weights.sum())
    if total <= 0:
        return None
    sh, sw = sal.shape
    x = float((weights.sum(axis=0) * (np.arange(sw) + 0.5)).sum() / total) / sw
    y = float((weights.sum(axis=1) * (np.arange(sh) + 0.5)).sum() / total) / sh
    ys, xs = np.nonzero(sal >= 0.5)
    box = (xs.min() / sw, ys.min() / sh, (xs.max() + 1) / sw, (ys.max() + 1) / sh)
    return FocalPoint(x, y, "saliency", tuple(float(v) for v in box))  # type: ignore[arg-type]


def find_focal_point(image: Any) -> FocalPoint:
    """The point the crops should centre on, normalised to 0..1 of ``image``.

    Faces (MediaPipe BlazeFace, or OpenCV's Haar cascades without the model file; the area-weighted
    centre of all faces, with their union as ``box`` and each in ``faces``) win over saliency
    (spectral residual), which wins over the centre of the frame. ``image`` is any array-like (see
    :func:`to_gray_small`); large images are reduced to about 512x384 px (in area) first.
    """
    scan = find_faces(_rgb_small(image))
    if scan.count:
        return _faces_focal(scan.boxes)
    return _saliency_focal(to_gray_small(image)) or CENTER


def _rgb_small(image: Any) -> np.ndarray:
    """An 8-bit RGB copy of about ANALYSIS_PIXELS in area, for the face detector."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] >= 3 and arr.dtype == np.uint8:
        rgb = np.ascontiguousarray(arr[:, :, :3])
        h, w = rgb.shape[:2]
        scale = analysis_scale(w, h)
        return cv2.resize(rgb, _scaled(w, h, scale), interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    return cv2.cvtColor(to_gray_small(image), cv2.COLOR_GRAY2RGB)
