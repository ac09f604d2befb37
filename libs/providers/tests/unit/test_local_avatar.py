"""transform.avatar on the local provider: length and audio track follow the speech, motion follows its
loudness (more change while loud than while silent), the jaw moves only around the mouth, and a mask
keeps everything outside it still."""

import io
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from studio_common import audio_probe
from studio_providers.base import ProviderRequest
from studio_providers.local import avatar, media
from studio_providers.local.audio import audio_envelope

RATE = 16_000


def wav(samples: np.ndarray, rate: int = RATE, width: int = 2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        if width == 2:
            writer.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
        else:
            writer.writeframes((np.clip(samples, -1, 1) * 127 + 128).astype(np.uint8).tobytes())
    return buffer.getvalue()


def speech_like(seconds: float) -> np.ndarray:
    """A loud 220 Hz tone whose loudness swings four times a second, like syllables."""
    t = np.arange(round(seconds * RATE)) / RATE
    return 0.7 * np.sin(2 * np.pi * 220 * t) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))


def silence_then_speech(silent: float, loud: float) -> bytes:
    return wav(np.concatenate([np.zeros(round(silent * RATE)), speech_like(loud)]))


def png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


PORTRAIT = data.astronaut()  # 512x512 with one frontal face


def request(params: dict | None = None, **inputs: bytes) -> ProviderRequest:
    inputs.setdefault("image", png(PORTRAIT))
    return ProviderRequest(
        kind="transform.avatar", model="local-avatar", seed=3, params=params or {}, inputs=inputs
    )


def decode_grey(video: bytes, width: int, height: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "video.mp4"
        path.write_bytes(video)
        command = [
            media.ffmpeg_exe(),
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "pipe:1",
        ]
        raw = subprocess.run(command, capture_output=True, check=True, timeout=120).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width).astype(np.int16)


def test_the_envelope_is_silent_then_loud():
    envelope = audio_envelope(silence_then_speech(1.0, 1.0), fps=24)
    assert envelope.shape == (48,)
    assert envelope.min() >= 0 and envelope.max() <= 1
    assert np.all(envelope[:24] == 0)
    assert envelope[24:].mean() > 0.4 and envelope[24:].max() == pytest.approx(1.0)
    assert np.all(audio_envelope(wav(np.zeros(RATE)), fps=24) == 0)  # silence is not amplified


def test_video_lasts_as_long_as_the_speech_carries_it_and_moves_more_when_loud():
    out = avatar.transform_avatar(request(audio=silence_then_speech(1.0, 1.0)))
    assert (out.content_type, out.width, out.height, out.seed) == ("video/mp4", 854, 480, 3)
    assert out.duration_seconds == pytest.approx(2.0, abs=0.1)
    info = media.probe(out.data)
    assert info.video_codec == "h264" and (info.width, info.height) == (854, 480)
    assert info.has_audio and info.audio_codec == "aac"
    assert info.duration == pytest.approx(2.0, abs=0.1)

    frames = decode_grey(out.data, 854, 480)
    assert len(frames) == 48
    step = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))  # change from each frame to the next
    from_rest = np.abs(frames - frames[0]).mean(axis=(1, 2))
    silent_steps, loud_steps = step[:22], step[25:]
    assert loud_steps.mean() > 5 * max(silent_steps.mean(), 0.05)
    assert from_rest[30:].mean() > 5 * max(from_rest[1:23].mean(), 0.05)


def test_odd_lengths_and_mp3_speech_keep_the_audio_length():
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.wav", Path(tmp) / "out.mp3"
        source.write_bytes(wav(speech_like(1.3)))
        subprocess.run(
            [
                media.ffmpeg_exe(),
                "-loglevel",
                "error",
                "-i",
                str(source),
                "-c:a",
                "libmp3lame",
                "-b:a",
                "64k",
                str(target),
            ],
            check=True,
            timeout=60,
        )
        mp3 = target.read_bytes()
    out = avatar.transform_avatar(request({"resolution": "480p", "fps": 12}, audio=mp3))
    info = media.probe(out.data)
    assert info.duration == pytest.approx(audio_probe.audio_duration(mp3), abs=0.1)
    assert info.fps == pytest.approx(12) and info.has_audio


def test_the_jaw_moves_only_around_the_lower_face():
    face = (177, 66, 95, 95)  # the astronaut's face box
    jaw = avatar._Jaw(PORTRAIT, face)
    opened = jaw.apply(1.0).astype(np.int16)
    assert np.array_equal(jaw.apply(0.0), PORTRAIT)
    changed = np.abs(opened - PORTRAIT).max(axis=2) > 8
    ys, xs = np.nonzero(changed)
    assert changed.sum() > 200  # visibly moved
    x, y, w, h = face
    assert ys.min() >= y + 0.6 * h and ys.max() <= y + 1.4 * h  # from the upper lip to the neck
    assert xs.min() >= x and xs.max() <= x + w


def test_a_mask_keeps_everything_outside_it_still():
    mask = np.zeros(PORTRAIT.shape[:2], np.uint8)
    mask[:, :256] = 255  # animate only the left half (which holds the face)
    out = avatar.transform_avatar(request(audio=silence_then_speech(0.5, 1.0), mask=png(mask)))
    frames = decode_grey(out.data, 854, 480)
    change = np.abs(frames[18:] - frames[0]).mean(axis=0)  # over the loud part
    assert change[:, :300].mean() > 1.0
    assert change[:, -300:].mean() < 0.3 * change[:, :300].mean()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"params": {"resolution": "1080p"}}, "resolution"),
        ({"params": {"fps": 200}}, "fps"),
        ({"params": {"focal_x": 2}}, "focal_x"),
        ({"audio": b"RIFF\x00\x00\x00\x00WAVE" + bytes(64)}, "audio"),
        ({"audio": silence_then_speech(0.2, 0.0)}, "audio"),
        ({"mask": png(np.zeros((100, 100), np.uint8))}, "mask"),
    ],
)
def test_bad_inputs_are_rejected_naming_the_field(kwargs, field):
    inputs = {"audio": silence_then_speech(0.5, 0.5), **{k: v for k, v in kwargs.items() if k != "params"}}
    with pytest.raises(ValueError, match=f"^{field}"):
        avatar.transform_avatar(request(kwargs.get("params"), **inputs))


def test_speech_is_required_and_at_most_ten_minutes():
    with pytest.raises(ValueError, match="^audio"):
        avatar.transform_avatar(request())
    over_ten_minutes = wav(np.zeros(8000 * 601), rate=8000, width=1)  # 4.8 MB, just over 10 min
    with pytest.raises(ValueError, match="^audio.*longer"):
        avatar.transform_avatar(request(audio=over_ten_minutes))
