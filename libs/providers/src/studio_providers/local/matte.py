"""The main subject's alpha matte without a model: saliency seeds GrabCut, the cut is tidied and feathered.

The segmentation models' fall-back when their files are absent (`models/segment.py`).
"""

from __future__ import annotations

import cv2
import numpy as np

from studio_providers.local.cv import resize_long_side, resize_to, to_lab

WORK_SIDE = 640  # long side of the working copy used for segmentation
SALIENCY_SIDE = 128  # long side of the grid the saliency map is computed on
EDGE_SAMPLES = 256  # colour samples taken along the image edges for the background model
BOX_LEVEL = 0.6  # fraction of the Otsu level that still counts towards the subject's box
CLOSE_FRACTION = 0.04  # gap bridged when tidying a cut, as a fraction of the long side
BRIDGE_FRACTION = 0.2  # vertical gap (a neck, a collar) bridged, as a fraction of the height


def saliency(rgb: np.ndarray) -> np.ndarray:
    """Where the subject probably is, as float32 in [0, 1] at the image's size.

    Background prior: the top, left and right edges of a photo are mostly background, so a pixel is
    salient when its colour is far from every colour seen along them. The bottom edge is left out on
    purpose: subjects (people, products on a table) usually stand on it. A centre weighting favours
    centred subjects over props at the sides.
    """
    small = cv2.GaussianBlur(resize_long_side(rgb, SALIENCY_SIDE), (3, 3), 0)
    lab = to_lab(small)
    height, width = lab.shape[:2]
    band = max(2, round(0.05 * min(height, width)))
    edges = np.concatenate(
        [lab[:band].reshape(-1, 3), lab[:, :band].reshape(-1, 3), lab[:, -band:].reshape(-1, 3)]
    )
    samples = edges[np.linspace(0, len(edges) - 1, min(EDGE_SAMPLES, len(edges))).astype(int)]
    pixels = lab.reshape(-1, 3)
    nearest = np.full(len(pixels), np.inf, dtype=np.float32)
    for sample in samples:  # one pixel-sized vector at a time keeps memory flat
        nearest = np.minimum(nearest, np.sum((pixels - sample) ** 2, axis=1))
    contrast = np.sqrt(nearest).reshape(height, width)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    centre = np.exp(-(((xs - width / 2) / (0.5 * width)) ** 2 + ((ys - height / 2) / (0.5 * height)) ** 2))
    salient = cv2.GaussianBlur(contrast * centre, (0, 0), 1.5)
    salient /= max(float(salient.max()), 1e-6)
    return resize_to(salient.astype(np.float32), rgb.shape[1], rgb.shape[0])


def _largest_components(binary: np.ndarray, keep_ratio: float = 0.15) -> np.ndarray:
    """Keep connected components at least ``keep_ratio`` the size of the largest one."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary.astype(np.uint8), connectivity=8)
    if count <= 1:
        return binary.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= keep_ratio * areas.max()) + 1
    return np.isin(labels, keep)


def _fill_holes(binary: np.ndarray) -> np.ndarray:
    """Fill background regions that do not touch the image border."""
    inverse = (~binary).astype(np.uint8)
    count, labels = cv2.connectedComponents(inverse, connectivity=4)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    holes = (labels > 0) & ~np.isin(labels, border)
    return binary | holes


def _grabcut_seeds(salient: np.ndarray) -> np.ndarray:
    """GrabCut label map from a saliency map, as in GrabCut's own rectangle start: outside a box around
    the salient region is background, inside it probably foreground; the strongly salient core is
    taken as certain foreground so the cut cannot lose the subject."""
    level = cv2.threshold((salient * 255).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
    level = level / 255.0
    core = _largest_components(salient > level)
    extent = _largest_components(salient > BOX_LEVEL * level, keep_ratio=0.05)
    height, width = salient.shape
    labels = np.full(salient.shape, cv2.GC_BGD, dtype=np.uint8)
    ys, xs = np.nonzero(extent | core)
    if len(xs) == 0:  # flat image: centre box
        xs, ys = np.array([width // 4, 3 * width // 4]), np.array([height // 4, 3 * height // 4])
    margin_x, margin_y = round(0.03 * width), round(0.03 * height)
    x0, x1 = max(0, xs.min() - margin_x), min(width, xs.max() + margin_x + 1)
    y0, y1 = max(0, ys.min() - margin_y), min(height, ys.max() + margin_y + 1)
    labels[y0:y1, x0:x1] = cv2.GC_PR_FGD
    sure = cv2.erode(core.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    labels[sure & (salient > min(0.9, 1.5 * level))] = cv2.GC_FGD
    if not np.isin(labels, (cv2.GC_BGD, cv2.GC_PR_BGD)).any():  # the box is the whole image
        labels[:, [0, -1]] = cv2.GC_PR_BGD
        labels[[0, -1], :] = cv2.GC_PR_BGD
    return labels


def _clean_cut(cut: np.ndarray) -> np.ndarray:
    """Tidy a hard cut: drop specks, bridge narrow gaps (a collar between head and body), fill holes."""
    side = max(cut.shape)
    opened = cv2.morphologyEx(cut.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)).astype(bool)
    if not opened.any():
        opened = cut
    closed = opened.astype(np.uint8)
    size = max(3, round(CLOSE_FRACTION * side)) | 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    column = np.ones((max(3, round(BRIDGE_FRACTION * cut.shape[0])) | 1, 1), np.uint8)
    for kernel in (disc, column):  # the padding keeps closing from eating into the image border
        pad = max(kernel.shape)
        padded = cv2.copyMakeBorder(closed, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
        closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)[pad:-pad, pad:-pad]
    return _fill_holes(_largest_components(closed.astype(bool)))


def guided_filter(guide: np.ndarray, source: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """Edge-aware smoothing of ``source`` following the grey ``guide`` (He et al.), float32 in/out."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(a: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(a, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)

    mean_g, mean_s = mean(guide), mean(source)
    var_g = mean(guide * guide) - mean_g * mean_g
    a = (mean(guide * source) - mean_g * mean_s) / (var_g + eps)
    b = mean_s - a * mean_g
    return mean(a) * guide + mean(b)


def foreground_matte(rgb: np.ndarray, iterations: int = 4) -> np.ndarray:
    """Alpha matte of the main subject, float32 in [0, 1] at the image's size.

    Saliency seeds GrabCut on a copy at most WORK_SIDE px on the long side; the hard cut is cleaned
    (largest parts kept, holes filled), scaled back up and feathered with a guided filter so the edge
    follows the full-resolution image.
    """
    height, width = rgb.shape[:2]
    work = resize_long_side(rgb, WORK_SIDE)
    salient = saliency(work)
    labels = _grabcut_seeds(salient)
    background_model, foreground_model = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(work, labels, None, background_model, foreground_model, iterations, cv2.GC_INIT_WITH_MASK)
        cut = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    except cv2.error:  # degenerate colour models (e.g. a flat image): fall back to the seeds
        cut = labels != cv2.GC_BGD
    if not cut.any():
        cut = salient > 0.5
    cut = _clean_cut(cut)
    hard = resize_to(cut.astype(np.float32), width, height)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    radius = max(2, round(max(width, height) / 300))
    alpha = guided_filter(grey, hard, radius, 1e-3)
    alpha = np.clip((alpha - 0.02) / 0.96, 0.0, 1.0)
    return alpha.astype(np.float32)
