"""Shared fixtures: the real embedding model and a real on-disk index of the seeds, once per session,
and the same index built with the fake embedding of tests/fakes.py for the tests not about the model.

Every test runs offline, and no test touches the user's own index: ASSISTANT_INDEX_DIR points at
a temporary folder for the whole session. A test that needs the real model (a fixture named
`*embedder` other than `fake_embedder`, directly or through another) is marked `model`, as is one
marked so by hand: `pytest -m "not slow and not model"` is the fast unit layer.
"""

from __future__ import annotations

import os

import pytest

from .helpers import OFFLINE_ENV, SEEDS

os.environ.update(OFFLINE_ENV)


def pytest_configure(config):
    config.addinivalue_line("markers", "model: uses the real embedding model (deselect with -m 'not model')")


def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if any(name.endswith("embedder") and name != "fake_embedder" for name in fixtures):
            item.add_marker(pytest.mark.model)


@pytest.fixture(autouse=True, scope="session")
def _isolated_index_dir(tmp_path_factory):
    os.environ["ASSISTANT_INDEX_DIR"] = str(tmp_path_factory.mktemp("default-index"))
    yield


@pytest.fixture(scope="session")
def embedder():
    """The embedder the product runs by default (Settings' backend: onnx, exported once per machine)."""
    from assistant import Settings, make_embedder

    return make_embedder(Settings())


@pytest.fixture(scope="session")
def fake_embedder():
    """Hashed bag-of-words vectors (tests/fakes.py): for tests where the model is not what is tested."""
    from .fakes import FakeEmbedder

    return FakeEmbedder()


def _seed_index(embedder, index_dir):
    from assistant import Assistant, Settings

    assistant = Assistant(Settings(index_dir=index_dir), embedder=embedder)
    report = assistant.ingest([SEEDS])
    assert report.added and not report.skipped
    return assistant


@pytest.fixture(scope="session")
def seed_assistant(embedder, tmp_path_factory):
    """An Assistant over a real on-disk index of seeds/ (read-only for tests: do not ingest into it)."""
    return _seed_index(embedder, tmp_path_factory.mktemp("seed-index"))


@pytest.fixture(scope="session")
def fake_seed_assistant(fake_embedder, tmp_path_factory):
    """The seed index built and searched with the fake embedding: real chunks, offsets, BM25 and
    citations, dense scores of no meaning (read-only for tests)."""
    return _seed_index(fake_embedder, tmp_path_factory.mktemp("fake-seed-index"))


@pytest.fixture
def make_assistant(embedder, tmp_path):
    """Build an Assistant over a fresh index in this test's tmp_path (shares the model)."""
    from assistant import Assistant, Settings

    def make(**overrides):
        return Assistant(Settings(index_dir=tmp_path / "index", **overrides), embedder=embedder)

    return make


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server (tests/postgres.py), started the first time a test asks for it and
    stopped at the end of the session; each test keeps its tables in a schema of its own
    (`tests.postgres.fresh_schema_name`). Fails, rather than skips, without PostgreSQL: CI installs it."""
    from .postgres import PostgresUnavailableError, temporary_server

    server, folder = temporary_server()
    try:
        try:
            server.start()
        except PostgresUnavailableError as exc:
            pytest.fail(str(exc), pytrace=False)
        yield server
    finally:
        server.stop()
        folder.cleanup()
