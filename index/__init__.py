"""Ingestion: load files, chunk them with character offsets, embed them, store them in Chroma.

Nothing here knows about answering questions; `assistant` reads the index through this package.
The offline environment is set here, once, before anything imports a model hub or Chroma.
"""

# First: the offline environment is set before anything imports a model hub, Chroma or Gradio.
from .offline import OFFLINE_ENVIRONMENT

# isort: split
from .catalogue import CATALOGUE_FILE, Catalogue, PostgresCatalogue, SQLiteCatalogue, catalogue_exists
from .chunking import Chunk, Span, chunk_document, split_sentences
from .directory import IndexDirError, ensure_index_dir
from .discovery import discover_files
from .documents import Document, LoadError, load_document
from .ingest import IngestReport, ingest
from .lock import IndexBusyError
from .names import normalise_speaker, role_label, same_speaker, split_title
from .quotes import Quotation, extract_quotations
from .records import (
    DocumentFacts,
    DocumentRecord,
    DocumentWrite,
    IndexHealth,
    QuotationSpan,
    StoredChunk,
    StoredQuotation,
)
from .speakers import Speaker, SpeakerDirectory, called_by
from .store import IndexStore
from .terms import SPEECH_VERBS, STOPWORDS, lexical_terms
from .vectors import StoreUnavailableError, VectorIndex, open_chroma_client

__all__ = [
    "CATALOGUE_FILE", "OFFLINE_ENVIRONMENT", "STOPWORDS", "SPEECH_VERBS", "Catalogue", "Chunk", "Document",
    "DocumentFacts",
    "DocumentRecord", "DocumentWrite", "IndexBusyError", "IndexDirError", "IndexHealth", "IndexStore",
    "IngestReport", "LoadError", "PostgresCatalogue", "Quotation", "QuotationSpan",
    "SQLiteCatalogue", "Span", "Speaker", "SpeakerDirectory", "called_by",
    "StoreUnavailableError", "StoredChunk", "StoredQuotation", "VectorIndex",
    "catalogue_exists", "chunk_document", "discover_files", "ensure_index_dir", "extract_quotations", "ingest",
    "lexical_terms", "load_document", "normalise_speaker", "open_chroma_client", "role_label", "same_speaker",
    "split_sentences",
    "split_title",
]
