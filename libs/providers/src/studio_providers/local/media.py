"""ffmpeg-backed media helpers for the local provider: locating the binary, probing files, reading audio
(decoding, a per-video-frame loudness envelope; an upload is validated by
`studio_common.audio_probe` before it gets here) and encoding RGB frames to H.264 MP4.

The ffmpeg binary comes from `imageio-ffmpeg` (no ffprobe there), so probing parses the stream summary
that `ffmpeg -hide_banner -i FILE` prints on stderr.
"""

import functools
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio_common.audio_probe import sniff_audio
from studio_providers.base import ProviderError

PCM_RATE = 16_000  # mono 16 kHz s16le is plenty for loudness and duration
SILENCE_FLOOR = 10 ** (-50 / 20)  # RMS below -50 dBFS counts as silence


@dataclass(frozen=True, slots=True)
class MediaInfo:
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    has_audio: bool
    video_codec: str | None
    audio_codec: str | None


@functools.cache
def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):  # the wheel is missing or has no binary for this platform
        found = shutil.which("ffmpeg")
        if found is None:
            raise ProviderError(
                "local_ffmpeg_missing", "ffmpeg is not available to the local provider"
            ) from None
        return found


# ---------------------------------------------------------------------------------------------- probing

_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+[^:\n]*: Video: (\w+)([^\n]*)")
_AUDIO = re.compile(r"Stream #\d+:\d+[^:\n]*: Audio: (\w+)")
_SIZE = re.compile(r"(?<![\dx])(\d{2,5})x(\d{2,5})(?![\dx])")
_FPS = re.compile(r"(\d+(?:\.\d+)?)(k?) fps")
_TBR = re.compile(r"(\d+(?:\.\d+)?)(k?) tbr")


def parse_probe(text: str) -> MediaInfo:
    """Read `ffmpeg -i` stderr. Raises ValueError when ffmpeg found no streams at all."""
    video, audio = _VIDEO.search(text), _AUDIO.search(text)
    if video is None and audio is None:
        raise ValueError("no audio or video stream found")
    duration = None
    if match := _DURATION.search(text):
        hours, minutes, seconds = match.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    width = height = fps = None
    if video is not None:
        details = video.group(2)
        if size := _SIZE.search(details):
            width, height = int(size.group(1)), int(size.group(2))
        if rate := _FPS.search(details) or _TBR.search(details):
            fps = float(rate.group(1)) * (1000 if rate.group(2) else 1)
    return MediaInfo(
        duration,
        width,
        height,
        fps,
        audio is not None,
        video.group(1) if video else None,
        audio.group(1) if audio else None,
    )


def probe_file(path: str | Path) -> MediaInfo:
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", *SAFE_INPUT, "-i", f"file:{path}"],
        capture_output=True,
        timeout=60,
        check=False,
    )  # `-i` alone always exits 1: the stream summary is what we want
    return parse_probe(result.stderr.decode("utf-8", "replace"))


def probe(data: bytes, suffix: str = ".mp4") -> MediaInfo:
    with tempfile.TemporaryDirectory(prefix="studio-probe-") as tmp:
        path = Path(tmp) / ("media" + (suffix if suffix.startswith(".") else "." + suffix))
        path.write_bytes(data)
        return probe_file(path)


# ------------------------------------------------------------------------------------------------ audio


# Every ffmpeg run on user media reads only the one local file it is given (no network, no concat lists,
# no other protocol), with its format forced rather than guessed, for at most the seconds asked for.
SAFE_INPUT = ("-protocol_whitelist", "file", "-probesize", "5000000", "-analyzeduration", "5000000")
FORMATS = {".wav": "wav", ".mp3": "mp3"}
MAX_DECODE_SECONDS = 600.0
CHUNK = 1 << 16


def decode_pcm(
    data: bytes, suffix: str, rate: int = PCM_RATE, max_seconds: float = MAX_DECODE_SECONDS
) -> np.ndarray:
    """Decode WAV or MP3 to mono float32 samples in [-1, 1] at `rate` Hz: at most `max_seconds` of it.

    ffmpeg's output is read as a stream and ffmpeg is stopped once it passes the byte budget, so memory
    is bounded by the length asked for, whatever the file claims or holds."""
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise ValueError(f"{suffix} is not an audio format this decodes")
    budget = int(max_seconds * rate) * 2
    with tempfile.TemporaryDirectory(prefix="studio-audio-") as tmp:
        path = Path(tmp) / ("audio" + suffix)
        path.write_bytes(data)
        command = [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            *SAFE_INPUT,
            "-f",
            fmt,
            "-i",
            f"file:{path}",
            "-t",
            f"{max_seconds:.3f}",
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "pipe:1",
        ]
        pcm, code, errors = _run_capped(command, budget, timeout=120)
    if code != 0:
        message = errors.decode("utf-8", "replace").strip().splitlines()
        raise ValueError(f"could not be decoded ({message[-1] if message else 'ffmpeg failed'})")
    pcm = pcm[: len(pcm) // 2 * 2]
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def _run_capped(command: list[str], budget: int, timeout: float) -> tuple[bytes, int, bytes]:
    """Run `command`, keeping at most `budget` bytes of its stdout (then it is stopped, exit code 0)."""
    output = bytearray()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL)
        try:
            assert process.stdout is not None
            while len(output) < budget and (chunk := process.stdout.read(min(CHUNK, budget - len(output)))):
                output += chunk
            capped = len(output) >= budget
            if capped:
                process.kill()
            code = process.wait(timeout=timeout)
        except BaseException:
            process.kill()
            process.wait()
            raise
        errors.seek(0)
        return bytes(output), 0 if capped else code, errors.read(4096)


