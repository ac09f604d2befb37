"""transform.video on the local provider: the camera path maths, real H.264 encodes checked by probing
them, the audio track, and validation of every parameter."""

import io
import subprocess
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio_common import audio_probe
from studio_providers.base import ProviderRequest
from studio_providers.local import media, video
from studio_providers.local.provider import LocalProvider
from studio_providers.local.transform import TRANSFORM_OPERATIONS


def wav_tone(seconds: float, rate: int = 16_000, frequency: float = 440.0, amplitude: float = 0.5) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    samples = (amplitude * np.sin(2 * np.pi * frequency * t) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.tobytes())
    return buffer.getvalue()


def mp3_from_wav(data: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.wav", Path(tmp) / "out.mp3"
        source.write_bytes(data)
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
        return target.read_bytes()


def sample_image(width: int = 640, height: int = 640) -> np.ndarray:
    """A picture with structure everywhere (gradients and a grid), so any camera move changes pixels."""
    ys, xs = np.mgrid[0:height, 0:width]
    rgb = np.stack([xs * 255 // width, ys * 255 // height, ((xs // 40 + ys // 40) % 2) * 200], axis=-1)
    return rgb.astype(np.uint8)


def png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def request(params: dict, **inputs: bytes) -> ProviderRequest:
    inputs.setdefault("image", png(sample_image()))
    return ProviderRequest(kind="transform.video", model="local-motion", seed=7, params=params, inputs=inputs)


def decode_grey(data: bytes, width: int, height: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "video.mp4"
        path.write_bytes(data)
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
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width)


# ------------------------------------------------------------------------------------------- path maths


def inside(path: np.ndarray, width: int, height: int) -> bool:
    x, y, w, h = path.T
    tolerance = 1e-6
    return bool(
        np.all(x >= -tolerance)
        and np.all(y >= -tolerance)
        and np.all(x + w <= width + tolerance)
        and np.all(y + h <= height + tolerance)
    )


def test_zoom_in_starts_on_the_full_view_and_ends_zoomed_toward_the_focal_point():
    width, height, focal = 1068, 600, (0.55, 0.45)
    path = video.crop_path(width, height, 48, "zoom_in", focal)
    assert path.shape == (48, 4)
    np.testing.assert_allclose(path[0], [0, 0, width, height], atol=1e-9)
    x, y, w, h = path[-1]
    assert w == pytest.approx(width / video.MAX_ZOOM) and h == pytest.approx(height / video.MAX_ZOOM)
    # The final view is centred on the focal point (it is far enough from the edges here).
    assert x + w / 2 == pytest.approx(0.55 * width) and y + h / 2 == pytest.approx(0.45 * height)
    assert inside(path, width, height)
    # The zoom only ever tightens, and eases in and out: slow at both ends, fastest in the middle.
    steps = -np.diff(path[:, 2])
    assert np.all(steps >= -1e-9)
    assert steps[0] < steps[len(steps) // 2] and steps[-1] < steps[len(steps) // 2]


def test_zoom_toward_a_focal_point_in_a_corner_stays_inside_the_image():
    width, height = 1068, 600
    path = video.crop_path(width, height, 30, "zoom_in", (0.0, 1.0))
    assert inside(path, width, height)
    x, y, _, h = path[-1]
    assert x == pytest.approx(0.0) and y + h == pytest.approx(height)  # pushed into the bottom-left corner


@pytest.mark.parametrize("motion", video.MOTIONS)
def test_every_motion_keeps_the_aspect_and_stays_inside(motion):
    width, height = 1600, 900
    path = video.crop_path(width, height, 60, motion, (0.3, 0.6))
    assert inside(path, width, height)
    np.testing.assert_allclose(path[:, 2] / path[:, 3], width / height)
    assert np.ptp(path[:, 0]) + np.ptp(path[:, 2]) > 10  # it really moves


def test_zoom_out_reverses_zoom_in_and_pans_travel_the_named_way():
    width, height = 1068, 600
    zoom_in = video.crop_path(width, height, 24, "zoom_in", (0.6, 0.5))
    zoom_out = video.crop_path(width, height, 24, "zoom_out", (0.6, 0.5))
    np.testing.assert_allclose(zoom_out, zoom_in[::-1])
    left = video.crop_path(width, height, 24, "pan_left")
    right = video.crop_path(width, height, 24, "pan_right")
    assert np.all(np.diff(left[:, 0]) <= 1e-9) and left[0, 0] > left[-1, 0]
    assert np.all(np.diff(right[:, 0]) >= -1e-9) and right[0, 0] < right[-1, 0]


def test_unknown_motion_is_rejected_by_name():
    with pytest.raises(ValueError, match="^motion"):
        video.crop_path(100, 100, 10, "spin")


def test_cover_fit_keeps_the_focal_subject_and_gives_the_exact_size():
    rgb = sample_image(400, 1000)  # portrait into a landscape frame: most of the height is cropped
    fitted, focal, box = video.cover_fit(rgb, (854, 480), (0.5, 0.9))
    assert fitted.shape == (480, 854, 3)
    _, y, w, h = box
    assert w == 400 and y + h == 1000  # the crop slid down to the focal point at the bottom
    assert 0.5 < focal[1] <= 1.0


def test_a_detected_face_becomes_the_focal_point():
    from skimage import data

    portrait = data.astronaut()  # 512x512, one frontal face around (225, 113)
    fx, fy = video.auto_focal(portrait)
    assert abs(fx * 512 - 225) < 40 and abs(fy * 512 - 113) < 40
    assert video.auto_focal(sample_image()) == (0.5, 0.5)  # no face: the centre


# --------------------------------------------------------------------------------------------- encoding


def test_two_seconds_at_480p_is_h264_at_the_exact_size_rate_and_length():
    data = video.render_video(sample_image(), 854, 480, 2, 24, "zoom_in")
    info = media.probe(data)
    assert info.video_codec == "h264"
    assert (info.width, info.height) == (854, 480)
    assert info.fps == pytest.approx(24)
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert not info.has_audio
    frames = decode_grey(data, 854, 480)
    assert len(frames) == 48
    # The camera moves: the last frame is not the first.
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 5


def test_audio_is_encoded_as_aac_and_cut_to_the_video_length():
    data = video.render_video(sample_image(), 854, 480, 2, 24, "pan_right", audio=wav_tone(3.0))
    info = media.probe(data)
    assert info.has_audio and info.audio_codec == "aac"
    assert info.video_codec == "h264"
    assert info.duration == pytest.approx(2.0, abs=0.1)


def test_operation_with_mp3_audio_shorter_than_the_video_pads_it():
    audio = mp3_from_wav(wav_tone(3.2))
    out = video.transform_video(
        request({"resolution": "480p", "duration": 5, "motion": "ken_burns"}, audio=audio)
    )
    info = media.probe(out.data)
    assert (out.content_type, out.width, out.height, out.seed) == ("video/mp4", 854, 480, 7)
    assert out.duration_seconds == pytest.approx(5.0)
    assert info.has_audio and info.audio_codec == "aac"
    assert info.duration == pytest.approx(5.0, abs=0.1)


def test_five_seconds_at_720p(capsys):
    started = time.perf_counter()
    params = {"resolution": "720p", "duration": 5, "focal_x": 0.25, "focal_y": 0.25}
    out = video.transform_video(request(params))
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[local transform.video] 5 s at 720p (120 frames, libx264 veryfast): {elapsed:.2f} s")
    info = media.probe(out.data)
    assert (info.video_codec, info.width, info.height) == ("h264", 1280, 720)
    assert info.duration == pytest.approx(5.0, abs=0.1)
    assert (out.width, out.height, out.duration_seconds) == (1280, 720, 5.0)


async def test_the_local_provider_runs_the_registered_operation():
    provider = LocalProvider(TRANSFORM_OPERATIONS)
    assert provider.supports("transform.video", "local-motion")
    assert provider.supports("transform.avatar", "local-avatar")
    assert provider.supports("transform.3d", "local-relief")
    with pytest.raises(ValueError, match="^duration"):
        await provider.run(request({"resolution": "480p", "duration": 3}))


# ------------------------------------------------------------------------------------------- validation


def test_random_bytes_as_audio_are_rejected_naming_audio():
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="^audio"):
        video.transform_video(request({"resolution": "480p", "duration": 5}, audio=rng.bytes(20_000)))
    # A valid-looking MP3 frame header followed by noise is still not audio.
    with pytest.raises(ValueError, match="^audio"):
        video.transform_video(
            request({"resolution": "480p", "duration": 5}, audio=b"\xff\xfb\x90\x00" + rng.bytes(20_000))
        )


def test_audio_over_15_mb_is_rejected_naming_audio():
    too_big = wav_tone(0.1)[:44] + bytes(15 * 1024 * 1024)
    with pytest.raises(ValueError, match="^audio.*15 MB"):
        video.transform_video(request({"resolution": "480p", "duration": 5}, audio=too_big))


def test_audio_outside_the_length_bounds_is_rejected_naming_audio():
    with pytest.raises(ValueError, match="^audio.*shorter"):
        video.transform_video(request({"resolution": "480p", "duration": 5}, audio=wav_tone(1.0)))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"resolution": "4k"}, "resolution"),
        ({"duration": 7}, "duration"),
        ({"duration": "five"}, "duration"),
        ({"motion": "spin"}, "motion"),
        ({"focal_x": 1.5}, "focal_x"),
        ({"focal_y": -0.1}, "focal_y"),
        ({"fps": 0}, "fps"),
        ({"fps": True}, "fps"),
    ],
)
def test_bad_parameters_are_rejected_naming_the_field(params, field):
    with pytest.raises(ValueError, match=f"^{field}"):
        video.transform_video(request({"resolution": "480p", "duration": 5, **params}))


