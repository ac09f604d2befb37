"""Speech audio judged from its bytes alone, before anything decodes it: WAV or MP3, the format, the sample
rate and the length. Standard library only, so the gateway checks an upload without a decoder, and the
workers that later decode it (ffmpeg) read the same answer.

WAV: the RIFF chunks (PCM, float and extensible alike; the `wave` module reads only integer PCM). MP3:
every MPEG Layer III frame header is walked, so a file that merely starts like an MP3 is caught, and the
encoder's delay and padding (the LAME tag) are taken off as a decoder does."""

import struct
from dataclasses import dataclass

from studio_common.content_types import AUDIO_TYPES

MAX_AUDIO_BYTES = 15 * 1024 * 1024
MAX_SECONDS = 600.0
MIN_SAMPLE_RATE = 8_000
MAX_SAMPLE_RATE = 384_000
MAX_CHANNELS = 8


@dataclass(frozen=True, slots=True)
class AudioInfo:
    kind: str  # "wav" | "mp3"
    duration: float

    @property
    def suffix(self) -> str:
        return "." + self.kind

    @property
    def content_type(self) -> str:
        return AUDIO_TYPES[self.kind]


@dataclass(frozen=True, slots=True)
class WavFormat:
    sample_rate: int
    channels: int
    bits_per_sample: int
    data_bytes: int
    byte_rate: int

    @property
    def duration(self) -> float:
        return self.data_bytes / self.byte_rate


def _chunks(data: bytes):
    offset = 12
    while offset + 8 <= len(data):
        name, size = data[offset : offset + 4], struct.unpack_from("<I", data, offset + 4)[0]
        yield name, offset + 8, size
        offset += 8 + size + (size & 1)


def read_wav_format(data: bytes) -> WavFormat:
    """ValueError("audio: ...") when the header is missing, inconsistent or outside what speech needs."""
    fmt = data_bytes = None
    for name, start, size in _chunks(data):
        if name == b"fmt " and size >= 16:
            fmt = struct.unpack_from("<HHIIHH", data, start)
        elif name == b"data":
            data_bytes = min(size, len(data) - start)  # a streamed WAV may claim more than it holds
            break
    if fmt is None or data_bytes is None:
        raise ValueError("audio: the WAV file has no format or no data chunk")
    _tag, channels, rate, byte_rate, block_align, bits = fmt
    if not 1 <= channels <= MAX_CHANNELS:
        raise ValueError(f"audio: {channels} channels is not supported (1 to {MAX_CHANNELS})")
    if rate < MIN_SAMPLE_RATE:
        raise ValueError(f"audio: a sample rate of {rate} Hz is below the {MIN_SAMPLE_RATE} Hz minimum")
    if rate > MAX_SAMPLE_RATE:
        raise ValueError(f"audio: a sample rate of {rate} Hz is above the {MAX_SAMPLE_RATE} Hz maximum")
    expected = rate * block_align
    if bits == 0 or block_align == 0 or byte_rate != expected:
        raise ValueError("audio: the WAV header is inconsistent (byte rate, block size and rate disagree)")
    if data_bytes == 0:
        raise ValueError("audio: contains no sound")
    return WavFormat(rate, channels, bits, data_bytes, byte_rate)


# MPEG Layer III: kbit/s by bitrate index, Hz by sample-rate index, for MPEG-1 and for MPEG-2/2.5.
_BITRATES = {
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True, slots=True)
class _Frame:
    length: int
    samples: int
    rate: int
    side_info: int  # bytes of side information after the 4-byte header


