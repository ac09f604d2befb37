"""Subject mattes: MediaPipe's selfie segmentation where a person is found, U2-Net-p for any other
subject, refined at full resolution; saliency-seeded GrabCut when the model files are absent.

The models see small copies (256x256 and 320x320 px). Their soft masks are scaled up and refined
only in the band where they are unsure, with a guided filter that follows the full-resolution
image, so hair and collars keep their edge while the corners stay cleared.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from studio_providers.local import cv, matte
from studio_providers.models import store
from studio_providers.models.faces import find_faces

SELFIE_SIDE = 256
U2NET_SIDE = 320
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)
PERSON_AREA = 0.02  # a selfie mask smaller than this share of the image is not a person
BAND_LOW, BAND_HIGH = 0.05, 0.95  # where a soft mask is unsure; refined at full resolution
REFINE_EPS = 1e-4

_selfie_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Matte:
    alpha: np.ndarray  # float32 in [0, 1] at the image's size
    method: str  # "selfie+u2netp", "u2netp", "grabcut-saliency (model files absent)", ...


def _load_selfie(path) -> cv2.dnn.Net:
    return cv2.dnn.readNetFromTFLite(str(path))


def _load_u2netp(path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # workers run one operation per core; threads would fight
    options.inter_op_num_threads = 1
    # The arena keeps its peak (about 450 MB for U2-Net-p's 320x320 activations) for the life of the
    # worker; without it the model adds about 50 MB, for a somewhat slower run.
    options.enable_cpu_mem_arena = False
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def person_mask(rgb: np.ndarray) -> np.ndarray | None:
    """Soft person mask (float32 0..1) at a 256x256 copy's resolution, or None without the model."""
    net = store.load("selfie", _load_selfie)
    if net is None:
        return None
    small = cv2.resize(rgb, (SELFIE_SIDE, SELFIE_SIDE), interpolation=cv2.INTER_AREA)
    blob = (small.astype(np.float32) / 255.0).transpose(2, 0, 1)[None].copy()
    with _selfie_lock:
        net.setInput(blob)
        out = net.forward()
    return out.reshape(SELFIE_SIDE, SELFIE_SIDE).astype(np.float32)


def salient_mask(rgb: np.ndarray) -> np.ndarray | None:
    """Soft salient-object mask (float32 0..1) at 320x320, or None without the model."""
    session = store.load("u2netp", _load_u2netp)
    if session is None:
        return None
    small = cv2.resize(rgb, (U2NET_SIDE, U2NET_SIDE), interpolation=cv2.INTER_AREA).astype(np.float32)
    small = (small / max(float(small.max()), 1.0) - IMAGENET_MEAN) / IMAGENET_STD
    blob = small.transpose(2, 0, 1)[None].astype(np.float32)
    out = session.run(None, {session.get_inputs()[0].name: blob})[0].reshape(U2NET_SIDE, U2NET_SIDE)
    low, high = float(out.min()), float(out.max())
    return ((out - low) / max(high - low, 1e-6)).astype(np.float32)


def refine(rgb: np.ndarray, soft: np.ndarray) -> np.ndarray:
    """Scale a small soft mask up to the image and refine it where it is unsure: a guided filter with
    the full-resolution image as guide inside the band, the mask's own certainty outside it."""
    height, width = rgb.shape[:2]
    up = cv2.resize(soft, (width, height), interpolation=cv2.INTER_LINEAR)
    radius = max(2, round(max(width, height) / 200))
    unsure = ((up > BAND_LOW) & (up < BAND_HIGH)).astype(np.uint8)
    band = cv2.dilate(unsure, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)) > 0
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    filtered = np.clip(matte.guided_filter(grey, up, radius, REFINE_EPS), 0.0, 1.0)
    certain = (up >= 0.5).astype(np.float32)
    return np.where(band, filtered, certain).astype(np.float32)


def _keep_main(mask: np.ndarray) -> np.ndarray:
    """Zero the soft mask outside its large connected parts (stray blobs in the background)."""
    binary = (mask > 0.5).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.isin(labels, np.flatnonzero(areas >= 0.1 * areas.max()) + 1)
    near = cv2.dilate(keep.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    return np.where(near, mask, 0.0).astype(np.float32)


def _person_with_props(person: np.ndarray, salient: np.ndarray | None) -> np.ndarray:
    """The person, plus the salient parts that touch them (a helmet held, a bag): the selfie model
    knows people only, U2-Net-p knows what stands out."""
    if salient is None:
        return person
    salient = cv2.resize(salient, person.shape[::-1], interpolation=cv2.INTER_LINEAR)
    _, labels = cv2.connectedComponents((salient > 0.5).astype(np.uint8), connectivity=8)
    touching = np.unique(labels[(person > 0.5) & (labels > 0)])
    attached = np.isin(labels, touching)
    return np.maximum(person, np.where(attached, salient, 0.0)).astype(np.float32)


def subject_matte(rgb: np.ndarray) -> Matte:
    """The main subject's alpha matte at full resolution, and how it was found."""
    work = cv.resize_long_side(rgb, 1024)
    person = person_mask(work)
    salient = salient_mask(work)
    # A person big enough to matter has a face of some size: the cheap scan (no small tiles) decides.
    is_person = (
        person is not None
        and float((person > 0.5).mean()) >= PERSON_AREA
        and find_faces(work, tile_levels=(1, 2), min_tile=192).count
    )
    if is_person:
        soft = _person_with_props(person, salient)
        method = "selfie+u2netp" if salient is not None else "selfie"
    elif salient is not None:
        soft, method = salient, "u2netp"
    else:
        return Matte(matte.foreground_matte(rgb), "grabcut-saliency (model files absent)")
    return Matte(refine(rgb, _keep_main(soft)), method)
