"""A WAV file's format and length from its RIFF chunks alone, before anything decodes it: PCM, float
and extensible WAV alike (the `wave` module reads only integer PCM). Decoding is what costs memory, so
an upload's length and sample rate are judged here first."""

import struct
from dataclasses import dataclass

MIN_SAMPLE_RATE = 8_000
MAX_SAMPLE_RATE = 384_000
MAX_CHANNELS = 8


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
