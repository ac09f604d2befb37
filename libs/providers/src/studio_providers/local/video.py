"""transform.video on the local provider: an image-to-video "camera move" over the still image.

This is not generative video. The image is cover-fitted to the output aspect, pre-scaled once so that the
most zoomed-in crop still has at least one source pixel per output pixel, and a virtual camera moves over
it (zoom toward the focal point with ease-in-out, zoom out, pans, or a Ken Burns drift). Frames are
rendered with OpenCV and piped into ffmpeg as H.264 MP4, optionally with the request's audio track padded
or cut to the video's length.
"""

import io
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps

from studio_common import audio_probe
from studio_common.durations import VIDEO_SECONDS, check_video_seconds
from studio_providers.base import ProviderOutput, ProviderRequest
from studio_providers.local import cv, mp4
from studio_providers.models.faces import find_faces

RESOLUTIONS = {"480p": (854, 480), "720p": (1280, 720), "1080p": (1920, 1080)}
MOTIONS = ("zoom_in", "zoom_out", "pan_left", "pan_right", "ken_burns")
DEFAULT_FPS = 24
FPS_RANGE = (8, 60)
MAX_ZOOM = 1.25  # the camera ends at 1/1.25 of the frame: a clear move that keeps the subject whole
PAN_ZOOM = 1.2  # pans run over a view zoomed this much, so there is room to travel sideways
# The audio bounds WAN 2.5 image-to-video accepts, so a request behaves the same on either provider.
AUDIO_MIN_SECONDS, AUDIO_MAX_SECONDS = 3.0, 30.0
MAX_DECODE_SIDE = 4096  # larger inputs are reduced on decode; no output needs more

Rect = tuple[float, float, float, float]  # x, y, w, h in source pixels


# --------------------------------------------------------------------------------------- parameter parsing


def resolution_param(params: Mapping[str, Any], allowed: tuple[str, ...], default: str) -> tuple[int, int]:
    value = params.get("resolution", default)
    if value not in allowed:
        raise ValueError(f"resolution: must be one of {', '.join(allowed)}, not {value!r}")
    return RESOLUTIONS[value]


def fps_param(params: Mapping[str, Any]) -> float:
    return cv.number_param(params, "fps", DEFAULT_FPS, *FPS_RANGE)


def focal_param(params: Mapping[str, Any]) -> tuple[float, float] | None:
    """(focal_x, focal_y) as fractions of the image, or None when neither is given. A single given
    coordinate pairs with the centre (0.5) on the other axis."""
    fx = cv.number_param(params, "focal_x", None, 0.0, 1.0)
    fy = cv.number_param(params, "focal_y", None, 0.0, 1.0)
    if fx is None and fy is None:
        return None
    return (0.5 if fx is None else fx, 0.5 if fy is None else fy)


# ------------------------------------------------------------------------------------------------ images


def load_mask(data: bytes, image_size: tuple[int, int], out_size: tuple[int, int]) -> np.ndarray:
    """A mask the same size as the image (white = animate, black = keep), as float32 0–1 resized to
    `out_size` (the decoded image's size, which is smaller when a huge image was reduced)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            mask = ImageOps.exif_transpose(image).convert("L")
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(f"mask: not a readable image ({exc})") from None
    if mask.size != image_size:
        raise ValueError(
            f"mask: must be the same size as the image ({mask.size[0]}x{mask.size[1]} given, "
            f"the image is {image_size[0]}x{image_size[1]})"
        )
    if mask.size != out_size:
        mask = mask.resize(out_size, Image.Resampling.BILINEAR)
    return np.asarray(mask, dtype=np.float32) / 255.0


def image_size(data: bytes) -> tuple[int, int]:
    """The upright (EXIF-rotated) size of an encoded image, without decoding its pixels."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        return (height, width) if image.getexif().get(0x0112, 1) in (5, 6, 7, 8) else (width, height)


