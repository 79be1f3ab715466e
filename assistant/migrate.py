"""`assistant migrate-catalogue`: one collection's SQLite catalogue copied into PostgreSQL, and
optionally its vectors from the on-disk Chroma onto a Chroma server, without embedding anything again.

Every row goes into PostgreSQL in one transaction (a failed copy leaves it as it was), streamed
with COPY from a read-only snapshot of the SQLite file, a batch at a time (a catalogue of 100k
chunks is never held in memory). Chunks gain the `tsvector` and length PostgreSQL's BM25 reads;
chunks and quotations keep their order, so ties rank as they did. Vectors are copied before the
catalogue commits, as every write of the store does: until then no reader sees chunks without them.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index import CATALOGUE_FILE, SQLiteCatalogue
from index.catalogue.postgres_locks import advisory_key, connect, unavailable, where
from index.catalogue.postgres_schema import schema_name, tsvector_literal
from index.catalogue.sqlite_schema import MIGRATIONS
from index.documents import shown
from index.records import document_id

from .config import Settings
from .errors import AssistantError

Progress = Callable[[str, int], None]  # (table, rows copied so far)
_BATCH = 1000  # rows read from SQLite at a time
_PROGRESS_EVERY = 10_000

# What each PostgreSQL table is filled from, in this order (documents before what refers to them).
# document_texts is read through SQLiteCatalogue.document_text, which pieces an old index's texts together.
_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "documents": (
        ("path", "source", "title", "sha256", "chunks", "chars", "ingested_at", "date", "title_embedded", "doc_id",
         "pages"),
        "SELECT path, source, title, sha256, chunks, chars, ingested_at, date, title_embedded, doc_id, pages "
        "FROM documents ORDER BY path"),
    "chunks": (
        ("chunk_id", "path", "ordinal", "start", "end", "title", "text", "terms", "length", "title_length"),
        'SELECT chunk_id, path, ordinal, start, "end", title, text FROM chunks ORDER BY id'),
    "document_texts": (("path", "text"), "SELECT path FROM documents ORDER BY path"),
    "quotations": (
        ("path", "ordinal", "speaker", "speaker_key", "surname_key", "forms", "title", "title_key", "kind", "start",
         "end", "text"),
        'SELECT path, ordinal, speaker, speaker_key, surname_key, forms, title, title_key, kind, start, "end", text '
        "FROM quotations ORDER BY id"),
    "quotation_backlog": (("path",), "SELECT path FROM quotation_backlog ORDER BY path"),
    "unit_vectors": (("chunk_id", "keys", "vectors"),
                     "SELECT chunk_id, keys, vectors FROM unit_vectors ORDER BY chunk_id"),
    "unit_backlog": (("path",), "SELECT path FROM unit_backlog ORDER BY path"),
    "word_vectors": (("word", "vector"), "SELECT word, vector FROM word_vectors ORDER BY word"),
}
_CLEARED = ("unit_vectors", "unit_backlog", "chunks", "quotations", "quotation_backlog", "document_texts", "documents",
            "word_vectors", "journal")
_LABELS = {  # table -> (one, many)
    "documents": ("document", "documents"), "chunks": ("chunk", "chunks"),
    "document_texts": ("document text", "document texts"), "quotations": ("quotation", "quotations"),
    "unit_vectors": ("chunk's unit vectors", "chunks' unit vectors"), "word_vectors": ("word vector", "word vectors"),
    "quotation_backlog": ("document awaiting quotations", "documents awaiting quotations"),
    "unit_backlog": ("document awaiting unit vectors", "documents awaiting unit vectors"),
}


@dataclass
class MigrationReport:
    """What `copy_catalogue` copied: rows per PostgreSQL table, in copy order."""

    target: str  # "PostgreSQL at host:port/db", never the URL (it may hold a password)
    collection: str
    rows: dict[str, int] = field(default_factory=dict)
    generation: int = 0
    replaced: int = 0  # documents the target held before (--replace)
    vectors: int | None = None  # vectors copied to the Chroma server (--chroma-to)
    chroma: str = ""

    def summary(self) -> str:
        """'copied 1 document, 9 chunks, ... into PostgreSQL at h:5432/db (collection documents)'.

        >>> MigrationReport("PostgreSQL at h:5432/db", "hr", {"documents": 1, "chunks": 9, "unit_backlog": 0}).summary()
        'copied 1 document, 9 chunks into PostgreSQL at h:5432/db (collection hr)'
        """
        counts = [f"{n} {_LABELS[table][n != 1]}" for table, n in self.rows.items()
                  if n or table in ("documents", "chunks")]
        text = f"copied {', '.join(counts)} into {self.target} (collection {self.collection})"
        if self.replaced:
            text += f", replacing its {_count(self.replaced, 'document')}"
        if self.vectors is not None:
            text += f"; {_count(self.vectors, 'vector')} copied to the Chroma server at {self.chroma}"
        return text

    def next_steps(self, folder: Path) -> str:
        """What to set next; the vectors stay where they are unless they were copied."""
        use = "Next: set ASSISTANT_CATALOGUE_URL to the URL given to --to"
        if self.vectors is not None:
            return (f"{use} and ASSISTANT_CHROMA_URL={self.chroma}, for every worker and ingest run of collection "
                    f"{self.collection}: they share the index from any host and keep nothing of their own.")
        return (f"{use}, for every worker and ingest run of collection {self.collection}. Its vectors stay in the "
                f"on-disk Chroma in {shown(str(folder / 'chroma'))}, which keeps working for workers on this host "
                "(same ASSISTANT_INDEX_DIR); for workers on several hosts they must be on a Chroma server: run "
                "again with --replace --chroma-to http://HOST:PORT, then set ASSISTANT_CHROMA_URL.")


def migrate_collection(settings: Settings, url: str, *, chroma_to: str = "", replace: bool = False,
                       on_progress: Progress | None = None) -> MigrationReport:
    """The settings' collection's catalogue into PostgreSQL at `url` (and its vectors to the Chroma
    server at `chroma_to`), under the index directory's writer lock (an ingest running now is waited for)."""
    from index.lock import WriterLock

    folder = settings.collection_dir()
    if not url.startswith(("postgresql://", "postgres://")):
        raise AssistantError("--to takes a PostgreSQL URL such as postgresql://user@host:5432/db")
    if chroma_to and not chroma_to.startswith(("http://", "https://")):
        raise AssistantError("--chroma-to takes a Chroma server's URL such as http://chroma.internal:8000")
    _require_file(folder / CATALOGUE_FILE, settings.collection)
    lock = WriterLock(folder)
    lock.acquire()  # before the journal is read: an ingest writing now is not an interrupted one
    try:
        check_source(folder / CATALOGUE_FILE, settings.collection)
        vectors = VectorCopy(folder, settings.chroma_collection(), chroma_to, replace=replace,
                             on_progress=on_progress) if chroma_to else None
        report = copy_catalogue(folder / CATALOGUE_FILE, url, settings.collection, replace=replace,
                                on_progress=on_progress, before_commit=vectors.run if vectors else None)
        if vectors is not None:
            vectors.finish()  # the catalogue now names only the copied vectors: the old ones can go
            report.vectors, report.chroma = vectors.copied, vectors.shown_url
        return report
    finally:
        lock.release()


