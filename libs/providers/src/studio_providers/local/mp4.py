"""Encoding RGB frames (and an optional audio track) to H.264 MP4 with ffmpeg, for the local provider."""

import subprocess
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from studio_providers.base import ProviderError
from studio_providers.local.media import FORMATS, SAFE_INPUT, ffmpeg_exe


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
