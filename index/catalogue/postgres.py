"""The catalogue in PostgreSQL (ASSISTANT_CATALOGUE_URL), for workers and ingest runs on any number
of hosts: every table of the SQLite catalogue, in one PostgreSQL schema per collection, through a
pool of psycopg 3 connections shared by the process's threads.

Lexical search is PostgreSQL full-text search: each chunk's `tsvector` (its title's words, then
its text's, stemmed in Python exactly as the rest of the assistant stems) is
written in the transaction that writes the chunk, and a GIN index over it finds the chunks that
hold any query word. They are ranked by Okapi BM25 as SQLite's FTS5 computes it (k1 = 1.2,
b = 0.75, a title word counting 0.5, FTS5's IDF with its floor), from each hit's term
frequencies and length: `ts_rank` and `ts_rank_cd` know neither a word's rarity across chunks
nor a chunk's length against the average, and ranking by them lost recall (docs/BENCHMARKS.md).

A connection that PostgreSQL drops (a restart, a failover) is replaced at the next request; while
none can be had, every call raises `StoreUnavailableError` (the API's 503 with Retry-After).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..chunking import Chunk
from ..documents import Document
from ..quotes import Quotation
from ..records import (
    ChunkToEmbed,
    DocumentFacts,
    DocumentRecord,
    StoredChunk,
    UnitVectors,
    chunk_id,
    document_id,
)
from .postgres_locks import (
    PostgresWriterLock,
    advisory_key,
    check_if_idle,
    check_url,
    connect,
    connection_lost,
    returned,
    unavailable,
)
from .postgres_quotations import QuotationReads
from .postgres_schema import BM25_QUERY, MIGRATIONS, query_lexemes, schema_name, tsquery_literal, tsvector_literal
from .rows import quotation_rows

_CHUNK_COLUMNS = 'c.chunk_id, c.path, d.source, c.title, c.ordinal, c.start, c."end", c.text'
_PATH_CHUNKS = "SELECT chunk_id FROM chunks WHERE path = %s"

class PostgresCatalogue(QuotationReads):
    """One collection's catalogue in the PostgreSQL database at `url`, in schema `schema` (created
    and migrated on open); `collection` names it (the schema's comment, for listing collections)."""

    shared = True  # writers on other hosts use it at the same time (IndexStore takes PostgresWriterLock)

    def __init__(self, url: str, schema: str | None = None, *, collection: str = "documents",
                 max_connections: int = 8, timeout: float = 3.0):
        from psycopg_pool import ConnectionPool

        # While PostgreSQL is down the pool would log every reconnection it tries; requests say it (503).
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        given = check_url(url)  # ValueError, without the URL, before anything could quote it
        self._writer: PostgresWriterLock | None = None
        self.url = url
        self.schema = schema or schema_name(collection)
        self.collection = collection
        # The URL's own options (a statement_timeout, say) are kept, the collection's schema added.
        options = f"{given.get('options', '')} -c search_path={self.schema}".strip()
        with unavailable(url):
            with connect(url) as db:  # the schema before the pool, whose connections search it
                self._migrate(db)
            self._pool = ConnectionPool(
                url, min_size=1, max_size=max_connections, timeout=timeout, open=True, name=f"catalogue-{self.schema}",
                kwargs={"autocommit": True, "options": options}, check=check_if_idle, reset=returned,
            )

    def writer_lock(self) -> PostgresWriterLock:
        """The lock every writer of this catalogue holds, from any host (see PostgresWriterLock);
        while it is held, every writing transaction checks that its session still holds it."""
        self._writer = PostgresWriterLock(self.url, self.schema)
        return self._writer

    @contextmanager
    def _db(self) -> Iterator[Any]:
        with unavailable(self.url), self._pool.connection() as db:
            yield db

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A writing transaction: it commits only while this process's writer (if it has one) still
        holds its lock (WriterLostError otherwise, and nothing is written)."""
        with unavailable(self.url), self._pool.connection() as db, db.transaction():
            if self._writer is not None:
                self._writer.check(db)
            yield db

    def _rows(self, sql: str, args: Any = ()) -> list[tuple]:
        """A read, tried once more on a fresh connection when the pooled one turns out broken (a
        PostgreSQL restarted within the last seconds, while that connection was in use)."""
        import psycopg

        with unavailable(self.url):
            try:
                with self._pool.connection() as db:
                    return db.execute(sql, args).fetchall()
            except psycopg.OperationalError as exc:
                if not connection_lost(exc):
                    raise
                self._pool.check()  # the other idle connections were broken by the same restart
            with self._pool.connection() as db:
                return db.execute(sql, args).fetchall()

    def _one(self, sql: str, args: Any = ()) -> Any:
        rows = self._rows(sql, args)
        return rows[0][0] if rows else None

    def _migrate(self, db: Any) -> None:
        from psycopg import sql

        schema = sql.Identifier(self.schema)
        with db.transaction():
            # Two workers starting at once: one migrates, the other waits here and finds it done.
            db.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key("migrate", self.schema),))
            db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            db.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(schema, sql.Literal(self.collection)))
            db.execute(sql.SQL("SET LOCAL search_path TO {}").format(schema))
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            done = row[0] if row else 0
            for statements in MIGRATIONS[done:]:
                for statement in statements:
                    db.execute(statement)
            db.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', %s) ON CONFLICT (key) DO UPDATE SET value = "
                "greatest(meta.value, excluded.value)", (len(MIGRATIONS),),
            )

    def release_connection(self) -> None:
        """Nothing to do: connections go back to the pool after every call."""

    def close(self) -> None:
        self._pool.close()

    # -- documents and chunks --------------------------------------------------------------------

    def documents(self) -> list[DocumentRecord]:
        return self._records('ORDER BY d.source COLLATE "C"')  # code points, as SQLite orders

    def document(self, doc_id: str) -> DocumentRecord | None:
        found = self._records("WHERE d.doc_id = %s", (doc_id,))
        return found[0] if found else None

    def documents_of(self, chunk_ids: Sequence[str]) -> dict[str, DocumentRecord]:
        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return {}
        paths = dict(self._rows("SELECT chunk_id, path FROM chunks WHERE chunk_id = ANY(%s)", (ids,)))
        wanted = sorted(set(paths.values()))
        by_path = {r.path: r for r in self._records("WHERE d.path = ANY(%s)", (wanted,))} if wanted else {}
        return {cid: by_path[path] for cid, path in paths.items() if path in by_path}

    def _records(self, where: str, args: Sequence = ()) -> list[DocumentRecord]:
        rows = self._rows(
            f"""SELECT d.path, d.source, d.title, d.sha256, d.chunks, d.chars, d.ingested_at, d.date, d.doc_id, d.pages,
                       (SELECT count(*) FROM quotations q WHERE q.path = d.path)
                FROM documents d {where}""",
            list(args),
        )
        return [
            DocumentRecord(path, source, title, sha, chunks, chars, at, date, doc_id,
                           tuple(json.loads(pages)) if pages else (), quotations)
            for path, source, title, sha, chunks, chars, at, date, doc_id, pages, quotations in rows
        ]

    def document_text(self, path: str) -> str | None:
        return self._one("SELECT text FROM document_texts WHERE path = %s", (path,))

    def rename_source(self, path: str, source: str) -> None:
        with self._db() as db:
            db.execute("UPDATE documents SET source = %s WHERE path = %s", (source, path))

    def document_hashes(self) -> dict[str, str]:
        return dict(self._rows("SELECT path, sha256 FROM documents"))

    def document_sha(self, path: str) -> str | None:
        return self._one("SELECT sha256 FROM documents WHERE path = %s", (path,))

    def document_count(self) -> int:
        return self._one("SELECT count(*) FROM documents")

    def indexed_paths(self, paths: Sequence[str]) -> set[str]:
        return {path for (path,) in self._rows("SELECT path FROM documents WHERE path = ANY(%s)", (list(paths),))}

    def chunk_count(self) -> int:
        return self._one("SELECT count(*) FROM chunks")

    def is_empty(self) -> bool:
        return not self._rows("SELECT 1 FROM documents LIMIT 1")

    def chunk_ids(self) -> set[str]:
        return {cid for (cid,) in self._rows("SELECT chunk_id FROM chunks")}

    def sample_texts(self, limit: int) -> list[str]:
        return [text for (text,) in self._rows("SELECT text FROM chunks ORDER BY ordinal, id LIMIT %s", (limit,))]

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        if not ids:
            return {}
        rows = self._rows(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN documents d ON d.path = c.path WHERE c.chunk_id = ANY(%s)",
            (list(ids),),
        )
        return {row[0]: StoredChunk(*row) for row in rows}

    def chunks_to_embed(self, ids: Sequence[str]) -> list[ChunkToEmbed]:
        rows = self._rows(
            """SELECT c.chunk_id, c.path, d.source, d.title, d.title_embedded, d.sha256, c.ordinal, c.start, c."end",
                      c.text
               FROM chunks c JOIN documents d ON d.path = c.path WHERE c.chunk_id = ANY(%s)
               ORDER BY c.path, c.ordinal""",
            (list(ids),),
        )
        return [ChunkToEmbed(*row) for row in rows]

    def document_lead(self, path: str) -> str:
        return self._one("SELECT text FROM chunks WHERE path = %s ORDER BY ordinal LIMIT 1", (path,)) or ""

    def chunks_covering(self, path: str, start: int, end: int) -> list[StoredChunk]:
        rows = self._rows(
            f"""SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN documents d ON d.path = c.path
                WHERE c.path = %s AND c.start < %s AND c."end" > %s ORDER BY c.start""",
            (path, end, start),
        )
        return [StoredChunk(*row) for row in rows]

    def lexical_search(self, terms: Sequence[str], k: int) -> list[tuple[str, float]]:
        words = query_lexemes(list(terms))
        if not words or k <= 0:
            return []
        rows = self._rows(BM25_QUERY, {"query": tsquery_literal(words), "lexemes": words, "k": k})
        return [(cid, float(score)) for cid, score in rows]

    def unit_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for keys, blob in self._rows("SELECT keys, vectors FROM unit_vectors WHERE chunk_id = ANY(%s)",
                                     (list(dict.fromkeys(chunk_ids)),)):
            names = keys.split()
            found.update(zip(names, np.frombuffer(blob, dtype=np.float32).reshape(len(names), -1), strict=True))
        return found

    def word_vectors(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        rows = self._rows("SELECT word, vector FROM word_vectors WHERE word = ANY(%s)", (list(dict.fromkeys(words)),))
        return {word: np.frombuffer(blob, dtype=np.float32) for word, blob in rows}

    def known_words(self, words: Sequence[str]) -> set[str]:
        rows = self._rows("SELECT word FROM word_vectors WHERE word = ANY(%s)", (list(dict.fromkeys(words)),))
        return {word for (word,) in rows}

    def generation(self) -> int:
        return self._one("SELECT value FROM meta WHERE key = 'generation'") or 0

    def next_generation(self) -> None:
        with self._db() as db:
            db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")

    def unit_backlog(self) -> list[str]:
        return [path for (path,) in self._rows('SELECT path FROM unit_backlog ORDER BY path COLLATE "C"')]

    # -- writing ---------------------------------------------------------------------------------

    def journal_add(self, entries: Sequence[tuple[str, str | None]]) -> None:
        with self._transaction() as db:  # committed (durable) before the vectors it announces are written
            db.cursor().executemany("INSERT INTO journal(path, sha256) VALUES (%s, %s)", list(entries))

    def journal_done(self, path: str, sha256: str | None) -> None:
        with self._db() as db:
            if sha256 is None:
                db.execute("DELETE FROM journal WHERE path = %s", (path,))
            else:
                db.execute("DELETE FROM journal WHERE path = %s AND sha256 = %s", (path, sha256))

    def journal_pending(self) -> list[str]:
        return [path for (path,) in self._rows("SELECT DISTINCT path FROM journal")]

    def journal_clear(self) -> None:
        with self._db() as db:
            db.execute("DELETE FROM journal")

    def store_document(
        self, doc: Document, chunks: Sequence[Chunk], facts: DocumentFacts, ingested_at: float,
        units: Sequence[UnitVectors] | None = None,
    ) -> None:
        rows = []
        for c in chunks:
            rows.append((chunk_id(doc.path, doc.sha256, c.ordinal), doc.path, c.ordinal, c.start, c.end, doc.title,
                         c.text, *tsvector_literal(doc.title, c.text)))
        with self._transaction() as db:
            self._replace_units(db, doc.path, doc.sha256, units)
            db.execute("DELETE FROM chunks WHERE path = %s", (doc.path,))
            db.cursor().executemany(
                'INSERT INTO chunks(chunk_id, path, ordinal, start, "end", title, text, terms, length, title_length) '
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector, %s, %s)",
                rows,
            )
            db.execute(
                """INSERT INTO documents(path, source, title, sha256, chunks, chars, ingested_at, date, title_embedded,
                                         doc_id, pages) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT (path) DO UPDATE SET source = excluded.source, title = excluded.title,
                       sha256 = excluded.sha256, chunks = excluded.chunks, chars = excluded.chars,
                       ingested_at = excluded.ingested_at, date = excluded.date,
                       title_embedded = excluded.title_embedded, pages = excluded.pages""",
                (doc.path, doc.source, doc.title, doc.sha256, len(chunks), len(doc.text), ingested_at, facts.date,
                 not doc.title_from_filename, document_id(doc.path),
                 json.dumps(list(doc.pages)) if doc.pages else None),
            )
            db.execute(
                "INSERT INTO document_texts(path, text) VALUES (%s, %s) ON CONFLICT (path) DO UPDATE SET text = "
                "excluded.text", (doc.path, doc.text),
            )
            self._replace_quotations(db, doc.path, facts.quotations)

    def store_facts(self, doc: Document, facts: DocumentFacts) -> None:
        with self._transaction() as db:
            indexed = db.execute("SELECT sha256 FROM documents WHERE path = %s FOR UPDATE", (doc.path,)).fetchone()
            if indexed is None or indexed[0] != doc.sha256:
                return  # offsets must point into the text that was chunked
            db.execute("UPDATE documents SET date = %s WHERE path = %s", (facts.date, doc.path))
            self._replace_quotations(db, doc.path, facts.quotations)
            db.execute("INSERT INTO unit_backlog(path) VALUES (%s) ON CONFLICT DO NOTHING", (doc.path,))

    def store_word_vectors(self, words: Sequence[str], vectors: np.ndarray) -> None:
        with self._transaction() as db:
            db.cursor().executemany(
                "INSERT INTO word_vectors(word, vector) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [(w, np.asarray(v, dtype=np.float32).tobytes()) for w, v in zip(words, vectors, strict=True)],
            )

    def store_units(self, path: str, sha256: str, units: Sequence[UnitVectors]) -> bool:
        with self._transaction() as db:
            indexed = db.execute("SELECT sha256 FROM documents WHERE path = %s FOR UPDATE", (path,)).fetchone()
            if indexed is None or indexed[0] != sha256:
                return False  # replaced or removed since its chunks were read
            self._replace_units(db, path, sha256, units)
            return True

    def delete_document(self, path: str) -> None:
        with self._transaction() as db:
            db.execute(f"DELETE FROM unit_vectors WHERE chunk_id IN ({_PATH_CHUNKS})", (path,))
            for table in ("unit_backlog", "chunks", "quotations", "quotation_backlog", "document_texts", "documents"):
                db.execute(f"DELETE FROM {table} WHERE path = %s", (path,))

    @staticmethod
    def _replace_units(db: Any, path: str, sha256: str, units: Sequence[UnitVectors] | None) -> None:
        db.execute(f"DELETE FROM unit_vectors WHERE chunk_id IN ({_PATH_CHUNKS})", (path,))
        if units is None:
            db.execute("INSERT INTO unit_backlog(path) VALUES (%s) ON CONFLICT DO NOTHING", (path,))
            return
        db.execute("DELETE FROM unit_backlog WHERE path = %s", (path,))
        db.cursor().executemany(
            "INSERT INTO unit_vectors(chunk_id, keys, vectors) VALUES (%s, %s, %s) ON CONFLICT (chunk_id) DO UPDATE "
            "SET keys = excluded.keys, vectors = excluded.vectors",
            [(chunk_id(path, sha256, u.ordinal), " ".join(u.keys), np.asarray(u.vectors, dtype=np.float32).tobytes())
             for u in units if u.keys],
        )

    @staticmethod
    def _replace_quotations(db: Any, path: str, quotations: Sequence[Quotation]) -> None:
        db.execute("DELETE FROM quotations WHERE path = %s", (path,))
        db.execute("DELETE FROM quotation_backlog WHERE path = %s", (path,))
        db.cursor().executemany(
            "INSERT INTO quotations(path, ordinal, speaker, speaker_key, surname_key, forms, title, title_key, kind, "
            'start, "end", text) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)',
            quotation_rows(path, quotations),
        )


__all__ = ["PostgresCatalogue"]
