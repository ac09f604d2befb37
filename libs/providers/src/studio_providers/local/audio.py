"""Audio for the local provider: decoding WAV or MP3 to mono PCM through ffmpeg (bounded in length and
memory) and a per-video-frame loudness envelope. An upload is validated by `studio_common.audio_probe`
before it gets here."""

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from studio_common.audio_probe import sniff_audio
from studio_providers.local.media import FORMATS, SAFE_INPUT, ffmpeg_exe

PCM_RATE = 16_000  # mono 16 kHz s16le is plenty for loudness and duration
SILENCE_FLOOR = 10 ** (-50 / 20)  # RMS below -50 dBFS counts as silence
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
