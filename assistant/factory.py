"""The one place the expensive parts are built from `Settings`: the embedding model and the assistant.

CLI, server, benchmarks and tests call these, so a setting (backend, model, cache) means the same everywhere.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .config import Settings
from .errors import AssistantError

if TYPE_CHECKING:
    from index import Catalogue
    from index.embedding import SentenceEmbedder

    from .core import Assistant

log = logging.getLogger("assistant")


def make_embedder(settings: Settings | None = None) -> SentenceEmbedder:
    """The sentence embedder `settings` name (model, backend, export cache); a missing onnx extra is
    an AssistantError of one line, not a traceback."""
    from index.embedding import EmbeddingBackendError, SentenceEmbedder

    settings = settings or Settings()
    try:
        return SentenceEmbedder(
            settings.embedding_model, backend=settings.embedding_backend, cache_dir=settings.model_cache,
            threads=settings.model_threads,
        )
    except (EmbeddingBackendError, OSError) as exc:
        if "embedding_backend" in settings.model_fields_set:
            if isinstance(exc, EmbeddingBackendError):
                raise AssistantError(str(exc)) from exc
            raise
        # The default backend is a speed-up, not a requirement: torch gives the same vectors. Said only
        # once torch has loaded (a model that cannot load at all fails with its own error).
        embedder = SentenceEmbedder(settings.embedding_model, backend="torch", cache_dir=settings.model_cache,
                                    threads=settings.model_threads)
        log.warning("the onnx embedding backend cannot run here (%s); using torch, which gives the same vectors", exc)
        return embedder


def open_assistant(settings: Settings | None = None, *, embedder: SentenceEmbedder | None = None) -> Assistant:
    """An `Assistant` over the index `settings` point at, sharing `embedder` when one is given."""
    from .core import Assistant

    return Assistant(settings or Settings(), embedder=embedder)


def open_catalogue(settings: Settings) -> Catalogue | None:
    """The collection's catalogue in PostgreSQL when `catalogue_url` is set (created and migrated
    on first use); None for the default, the SQLite file the store opens in the index directory."""
    url = settings.shared_catalogue
    if not url:
        return None
    from index import PostgresCatalogue

    try:
        return PostgresCatalogue(url, collection=settings.collection)
    except ValueError as exc:  # the URL does not parse: said without it (it may hold a password)
        raise AssistantError(str(exc)) from None


def shared_collections(settings: Settings) -> list[str]:
    """The collections the PostgreSQL catalogue at `catalogue_url` holds (each schema's comment names one)."""
    from index.catalogue.postgres_locks import check_url, connect, unavailable
    from index.catalogue.postgres_schema import SCHEMA_PREFIX

    url = settings.shared_catalogue
    try:
        check_url(url)
    except ValueError as exc:
        raise AssistantError(str(exc)) from None
    with unavailable(url), connect(url) as db:
        rows = db.execute(
            "SELECT obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE n.nspname LIKE %s "
            "AND EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = n.nspname AND t.tablename = 'documents')",
            (SCHEMA_PREFIX.replace("_", "\\_") + "%",),
        ).fetchall()
    return [name for (name,) in rows if name]