def detect_faces(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Faces (x, y, w, h) in `rgb` pixel coordinates, largest first (BlazeFace, or Haar without it)."""
    height, width = rgb.shape[:2]
    return [
        (round(x0 * width), round(y0 * height), round((x1 - x0) * width), round((y1 - y0) * height))
        for x0, y0, x1, y1 in find_faces(rgb).boxes
    ]


def auto_focal(rgb: np.ndarray) -> tuple[float, float]:
    """The largest detected face's centre, else the image centre (as fractions of the image)."""
    faces = detect_faces(rgb)
    if not faces:
        return (0.5, 0.5)
    x, y, w, h = faces[0]
    return ((x + w / 2) / rgb.shape[1], (y + h / 2) / rgb.shape[0])


def cover_crop_box(
    size: tuple[int, int], aspect: float, focal: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of `aspect` (w/h) inside an image of `size`, placed as close to centring the focal
    point as the image allows. Returns (x, y, w, h) in integer pixels."""
    width, height = size
    if width / height > aspect:
        crop_w, crop_h = max(1, min(width, round(height * aspect))), height
    else:
        crop_w, crop_h = width, max(1, min(height, round(width / aspect)))
    x = round(min(max(focal[0] * width - crop_w / 2, 0), width - crop_w))
    y = round(min(max(focal[1] * height - crop_h / 2, 0), height - crop_h))
    return x, y, crop_w, crop_h


def cover_fit(
    rgb: np.ndarray, size: tuple[int, int], focal: tuple[float, float]
) -> tuple[np.ndarray, tuple[float, float], tuple[int, int, int, int]]:
    """Crop to the aspect of `size` toward the focal point, then resize to exactly `size`. Returns the
    fitted image, the focal point as fractions of it, and the crop box used in the original."""
    height, width = rgb.shape[:2]
    box = cover_crop_box((width, height), size[0] / size[1], focal)
    x, y, w, h = box
    fitted = cv.resize_to(np.ascontiguousarray(rgb[y : y + h, x : x + w]), *size, enlarge=cv2.INTER_LANCZOS4)
    fx = min(max((focal[0] * width - x) / w, 0.0), 1.0)
    fy = min(max((focal[1] * height - y) / h, 0.0), 1.0)
    return fitted, (fx, fy), box


# --------------------------------------------------------------------------------------------- the camera


def ease_in_out(t: np.ndarray | float) -> np.ndarray:
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * t)


def _clamp_centre(c: np.ndarray, half: np.ndarray, extent: float) -> np.ndarray:
    return np.clip(c, half, extent - half)


def crop_path(
    width: int,
    height: int,
    frames: int,
    motion: str = "zoom_in",
    focal: tuple[float, float] = (0.5, 0.5),
    zoom: float = MAX_ZOOM,
) -> np.ndarray:
    """Per-frame crop rectangles (x, y, w, h), shape (frames, 4), in the pixels of a width x height source.

    Every rectangle has the source's aspect and lies inside it. zoom_in starts on the full view and ends
    `zoom` times closer, centred as near the focal point (fractions of the source) as the edges allow;
    zoom_out is the reverse; pan_left / pan_right travel across a view zoomed PAN_ZOOM times at the
    focal height; ken_burns drifts from the opposite side of the focal point toward it while zooming in.
    All moves use ease-in-out timing."""
    if motion not in MOTIONS:
        raise ValueError(f"motion: must be one of {', '.join(MOTIONS)}, not {motion!r}")
    if frames < 1:
        raise ValueError("duration: gives no frames")
    zoom = max(1.0, zoom)
    t = np.linspace(0.0, 1.0, frames) if frames > 1 else np.zeros(1)
    e = ease_in_out(t)
    fx, fy = focal[0] * width, focal[1] * height
    cx0, cy0 = width / 2, height / 2
    if motion in ("zoom_in", "zoom_out"):
        if motion == "zoom_out":
            e = e[::-1]
        scale = 1.0 + (zoom - 1.0) * e
        half_w, half_h = width / scale / 2, height / scale / 2
        # Aim for the focal point as it can be centred in the closest view, then clamp each frame.
        tx = float(_clamp_centre(np.array(fx), width / zoom / 2, width))
        ty = float(_clamp_centre(np.array(fy), height / zoom / 2, height))
        cx = _clamp_centre(cx0 + (tx - cx0) * e, half_w, width)
        cy = _clamp_centre(cy0 + (ty - cy0) * e, half_h, height)
    elif motion in ("pan_left", "pan_right"):
        scale = np.full(frames, min(PAN_ZOOM, zoom) if zoom > 1.0 else 1.0)
        half_w, half_h = width / scale / 2, height / scale / 2
        start, end = (width - half_w, half_w) if motion == "pan_left" else (half_w, width - half_w)
        cx = start + (end - start) * e
        cy = _clamp_centre(np.full(frames, fy), half_h, height)
    else:  # ken_burns
        start_zoom = 1.0 + (zoom - 1.0) * 0.3
        scale = start_zoom + (zoom - start_zoom) * e
        half_w, half_h = width / scale / 2, height / scale / 2
        sx, sy = width - fx, height - fy  # the focal point mirrored through the centre
        cx = _clamp_centre(sx + (fx - sx) * e, half_w, width)
        cy = _clamp_centre(sy + (fy - sy) * e, half_h, height)
    w, h = width / scale, height / scale
    return np.stack([cx - w / 2, cy - h / 2, w, h], axis=1)


def crop_matrix(rect: Rect, out_size: tuple[int, int]) -> np.ndarray:
    """The affine map taking source pixels inside `rect` onto an out_size frame (pixel-centre exact)."""
    x, y, w, h = rect
    sx, sy = out_size[0] / w, out_size[1] / h
    return np.array([[sx, 0.0, (0.5 - x) * sx - 0.5], [0.0, sy, (0.5 - y) * sy - 0.5]], dtype=np.float64)


def render_crop(source: np.ndarray, rect: Rect, out_size: tuple[int, int]) -> np.ndarray:
    return cv2.warpAffine(
        source, crop_matrix(rect, out_size), out_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def frame_count(duration: float, fps: float) -> int:
    return max(1, round(duration * fps))


def render_video(
    rgb: np.ndarray,
    width: int,
    height: int,
    duration: float,
    fps: float = DEFAULT_FPS,
    motion: str = "zoom_in",
    focal: tuple[float, float] | None = None,
    *,
    audio: bytes | None = None,
    audio_suffix: str = ".wav",
) -> bytes:
    """Render the camera move over `rgb` to an H.264 MP4 of exactly width x height and
    round(duration * fps) frames; `audio` (already validated) is padded or cut to the same length."""
    if focal is None:
        focal = auto_focal(rgb)
    frames = frame_count(duration, fps)
    # Pre-scale once so the closest crop still maps >= 1 source pixel to each output pixel.
    zoom = MAX_ZOOM
    source_size = (round(width * zoom), round(height * zoom))
    source, source_focal, _ = cover_fit(rgb, source_size, focal)
    path = crop_path(source_size[0], source_size[1], frames, motion, source_focal, zoom)
    rendered: Iterator[np.ndarray] = (render_crop(source, tuple(rect), (width, height)) for rect in path)
    with tempfile.TemporaryDirectory(prefix="studio-video-") as tmp:
        return mp4.encode_mp4(
            rendered, width, height, fps, frames, audio=audio, audio_suffix=audio_suffix, workdir=tmp
        )


# ---------------------------------------------------------------------------------------------- operation


def transform_video(request: ProviderRequest) -> ProviderOutput:
    """Image to video: a 5 or 10 s camera move over the image at 480p/720p/1080p, with optional audio."""
    params = request.params
    width, height = resolution_param(params, tuple(RESOLUTIONS), "720p")
    try:
        duration = check_video_seconds(cv.number_param(params, "duration", VIDEO_SECONDS[0]))
    except ValueError as exc:
        raise ValueError(f"duration: {exc}") from None
    fps = fps_param(params)
    motion = params.get("motion") or "zoom_in"
    if motion not in MOTIONS:
        raise ValueError(f"motion: must be one of {', '.join(MOTIONS)}, not {motion!r}")
    focal = focal_param(params)
    audio = request.inputs.get("audio")
    audio_info = None
    if audio is not None:
        audio_info = audio_probe.validate_audio(
            audio, min_seconds=AUDIO_MIN_SECONDS, max_seconds=AUDIO_MAX_SECONDS
        )
    rgb = cv.decode_upright(request.inputs.get("image"), "image", MAX_DECODE_SIDE)
    data = render_video(
        rgb,
        width,
        height,
        duration,
        fps,
        motion,
        focal,
        audio=audio,
        audio_suffix=audio_info.suffix if audio_info else ".wav",
    )
    return ProviderOutput(data, "video/mp4", width, height, request.seed, frame_count(duration, fps) / fps)