def _audio_kind(data: bytes) -> str:
    kind = sniff_audio(data)
    if kind is None:
        raise ValueError("audio: must be WAV or MP3")
    return kind


def audio_envelope(data: bytes, fps: float, frames: int | None = None) -> np.ndarray:
    """RMS loudness per video frame, normalised to 0–1 (1 = the loud parts of this recording).

    Audio is decoded to mono 16 kHz PCM through ffmpeg; frame i covers [i/fps, (i+1)/fps). With `frames`
    the envelope has exactly that length (padded with silence or cut). Silent audio gives all zeros."""
    longest = frames / fps + 1 if frames is not None else MAX_DECODE_SECONDS
    samples = decode_pcm(data, "." + _audio_kind(data), max_seconds=min(longest, MAX_DECODE_SECONDS))
    count = frames if frames is not None else max(1, round(len(samples) / PCM_RATE * fps))
    edges = np.round(np.arange(count + 1) * (PCM_RATE / fps)).astype(np.int64)
    padded = np.zeros(max(int(edges[-1]), len(samples)), dtype=np.float64)
    padded[: len(samples)] = samples
    cumulative = np.concatenate([[0.0], np.cumsum(padded * padded)])
    lengths = np.maximum(edges[1:] - edges[:-1], 1)
    rms = np.sqrt(np.maximum(cumulative[edges[1:]] - cumulative[edges[:-1]], 0.0) / lengths)
    if rms.size == 0 or rms.max() < SILENCE_FLOOR:
        return np.zeros(count, dtype=np.float32)
    # Normalise to a high percentile rather than the single loudest frame, so one click does not
    # flatten everything else; values above it clip to 1.
    reference = max(float(np.percentile(rms, 98)), SILENCE_FLOOR * 2)
    envelope = (rms - SILENCE_FLOOR) / (reference - SILENCE_FLOOR)
    return np.clip(envelope, 0.0, 1.0).astype(np.float32)


# ----------------------------------------------------------------------------------------------- encode


def encode_mp4(
    frames: Iterable[np.ndarray],
    width: int,
    height: int,
    fps: float,
    frame_count: int,
    *,
    audio: bytes | None = None,
    audio_suffix: str = ".wav",
    workdir: str | Path,
) -> bytes:
    """Pipe `frame_count` RGB frames (height x width x 3, uint8) into ffmpeg → H.264/yuv420p MP4 with
    +faststart. The output lasts exactly frame_count / fps; an audio track is padded with silence or cut
    to that length and encoded as AAC 128 kb/s."""
    workdir = Path(workdir)
    out_path, log_path = workdir / "out.mp4", workdir / "ffmpeg.log"
    length = frame_count / fps
    command = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        f"{fps:g}",
        "-i",
        "pipe:0",
    ]
    if audio is not None:
        audio_path = workdir / ("audio" + audio_suffix)
        audio_path.write_bytes(audio)
        command += [
            *SAFE_INPUT,
            "-f",
            FORMATS[audio_suffix],
            "-t",
            f"{length:.6f}",
            "-i",
            f"file:{audio_path}",
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
        ]
    command += [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
    ]
    if audio is not None:
        command += ["-af", "apad", "-c:a", "aac", "-b:a", "128k", "-ar", "48000"]
    command += ["-t", f"{length:.6f}", str(out_path)]
    written = 0
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        try:
            assert process.stdin is not None
            for frame in frames:
                if written == frame_count:
                    break
                if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
                    raise ValueError(f"frame {written} has shape {frame.shape} {frame.dtype}")
                process.stdin.write(np.ascontiguousarray(frame).tobytes())
                written += 1
            process.stdin.close()
            code = process.wait(timeout=120 + 10 * length)
        except BrokenPipeError:
            code = process.wait(timeout=60)
        except BaseException:
            process.kill()
            process.wait()
            raise
    if code != 0 or written != frame_count or not out_path.exists():
        detail = log_path.read_text("utf-8", "replace").strip()[-500:]
        raise ProviderError(
            "local_encode_failed",
            f"ffmpeg could not encode the video (exit {code}, {written}/{frame_count} frames): {detail}",
        )
    return out_path.read_bytes()
