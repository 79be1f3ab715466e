"""The index directory: created on first use, and checked writable before SQLite or Chroma try."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .documents import shown


class IndexDirError(Exception):
    """The index directory cannot be created or written."""


def ensure_index_dir(index_dir: str | Path) -> Path:
    """Create the index directory and check that files can be written in it, or raise
    IndexDirError saying which directory and what to do (rather than a SQLite or Chroma error)."""
    path = Path(index_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        raise IndexDirError(
            f"cannot write the index directory {shown(str(path))} ({exc.strerror or exc}); set ASSISTANT_INDEX_DIR "
            "(or --index-dir) to a folder you can write, or fix its permissions"
        ) from exc
    return path
