"""The default catalogue: one SQLite file beside the vectors, in WAL mode (readers in many
threads, one writer at a time), with an FTS5 table for BM25 that each document's transaction
updates incrementally (triggers on `chunks`)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..chunking import Chunk
from ..documents import Document
from ..quotes import Quotation
from ..records import (
    ChunkToEmbed,
    DocumentFacts,
    QuotationSpan,
    SpeakerRow,
    StoredChunk,
    StoredQuotation,
    UnitVectors,
    chunk_id,
    document_id,
)
from .rows import ending_in, quotation_rows, speaker_row, speaker_rows_query, titled
from .sqlite_documents import DocumentReads, marks
from .sqlite_schema import MIGRATIONS, SCHEMA, use_wal

CATALOGUE_FILE = "catalogue.sqlite3"
_PART = 500  # ids per IN (...) list, well below SQLite's limit on parameters
_CHUNK_COLUMNS = 'c.chunk_id, c.path, d.source, c.title, c.ordinal, c.start, c."end", c.text'
_PATH_CHUNKS = "SELECT chunk_id FROM chunks WHERE path = ?"


class SQLiteCatalogue(DocumentReads):
    """The catalogue of one index in the SQLite file `path` (created and migrated on open)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        use_wal(lambda: self._db)
        self._db.executescript(SCHEMA)
        self._migrate()

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
            self._connections.append(db)
        return db

    def release_connection(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            self._local.db = None
            self._connections.remove(db)
            db.close()

    def close(self) -> None:
        for db in self._connections:
            db.close()
        self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _migrate(self) -> None:
        db = self._db
        if db.execute("PRAGMA user_version").fetchone()[0] >= len(MIGRATIONS):
            return
        with self._transaction():  # two processes opening an old index: one migrates, the other waits
            done = db.execute("PRAGMA user_version").fetchone()[0]
            for migration in MIGRATIONS[done:]:
                migration(db)
            db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

    # -- documents and chunks --------------------------------------------------------------------

    def rename_source(self, path: str, source: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE documents SET source = ? WHERE path = ?", (source, path))

    def document_hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT path, sha256 FROM documents"))

    def document_sha(self, path: str) -> str | None:
        row = self._db.execute("SELECT sha256 FROM documents WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def document_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def indexed_paths(self, paths: Sequence[str]) -> set[str]:
        return {
            row[0] for lo in range(0, len(paths), _PART)
            for row in self._db.execute(
                f"SELECT path FROM documents WHERE path IN ({marks(paths[lo:lo + _PART])})", paths[lo : lo + _PART]
            )
        }

    def chunk_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def chunk_ids(self) -> set[str]:
        return {cid for (cid,) in self._db.execute("SELECT chunk_id FROM chunks")}

    def sample_texts(self, limit: int) -> list[str]:
        rows = self._db.execute("SELECT text FROM chunks ORDER BY ordinal, id LIMIT ?", (limit,)).fetchall()
        return [text for (text,) in rows]

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        if not ids:
            return {}
        rows = self._db.execute(
            f"""SELECT {_CHUNK_COLUMNS}
                FROM chunks c JOIN documents d ON d.path = c.path WHERE c.chunk_id IN ({marks(ids)})""",
            list(ids),
        ).fetchall()
        return {row[0]: StoredChunk(*row) for row in rows}

    def chunks_to_embed(self, ids: Sequence[str]) -> list[ChunkToEmbed]:
        found = []
        for lo in range(0, len(ids), _PART):
            part = list(ids[lo : lo + _PART])
            found += [ChunkToEmbed(cid, path, source, title, bool(embedded), sha, ordinal, start, end, text)
                      for cid, path, source, title, embedded, sha, ordinal, start, end, text in self._db.execute(
                f"""SELECT c.chunk_id, c.path, d.source, d.title, d.title_embedded, d.sha256, c.ordinal, c.start,
                           c."end", c.text
                    FROM chunks c JOIN documents d ON d.path = c.path WHERE c.chunk_id IN ({marks(part)})
                    ORDER BY c.path, c.ordinal""",
                part,
            )]
        return found

    def document_lead(self, path: str) -> str:
        row = self._db.execute("SELECT text FROM chunks WHERE path = ? ORDER BY ordinal LIMIT 1", (path,)).fetchone()
        return row[0] if row else ""

    def chunks_covering(self, path: str, start: int, end: int) -> list[StoredChunk]:
        rows = self._db.execute(
            f"""SELECT {_CHUNK_COLUMNS}
               FROM chunks c JOIN documents d ON d.path = c.path
               WHERE c.path = ? AND c.start < ? AND c."end" > ? ORDER BY c.start""",
            (path, end, start),
        ).fetchall()
        return [StoredChunk(*row) for row in rows]

    def lexical_search(self, terms: Sequence[str], k: int) -> list[tuple[str, float]]:
        if not terms or k <= 0:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self._db.execute(
            """SELECT c.chunk_id, -bm25(chunks_fts, 0.5, 1.0) AS score
               FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
               WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 0.5, 1.0) LIMIT ?""",
            (match, k),
        ).fetchall()
        return [(cid, float(score)) for cid, score in rows]

    def unit_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        ids = list(dict.fromkeys(chunk_ids))
        found: dict[str, np.ndarray] = {}
        for lo in range(0, len(ids), _PART):
            part = ids[lo : lo + _PART]
            rows = self._db.execute(
                f"SELECT keys, vectors FROM unit_vectors WHERE chunk_id IN ({marks(part)})", part
            ).fetchall()
            for keys, blob in rows:
                names = keys.split()
                found.update(zip(names, np.frombuffer(blob, dtype=np.float32).reshape(len(names), -1), strict=True))
        return found

    def word_vectors(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(words))
        found: dict[str, np.ndarray] = {}
        for lo in range(0, len(wanted), _PART):
            part = wanted[lo : lo + _PART]
            rows = self._db.execute(f"SELECT word, vector FROM word_vectors WHERE word IN ({marks(part)})", part)
            found.update((word, np.frombuffer(blob, dtype=np.float32)) for word, blob in rows)
        return found

    def known_words(self, words: Sequence[str]) -> set[str]:
        wanted = list(dict.fromkeys(words))
        known: set[str] = set()
        for lo in range(0, len(wanted), _PART):
            part = wanted[lo : lo + _PART]
            rows = self._db.execute(f"SELECT word FROM word_vectors WHERE word IN ({marks(part)})", part)
            known.update(word for (word,) in rows)
        return known

    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else 0

    def next_generation(self) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO meta(key, value) VALUES ('generation', 1) "
                       "ON CONFLICT(key) DO UPDATE SET value = value + 1")

    def unit_backlog(self) -> list[str]:
        return [path for (path,) in self._db.execute("SELECT path FROM unit_backlog ORDER BY path")]

    # -- quotations ------------------------------------------------------------------------------

    def quotation_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM quotations").fetchone()[0]

    def quotation_backlog(self) -> set[str]:
        return {path for (path,) in self._db.execute("SELECT path FROM quotation_backlog")}

    def speaker_rows(self, surname: str | None = None, title: str | None = None) -> list[SpeakerRow]:
        return [speaker_row(row) for row in self._db.execute(*speaker_rows_query(surname, title, "?"))]

    def titled_speaker_keys(self, title: str) -> set[str]:
        rows = self._db.execute(f"SELECT DISTINCT speaker_key FROM quotations WHERE {titled('?')}",
                                (title, ending_in(title)))
        return {key for (key,) in rows}

    def quotation_spans(self, paths: Collection[str]) -> dict[str, list[QuotationSpan]]:
        wanted = list(dict.fromkeys(paths))
        spans: dict[str, list[QuotationSpan]] = {path: [] for path in wanted}
        if not wanted:
            return spans
        rows = self._db.execute(
            f"""SELECT path, start, "end", speaker_key FROM quotations
                WHERE kind = 'direct' AND path IN ({marks(wanted)}) ORDER BY path, start""",
            wanted,
        ).fetchall()
        for path, start, end, speaker_key in rows:
            spans[path].append(QuotationSpan(start, end, speaker_key))
        return spans

    def quotations_of(self, speaker_keys: Collection[str]) -> list[StoredQuotation]:
        keys = list(speaker_keys)
        if not keys:
            return []
        rows = self._db.execute(
            f"""SELECT q.path, d.source, d.title, d.date, q.ordinal, q.speaker, q.speaker_key, q.forms, q.title,
                       q.kind, q.start, q."end", q.text
                FROM quotations q JOIN documents d ON d.path = q.path
                WHERE q.speaker_key IN ({marks(keys)})
                ORDER BY d.date IS NULL, d.date DESC, d.source, q.start""",
            keys,
        ).fetchall()
        return [
            StoredQuotation(path, source, doc_title, date, ordinal, speaker, key, tuple(json.loads(forms)), title, kind,
                            start, end, text)
            for path, source, doc_title, date, ordinal, speaker, key, forms, title, kind, start, end, text in rows
        ]

    # -- writing ---------------------------------------------------------------------------------

    def journal_add(self, entries: Sequence[tuple[str, str | None]]) -> None:
        self._db.executemany("INSERT INTO journal(path, sha256) VALUES (?, ?)", entries)

    def journal_done(self, path: str, sha256: str | None) -> None:
        if sha256 is None:
            self._db.execute("DELETE FROM journal WHERE path = ?", (path,))
        else:
            self._db.execute("DELETE FROM journal WHERE path = ? AND sha256 = ?", (path, sha256))

    def journal_pending(self) -> list[str]:
        return [path for (path,) in self._db.execute("SELECT DISTINCT path FROM journal").fetchall()]

    def journal_clear(self) -> None:
        self._db.execute("DELETE FROM journal")

    def store_document(
        self, doc: Document, chunks: Sequence[Chunk], facts: DocumentFacts, ingested_at: float,
        units: Sequence[UnitVectors] | None = None,
    ) -> None:
        with self._transaction() as db:
            self._replace_units(db, doc.path, doc.sha256, units)
            db.execute("DELETE FROM chunks WHERE path = ?", (doc.path,))
            db.executemany(
                'INSERT INTO chunks(chunk_id, path, ordinal, start, "end", title, text) VALUES (?,?,?,?,?,?,?)',
                [(chunk_id(doc.path, doc.sha256, c.ordinal), doc.path, c.ordinal, c.start, c.end, doc.title, c.text)
                 for c in chunks],
            )
            db.execute(
                "INSERT OR REPLACE INTO documents(path, source, title, sha256, chunks, chars, ingested_at, date, "
                "title_embedded, doc_id, pages) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (doc.path, doc.source, doc.title, doc.sha256, len(chunks), len(doc.text), ingested_at, facts.date,
                 not doc.title_from_filename, document_id(doc.path),
                 json.dumps(list(doc.pages)) if doc.pages else None),
            )
            db.execute("INSERT OR REPLACE INTO document_texts(path, text) VALUES (?, ?)", (doc.path, doc.text))
            self._replace_quotations(db, doc.path, facts.quotations)

    def store_facts(self, doc: Document, facts: DocumentFacts) -> None:
        with self._transaction() as db:
            indexed = db.execute("SELECT sha256 FROM documents WHERE path = ?", (doc.path,)).fetchone()
            if indexed is None or indexed[0] != doc.sha256:
                return  # offsets must point into the text that was chunked
            db.execute("UPDATE documents SET date = ? WHERE path = ?", (facts.date, doc.path))
            self._replace_quotations(db, doc.path, facts.quotations)
            # Quotations group sentences into units: the units are embedded again from the new ones.
            db.execute("INSERT OR IGNORE INTO unit_backlog(path) VALUES (?)", (doc.path,))

    def store_word_vectors(self, words: Sequence[str], vectors: np.ndarray) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO word_vectors(word, vector) VALUES (?, ?)",
                [(w, np.asarray(v, dtype=np.float32).tobytes()) for w, v in zip(words, vectors, strict=True)],
            )

    def store_units(self, path: str, sha256: str, units: Sequence[UnitVectors]) -> bool:
        with self._transaction() as db:
            indexed = db.execute("SELECT sha256 FROM documents WHERE path = ?", (path,)).fetchone()
            if indexed is None or indexed[0] != sha256:
                return False  # replaced or removed since its chunks were read
            self._replace_units(db, path, sha256, units)
            return True

    def delete_document(self, path: str) -> None:
        with self._transaction() as db:
            db.execute(f"DELETE FROM unit_vectors WHERE chunk_id IN ({_PATH_CHUNKS})", (path,))
            db.execute("DELETE FROM unit_backlog WHERE path = ?", (path,))
            db.execute("DELETE FROM chunks WHERE path = ?", (path,))
            db.execute("DELETE FROM quotations WHERE path = ?", (path,))
            db.execute("DELETE FROM quotation_backlog WHERE path = ?", (path,))
            db.execute("DELETE FROM document_texts WHERE path = ?", (path,))
            db.execute("DELETE FROM documents WHERE path = ?", (path,))

    @staticmethod
    def _replace_units(db: sqlite3.Connection, path: str, sha256: str, units: Sequence[UnitVectors] | None) -> None:
        """Inside a transaction: the document's unit vectors become `units`; None (not computed)
        puts the document in the unit backlog."""
        db.execute(f"DELETE FROM unit_vectors WHERE chunk_id IN ({_PATH_CHUNKS})", (path,))
        if units is None:
            db.execute("INSERT OR IGNORE INTO unit_backlog(path) VALUES (?)", (path,))
            return
        db.execute("DELETE FROM unit_backlog WHERE path = ?", (path,))
        db.executemany(
            "INSERT OR REPLACE INTO unit_vectors(chunk_id, keys, vectors) VALUES (?, ?, ?)",
            [(chunk_id(path, sha256, u.ordinal), " ".join(u.keys), np.asarray(u.vectors, dtype=np.float32).tobytes())
             for u in units if u.keys],
        )

    @staticmethod
    def _replace_quotations(db: sqlite3.Connection, path: str, quotations: Sequence[Quotation]) -> None:
        """Inside a transaction: the document's quotations become `quotations`."""
        db.execute("DELETE FROM quotations WHERE path = ?", (path,))
        db.execute("DELETE FROM quotation_backlog WHERE path = ?", (path,))
        db.executemany(
            "INSERT INTO quotations(path, ordinal, speaker, speaker_key, surname_key, forms, title, title_key, kind, "
            'start, "end", text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
            quotation_rows(path, quotations),
        )
