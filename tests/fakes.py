"""A cheap, deterministic stand-in for the embedding model, for the tests that are not about the model
(marker rewriting, citation numbering, question checks): hashed bag-of-words vectors, normalised.

Texts sharing words get similar vectors, so retrieval still finds the passage that names what the
question names; nothing is loaded, so an index of the seeds builds in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import re
import threading
from functools import lru_cache

import numpy as np

from index.embedding import SentenceEmbedder

WORD = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def _bucket(word: str, dimension: int) -> tuple[int, float]:
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little") % dimension, 1.0 if digest[4] & 1 else -1.0


class FakeEmbedder(SentenceEmbedder):
    """The SentenceEmbedder interface the code uses (encode, query_vector, embed_documents, embed_query,
    dimension, texts_embedded) without a model. No token vectors, as with the ONNX backends.

    >>> fake = FakeEmbedder()
    >>> round(float(fake.encode(["the harbour ferry"])[0] @ fake.query_vector("harbour ferry")), 2)
    0.82
    """

    def __init__(self, dimension: int = 64):  # no super().__init__(): it loads the model
        self._dimension = dimension
        self.model_name, self.backend, self.batch_size = "fake-bag-of-words", "fake", 64
        self.texts_embedded = 0
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                column, sign = _bucket(word, self._dimension)
                vectors[row, column] += sign
            if not vectors[row].any():
                vectors[row, 0] = 1.0  # no words: still a unit vector
        with self._lock:
            self.texts_embedded += len(texts)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def query_vector(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def token_vectors(self, text: str) -> None:
        return None
