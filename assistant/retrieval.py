"""Hybrid retrieval: dense search in Chroma and BM25 over the same chunks, fused by reciprocal rank.

`HybridRetriever` is a LangChain retriever, so it composes with any chain; `mode` switches to
dense-only or lexical-only (the benchmarks compare all three in one run).
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from typing import Any, Literal, TypeVar

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index import IndexStore
from index.embedding import SentenceEmbedder

from .models import Passage

Mode = Literal["hybrid", "dense", "lexical"]
Key = TypeVar("Key", bound=Hashable)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Key]], k: int) -> list[tuple[Key, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank), rank from 1. Ties keep
    the order in which ids first appear, so the first list breaks them.

    >>> reciprocal_rank_fusion([["a", "b"], ["b", "c"]], k=1)
    [('b', 0.8333333333333333), ('a', 0.5), ('c', 0.3333333333333333)]
    """
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: kv[1], reverse=True)


class HybridRetriever(BaseRetriever):
    """Top-`k` chunks for a query as LangChain Documents (metadata: offsets, source, scores)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: IndexStore
    embedder: SentenceEmbedder
    k: int  # Settings: k, candidates, rrf_k
    candidates: int
    rrf_k: int
    mode: Mode = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None, k: int | None = None,
        **_: Any,
    ) -> list[Document]:
        return self.retrieve(query, k)[0]

    def retrieve(self, query: str, k: int | None = None) -> tuple[list[Document], dict[str, float]]:
        """The top-k documents, and the time each stage took in milliseconds."""
        k = k or self.k
        timings: dict[str, float] = {}
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        depth = max(self.candidates, k)
        if self.mode in ("hybrid", "dense"):
            t0 = time.perf_counter()
            vector = self.embedder.query_vector(query)
            t1 = time.perf_counter()
            # Ask for a few more than needed: vectors of a document still being written are dropped.
            dense = self.store.dense_search(vector, depth + 5)
            timings["embed_query"] = (t1 - t0) * 1000
            timings["dense"] = (time.perf_counter() - t1) * 1000
        if self.mode in ("hybrid", "lexical"):
            t0 = time.perf_counter()
            lexical = self.store.lexical_search(query, depth)
            timings["lexical"] = (time.perf_counter() - t0) * 1000

        t0 = time.perf_counter()
        chunks = self.store.chunks_by_id([cid for cid, _ in dense] + [cid for cid, _ in lexical])
        dense = [(cid, s) for cid, s in dense if cid in chunks][:depth]
        lexical = [(cid, s) for cid, s in lexical if cid in chunks]
        fused = reciprocal_rank_fusion([[c for c, _ in dense], [c for c, _ in lexical]], k=self.rrf_k)
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        docs = []
        top = fused[:k]
        # Where the documents' quotations are, so answer units keep a quotation whole (assistant/units.py).
        spans = self.store.quotation_spans([chunks[cid].path for cid, _ in top])
        for rank, (cid, score) in enumerate(top, start=1):
            chunk = chunks[cid]
            quotations = [q for q in spans.get(chunk.path, ()) if q.start < chunk.end and q.end > chunk.start]
            docs.append(
                Document(
                    id=cid,
                    page_content=chunk.text,
                    metadata={
                        "chunk_id": cid, "path": chunk.path, "source": chunk.source, "title": chunk.title,
                        "start": chunk.start, "end": chunk.end, "score": score, "rank": rank,
                        "dense_score": dense_scores.get(cid), "lexical_score": lexical_scores.get(cid),
                        "quotations": quotations,
                    },
                )
            )
        timings["fusion"] = (time.perf_counter() - t0) * 1000
        return docs, timings


def to_passage(doc: Document) -> Passage:
    m = doc.metadata
    return Passage(
        chunk_id=m["chunk_id"], source=m["source"], title=m["title"], start=m["start"], end=m["end"],
        text=doc.page_content, score=round(float(m["score"]), 6),
    )
