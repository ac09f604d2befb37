"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) through onnxruntime and its WordPiece tokenizer.

Vectors are 384 float32, mean-pooled over the tokens and L2-normalised, so a dot product is the
cosine. Without the model files ``embed`` answers None and search by meaning is unavailable (the
library then searches by keyword only and says so).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from studio_providers.models import store

DIMENSIONS = 384
MAX_TOKENS = 128  # titles, prompts and tags are short; longer text is cut
MODEL_ID = "all-MiniLM-L6-v2-int8"
_lock = threading.Lock()  # the tokenizer's padding and truncation settings are shared state


def _load_tokenizer(path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def _load_model(path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def available() -> bool:
    return store.locate("minilm") is not None and store.locate("minilm-tokenizer") is not None


def embed(texts: Sequence[str]) -> np.ndarray | None:
    """(len(texts), 384) unit vectors, or None when the model files are absent."""
    tokenizer = store.load("minilm-tokenizer", _load_tokenizer)
    session = store.load("minilm", _load_model)
    if tokenizer is None or session is None:
        return None
    if not texts:
        return np.zeros((0, DIMENSIONS), np.float32)
    with _lock:
        encoded = tokenizer.encode_batch([text or "" for text in texts])
    ids = np.array([e.ids for e in encoded], np.int64)
    mask = np.array([e.attention_mask for e in encoded], np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    names = {i.name for i in session.get_inputs()}
    hidden = session.run(None, {k: v for k, v in feeds.items() if k in names})[0]
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
