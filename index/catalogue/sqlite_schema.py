"""The SQLite catalogue's schema, and the named migrations that brought older indexes up to it.

`SCHEMA` is the first version (created if missing); each migration after it is a function, applied
in order once; PRAGMA user_version counts those applied, so an index of any earlier version opens.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ..documents import filename_title
from ..records import document_id

log = logging.getLogger("index.store")  # where these warnings were always logged

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    path TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT NOT NULL, sha256 TEXT NOT NULL,
    chunks INTEGER NOT NULL, chars INTEGER NOT NULL, ingested_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, path TEXT NOT NULL, ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_path ON chunks(path);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, text, content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END;
CREATE TABLE IF NOT EXISTS journal (path TEXT NOT NULL, sha256 TEXT);
"""


def use_wal(db: Callable[[], sqlite3.Connection]) -> None:
    """WAL mode, which a new file gets from the first process to open it: another opening it at
    the same moment finds it locked (no busy handler covers the switch), and tries again."""
    for attempt in range(300):
        try:
            db().execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 299:
                raise
            time.sleep(0.1)


def add_quotations(db: sqlite3.Connection) -> None:
    """Quotations with their speakers, and each document's date. Documents indexed before this
    have none yet: they wait in `quotation_backlog` until an ingest of their file extracts them."""
    # One statement at a time: executescript would commit the migration's transaction half-way.
    for statement in [
        """CREATE TABLE IF NOT EXISTS quotations (
            id INTEGER PRIMARY KEY, path TEXT NOT NULL, ordinal INTEGER NOT NULL, speaker TEXT NOT NULL,
            speaker_key TEXT NOT NULL, surname_key TEXT NOT NULL, forms TEXT NOT NULL, title TEXT NOT NULL,
            title_key TEXT NOT NULL, kind TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS quotations_by_path ON quotations(path)",
        "CREATE INDEX IF NOT EXISTS quotations_by_speaker ON quotations(speaker_key)",
        "CREATE INDEX IF NOT EXISTS quotations_by_surname ON quotations(surname_key)",
        "CREATE TABLE IF NOT EXISTS quotation_backlog (path TEXT PRIMARY KEY)",
        "ALTER TABLE documents ADD COLUMN date TEXT",
        "INSERT OR IGNORE INTO quotation_backlog SELECT path FROM documents",
    ]:
        db.execute(statement)
    waiting = db.execute("SELECT count(*) FROM quotation_backlog").fetchone()[0]
    if waiting:
        log.warning(
            "the index was built before quotations were stored: its %d documents get their quotations at the "
            "next `assistant ingest` of their files (no re-embedding)", waiting,
        )


def add_title_embedded(db: sqlite3.Connection) -> None:
    """Whether a document's title went into its chunks' vectors (it does unless it was made up from
    the file name), so a missing vector can be embedded again from the catalogue alone, exactly as
    ingest embedded it. For documents indexed before this, a title equal to the one their file
    name gives is taken as made up (a first line that happens to read like the file name is not)."""
    if any(column[1] == "title_embedded" for column in db.execute("PRAGMA table_info(documents)")):
        return  # an index set back to an earlier version by hand (as a test does) keeps its flags
    db.execute("ALTER TABLE documents ADD COLUMN title_embedded INTEGER NOT NULL DEFAULT 1")
    rows = db.execute("SELECT path, title FROM documents").fetchall()
    made_up = [(path,) for path, title in rows if title == filename_title(Path(path))]
    db.executemany("UPDATE documents SET title_embedded = 0 WHERE path = ?", made_up)


def add_unit_vectors(db: sqlite3.Connection) -> None:
    """The vectors of each chunk's answer units (index/units.py) and of its words, embedded at
    ingest so that a question embeds only itself. Documents indexed before this wait in `unit_backlog`: the next
    ingest embeds their units from the stored chunks, without embedding the chunks again."""
    for statement in [
        # One row per chunk: its units' keys (space-separated) and their float32 vectors, end to end.
        """CREATE TABLE IF NOT EXISTS unit_vectors (
            chunk_id TEXT PRIMARY KEY, keys TEXT NOT NULL, vectors BLOB NOT NULL)""",
        "CREATE TABLE IF NOT EXISTS unit_backlog (path TEXT PRIMARY KEY)",
        # The model's vector of each word of the chunks the support check may compare (float32).
        "CREATE TABLE IF NOT EXISTS word_vectors (word TEXT PRIMARY KEY, vector BLOB NOT NULL)",
        "INSERT OR IGNORE INTO unit_backlog SELECT path FROM documents",
    ]:
        db.execute(statement)
    waiting = db.execute("SELECT count(*) FROM unit_backlog").fetchone()[0]
    if waiting:
        log.warning(
            "the index was built before sentence vectors were stored: the next `assistant ingest` embeds the "
            "sentences of its %d documents (their chunks are not embedded again); until then questions embed them",
            waiting,
        )


def add_generation(db: sqlite3.Connection) -> None:
    """A counter of the writes that change what dense search finds (each call that stores or
    removes vectors moves it once, after its Chroma writes): a process that reads an on-disk
    Chroma another process writes sees it move and opens Chroma again (its HNSW index is loaded
    once per process)."""
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', 0)")


def add_document_views(db: sqlite3.Connection) -> None:
    """What opening a citation in its document needs: each document's id for URLs, its text (the
    chunks leave out what lies between them), and a PDF's page starts. Sources become names:
    an older index showed a document outside the working directory by its absolute server path,
    which now reads `folder/file` (the next ingest of its root names it exactly). Documents
    indexed before this have no stored text: it is pieced together from their chunks until the
    next ingest that changes them."""
    columns = {column[1] for column in db.execute("PRAGMA table_info(documents)")}
    for column in ("doc_id", "pages"):
        if column not in columns:  # (an index set back to an earlier version by hand, as a test does, has them)
            db.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
    db.execute("CREATE TABLE IF NOT EXISTS document_texts (path TEXT PRIMARY KEY, text TEXT NOT NULL)")
    rows = db.execute("SELECT path, source FROM documents").fetchall()
    db.executemany(
        "UPDATE documents SET doc_id = ?, source = ? WHERE path = ?",
        [(document_id(path), _named(source), path) for path, source in rows],
    )
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS documents_by_id ON documents(doc_id)")


def _named(source: str) -> str:
    """An older index's source as a name: an absolute path keeps its last two parts.

    >>> _named("/srv/corpora/news/a.txt"), _named("seeds/a.txt")
    ('news/a.txt', 'seeds/a.txt')
    """
    path = PurePosixPath(source)
    return "/".join(path.parts[-2:]) if path.is_absolute() else source


# Schema changes after SCHEMA, in order: append new ones, never reorder (user_version counts them).
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    add_quotations, add_title_embedded, add_unit_vectors, add_generation, add_document_views,
)