def check_source(sqlite_path: Path, collection: str = "documents") -> None:
    """Refuse a catalogue that cannot be copied as it is: missing, half-written by an interrupted
    ingest, or from a newer version. An older version is migrated here, as any open does."""
    _require_file(sqlite_path, collection)
    catalogue = SQLiteCatalogue(sqlite_path)  # (migrates an older one)
    try:
        pending = catalogue.journal_pending()
    finally:
        catalogue.close()
    with closing(_read_only(sqlite_path)) as snapshot:
        version = snapshot.execute("PRAGMA user_version").fetchone()[0]
    if pending:
        raise AssistantError(
            f"the catalogue at {shown(str(sqlite_path))} has {_count(len(pending), 'document')} from an interrupted "
            "ingest; run `assistant ingest` once to repair it, then migrate again")
    if version > len(MIGRATIONS):
        raise AssistantError(
            f"the catalogue at {shown(str(sqlite_path))} was written by a newer version of the assistant "
            f"(schema {version}, this one knows {len(MIGRATIONS)}); upgrade it and migrate again")


def _require_file(sqlite_path: Path, collection: str) -> None:
    if not sqlite_path.is_file():
        raise AssistantError(
            f"no catalogue of collection {collection} at {shown(str(sqlite_path))}: nothing to copy; run "
            "`assistant ingest` first (with the same --index-dir and --collection)")


