"""Fixtures of the index tests: a fresh on-disk index (SQLite catalogue and Chroma) in tmp_path, and
two "hosts" sharing one PostgreSQL catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from index import IndexStore, PostgresCatalogue, open_chroma_client


@pytest.fixture
def new_store(tmp_path) -> Iterator[Callable[..., IndexStore]]:
    """`new_store(name="ix")` opens the index tmp_path/name (again, if it was opened before); every
    store opened is closed after the test."""
    opened: list[IndexStore] = []

    def open_store(name: str = "ix") -> IndexStore:
        store = IndexStore(tmp_path / name, open_chroma_client(tmp_path / name))
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def two_hosts(postgres_server, tmp_path) -> Iterator[list[IndexStore]]:
    """Two stores standing for two hosts: each its own PostgreSQL catalogue object (its own pool and
    writer session) on one collection of the session's server, one Chroma client between them (as
    hosts share a Chroma server)."""
    collection = "hosts_" + uuid.uuid4().hex[:8]
    chroma = open_chroma_client(tmp_path / "chroma")
    stores = [
        IndexStore(tmp_path / f"host-{n}", chroma, None, collection,
                   catalogue=PostgresCatalogue(postgres_server.url, collection=collection))
        for n in (1, 2)
    ]
    yield stores
    for store in stores:
        store.close()
