"""Benchmark the social optimizer against a plain Pillow implementation of the same crops.

Builds a 4000x3000 photo-like JPEG (scikit-image's astronaut portrait, scaled up, with sensor-like
grain so that it compresses like a camera photo), then, each implementation in a fresh process:

* ``pyvips``: ``optimize()`` for all 20 formats in smart mode;
* ``pillow``: ``Image.open`` + full decode + the same focal analysis + for each format
  crop + ``resize(LANCZOS)`` + JPEG save at quality 90, sequentially.

Reports the best and median wall time of 5 warm runs, the first (cold) run, and the peak resident
memory added by the cold run (``VmHWM`` minus ``VmRSS`` before it, from /proc/self/status).

Usage: ``.venv/bin/python scripts/bench_social.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SOURCE_W, SOURCE_H = 4000, 3000


def build_source(path: str) -> None:
    import numpy as np
    import pyvips
    from skimage import data

    portrait = pyvips.Image.new_from_array(data.astronaut())
    big = portrait.resize(SOURCE_W / portrait.width, kernel="lanczos3")  # 4000x4000
    big = big.crop(0, 0, SOURCE_W, SOURCE_H)
    rng = np.random.default_rng(1234)
    grain = rng.normal(0.0, 6.0, size=(SOURCE_H, SOURCE_W, 1)).astype(np.float32)
    pixels = np.clip(big.numpy().astype(np.float32) + grain, 0, 255).astype(np.uint8)
    pyvips.Image.new_from_array(pixels, interpretation="srgb").jpegsave(path, Q=92)


def _status(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _run_pyvips(data: bytes):
    from studio_common.social_formats import FORMATS
    from studio_editing.domain.social.render import optimize

    outs = optimize(data, FORMATS, mode="smart")
    return [(o.format.id, o.width, o.height, len(o.data)) for o in outs]


def _run_pillow(data: bytes):
    import numpy as np
    from PIL import Image

    from studio_common.social_formats import FORMATS
    from studio_editing.domain.social.crop import crop_box
    from studio_editing.domain.social.focal import find_focal_point

    im = Image.open(io.BytesIO(data))
    im.load()
    if im.mode != "RGB":
        im = im.convert("RGB")
    small = im.copy()
    small.thumbnail((512, 512), Image.Resampling.BILINEAR)
    focal = find_focal_point(np.asarray(small))
    face_box = focal.box if focal.source == "face" else None
    result = []
    for fmt in FORMATS:
        box = crop_box(im.width, im.height, fmt.width, fmt.height, focal.point, "smart", face_box=face_box)
        out = im.crop((box.left, box.top, box.right, box.bottom)).resize(
            (fmt.width, fmt.height), Image.Resampling.LANCZOS
        )
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=90)
        result.append((fmt.id, out.width, out.height, buf.tell()))
    return result


def child(impl: str, path: str, runs: int) -> None:
    import numpy as np

    from studio_editing.domain.social.focal import find_focal_point

    run = {"pyvips": _run_pyvips, "pillow": _run_pillow}[impl]
    with open(path, "rb") as fh:
        data = fh.read()
    find_focal_point(np.zeros((64, 64, 3), np.uint8))  # load the cascades before measuring
    base = _status("VmRSS")
    t0 = time.perf_counter()
    first = run(data)
    cold = time.perf_counter() - t0
    peak = _status("VmHWM") - base
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run(data)
        times.append(time.perf_counter() - t0)
    bad = [r for r in first if r[1] <= 0 or r[2] <= 0]
    print(
        json.dumps(
            {
                "impl": impl,
                "cold": cold,
                "times": times,
                "peak_rss_delta": peak,
                "outputs": len(first),
                "output_bytes": sum(r[3] for r in first),
                "bad": len(bad),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("IMPL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.runs)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "source.jpg")
        build_source(path)
        size = os.path.getsize(path)
        print(
            f"source: {SOURCE_W}x{SOURCE_H} JPEG, {size / 1e6:.1f} MB; "
            f"20 formats, smart crop; cpus: {os.cpu_count()}"
        )
        results = {}
        for impl in ("pyvips", "pillow"):
            proc = subprocess.run(
                [sys.executable, __file__, "--runs", str(args.runs), "--child", impl, path],
                check=True,
                capture_output=True,
                text=True,
            )
            results[impl] = json.loads(proc.stdout.strip().splitlines()[-1])

    print()
    print(
        f"{'implementation':<30} {'best s':>8} {'median s':>9} {'cold s':>8} "
        f"{'peak RSS +MB':>13} {'outputs':>8}"
    )
    labels = {"pyvips": "optimize() (pyvips)", "pillow": "Pillow baseline (sequential)"}
    for impl, r in results.items():
        print(
            f"{labels[impl]:<30} {min(r['times']):>8.3f} {statistics.median(r['times']):>9.3f} "
            f"{r['cold']:>8.3f} {r['peak_rss_delta'] / 2**20:>13.1f} {r['outputs']:>8}"
        )
    ours, base = results["pyvips"], results["pillow"]
    speedup = statistics.median(base["times"]) / statistics.median(ours["times"])
    best_speedup = min(base["times"]) / min(ours["times"])
    print()
    print(f"speed-up (median): {speedup:.2f}x   (best): {best_speedup:.2f}x")
    ok = statistics.median(ours["times"]) < 1.0 and speedup >= 2.0
    print(f"goal (< 1 s and >= 2x faster): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
