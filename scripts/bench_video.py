"""Encode time of the local image-to-video operation: a 5 s camera move at 720p (and 1080p), H.264 MP4,
from a 1600x1200 photo, through the same function the transform worker calls.

    uv run python scripts/bench_video.py [--runs 3]
"""

import argparse
import io
import statistics
import time

from PIL import Image
from skimage import data as samples

from studio_providers.base import ProviderRequest
from studio_providers.local.media import probe
from studio_providers.local.video import transform_video


def photo_png() -> bytes:
    image = Image.fromarray(samples.astronaut()).resize((1600, 1200), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    image = photo_png()
    for resolution in ("720p", "1080p"):
        times, output = [], None
        for _ in range(args.runs):
            request = ProviderRequest(
                kind="transform.video",
                model="local-video",
                seed=1,
                inputs={"image": image},
                params={"resolution": resolution, "duration": 5, "motion": "zoom_in"},
            )
            started = time.perf_counter()
            output = transform_video(request)
            times.append(time.perf_counter() - started)
        info = probe(output.data, ".mp4")
        print(
            f"5 s at {resolution} ({info.width}x{info.height}, {info.fps:g} fps, {info.video_codec}, "
            f"{len(output.data) / 1e6:.1f} MB): best {min(times):.2f} s, "
            f"median {statistics.median(times):.2f} s"
        )


if __name__ == "__main__":
    main()