def copy_catalogue(sqlite_path: str | Path, url: str, collection: str, *, replace: bool = False,
                   on_progress: Progress | None = None,
                   before_commit: Callable[[], Any] | None = None) -> MigrationReport:
    """Copy every row of the SQLite catalogue at `sqlite_path` into collection `collection` of the
    PostgreSQL database at `url`, in one transaction; `before_commit` runs inside it, last (a
    failure there rolls the copy back). A target holding documents is refused unless `replace`."""
    from index import PostgresCatalogue

    sqlite_path = Path(sqlite_path)
    check_source(sqlite_path, collection)
    PostgresCatalogue(url, collection=collection).close()  # its schema, created or migrated
    schema = schema_name(collection)
    report = MigrationReport(where(url), collection)
    source = SQLiteCatalogue(sqlite_path)  # document_text pieces an old index's texts together
    snapshot = _read_only(sqlite_path)
    try:
        snapshot.execute("BEGIN")  # one read transaction: every table as of the same moment
        with unavailable(url), connect(url, options=f"-c search_path={schema}") as db, db.transaction():
            report.replaced = _clear_target(db, schema, collection, replace)
            for table, (columns, _) in _TABLES.items():
                rows = _document_texts(snapshot, source) if table == "document_texts" else _rows(snapshot, table)
                report.rows[table] = _copy(db, table, columns, rows, on_progress)
                copied = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                if copied != report.rows[table]:
                    raise AssistantError(f"{table}: {report.rows[table]} rows read, {copied} in PostgreSQL; "
                                         "nothing was copied")
            generation = snapshot.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            # Moved past the target's own too: a worker that read the target before sees that it changed.
            report.generation = db.execute(
                "UPDATE meta SET value = greatest(value + 1, %s) WHERE key = 'generation' RETURNING value",
                (generation[0] if generation else 0,)).fetchone()[0]
            if before_commit is not None:
                before_commit()
    finally:
        snapshot.close()
        source.close()
    return report


def _read_only(sqlite_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{sqlite_path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)


def _clear_target(db: Any, schema: str, collection: str, replace: bool) -> int:
    """Inside the copy's transaction: with no other writer, empty the target (refused when it holds
    documents and not `replace`); the number of documents it held."""
    if not db.execute("SELECT pg_try_advisory_xact_lock(%s)", (advisory_key("writers", schema),)).fetchone()[0]:
        raise AssistantError(f"collection {collection} in PostgreSQL is being written (an ingest or upload); run "
                             "again when that ends")
    held = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    if held and not replace:
        raise AssistantError(
            f"collection {collection} in PostgreSQL already holds {_count(held, 'document')}; nothing was copied. "
            "Run again with --replace to replace them, or choose another --collection")
    for table in _CLEARED:  # (with no documents: only what a removed index left behind, e.g. word vectors)
        db.execute(f"DELETE FROM {table}")
    return held


def _rows(snapshot: sqlite3.Connection, table: str) -> Iterator[tuple]:
    """The table's rows as PostgreSQL takes them, a batch at a time."""
    cursor = snapshot.execute(_TABLES[table][1])
    while batch := cursor.fetchmany(_BATCH):
        for row in batch:
            if table == "documents":
                path, embedded, doc_id = row[0], row[8], row[9]
                yield (*row[:8], bool(embedded), doc_id or document_id(path), row[10])
            elif table == "chunks":
                yield (*row, *tsvector_literal(row[5], row[6]))
            else:
                yield row


def _document_texts(snapshot: sqlite3.Connection, source: SQLiteCatalogue) -> Iterator[tuple[str, str]]:
    for (path,) in _rows(snapshot, "document_texts"):
        text = source.document_text(path)
        if text is not None:
            yield path, text


def _copy(db: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple], on_progress: Progress | None) -> int:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    count = 0
    with db.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
            if on_progress is not None and count % _PROGRESS_EVERY == 0:
                on_progress(table, count)
    if on_progress is not None:
        on_progress(table, count)
    return count


