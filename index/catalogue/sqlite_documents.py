"""The SQLite catalogue's reads of whole documents: their records (with id, pages and quotation
count), a document by id or by its chunks, and its stored text (what the citation viewer shows)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from ..records import DocumentRecord, document_id


def marks(values: Sequence) -> str:
    return ",".join("?" * len(values))


class DocumentReads:
    """Mixed into `SQLiteCatalogue`, whose `_db` is this thread's connection."""

    @property
    def _db(self) -> sqlite3.Connection:
        raise NotImplementedError

    def documents(self) -> list[DocumentRecord]:
        return self._records("ORDER BY d.source")

    def document(self, doc_id: str) -> DocumentRecord | None:
        found = self._records("WHERE d.doc_id = ?", (doc_id,))
        return found[0] if found else None

    def documents_of(self, chunk_ids: Sequence[str]) -> dict[str, DocumentRecord]:
        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return {}
        paths = dict(self._db.execute(f"SELECT chunk_id, path FROM chunks WHERE chunk_id IN ({marks(ids)})", ids))
        wanted = sorted(set(paths.values()))
        by_path = {r.path: r for r in self._records(f"WHERE d.path IN ({marks(wanted)})", wanted)} if wanted else {}
        return {cid: by_path[path] for cid, path in paths.items() if path in by_path}

    def _records(self, where: str, args: Sequence = ()) -> list[DocumentRecord]:
        rows = self._db.execute(
            f"""SELECT d.path, d.source, d.title, d.sha256, d.chunks, d.chars, d.ingested_at, d.date, d.doc_id, d.pages,
                       (SELECT count(*) FROM quotations q WHERE q.path = d.path)
                FROM documents d {where}""",
            list(args),
        ).fetchall()
        return [
            DocumentRecord(path, source, title, sha, chunks, chars, at, date, doc_id or document_id(path),
                           tuple(json.loads(pages)) if pages else (), quotations)
            for path, source, title, sha, chunks, chars, at, date, doc_id, pages, quotations in rows
        ]

    def document_text(self, path: str) -> str | None:
        row = self._db.execute("SELECT text FROM document_texts WHERE path = ?", (path,)).fetchone()
        if row is not None:
            return row[0]
        # Indexed before texts were stored: the chunks, at their offsets, with spaces between them.
        record = self._db.execute("SELECT chars FROM documents WHERE path = ?", (path,)).fetchone()
        if record is None:
            return None
        text = [" "] * record[0]
        for start, end, chunk in self._db.execute('SELECT start, "end", text FROM chunks WHERE path = ?', (path,)):
            text[start:end] = chunk
        return "".join(text)
