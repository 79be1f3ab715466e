"""The catalogue of an index: documents, chunks, lexical search, quotations, the write journal.

`Catalogue` is the interface (base.py); `SQLiteCatalogue` the default implementation (sqlite.py,
schema and migrations in sqlite_schema.py); `PostgresCatalogue` the one for many hosts (postgres.py,
schema and lexical index in postgres_schema.py, writer locks and claims in postgres_locks.py).
"""

from pathlib import Path

from .base import Catalogue
from .postgres import PostgresCatalogue
from .postgres_schema import schema_name
from .sqlite import CATALOGUE_FILE, SQLiteCatalogue

__all__ = ["CATALOGUE_FILE", "Catalogue", "PostgresCatalogue", "SQLiteCatalogue", "catalogue_exists", "schema_name"]


def catalogue_exists(index_dir: str | Path) -> bool:
    """Whether anything was ever ingested into the embedded catalogue of `index_dir`."""
    return (Path(index_dir) / CATALOGUE_FILE).is_file()
