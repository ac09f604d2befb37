"""Benchmark the local provider's procedural renderer: median and best time of ten seeds at three sizes.

uv run python scripts/bench_render.py
"""

from studio_providers.local.render import RenderSpec, render


def main() -> None:
    import time

    for width, height in ((256, 256), (1024, 1024), (1080, 1920)):
        spec = RenderSpec("teal and orange abstract poster", width, height, seed=7)
        render(spec)  # warm-up
        timings = []
        for seed in range(10):
            start = time.perf_counter()
            render(RenderSpec(spec.prompt, width, height, seed=seed))
            timings.append(time.perf_counter() - start)
        timings.sort()
        print(f"{width}x{height}: median {timings[5] * 1e3:.1f} ms, best {timings[0] * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