class VectorCopy:
    """A collection's vectors from the on-disk Chroma in `folder` to the Chroma server at `url`,
    with their texts and metadata, into a collection made as `VectorIndex` makes one. Checked when
    made (the vectors exist; the server's collection is empty, or `replace`), copied by `run`."""

    def __init__(self, folder: Path, name: str, url: str, *, replace: bool = False,
                 on_progress: Progress | None = None):
        from index import open_chroma_client
        from index.vectors import chroma_calls

        parts = urlparse(url)
        self.name, self.replace, self.on_progress, self.copied = name, replace, on_progress, 0
        self.ids: set[str] = set()  # the copied vectors' ids
        self.before: set[str] = set()  # the server's ids before the copy (with --replace)
        self.shown_url = f"{parts.scheme}://{parts.hostname}:{parts.port or 8000}"  # (never a user or password)
        self.source = open_chroma_client(folder)
        if not self._holds(self.source):
            raise AssistantError(f"no vectors of collection {name} in {shown(str(folder / 'chroma'))}; run "
                                 "`assistant ingest` there first")
        self.target = open_chroma_client(folder, url)
        with chroma_calls("opening the collection"):
            held = self.target.get_collection(name, embedding_function=None).count() if self._holds(self.target) else 0
        if held and not replace:
            raise AssistantError(
                f"the Chroma server at {self.shown_url} already holds {_count(held, 'vector')} of collection {name}; "
                "nothing was copied. Run again with --replace to replace them")

    def _holds(self, client: Any) -> bool:
        return self.name in {collection.name for collection in client.list_collections()}

    def run(self) -> int:
        """Copy the vectors, beside those the server's collection holds (with --replace, workers
        still answer from the old catalogue and its vectors until the new one commits, and a copy
        that fails leaves them); the count copied, AssistantError when the server lacks any."""
        from index.vectors import COLLECTION_METADATA, chroma_calls

        source = self.source.get_collection(self.name, embedding_function=None)
        with chroma_calls("copying vectors"):
            target = self.target.get_or_create_collection(self.name, metadata=COLLECTION_METADATA,
                                                          embedding_function=None)
            self.before = set(target.get(include=[])["ids"]) if self.replace else set()
            for offset in itertools.count(0, _BATCH):
                batch = source.get(include=["embeddings", "documents", "metadatas"], limit=_BATCH, offset=offset)
                if not batch["ids"]:
                    break
                target.upsert(ids=batch["ids"], embeddings=batch["embeddings"], documents=batch["documents"],
                              metadatas=batch["metadatas"])
                self.ids.update(batch["ids"])
                if self.on_progress is not None:
                    self.on_progress("vectors", offset + len(batch["ids"]))
            copied = sorted(self.ids)
            expected = source.count()
            found = sum(len(target.get(ids=copied[lo : lo + _BATCH], include=[])["ids"])
                        for lo in range(0, len(copied), _BATCH))
        if found != expected:
            raise AssistantError(f"the Chroma server at {self.shown_url} holds {found} vectors of collection "
                                 f"{self.name} after the copy, not {expected}; nothing was copied to PostgreSQL")
        self.copied = found
        return found

    def finish(self) -> None:
        """After the catalogue committed: remove the vectors the server held before that are not the
        copied ones (with --replace, the old collection's; the next ingest would remove them too)."""
        from index.vectors import chroma_calls

        stale = sorted(self.before - self.ids)
        with chroma_calls("removing the replaced vectors"):
            target = self.target.get_collection(self.name, embedding_function=None)
            for lo in range(0, len(stale), _BATCH):
                target.delete(ids=stale[lo : lo + _BATCH])


def _count(n: int, noun: str) -> str:
    """`n` and the noun, plural unless one.

    >>> _count(1, "document"), _count(9, "chunk")
    ('1 document', '9 chunks')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"
