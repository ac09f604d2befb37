"""Texts that indexing handlers running side by side ask vectors for share one call of the (real) model,
and each handler gets exactly the vectors of its own texts."""

import asyncio

import numpy as np

from studio_assets.service_layer import meaning
from studio_providers.models import embed as text_model


async def test_texts_asked_for_side_by_side_share_one_model_call(monkeypatch):
    real, calls = text_model.embed, []

    def recorded(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(text_model, "embed", recorded)
    first = asyncio.create_task(meaning.vectors_for(["a lighthouse at dusk"]))
    await asyncio.sleep(0)  # its model call is under way
    groups = [["red shoes on white", "blue shoes"], ["a cat asleep"]]
    together = await asyncio.gather(*(meaning.vectors_for(texts) for texts in groups))
    await first
    assert calls == [["a lighthouse at dusk"], ["red shoes on white", "blue shoes", "a cat asleep"]]
    for texts, vectors in zip(groups, together, strict=True):
        assert vectors.shape == (len(texts), text_model.DIMENSIONS)
        np.testing.assert_allclose(vectors, real(texts), atol=1e-5)
