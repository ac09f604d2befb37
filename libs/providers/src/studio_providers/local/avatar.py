"""transform.avatar on the local provider: a "talking portrait" driven by the loudness of the speech.

What it does, plainly: the video is exactly as long as the speech audio and carries it. Each frame's
motion follows that frame's loudness (RMS envelope): the portrait gently scales up and rises while the
voice is loud and settles back in pauses, and if a face is found (BlazeFace), the lower
third of the face box is stretched downward in proportion to loudness, a simple visible jaw movement.

What it is not: lip-sync. Nothing here knows which sound is being made, the mouth shape never matches
phonemes, and eyes, head pose and expression do not change. Use the WaveSpeed InfiniteTalk model for a
real talking-head video.

An optional mask (same size as the image, white = animate) limits all motion to the masked region, and
the jaw movement to a face inside it.
"""

import math
import tempfile
from collections.abc import Iterator

import cv2
import numpy as np

from studio_common import audio_probe
from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local import cv, mp4
from studio_providers.local.audio import audio_envelope
from studio_providers.local.video import (
    MAX_DECODE_SIDE,
    auto_focal,
    cover_fit,
    crop_matrix,
    detect_faces,
    focal_param,
    fps_param,
    image_size,
    load_mask,
    render_crop,
    resolution_param,
)

AVATAR_RESOLUTIONS = ("480p", "720p")
AUDIO_MIN_SECONDS, AUDIO_MAX_SECONDS = 0.5, 600.0  # up to 10 minutes of speech
REST_ZOOM = 1.04  # the view at rest, leaving room in the source for the pulse and the bob
PULSE = 0.035  # scale added at full loudness
BOB = 0.012  # upward shift at full loudness, as a fraction of the frame height
SOURCE_ZOOM = REST_ZOOM * (1 + PULSE) * 1.01  # pre-scale: the closest view never upsamples
JAW_DROP = 0.07  # chin displacement at full loudness, as a fraction of the face height


def smooth(envelope: np.ndarray, fps: float, attack: float, release: float) -> np.ndarray:
    """One-pole follower with separate attack and release times (seconds)."""
    up, down = (1.0 - math.exp(-1.0 / (max(t, 1e-3) * fps)) for t in (attack, release))
    out = np.empty_like(envelope, dtype=np.float32)
    level = 0.0
    for i, value in enumerate(envelope):
        level += (value - level) * (up if value > level else down)
        out[i] = level
    return out


def jaw_field(
    shape: tuple[int, int], face: tuple[int, int, int, int]
) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """The region around the lower third of a face box and, for each pixel of it, how far (in pixels,
    at full loudness) the content moves down: zero at the upper lip line, the most at the chin, back to
    zero on the neck, tapered to zero toward the sides of the face. Returns ((x0, y0, x1, y1), field)."""
    height, width = shape
    fx, fy, fw, fh = face
    top, chin, bottom = fy + fh * 0.62, fy + fh * 1.02, fy + fh * 1.38
    left, right = fx + fw * 0.12, fx + fw * 0.88
    x0, x1 = max(0, int(left)), min(width, math.ceil(right))
    y0, y1 = max(0, int(top)), min(height, math.ceil(bottom))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return (0, 0, 0, 0), np.zeros((0, 0), np.float32)
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    xs = np.arange(x0, x1, dtype=np.float32)[None, :]
    rise = np.clip((ys - top) / (chin - top), 0, 1)
    fall = np.clip((bottom - ys) / (bottom - chin), 0, 1)
    vertical = np.where(ys <= chin, 0.5 - 0.5 * np.cos(np.pi * rise), 0.5 - 0.5 * np.cos(np.pi * fall))
    across = np.clip((xs - left) / (right - left), 0, 1)
    horizontal = np.sin(np.pi * across) ** 1.5
    return (x0, y0, x1, y1), (JAW_DROP * fh * vertical * horizontal).astype(np.float32)


