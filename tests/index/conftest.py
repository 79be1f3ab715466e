"""Fixtures of the index tests: a fresh on-disk index (SQLite catalogue and Chroma) in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from index import IndexStore, open_chroma_client


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
