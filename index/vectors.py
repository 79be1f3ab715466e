"""The vector index: one Chroma collection of chunk vectors (precomputed: Chroma never embeds),
on disk under the index directory or on a Chroma server.

Each vector carries its chunk's text and where it comes from (path, document hash, offsets), so a
document's vectors can be deleted by path, and those of an older version by hash.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from .directory import ensure_index_dir

# ef_search 100 missed exact neighbours at a few thousand chunks (bench: 27 of 313 top-35 lists
# differed from brute force); 400 matched exactly.
COLLECTION_METADATA = {"hnsw:space": "cosine", "hnsw:search_ef": 400, "hnsw:construction_ef": 200}
_BATCH = 1000  # ids per Chroma call
OPEN_LOCK_FILE = "chroma-open.lock"  # held while a process opens the on-disk Chroma


class StoreUnavailableError(Exception):
    """The Chroma server cannot be reached; the next request tries again."""


@contextmanager
def chroma_calls(where: str) -> Iterator[None]:
    """Turn a Chroma server's connection failures into StoreUnavailableError."""
    import httpx

    try:
        yield
    except httpx.TransportError as exc:
        raise StoreUnavailableError(
            f"the Chroma server is unreachable while {where} ({exc}); start it or check ASSISTANT_CHROMA_URL. "
            "Requests work again as soon as it is back."
        ) from exc


def vector_metadata(path: str, source: str, title: str, sha256: str, ordinal: int, start: int, end: int) -> dict:
    """What a vector is stored with: its chunk's document (path, hash) and place in it."""
    return {"path": path, "source": source, "title": title, "doc_sha": sha256, "ordinal": ordinal, "start": start,
            "end": end}


class VectorIndex:
    """The chunk vectors of one index: a cosine Chroma collection, searched and written directly."""

    def __init__(self, chroma_client: Any, collection_name: str = "documents"):
        self.client = chroma_client
        with chroma_calls("opening the collection"):
            self.collection = chroma_client.get_or_create_collection(
                collection_name, metadata=COLLECTION_METADATA, embedding_function=None
            )

    def upsert(
        self, ids: Sequence[str], vectors: Sequence[Any] | np.ndarray, texts: Sequence[str], metadatas: Sequence[dict]
    ) -> None:
        for lo in range(0, len(ids), _BATCH):
            hi = lo + _BATCH
            with chroma_calls("writing vectors"):
                self.collection.upsert(
                    ids=list(ids[lo:hi]), embeddings=np.asarray(vectors[lo:hi]), documents=list(texts[lo:hi]),
                    metadatas=list(metadatas[lo:hi]),
                )

    def delete(self, ids: Sequence[str]) -> None:
        for lo in range(0, len(ids), _BATCH):
            with chroma_calls("deleting vectors"):
                self.collection.delete(ids=list(ids[lo : lo + _BATCH]))

    def delete_document(self, path: str, keep_sha: str | None) -> None:
        """Delete the vectors of the document at `path`, all of them or those of other versions than `keep_sha`."""
        where = {"path": path} if keep_sha is None else {"$and": [{"path": path}, {"doc_sha": {"$ne": keep_sha}}]}
        with chroma_calls("deleting vectors"):
            self.collection.delete(where=where)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the k nearest vectors, best first."""
        if k <= 0:
            return []
        with chroma_calls("searching"):
            hits = self.collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()], n_results=k,
                include=["documents", "distances"],
            )
        # A cosine collection gives the cosine *distance*.
        return [
            (cid, 1.0 - float(distance))
            for cid, text, distance in zip(hits["ids"][0], hits["documents"][0], hits["distances"][0], strict=False)
            if text is not None
        ]

    def ids(self, page: int = 5000) -> Iterator[str]:
        """Every vector's id, `page` at a time (an index of 100k chunks is never listed in one call)."""
        offset = 0
        while True:
            with chroma_calls("listing vectors"):
                ids = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            yield from ids
            if len(ids) < page:
                return
            offset += page

    def count(self) -> int:
        with chroma_calls("counting vectors"):
            return self.collection.count()


def open_chroma_client(index_dir: str | Path, chroma_url: str = "") -> Any:
    """An on-disk Chroma under `index_dir/chroma`, or the server at `chroma_url`. Telemetry off."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "localhost", port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https", settings=settings,
            )
        except ValueError as exc:  # chromadb's "Could not connect to a Chroma server"
            raise StoreUnavailableError(
                f"no Chroma server answers at {chroma_url}; start it (chroma run --path DIR --port PORT) or "
                "check ASSISTANT_CHROMA_URL"
            ) from exc
    folder = ensure_index_dir(index_dir)
    # Chroma creates its tables when a client first opens a folder: two processes doing that at
    # once (two ingests, two server workers) fail with "table collections already exists".
    with open(folder / OPEN_LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return chromadb.PersistentClient(path=str(folder / "chroma"), settings=settings)