class _Jaw:
    """Applies the jaw stretch for a loudness in 0–1 by remapping only the region around the mouth."""

    def __init__(self, source: np.ndarray, face: tuple[int, int, int, int]) -> None:
        self.source = source
        self.box, self.field = jaw_field(source.shape[:2], face)
        x0, y0, x1, y1 = self.box
        grid_y, grid_x = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        self.grid_x, self.grid_y = grid_x, grid_y

    def apply(self, loudness: float) -> np.ndarray:
        if self.field.size == 0 or loudness <= 1e-3:
            return self.source
        x0, y0, x1, y1 = self.box
        frame = self.source.copy()
        # Each output pixel reads from higher up, so the lips and chin move down (a stretch).
        frame[y0:y1, x0:x1] = cv2.remap(
            self.source,
            self.grid_x,
            self.grid_y - loudness * self.field,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return frame


def _pick_face(source: np.ndarray, mask: np.ndarray | None) -> tuple[int, int, int, int] | None:
    for face in detect_faces(source):
        x, y, w, h = face
        if mask is None:
            return face
        if mask[min(y + h // 2, mask.shape[0] - 1), min(x + w // 2, mask.shape[1] - 1)] >= 0.5:
            return face  # the largest face inside the mask
    return None


def render_avatar(
    rgb: np.ndarray,
    width: int,
    height: int,
    fps: float,
    audio: bytes,
    audio_suffix: str,
    duration: float,
    *,
    focal: tuple[float, float] | None = None,
    mask: np.ndarray | None = None,
) -> tuple[bytes, int, bool]:
    """Render the loudness-driven portrait. Returns (mp4 bytes, frame count, whether a face moved)."""
    frames = max(1, math.ceil(duration * fps - 1e-6))  # cover all of the speech
    envelope = audio_envelope(audio, fps, frames)
    jaw_level = smooth(envelope, fps, attack=0.02, release=0.08)
    body_level = smooth(envelope, fps, attack=0.12, release=0.35)

    source_size = (round(width * SOURCE_ZOOM), round(height * SOURCE_ZOOM))
    if focal is None:
        focal = auto_focal(rgb)
    source, source_focal, box = cover_fit(rgb, source_size, focal)
    source_mask = None
    if mask is not None:
        x, y, w, h = box
        source_mask = cv2.resize(
            np.ascontiguousarray(mask[y : y + h, x : x + w]), source_size, interpolation=cv2.INTER_AREA
        )
    face = _pick_face(source, source_mask)
    jaw = _Jaw(source, face) if face is not None else None

    sw, sh = source_size
    # Motion is centred on the face when there is one, else on the focal point.
    anchor_x = face[0] + face[2] / 2 if face else source_focal[0] * sw
    anchor_y = face[1] + face[3] / 2 if face else source_focal[1] * sh

    def rect(level: float) -> tuple[float, float, float, float]:
        scale = REST_ZOOM * (1 + PULSE * level)
        w, h = sw / scale, sh / scale
        rest_w, rest_h = sw / REST_ZOOM, sh / REST_ZOOM
        # Zoom about the anchor as seen in the rest view, then lift the picture by the bob.
        rest_x = min(max(anchor_x - rest_w / 2, 0.0), sw - rest_w)
        rest_y = min(max(anchor_y - rest_h / 2, 0.0), sh - rest_h)
        ax, ay = anchor_x - rest_x, anchor_y - rest_y  # the anchor inside the rest view
        x = anchor_x - ax * (w / rest_w)
        y = anchor_y - ay * (h / rest_h) + BOB * level * h
        return (min(max(x, 0.0), sw - w), min(max(y, 0.0), sh - h), w, h)

    out_size = (width, height)
    rest_frame = render_crop(source, rect(0.0), out_size)
    rest_float = rest_frame.astype(np.float32)
    blend = None
    if source_mask is not None:
        warped = cv2.warpAffine(
            source_mask, crop_matrix(rect(0.0), out_size), out_size, flags=cv2.INTER_LINEAR
        )
        sigma = max(1.0, 0.01 * width)
        blend = cv2.GaussianBlur(warped, (0, 0), sigma)[:, :, None]

    def generate() -> Iterator[np.ndarray]:
        for i in range(frames):
            body, mouth = float(body_level[i]), float(jaw_level[i])
            if body <= 1e-3 and mouth <= 1e-3:
                yield rest_frame
                continue
            frame = render_crop(jaw.apply(mouth) if jaw else source, rect(body), out_size)
            if blend is not None:
                mixed = rest_float + (frame.astype(np.float32) - rest_float) * blend
                frame = mixed.round().astype(np.uint8)
            yield frame

    with tempfile.TemporaryDirectory(prefix="studio-avatar-") as tmp:
        data = mp4.encode_mp4(
            generate(), width, height, fps, frames, audio=audio, audio_suffix=audio_suffix, workdir=tmp
        )
    return data, frames, face is not None


def transform_avatar(request: ProviderRequest) -> ProviderOutput:
    """Talking portrait from an image and speech audio (loudness-driven motion, not lip-sync)."""
    params = request.params
    width, height = resolution_param(params, AVATAR_RESOLUTIONS, "480p")
    fps = fps_param(params)
    focal = focal_param(params)
    audio = request.inputs.get("audio")
    if audio is None:
        raise ValueError("audio: required for a talking avatar")
    info = audio_probe.validate_audio(audio, min_seconds=AUDIO_MIN_SECONDS, max_seconds=AUDIO_MAX_SECONDS)
    image_bytes = request.inputs.get("image")
    rgb = cv.decode_upright(image_bytes, "image", MAX_DECODE_SIDE)
    mask = None
    if request.inputs.get("mask"):
        mask = load_mask(request.inputs["mask"], image_size(image_bytes), (rgb.shape[1], rgb.shape[0]))
    data, frames, _ = render_avatar(
        rgb, width, height, fps, audio, info.suffix, info.duration, focal=focal, mask=mask
    )
    return ProviderOutput(data, "video/mp4", width, height, request.seed, frames / fps)
