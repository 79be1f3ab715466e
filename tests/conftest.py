"""Shared fixtures: the real embedding model and a real on-disk index of the seeds, once per session.

Every test runs offline, and no test touches the user's own index: ASSISTANT_INDEX_DIR points at
a temporary folder for the whole session.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
EVAL_DIR = ROOT.parent / "shared" / "eval"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True, scope="session")
def _isolated_index_dir(tmp_path_factory):
    os.environ["ASSISTANT_INDEX_DIR"] = str(tmp_path_factory.mktemp("default-index"))
    yield


@pytest.fixture(scope="session")
def embedder():
    from index.embedding import SentenceEmbedder

    return SentenceEmbedder()


@pytest.fixture(scope="session")
def seed_assistant(embedder, tmp_path_factory):
    """An Assistant over a real on-disk index of seeds/ (read-only for tests: do not ingest into it)."""
    from assistant import Assistant, Settings

    assistant = Assistant(Settings(index_dir=tmp_path_factory.mktemp("seed-index")), embedder=embedder)
    report = assistant.ingest([SEEDS])
    assert report.added and not report.skipped
    return assistant


@pytest.fixture
def make_assistant(embedder, tmp_path):
    """Build an Assistant over a fresh index in this test's tmp_path (shares the model)."""
    from assistant import Assistant, Settings

    def make(**overrides):
        return Assistant(Settings(index_dir=tmp_path / "index", **overrides), embedder=embedder)

    return make
