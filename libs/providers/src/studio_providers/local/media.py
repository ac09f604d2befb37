"""ffmpeg for the local provider: locating the binary, the input flags every run on user media uses, and
probing files. Reading audio is in audio.py, encoding video in mp4.py.

The ffmpeg binary comes from `imageio-ffmpeg` (no ffprobe there), so probing parses the stream summary
that `ffmpeg -hide_banner -i FILE` prints on stderr.
"""

import functools
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from studio_providers.base import ProviderError

# Every ffmpeg run on user media reads only the one local file it is given (no network, no concat lists,
# no other protocol), with its format forced rather than guessed, for at most the seconds asked for.
SAFE_INPUT = ("-protocol_whitelist", "file", "-probesize", "5000000", "-analyzeduration", "5000000")
FORMATS = {".wav": "wav", ".mp3": "mp3"}


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
