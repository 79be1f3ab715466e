"""What the UI may know of the index's documents, named here so that `ui` reaches `index` only
through `assistant`: a document's record, the page of an offset in a PDF, the types we read."""

from index.documents import SUPPORTED_SUFFIXES, page_of
from index.records import DocumentRecord

UPLOAD_SUFFIXES = tuple(sorted(SUPPORTED_SUFFIXES))

__all__ = ["UPLOAD_SUFFIXES", "DocumentRecord", "page_of"]
