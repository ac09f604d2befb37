"""Finding 1: audio is judged from its header before anything decodes it, and decoding is bounded."""

import io
import struct
import tracemalloc
import wave

import numpy as np
import pytest

from studio_common import audio_probe
from studio_common.testing.client import StudioClient
from studio_providers.local import audio


def float_wav(rate: int, samples: int) -> bytes:
    """IEEE float WAV (format 3), which the `wave` module cannot read."""
    body = np.zeros(samples, "<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def pcm_wav(seconds: float, rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.zeros(int(seconds * rate), "<i2").tobytes())
    return buffer.getvalue()


def test_a_low_rate_float_wav_is_refused_from_its_header_without_decoding():
    bomb = float_wav(rate=20, samples=256 * 1024)  # 1 MB claiming 3.6 hours
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="20 Hz is below the 8000 Hz minimum"):
            audio_probe.validate_audio(bomb, max_seconds=600)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # the old path decoded it to ~420 MB of PCM


def test_a_float_wav_longer_than_allowed_is_refused_from_its_header():
    long_float = float_wav(rate=8000, samples=8000 * 40)
    with pytest.raises(ValueError, match="longer than the 30 s maximum"):
        audio_probe.validate_audio(long_float, max_seconds=30)


def test_decoding_stops_at_the_seconds_asked_for():
    samples = audio.decode_pcm(pcm_wav(30, 8000), ".wav", max_seconds=2)
    assert len(samples) <= 2 * audio.PCM_RATE


def test_a_wav_without_a_usable_header_is_refused():
    with pytest.raises(ValueError, match="no format or no data chunk"):
        audio_probe.validate_audio(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")


def test_an_avatar_with_low_rate_audio_is_a_named_422_that_reserves_nothing(user: StudioClient):
    from PIL import Image

    face = io.BytesIO()
    Image.new("RGB", (128, 128), (200, 150, 120)).save(face, "PNG")
    response = user.post(
        "/api/image-studio/transform/talking-avatar",
        files={
            "image": ("face.png", face.getvalue()),
            "audio": ("speech.wav", float_wav(rate=20, samples=64 * 1024)),
        },
    )
    assert response.status_code == 422, response.text
    assert "sample rate" in response.json()["message"]
    assert user.balance()["pending_credits"] == 0
