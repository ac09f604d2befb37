"""The shipped models: load time, CPU time per image or text, memory added; cut-out quality against
constructed ground truth, old method vs new; library search latency by meaning at 10k and 100k assets.

    uv run python scripts/bench_models.py [--quick]

Each model is measured in a fresh process, so "RSS added" is what loading it and one use add to a
worker. Mask quality: five composites of real photographs (scikit-image samples) whose true outline
is known because it was constructed: a round fundus photograph (its black surround thresholded, then
checked by eye) and elliptical or rounded-rectangle cut-outs of photos, pasted off-centre onto other
photographs of texture (grass, brick, gravel) or of a scene without a closer subject (a launch pad).
Left out on purpose: a photo card of a person (the models rightly cut out the person, not the card)
and any background holding an object of its own (a cup on a table is a subject too).
IoU is of alpha >= 0.5 against that outline, for the previous method (saliency-seeded GrabCut) and the models.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from skimage import data as samples

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def photo(width: int = 1024) -> np.ndarray:
    image = samples.astronaut()
    return cv2.resize(image, (width, width * 3 // 4), interpolation=cv2.INTER_CUBIC)


def _cpu_per_call(call, repeats: int) -> float:
    call()  # warm
    start = time.process_time()
    for _ in range(repeats):
        call()
    return (time.process_time() - start) / repeats * 1000


def measure_one(name: str, repeats: int) -> dict:
    """Runs inside a fresh process: load, first use, CPU per call."""
    from studio_providers.local import cv
    from studio_providers.models import embed, faces, segment, store

    image = photo()
    before = rss_mb()
    loaders = {
        "selfie": segment._load_selfie,
        "blazeface": faces._load_net,
        "u2netp": segment._load_u2netp,
        "minilm": embed._load_model,
    }
    calls = {
        "selfie": lambda: segment.person_mask(image),
        "blazeface": lambda: faces.find_faces(image),
        "u2netp": lambda: segment.salient_mask(image),
        "minilm": lambda: embed.embed(["a red sports car on a highway at dusk"]),
        "subject_matte": lambda: segment.subject_matte(image),
        "grabcut_saliency (old)": lambda: cv.foreground_matte(image),
    }
    load_ms = None
    if name in loaders:
        started = time.perf_counter()
        store.load(name, loaders[name])
        load_ms = (time.perf_counter() - started) * 1000
    cpu = _cpu_per_call(calls[name], repeats)
    return {"model": name, "load_ms": load_ms, "cpu_ms": cpu, "rss_added_mb": rss_mb() - before}


def model_table(repeats: int) -> None:
    print("per model (fresh process each; image 1024x768; CPU time per call):")
    print(f"{'model':<24}{'load ms':>10}{'CPU ms/call':>14}{'RSS added MB':>15}")
    for name in ("selfie", "blazeface", "u2netp", "minilm", "subject_matte", "grabcut_saliency (old)"):
        out = subprocess.run(
            [sys.executable, __file__, "--one", name, "--repeats", str(repeats)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        load = f"{row['load_ms']:.1f}" if row["load_ms"] is not None else "-"
        print(f"{name:<24}{load:>10}{row['cpu_ms']:>14.1f}{row['rss_added_mb']:>15.1f}")
    print(
        "  blazeface = whole image plus its overlapping tiles; subject_matte = faces + selfie + u2netp +"
        " full-resolution refinement"
    )


# ---------------------------------------------------------------------------
# Mask quality on constructed ground truth
# ---------------------------------------------------------------------------


def _rgb(grey: np.ndarray) -> np.ndarray:
    return np.repeat(grey[..., None], 3, axis=2) if grey.ndim == 2 else grey


def _background(image: np.ndarray, width: int, height: int) -> np.ndarray:
    return cv2.resize(_rgb(image), (width, height), interpolation=cv2.INTER_CUBIC)


def _fundus(side: int) -> tuple[np.ndarray, np.ndarray]:
    """The retina photograph and its outline: the surround is black, so a low threshold is the truth."""
    retina = cv2.resize(samples.retina(), (side, side), interpolation=cv2.INTER_AREA)
    outline = cv2.cvtColor(retina, cv2.COLOR_RGB2GRAY) > 18
    outline = cv2.morphologyEx(outline.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)) > 0
    return retina, outline


def _shape_cut(image: np.ndarray, width: int, height: int, shape: str) -> tuple[np.ndarray, np.ndarray]:
    cut = cv2.resize(_rgb(image), (width, height), interpolation=cv2.INTER_AREA)
    outline = np.zeros((height, width), np.uint8)
    if shape == "ellipse":
        cv2.ellipse(outline, (width // 2, height // 2), (width // 2 - 1, height // 2 - 1), 0, 0, 360, 1, -1)
    else:  # a rounded rectangle, like a printed photo card
        r = min(width, height) // 8
        cv2.rectangle(outline, (r, 0), (width - r, height), 1, -1)
        cv2.rectangle(outline, (0, r), (width, height - r), 1, -1)
        for cx, cy in ((r, r), (width - r, r), (r, height - r), (width - r, height - r)):
            cv2.circle(outline, (cx, cy), r, 1, -1)
    return cut, outline > 0


def _paste(background: np.ndarray, subject: np.ndarray, outline: np.ndarray, x: int, y: int):
    image, truth = background.copy(), np.zeros(background.shape[:2], bool)
    h, w = outline.shape
    region = image[y : y + h, x : x + w]
    region[outline] = subject[outline]
    truth[y : y + h, x : x + w] = outline
    return image, truth


def composites() -> list[tuple[str, np.ndarray, np.ndarray]]:
    cases = []
    retina, outline = _fundus(300)
    grass = _background(samples.grass(), 800, 600)
    cases.append(("fundus on grass", *_paste(grass, retina, outline, 420, 80)))
    retina, outline = _fundus(220)
    brick = _background(samples.brick(), 640, 480)
    cases.append(("fundus on brick", *_paste(brick, retina, outline, 60, 220)))
    cup, outline = _shape_cut(samples.coffee()[20:380, 60:460], 320, 290, "ellipse")
    cases.append(
        ("coffee ellipse on gravel", *_paste(_background(samples.gravel(), 800, 600), cup, outline, 80, 150))
    )
    cat, outline = _shape_cut(samples.chelsea()[0:300, 60:360], 260, 260, "ellipse")
    cases.append(
        (
            "cat ellipse on launch pad",
            *_paste(_background(samples.rocket(), 800, 534), cat, outline, 500, 220),
        )
    )
    card, outline = _shape_cut(samples.rocket()[:, 100:540], 220, 214, "card")
    cases.append(
        (
            "launch-pad photo card on grass",
            *_paste(_background(samples.grass(), 800, 533), card, outline, 520, 260),
        )
    )
    return cases


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    found = alpha >= 0.5
    return float((found & truth).sum() / max(1, (found | truth).sum()))


def mask_table(save_dir: Path | None) -> None:
    from studio_providers.local import cv
    from studio_providers.models.segment import subject_matte

    print("\ncut-out quality, IoU against the constructed outline (old: saliency GrabCut; new: models):")
    print(f"{'image':<32}{'old':>8}{'new':>8}  method")
    olds, news = [], []
    for name, image, truth in composites():
        old, new = cv.foreground_matte(image), subject_matte(image)
        olds.append(iou(old, truth))
        news.append(iou(new.alpha, truth))
        print(f"{name:<32}{olds[-1]:>8.3f}{news[-1]:>8.3f}  {new.method}")
        if save_dir:
            masks = [_rgb((m * 255).astype(np.uint8)) for m in (truth, old, new.alpha)]
            row = np.concatenate([image, *masks], axis=1)
            cv2.imwrite(str(save_dir / f"{name.replace(' ', '_')}.png"), cv2.cvtColor(row, cv2.COLOR_RGB2BGR))
    print(f"{'mean':<32}{np.mean(olds):>8.3f}{np.mean(news):>8.3f}")


# ---------------------------------------------------------------------------
# Search latency
# ---------------------------------------------------------------------------


async def _search_latency(count: int, repeats: int) -> dict:
    from sqlalchemy import insert

    from studio_assets.adapters import embeddings
    from studio_assets.adapters.tables import asset_embeddings, assets, metadata
    from studio_assets.domain.meaning import rank
    from studio_assets.domain.search import AssetQuery
    from studio_assets.service_layer import meaning
    from studio_common import db
    from studio_common.ids import utcnow
    from studio_providers.models import embed

    with tempfile.TemporaryDirectory() as scratch:
        engine = db.make_engine(f"sqlite+aiosqlite:///{scratch}/bench.db")
        await db.create_schema(engine, metadata)
        sessions = db.session_factory(engine)
        rng = np.random.default_rng(1)
        now = utcnow()
        async with sessions() as session, session.begin():
            for start in range(0, count, 5000):
                n = min(5000, count - start)
                vectors = rng.standard_normal((n, embed.DIMENSIONS)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                ids = [f"a{start + i:07d}" for i in range(n)]
                await session.execute(
                    insert(assets),
                    [
                        {
                            "id": i,
                            "user_id": "u",
                            "operation_id": i,
                            "output_index": 0,
                            "type": "image",
                            "module": "create",
                            "operation": "create",
                            "provider": "local",
                            "model": "m",
                            "prompt": "",
                            "title": "t",
                            "cost_credits": 0,
                            "bytes": 1,
                            "content_type": "image/png",
                            "storage_key": i,
                            "status": "completed",
                            "favourite": False,
                            "version": 1,
                            "download_count": 0,
                            "share_count": 0,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i in ids
                    ],
                )
                await session.execute(
                    insert(asset_embeddings),
                    [
                        {
                            "asset_id": i,
                            "user_id": "u",
                            "model": embed.MODEL_ID,
                            "vector": v.tobytes(),
                            "updated_at": now,
                        }
                        for i, v in zip(ids, vectors, strict=True)
                    ],
                )
        embeddings._cache.clear()
        query = embed.embed(["automobile"])[0]
        async with sessions() as session:
            started = time.perf_counter()
            vectors = await embeddings.for_user(session, "u", embed.MODEL_ID)
            cold = time.perf_counter() - started
            warm_times = []
            for _ in range(repeats):
                started = time.perf_counter()
                vectors = await embeddings.for_user(session, "u", embed.MODEL_ID)
                embed.embed(["automobile"])
                rank(vectors.ids, vectors.matrix, query)
                warm_times.append(time.perf_counter() - started)
            hybrid_times = []
            for _ in range(repeats):  # the whole library query: keyword match over every asset, then meaning
                started = time.perf_counter()
                await meaning.search(session, AssetQuery(user_id="u", search="automobile"), "hybrid")
                hybrid_times.append(time.perf_counter() - started)
        await engine.dispose()
    return {
        "count": count,
        "cold_ms": cold * 1000,
        "warm_p50_ms": float(np.median(warm_times)) * 1000,
        "hybrid_p50_ms": float(np.median(hybrid_times)) * 1000,
        "cache_mb": vectors.matrix.nbytes / 1e6,
    }


def search_table(sizes: list[int], repeats: int) -> None:
    print("\nsearch by meaning, one user's library on SQLite, ranked in process (query embedding included):")
    print(
        f"{'assets':>8}{'first search ms':>18}{'ranking p50 ms':>16}{'hybrid query p50 ms':>21}"
        f"{'vectors MB':>12}"
    )
    for count in sizes:
        row = asyncio.run(_search_latency(count, repeats))
        print(
            f"{row['count']:>8}{row['cold_ms']:>18.0f}{row['warm_p50_ms']:>16.1f}{row['hybrid_p50_ms']:>21.1f}"
            f"{row['cache_mb']:>12.1f}"
        )
    print(
        "  first search: vectors read into the per-process cache; ranking: cache check (one aggregate"
        " query), query embedding, cosine ranking;\n  hybrid query: the whole library answer (keyword"
        " match over every asset, ranking, filters, one page)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, search at 10k only")
    parser.add_argument("--save-masks", type=Path, help="write image | truth | old | new strips here")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.repeats)))
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    repeats = 3 if args.quick else args.repeats
    model_table(repeats)
    if args.save_masks:
        args.save_masks.mkdir(parents=True, exist_ok=True)
    mask_table(args.save_masks)
    search_table([10_000] if args.quick else [10_000, 100_000], repeats)


if __name__ == "__main__":
    main()
