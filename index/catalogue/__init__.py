"""The catalogue of an index: documents, chunks, lexical search, quotations, the write journal.

`Catalogue` is the interface (base.py); `SQLiteCatalogue` the default implementation (sqlite.py,
schema and migrations in sqlite_schema.py). A new backend goes beside them, as postgres.py.
"""

from pathlib import Path

from .base import Catalogue
from .sqlite import CATALOGUE_FILE, SQLiteCatalogue

__all__ = ["CATALOGUE_FILE", "Catalogue", "SQLiteCatalogue", "catalogue_exists"]


def catalogue_exists(index_dir: str | Path) -> bool:
    """Whether anything was ever ingested into the embedded catalogue of `index_dir`."""
    return (Path(index_dir) / CATALOGUE_FILE).is_file()
