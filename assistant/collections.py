"""The collections one server serves: named, isolated document sets, each an `Assistant` over an
index of its own (vectors, catalogue with lexical search and quotations, uploads), all sharing one
embedding model.

The default collection (`documents`) is the index directory itself, as every index was before
there were several; any other lives in `index_dir/collections/NAME/` and its Chroma collection
is `collection-NAME` (so one Chroma server can hold them all).
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

import index
from prompts import load_prompt

from .config import COLLECTION_PATTERN, Settings
from .errors import UnknownCollectionError
from .factory import shared_collections

if TYPE_CHECKING:
    from index.embedding import SentenceEmbedder

    from .core import Assistant


class Collections:
    """Opens each collection's `Assistant` on first use and keeps it; thread-safe."""

    def __init__(self, settings: Settings, *, embedder: SentenceEmbedder | None = None,
                 first: Assistant | None = None):
        self.settings = settings
        self._embedder = embedder if embedder is not None else (first.embedder if first is not None else None)
        self._open: dict[str, Assistant] = {} if first is None else {first.collection: first}
        self._lock = threading.Lock()

    @property
    def default(self) -> str:
        return self.settings.collection

    def names(self) -> list[str]:
        """The collections there are: the default one, then every other that was ingested or uploaded into."""
        found = {self.default, *self._open}
        folder = self.settings.index_dir / "collections"
        if self.settings.shared_catalogue:  # every worker's collections, as PostgreSQL holds them
            found.update(name for name in shared_collections(self.settings) if _valid(name))
        elif folder.is_dir():
            found.update(p.name for p in folder.iterdir() if index.catalogue_exists(p) and _valid(p.name))
        return sorted(found, key=lambda name: (name != self.default, name))

    def exists(self, name: str) -> bool:
        if name in self._open or name == self.default:
            return True
        if self.settings.shared_catalogue:
            return _valid(name) and name in shared_collections(self.settings)
        return _valid(name) and index.catalogue_exists(self.settings.collection_dir(name))

    def get(self, name: str | None = None, *, create: bool = False) -> Assistant:
        """The collection's assistant (the default one for None). UnknownCollectionError for a
        collection that does not exist, unless `create` (an upload into a new collection)."""
        name = name or self.default
        if name in self._open:
            return self._open[name]
        try:
            settings = self.settings.for_collection(name)
        except ValueError as exc:
            raise UnknownCollectionError(str(exc)) from None
        if not create and not self.exists(name):
            raise UnknownCollectionError(
                load_prompt("unknown_collection").format(name=name, known=", ".join(self.names())))
        with self._lock:
            if name not in self._open:
                from .core import Assistant

                assistant = Assistant(settings, embedder=self._embedder)
                self._embedder = assistant.embedder
                self._open[name] = assistant
            return self._open[name]

    def close(self) -> None:
        for assistant in self._open.values():
            assistant.close()


def _valid(name: str) -> bool:
    return re.fullmatch(COLLECTION_PATTERN, name) is not None
