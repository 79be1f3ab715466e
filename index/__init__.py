"""Ingestion: load files, chunk them with character offsets, embed them, store them in Chroma.

Nothing here knows about answering questions; `assistant` reads the index through this package.
"""

import os

# Offline always: nothing may reach the internet (model hubs, Chroma telemetry).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from .chunking import Chunk, Span, chunk_document, split_sentences  # noqa: E402
from .documents import Document, LoadError, load_document  # noqa: E402
from .ingest import IngestReport, discover_files, ingest  # noqa: E402
from .lock import IndexBusyError  # noqa: E402
from .quotes import Quotation, extract_quotations, normalise_speaker, same_speaker  # noqa: E402
from .store import (  # noqa: E402
    DocumentFacts, DocumentRecord, IndexDirError, IndexHealth, IndexStore, Speaker, StoredChunk, StoredQuotation,
    StoreUnavailableError, ensure_index_dir, lexical_terms, open_chroma_client,
)

__all__ = [
    "Chunk", "Document", "DocumentFacts", "DocumentRecord", "IndexBusyError", "IndexDirError", "IndexHealth", "IndexStore",
    "IngestReport", "LoadError", "Quotation", "Span", "Speaker", "StoreUnavailableError", "StoredChunk",
    "StoredQuotation",
    "chunk_document", "discover_files", "ensure_index_dir", "extract_quotations", "ingest", "lexical_terms",
    "load_document",
    "normalise_speaker", "open_chroma_client", "same_speaker", "split_sentences",
]
