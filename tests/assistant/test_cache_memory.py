"""The answerer's caches hold what they say they hold: a cached sentence vector keeps no batch alive."""

from __future__ import annotations

import gc
import weakref

import numpy as np

from assistant.units import VectorCache


def test_a_cached_vector_does_not_keep_its_batch_alive():
    batches = []

    def encode(texts):
        batch = np.ones((len(texts), 384), dtype=np.float32)
        batches.append(weakref.ref(batch))
        return batch

    cache = VectorCache(size=1)  # keeps one row of a 100-row batch
    vectors = cache.get_or_compute([f"sentence {i}" for i in range(100)], encode)
    assert vectors.shape == (100, 384)
    del vectors
    gc.collect()
    assert batches[0]() is None  # a view of the row would hold all 100 rows
