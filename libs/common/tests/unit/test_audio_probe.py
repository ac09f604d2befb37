"""Speech audio judged from its bytes: WAV headers and MP3 frames, without a decoder."""

import io
import wave

import pytest

from studio_common import audio_probe

# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo, no padding: 417-byte frames of 1152 samples.
FRAME = b"\xff\xfb\x90\x00" + bytes(413)


def pcm_wav(seconds: float, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(2 * int(seconds * rate)))
    return buffer.getvalue()


def test_wav_length_comes_from_its_header():
    info = audio_probe.validate_audio(pcm_wav(2.5), min_seconds=0.5, max_seconds=30)
    assert info.kind == "wav" and info.duration == pytest.approx(2.5) and info.content_type == "audio/wav"


def test_mp3_length_is_the_frames_it_holds():
    mp3 = FRAME * 100
    assert audio_probe.sniff_audio(mp3) == "mp3"
    assert audio_probe.audio_duration(mp3) == pytest.approx(100 * 1152 / 44100)
    id3 = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10)
    assert audio_probe.audio_duration(id3 + mp3 + b"TAG" + bytes(125)) == pytest.approx(100 * 1152 / 44100)


def test_a_file_that_only_starts_like_an_mp3_is_refused():
    with pytest.raises(ValueError, match="audio: could not be decoded"):
        audio_probe.validate_audio(FRAME[:4] + b"not really sound")


def test_bounds_and_formats_are_named():
    with pytest.raises(ValueError, match="shorter than the 3 s minimum"):
        audio_probe.validate_audio(pcm_wav(1.0), min_seconds=3, max_seconds=30)
    with pytest.raises(ValueError, match="longer than the 30 s maximum"):
        audio_probe.validate_audio(FRAME * 1200, max_seconds=30)
    with pytest.raises(ValueError, match="WAV or MP3"):
        audio_probe.validate_audio(b"OggS" + bytes(100))
    with pytest.raises(ValueError, match="empty"):
        audio_probe.validate_audio(b"")
