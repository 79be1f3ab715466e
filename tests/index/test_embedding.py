"""index.embedding: the onnx and onnx-int8 backends against the torch model they are exported from.

Real model, real export (about 10 s, once per session into a temporary cache folder).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from index.embedding import MANIFEST_FILE, ONNX_FILE, EmbeddingBackendError, SentenceEmbedder

TEXTS = [
    "Who is the prime minister of Lithuania?",
    "The Baltic states left the Soviet-era power grid in 2025 and synchronised with continental Europe.",
    "Lithuanian Foreign Minister Kestutis Budrys said a European-level agreement remains the preferred "
    "outcome, but that time is of the essence. " * 12,  # longer than the 256-token window: truncated alike
    "Héllo wörld: “quotes”, 1990–95, ﬁ ligatures,\ttabs\n\nand blank lines.",
    "ok",
]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def torch_embedder():
    """The model as sentence-transformers loads it: what every export is checked against."""
    return SentenceEmbedder(backend="torch")


@pytest.fixture(scope="session")
def onnx_embedder(onnx_cache):
    return SentenceEmbedder(backend="onnx", cache_dir=onnx_cache)


@pytest.fixture(scope="session")
def int8_embedder(onnx_cache, onnx_embedder):  # after onnx_embedder: quantises its export
    return SentenceEmbedder(backend="onnx-int8", cache_dir=onnx_cache)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


def test_onnx_vectors_are_the_torch_vectors(torch_embedder, onnx_embedder):
    expected, got = torch_embedder.encode(TEXTS), onnx_embedder.encode(TEXTS)
    assert got.dtype == np.float32 and got.shape == expected.shape == (len(TEXTS), onnx_embedder.dimension)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert cosines(expected, got).min() > 0.999
    # Batching (and so padding) does not change a vector.
    one_by_one = np.stack([onnx_embedder.query_vector(text) for text in TEXTS])
    assert cosines(got, one_by_one).min() > 0.9999


def test_int8_vectors_are_close(torch_embedder, int8_embedder):
    expected, got = torch_embedder.encode(TEXTS), int8_embedder.encode(TEXTS)
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # Measured on eval chunks: mean 0.99, lowest 0.97 (docs/BENCHMARKS.md, "Encoder backends").
    assert cosines(expected, got).min() > 0.95
    assert cosines(expected, got).mean() > 0.98


def test_the_export_is_reused(onnx_cache, onnx_embedder, int8_embedder):
    (folder,) = [p for p in onnx_cache.iterdir()]
    files = sorted(p.name for p in folder.iterdir())
    assert {ONNX_FILE, MANIFEST_FILE, "tokenizer.json"} <= set(files) and any("int8" in f for f in files)
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    again = SentenceEmbedder(backend="onnx-int8", cache_dir=onnx_cache)

    assert [p for p in onnx_cache.iterdir()] == [folder]  # no second export, no temporary left behind
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps
    np.testing.assert_array_equal(again.encode(TEXTS[:2]), int8_embedder.encode(TEXTS[:2]))


def test_a_failed_export_leaves_no_half_model(tmp_path, monkeypatch):
    import index.onnx_backend

    def killed_half_way(model_dir, out):
        (out / ONNX_FILE).write_bytes(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(index.onnx_backend, "_export_to", killed_half_way)
    with pytest.raises(KeyboardInterrupt):
        SentenceEmbedder(backend="onnx", cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_extra_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if not installed: importing it raises ImportError
    with pytest.raises(EmbeddingBackendError, match=r"'onnx'.*pip install -e '\.\[onnx\]'.*BACKEND=torch"):
        SentenceEmbedder(backend="onnx", cache_dir=tmp_path)


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="onnx-int8"):
        SentenceEmbedder(backend="tensorrt")


def test_a_torch_index_is_searched_with_onnx_vectors(torch_embedder, onnx_embedder, tmp_path):
    """Switching the backend of an existing index needs no re-ingestion: same model, same vectors."""
    from assistant import Assistant, Settings

    from ..helpers import SEEDS

    torch_assistant = Assistant(Settings(index_dir=tmp_path / "index", embedding_backend="torch"),
                                embedder=torch_embedder)
    torch_assistant.ingest([SEEDS])
    onnx_assistant = Assistant(Settings(index_dir=tmp_path / "index"), embedder=onnx_embedder)
    question = "What did Budrys say?"
    expected = [d.metadata["chunk_id"] for d in torch_assistant.retrieve(question, 5).passages]
    assert [d.metadata["chunk_id"] for d in onnx_assistant.retrieve(question, 5).passages] == expected
    torch_assistant.close()
    onnx_assistant.close()


def test_the_assistant_reports_a_missing_extra_as_one_line(tmp_path, monkeypatch):
    from assistant import Assistant, AssistantError, Settings

    monkeypatch.setitem(sys.modules, "onnx", None)
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE", str(tmp_path / "cache"))
    with pytest.raises(AssistantError, match=r"pip install -e '\.\[onnx\]'") as info:
        Assistant(Settings(index_dir=tmp_path / "index", embedding_backend="onnx"))
    assert "\n" not in str(info.value)


def test_the_default_backend_falls_back_to_torch_where_onnx_cannot_run(tmp_path, monkeypatch, caplog):
    """onnx is the default for speed, not a requirement: without its packages the same vectors come from torch."""
    from assistant import Settings, make_embedder

    monkeypatch.setitem(sys.modules, "onnx", None)
    monkeypatch.delenv("ASSISTANT_EMBEDDING_BACKEND", raising=False)
    with caplog.at_level("WARNING", logger="assistant"):
        embedder = make_embedder(Settings(model_cache=tmp_path / "cache"))
    assert embedder.backend == "torch"
    assert "using torch" in caplog.text


def test_onnx_word_pieces_are_torchs(torch_embedder, onnx_embedder):
    """The support check reads word pieces in context; the onnx export gives the same ones as torch."""
    for text in TEXTS:
        torch_offsets, torch_vectors = torch_embedder.token_vectors(text)
        onnx_offsets, onnx_vectors = onnx_embedder.token_vectors(text)
        assert onnx_offsets == torch_offsets
        assert float((torch_vectors * onnx_vectors).sum(axis=1).min()) > 0.9999


def test_the_suite_runs_the_products_default_backend(embedder):
    """The session embedder is what users get: the onnx export, not a silent fallback to torch."""
    assert embedder.backend == "onnx"


def test_the_default_falls_back_when_its_cache_cannot_be_written(tmp_path, monkeypatch):
    from assistant import Settings, make_embedder

    monkeypatch.delenv("ASSISTANT_EMBEDDING_BACKEND", raising=False)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert make_embedder(Settings(model_cache=blocked / "cache")).backend == "torch"


@pytest.mark.model
def test_model_threads_reach_the_onnx_session(monkeypatch):
    """`ASSISTANT_MODEL_THREADS` (what `assistant serve --workers N` gives each worker) bounds the
    threads of one model call."""
    from assistant import Settings, make_embedder

    monkeypatch.setenv("ASSISTANT_MODEL_THREADS", "1")
    embedder = make_embedder(Settings())
    assert embedder.backend == "onnx"
    assert embedder.model.session.get_session_options().intra_op_num_threads == 1
    assert embedder.encode(["one thread"]).shape == (1, 384)