def test_a_missing_or_broken_image_is_rejected_naming_image():
    with pytest.raises(ValueError, match="^image"):
        video.transform_video(request({"duration": 5}, image=b"not an image"))


# ------------------------------------------------------------------------------------------ media helpers


def test_probe_parsing_reads_the_stream_summary():
    text = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':
  Duration: 00:01:02.50, start: 0.000000, bitrate: 156 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), \
1280x720 [SAR 1:1 DAR 16:9], 74 kb/s, 23.98 fps, 23.98 tbr, 24k tbn (default)
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)"""
    info = media.parse_probe(text)
    assert info == media.MediaInfo(62.5, 1280, 720, 23.98, True, "h264", "aac")
    with pytest.raises(ValueError):
        media.parse_probe("x.bin: Invalid data found when processing input")


def test_audio_duration_for_wav_and_mp3():
    tone = wav_tone(1.5)
    assert audio_probe.sniff_audio(tone) == "wav"
    assert audio_probe.audio_duration(tone) == pytest.approx(1.5)
    mp3 = mp3_from_wav(tone)
    assert audio_probe.sniff_audio(mp3) == "mp3"
    assert audio_probe.audio_duration(mp3) == pytest.approx(1.5, abs=0.06)
    assert audio_probe.sniff_audio(b"OggS" + bytes(100)) is None