def _mp3_frame(data: bytes, offset: int) -> _Frame | None:
    """The MPEG-1/2/2.5 Layer III frame whose header is at `offset` (11 sync bits, no reserved fields)."""
    if offset + 4 > len(data) or data[offset] != 0xFF or data[offset + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[offset + 1] >> 3) & 3, (data[offset + 1] >> 1) & 3
    bitrate_index, rate_index = data[offset + 2] >> 4, (data[offset + 2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None  # free-format (index 0) streams are not accepted
    mpeg1 = version == 3
    rate = _SAMPLE_RATES[version][rate_index]
    padding = (data[offset + 2] >> 1) & 1
    per_frame = 1152 if mpeg1 else 576
    length = per_frame // 8 * _BITRATES[mpeg1][bitrate_index] * 1000 // rate + padding
    mono = data[offset + 3] >> 6 == 3
    side_info = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
    return _Frame(length, per_frame, rate, side_info)


def _first_frame_offset(data: bytes) -> int | None:
    """Past any ID3v2 tags and the zero padding after them."""
    offset = 0
    while data[offset : offset + 3] == b"ID3" and offset + 10 <= len(data):
        size = 0
        for byte in data[offset + 6 : offset + 10]:  # syncsafe integer, 7 bits per byte
            if byte & 0x80:
                return None
            size = (size << 7) | byte
        footer = 10 if data[offset + 5] & 0x10 else 0
        offset += 10 + size + footer
    if offset and offset >= len(data):
        return None
    while offset < len(data) and data[offset] == 0 and offset < 64 * 1024:
        offset += 1
    return offset


def sniff_audio(data: bytes) -> str | None:
    """Returns "wav" for RIFF/WAVE, "mp3" for an ID3 tag or an MPEG Layer III frame sync, else None."""
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    offset = _first_frame_offset(data)
    return "mp3" if offset is not None and _mp3_frame(data, offset) else None


def _encoder_gap(data: bytes, offset: int, frame: _Frame) -> int | None:
    """Samples of encoder delay plus padding when the frame is a Xing/Info frame (which holds no sound),
    0 when it carries no LAME tag, None when it is an ordinary frame."""
    tag = offset + 4 + frame.side_info
    if data[tag : tag + 4] not in (b"Xing", b"Info"):
        return None
    flags = struct.unpack_from(">I", data, tag + 4)[0] if tag + 8 <= len(data) else 0
    lame = tag + 8 + 4 * (flags & 1) + 4 * (flags >> 1 & 1) + 100 * (flags >> 2 & 1) + 4 * (flags >> 3 & 1)
    if data[lame : lame + 4] not in (b"LAME", b"Lavc", b"Lavf") or lame + 24 > len(data):
        return 0
    a, b, c = data[lame + 21 : lame + 24]
    return (a << 4 | b >> 4) + ((b & 0x0F) << 8 | c)


def mp3_duration(data: bytes) -> float:
    """Seconds of an MP3 by walking its frames; ValueError("audio: ...") when it holds none."""
    offset = _first_frame_offset(data)
    samples, rate, gap, first = 0, 0, 0, True
    while offset is not None and (frame := _mp3_frame(data, offset)):
        if offset + frame.length > len(data):
            break  # a truncated last frame decodes to nothing
        encoder_gap = _encoder_gap(data, offset, frame) if first else None
        if encoder_gap is None:
            samples, rate = samples + frame.samples, frame.rate
        else:
            gap = encoder_gap
        first = False
        offset += frame.length
    if not rate or samples <= gap:
        raise ValueError("audio: could not be decoded (no MPEG audio frames)")
    return (samples - gap) / rate


def audio_duration(data: bytes) -> float:
    """Seconds of audio: the WAV header for WAV, the frames for MP3. ValueError("audio: ...") when it is
    neither WAV nor MP3 or cannot be read."""
    return _duration(data, _kind(data))


def _kind(data: bytes) -> str:
    kind = sniff_audio(data)
    if kind is None:
        raise ValueError("audio: must be WAV or MP3")
    return kind


def _duration(data: bytes, kind: str) -> float:
    return read_wav_format(data).duration if kind == "wav" else mp3_duration(data)


def validate_audio(
    data: bytes | None, *, min_seconds: float = 0.0, max_seconds: float | None = None
) -> AudioInfo:
    """WAV or MP3 only, at most 15 MB, a sample rate of at least 8 kHz, readable, within the caller's
    duration bounds. Every failure is a ValueError whose message starts with the field name "audio"."""
    if not data:
        raise ValueError("audio: empty or missing")
    if len(data) > MAX_AUDIO_BYTES:
        raise ValueError(f"audio: {len(data) / 1e6:.1f} MB is larger than the 15 MB limit")
    limit = min(max_seconds or MAX_SECONDS, MAX_SECONDS)
    kind = _kind(data)
    duration = _duration(data, kind)
    if duration < min_seconds:
        raise ValueError(f"audio: {duration:.2f} s is shorter than the {min_seconds:g} s minimum")
    if duration > limit:
        raise ValueError(f"audio: {duration:.2f} s is longer than the {limit:g} s maximum")
    return AudioInfo(kind, duration)
