"""The index on disk: chunk vectors in Chroma, and a SQLite catalogue beside it.

SQLite holds the manifest of documents (by path and content hash), every chunk's text and offsets,
an FTS5 table for lexical (BM25) search that is updated incrementally with each document, and the
quotations found in each document with their speakers ("who said what").
A document is visible to search only once its SQLite transaction commits; a journal of
in-flight documents lets the next run remove Chroma vectors left by an interrupted one, so the
index never ends half-written for a document.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunking import Chunk
from .documents import Document, filename_title, shown
from .lock import IndexBusyError, WriterLock
from .quotes import Quotation, normalise_speaker, same_speaker

log = logging.getLogger(__name__)

# ef_search 100 missed exact neighbours at a few thousand chunks (bench: 27 of 313 top-35 lists
# differed from brute force); 400 matched exactly.
COLLECTION_METADATA = {"hnsw:space": "cosine", "hnsw:search_ef": 400, "hnsw:construction_ef": 200}
CATALOGUE_FILE = "catalogue.sqlite3"

_SCHEMA = """
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


def _add_quotations(db: sqlite3.Connection) -> None:
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


def _add_title_embedded(db: sqlite3.Connection) -> None:
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


# Schema changes after _SCHEMA, in order; PRAGMA user_version counts those applied.
_MIGRATIONS = [_add_quotations, _add_title_embedded]

# Words too common to help lexical search; dropping them keeps FTS queries small and fast.
STOPWORDS = frozenset(
    """a an the and or but if then of to in on at by for with from as is are was were be been being
    do does did done doing have has had having what which who whom whose when where why how that this
    these those it its it's he she they them his her their we you i me my our your there here not no
    so than too very can could should would will shall may might must about into over after before
    any all some such each other more most own same just also only up down out off again further""".split()
)
_TOKEN = re.compile(r"\w+", re.UNICODE)


class StoreUnavailableError(Exception):
    """The Chroma server cannot be reached; the next request tries again."""


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


@contextmanager
def _chroma_calls(where: str):
    """Turn a Chroma server's connection failures into StoreUnavailableError."""
    import httpx

    try:
        yield
    except httpx.TransportError as exc:
        raise StoreUnavailableError(
            f"the Chroma server is unreachable while {where} ({exc}); start it or check ASSISTANT_CHROMA_URL. "
            "Requests work again as soon as it is back."
        ) from exc


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    path: str
    source: str
    title: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DocumentRecord:
    path: str
    source: str
    title: str
    sha256: str
    chunks: int
    chars: int
    ingested_at: float
    date: str | None = None  # YYYY-MM-DD when the document states it


@dataclass(frozen=True)
class ChunkToEmbed:
    """A catalogue chunk with what its vector is made of and stored with."""

    chunk_id: str
    path: str
    source: str
    title: str
    title_embedded: bool
    sha256: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class IndexHealth:
    """Whether the catalogue and the vectors hold the same chunks."""

    documents: int
    chunks: int
    vectors: int
    missing: tuple[str, ...]  # ids of catalogue chunks without a vector (dense search never finds them)
    orphans: tuple[str, ...]  # ids of vectors without a catalogue chunk

    @property
    def consistent(self) -> bool:
        return not self.missing and not self.orphans

    def summary(self) -> str:
        state = "consistent" if self.consistent else "INCONSISTENT"
        return (
            f"{state}: {self.documents} documents, {self.chunks} chunks, {self.vectors} vectors, "
            f"{len(self.missing)} chunks without a vector, {len(self.orphans)} vectors without a chunk"
        )


@dataclass(frozen=True)
class DocumentFacts:
    """What ingest found in a document's text besides its chunks."""

    quotations: Sequence[Quotation] = ()
    date: str | None = None


@dataclass(frozen=True)
class StoredQuotation:
    path: str
    source: str
    document_title: str
    date: str | None
    ordinal: int
    speaker: str  # canonical name in this document
    speaker_key: str  # normalise_speaker(speaker)
    forms: tuple[str, ...]
    title: str  # the speaker's title in this document ("Prime Minister"), or ""
    kind: str  # "direct" or "reported"
    start: int
    end: int
    text: str  # exactly document_text[start:end]


@dataclass(frozen=True)
class Speaker:
    """A person quoted in the index. A surname seen alone in some documents ("Budrys") is folded
    into the one fuller name ending in it ("Kestutis Budrys"), when there is exactly one."""

    name: str
    keys: tuple[str, ...]  # the speaker_keys of their quotations
    forms: tuple[str, ...]
    title: str
    count: int  # quotations
    documents: int


def chunk_id(path: str, sha256: str, ordinal: int) -> str:
    """Stable id: the same file content at the same path gives the same ids."""
    return f"{hashlib.sha1(path.encode()).hexdigest()[:12]}-{sha256[:12]}-{ordinal:05d}"


def lexical_terms(text: str) -> list[str]:
    """Lower-cased word tokens without stopwords.

    >>> lexical_terms("What did Budrys say?")
    ['budrys', 'say']
    """
    return [t for t in (m.group().lower() for m in _TOKEN.finditer(text)) if t not in STOPWORDS]


def _group_speakers(rows: Iterable[tuple]) -> list[Speaker]:
    """Speakers from (speaker_key, surname_key, speaker, title, forms JSON, path, count) rows,
    most quoted first; a lone surname key joins the only fuller key ending in it."""
    by_key: dict[str, dict] = {}
    for key, surname, name, title, forms, path, count in rows:
        entry = by_key.setdefault(key, {"surname": surname, "names": {}, "titles": {}, "forms": {}, "paths": set()})
        entry["names"][name] = entry["names"].get(name, 0) + count
        if title:
            entry["titles"][title] = entry["titles"].get(title, 0) + count
        for form in json.loads(forms):
            entry["forms"][form] = None
        entry["paths"].add(path)
    groups: dict[str, list[str]] = {key: [key] for key in by_key}
    for key in list(by_key):
        if " " not in key:
            fuller = [k for k in by_key if " " in k and by_key[k]["surname"] == key]
            if len(fuller) == 1:
                groups[fuller[0]].append(key)
                del groups[key]
    speakers = []
    for key, keys in groups.items():
        entries = [by_key[k] for k in keys]
        names, titles, forms, paths = {}, {}, {}, set()
        for entry in entries:
            for n, c in entry["names"].items():
                names[n] = names.get(n, 0) + c
            for t, c in entry["titles"].items():
                titles[t] = titles.get(t, 0) + c
            forms.update(entry["forms"])
            paths |= entry["paths"]
        name = max(by_key[key]["names"].items(), key=lambda nc: (nc[1], len(nc[0])))[0]
        title = max(titles.items(), key=lambda tc: tc[1])[0] if titles else ""
        speakers.append(Speaker(
            name=name, keys=tuple(keys), forms=tuple(dict.fromkeys([name, *forms])), title=title,
            count=sum(names.values()), documents=len(paths),
        ))
    return sorted(speakers, key=lambda s: (-s.count, normalise_speaker(s.name)))


class IndexStore:
    """Chroma collection + SQLite catalogue of one index directory.

    The Chroma client is passed in (on-disk or a server's), so one can be shared; without one
    (None) only the catalogue is opened, for reading documents and quotations.
    """

    def __init__(self, index_dir: str | Path, chroma_client, embedder=None, collection_name: str = "documents"):
        self.index_dir = ensure_index_dir(index_dir)
        self._writer = WriterLock(self.index_dir)
        self._writer_turn = threading.Lock()  # this process's threads take turns before the OS lock
        self._writer_thread: int | None = None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._migrate()
        self.collection = self.vectorstore = None
        if chroma_client is None:
            return  # the catalogue alone: documents and quotations, no vectors (`assistant quotes`)
        # Writes go to the collection with our precomputed vectors; searches go through LangChain's
        # vector store over the same collection, so it can also serve as a LangChain retriever.
        with _chroma_calls("opening the collection"):
            self.collection = chroma_client.get_or_create_collection(
                collection_name, metadata=COLLECTION_METADATA, embedding_function=None
            )
        from langchain_chroma import Chroma

        self.vectorstore = Chroma(
            client=chroma_client, collection_name=collection_name, embedding_function=embedder,
            collection_metadata=COLLECTION_METADATA,
        )

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (WAL mode: readers in many threads, one writer at a time)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.index_dir / CATALOGUE_FILE, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
            self._connections.append(db)
        return db

    def release_connection(self) -> None:
        """Close this thread's catalogue connection (a worker thread that is about to end)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            self._local.db = None
            self._connections.remove(db)
            db.close()

    # -- reading ---------------------------------------------------------------------------------

    def _migrate(self) -> None:
        db = self._db
        if db.execute("PRAGMA user_version").fetchone()[0] >= len(_MIGRATIONS):
            return
        with self._transaction():  # two processes opening an old index: one migrates, the other waits
            done = db.execute("PRAGMA user_version").fetchone()[0]
            for migration in _MIGRATIONS[done:]:
                migration(db)
            db.execute(f"PRAGMA user_version = {len(_MIGRATIONS)}")

    def documents(self) -> list[DocumentRecord]:
        rows = self._db.execute(
            "SELECT path, source, title, sha256, chunks, chars, ingested_at, date FROM documents ORDER BY source"
        ).fetchall()
        return [DocumentRecord(*row) for row in rows]

    def document_hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT path, sha256 FROM documents"))

    def chunk_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def sample_texts(self, limit: int) -> list[str]:
        """Up to `limit` chunk texts, spread over the documents (the first chunks of each)."""
        rows = self._db.execute("SELECT text FROM chunks ORDER BY ordinal, id LIMIT ?", (limit,)).fetchall()
        return [text for (text,) in rows]

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Committed chunks among `ids`; vectors of uncommitted documents are not found here."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"""SELECT c.chunk_id, c.path, d.source, c.title, c.ordinal, c.start, c."end", c.text
                FROM chunks c JOIN documents d ON d.path = c.path WHERE c.chunk_id IN ({marks})""",
            list(ids),
        ).fetchall()
        return {row[0]: StoredChunk(*row) for row in rows}

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity), best first."""
        if k <= 0:
            return []
        with _chroma_calls("searching"):
            hits = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
                np.asarray(vector, dtype=np.float32).tolist(), k=k
            )
        # For a cosine collection LangChain returns the cosine *distance* here.
        return [(doc.id, 1.0 - float(distance)) for doc, distance in hits]

    def lexical_search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score; higher is better), best first."""
        terms = list(dict.fromkeys(lexical_terms(query)))
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

    # -- quotations ------------------------------------------------------------------------------

    def quotation_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM quotations").fetchone()[0]

    def speakers(self) -> list[Speaker]:
        """Everyone quoted in the index, most quoted first."""
        return self._speakers_where(None)

    def find_speakers(self, name: str) -> list[Speaker]:
        """Speakers a name denotes: the full name or the surname, any case, accents optional
        ("Ruginiene" finds "Inga Ruginienė"). A title before the name is ignored."""
        from .quotes import split_title

        words = name.replace("’s", "").replace("'s", "").split()
        if words and words[0].casefold() == "the":
            words = words[1:]
        if not words:
            return []
        key = normalise_speaker(" ".join(words))
        candidates = [key]
        _, bare = split_title(" ".join(words))
        if bare and normalise_speaker(bare) != key:
            candidates.append(normalise_speaker(bare))
        for candidate in candidates:
            found = [
                s for s in self._speakers_where("surname_key = ?", (candidate.split()[-1],))
                if any(same_speaker(candidate, k) for k in s.keys) or any(same_speaker(candidate, f) for f in s.forms)
            ]
            if found:
                return found
        return []

    def find_speakers_by_title(self, title: str) -> list[Speaker]:
        """Speakers whose title is `title` or ends with it: "the prime minister" finds a "Prime Minister"."""
        words = normalise_speaker(title).split()
        if words and words[0] == "the":
            words = words[1:]
        if not words:
            return []
        condition, args = "(title_key = ? OR title_key LIKE ?)", (" ".join(words), "% " + " ".join(words))
        titled = {key for (key,) in self._db.execute(f"SELECT DISTINCT speaker_key FROM quotations WHERE {condition}", args)}
        return [s for s in self._speakers_where(condition, args) if titled & set(s.keys)]

    def quotations(self, speaker: Speaker | str) -> list[StoredQuotation]:
        """A speaker's quotations (a Speaker, or a name as find_speakers takes it), by document, in
        document order."""
        speakers = [speaker] if isinstance(speaker, Speaker) else self.find_speakers(speaker)
        keys = [k for s in speakers for k in s.keys]
        if not keys:
            return []
        rows = self._db.execute(
            f"""SELECT q.path, d.source, d.title, d.date, q.ordinal, q.speaker, q.speaker_key, q.forms, q.title,
                       q.kind, q.start, q."end", q.text
                FROM quotations q JOIN documents d ON d.path = q.path
                WHERE q.speaker_key IN ({",".join("?" * len(keys))})
                ORDER BY d.date IS NULL, d.date DESC, d.source, q.start""",
            keys,
        ).fetchall()
        return [StoredQuotation(*row[:7], tuple(json.loads(row[7])), *row[8:]) for row in rows]

    def document_lead(self, path: str) -> str:
        """The document's first chunk: its title, dateline and lead, where a season or year that
        its later passages take for granted is set ("the 2015 season")."""
        row = self._db.execute("SELECT text FROM chunks WHERE path = ? ORDER BY ordinal LIMIT 1", (path,)).fetchone()
        return row[0] if row else ""

    def chunks_covering(self, path: str, start: int, end: int) -> list[StoredChunk]:
        """The document's chunks overlapping [start, end), by start."""
        rows = self._db.execute(
            """SELECT c.chunk_id, c.path, d.source, c.title, c.ordinal, c.start, c."end", c.text
               FROM chunks c JOIN documents d ON d.path = c.path
               WHERE c.path = ? AND c.start < ? AND c."end" > ? ORDER BY c.start""",
            (path, end, start),
        ).fetchall()
        return [StoredChunk(*row) for row in rows]

    def _speakers_where(self, condition: str | None, args: tuple = ()) -> list[Speaker]:
        """Speakers sharing a surname with a quotation meeting `condition` (all when None), so a
        lone surname can join its fuller name."""
        where = "" if condition is None else (
            f"WHERE surname_key IN (SELECT surname_key FROM quotations WHERE {condition})")
        rows = self._db.execute(
            f"""SELECT speaker_key, surname_key, speaker, title, forms, path, count(*) FROM quotations {where}
                GROUP BY speaker_key, speaker, title, forms, path""",
            args,
        ).fetchall()
        return _group_speakers(rows)

    # -- consistency -----------------------------------------------------------------------------

    def health(self, page: int = 5000) -> IndexHealth:
        """Compare the catalogue's chunks with the vectors (paging through Chroma's ids, so an
        index of 100k chunks is never listed in one call). Changes nothing."""
        chunk_ids = {cid for (cid,) in self._db.execute("SELECT chunk_id FROM chunks")}
        vector_ids = set(self._vector_ids(page))
        documents = self._db.execute("SELECT count(*) FROM documents").fetchone()[0]
        return IndexHealth(
            documents=documents, chunks=len(chunk_ids), vectors=len(vector_ids),
            missing=tuple(sorted(chunk_ids - vector_ids)), orphans=tuple(sorted(vector_ids - chunk_ids)),
        )

    def chunks_to_embed(self, ids: Sequence[str]) -> list[ChunkToEmbed]:
        """The catalogue chunks among `ids`, with their documents' titles and hashes."""
        found = []
        for lo in range(0, len(ids), 500):
            part = list(ids[lo : lo + 500])
            found += [ChunkToEmbed(*row[:4], bool(row[4]), *row[5:]) for row in self._db.execute(
                f"""SELECT c.chunk_id, c.path, d.source, d.title, d.title_embedded, d.sha256, c.ordinal, c.start,
                           c."end", c.text
                    FROM chunks c JOIN documents d ON d.path = c.path WHERE c.chunk_id IN ({','.join('?' * len(part))})
                    ORDER BY c.path, c.ordinal""",
                part,
            )]
        return found

    def restore_vectors(self, chunks: Sequence[ChunkToEmbed], vectors: Sequence) -> None:
        """Store the vectors of catalogue chunks that had none; the catalogue is not touched."""
        with self._writes():
            self._upsert(
                [c.chunk_id for c in chunks], vectors, [c.text for c in chunks],
                [_vector_metadata(c.path, c.source, c.title, c.sha256, c.ordinal, c.start, c.end) for c in chunks],
            )

    def delete_vectors(self, ids: Sequence[str]) -> None:
        with self._writes():
            for lo in range(0, len(ids), 1000):
                with _chroma_calls("deleting vectors"):
                    self.collection.delete(ids=list(ids[lo : lo + 1000]))

    def _vector_ids(self, page: int) -> Iterator[str]:
        offset = 0
        while True:
            with _chroma_calls("listing vectors"):
                ids = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            yield from ids
            if len(ids) < page:
                return
            offset += page

    # -- writing ---------------------------------------------------------------------------------

    @contextmanager
    def writing(self, wait: bool = True):
        """Hold the index's writer lock for the block: other processes (and threads) that write
        wait for it, or raise IndexBusyError when `wait` is False. Reentrant in the thread holding it."""
        if self._writer_thread == threading.get_ident():
            yield
            return
        if not self._writer_turn.acquire(blocking=wait):
            raise IndexBusyError(
                f"the index at {shown(str(self.index_dir))} is being written by another thread of this process"
            )
        try:
            self._writer.acquire(wait)
            self._writer_thread = threading.get_ident()
            try:
                yield
            finally:
                self._writer_thread = None
                self._writer.release()
        finally:
            self._writer_turn.release()

    def _writes(self):
        """The lock a write needs: none more while it is held (an ingest run, whose writer thread
        does its writes), else its own for the duration of the write."""
        return nullcontext() if self._writer.held else self.writing()

    def recover(self) -> int:
        """Remove Chroma vectors left by an interrupted run; returns the number of journal entries.

        Only under the writer lock: every writer journals only while it holds that lock, so what
        the journal holds then was left by a process that is gone, never by a live one."""
        with self._writes():
            pending = self._db.execute("SELECT DISTINCT path FROM journal").fetchall()
            current = self.document_hashes()
            for (path,) in pending:
                self._delete_vectors(path, keep_sha=current.get(path))
            self._db.execute("DELETE FROM journal")
            return len(pending)

    def write_documents(self, items: Sequence[tuple]) -> None:
        """Store documents with their chunks and vectors, replacing earlier versions of the same paths.

        Items are (document, chunks, vectors) or (document, chunks, vectors, DocumentFacts); a
        document's chunks, quotations and manifest row are committed in one transaction.
        """
        if not items:
            return
        with self._writes():
            self._write_documents(
                [(doc, chunks, vecs, rest[0] if rest else DocumentFacts()) for doc, chunks, vecs, *rest in items]
            )

    def _write_documents(self, items: Sequence[tuple]) -> None:
        paths = [doc.path for doc, *_ in items]
        # Only these have vectors of an older version to delete; a new path has none (an interrupted
        # run's leftovers were removed by `recover`), which spares a Chroma delete per new document.
        replaced = {
            row[0] for lo in range(0, len(paths), 500)
            for row in self._db.execute(
                f"SELECT path FROM documents WHERE path IN ({','.join('?' * len(paths[lo:lo + 500]))})",
                paths[lo : lo + 500],
            )
        }
        self._db.executemany(
            "INSERT INTO journal(path, sha256) VALUES (?, ?)", [(doc.path, doc.sha256) for doc, *_ in items]
        )
        ids, vectors, texts, metadatas = [], [], [], []
        for doc, chunks, vecs, _ in items:
            for chunk, vec in zip(chunks, vecs):
                ids.append(chunk_id(doc.path, doc.sha256, chunk.ordinal))
                vectors.append(vec)
                texts.append(chunk.text)
                metadatas.append(
                    _vector_metadata(doc.path, doc.source, doc.title, doc.sha256, chunk.ordinal, chunk.start, chunk.end)
                )
        self._upsert(ids, vectors, texts, metadatas)
        now = time.time()
        for doc, chunks, _, facts in items:
            with self._transaction():
                self._db.execute("DELETE FROM chunks WHERE path = ?", (doc.path,))
                self._db.executemany(
                    'INSERT INTO chunks(chunk_id, path, ordinal, start, "end", title, text) VALUES (?,?,?,?,?,?,?)',
                    [(chunk_id(doc.path, doc.sha256, c.ordinal), doc.path, c.ordinal, c.start, c.end, doc.title, c.text)
                     for c in chunks],
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO documents(path, source, title, sha256, chunks, chars, ingested_at, date, "
                    "title_embedded) VALUES (?,?,?,?,?,?,?,?,?)",
                    (doc.path, doc.source, doc.title, doc.sha256, len(chunks), len(doc.text), now, facts.date,
                     not doc.title_from_filename),
                )
                self._replace_quotations(doc.path, facts.quotations)
        for doc, *_ in items:
            if doc.path in replaced:
                self._delete_vectors(doc.path, keep_sha=doc.sha256)
            self._db.execute("DELETE FROM journal WHERE path = ? AND sha256 = ?", (doc.path, doc.sha256))

    def write_facts(self, items: Sequence[tuple[Document, DocumentFacts]]) -> None:
        """Store the quotations and date of documents already indexed with this very text (the
        backlog of an index built before quotations were stored); chunks and vectors stay."""
        with self._writes():
            self._write_facts(items)

    def _write_facts(self, items: Sequence[tuple[Document, DocumentFacts]]) -> None:
        for doc, facts in items:
            with self._transaction():
                indexed = self._db.execute("SELECT sha256 FROM documents WHERE path = ?", (doc.path,)).fetchone()
                if indexed is None or indexed[0] != doc.sha256:
                    continue  # offsets must point into the text that was chunked
                self._db.execute("UPDATE documents SET date = ? WHERE path = ?", (facts.date, doc.path))
                self._replace_quotations(doc.path, facts.quotations)

    def quotation_backlog(self) -> set[str]:
        """Paths of indexed documents whose quotations were never extracted (indexed before that existed)."""
        return {path for (path,) in self._db.execute("SELECT path FROM quotation_backlog")}

    def remove_documents(self, paths: Iterable[str]) -> None:
        with self._writes():
            self._remove_documents(paths)

    def _remove_documents(self, paths: Iterable[str]) -> None:
        for path in paths:
            self._db.execute("INSERT INTO journal(path, sha256) VALUES (?, NULL)", (path,))
            with self._transaction():
                self._db.execute("DELETE FROM chunks WHERE path = ?", (path,))
                self._db.execute("DELETE FROM quotations WHERE path = ?", (path,))
                self._db.execute("DELETE FROM quotation_backlog WHERE path = ?", (path,))
                self._db.execute("DELETE FROM documents WHERE path = ?", (path,))
            self._delete_vectors(path, keep_sha=None)
            self._db.execute("DELETE FROM journal WHERE path = ?", (path,))

    def _replace_quotations(self, path: str, quotations: Sequence[Quotation]) -> None:
        """Inside a transaction: the document's quotations become `quotations`."""
        self._db.execute("DELETE FROM quotations WHERE path = ?", (path,))
        self._db.execute("DELETE FROM quotation_backlog WHERE path = ?", (path,))
        rows = []
        for ordinal, q in enumerate(quotations):
            key = normalise_speaker(q.speaker)
            rows.append((
                path, ordinal, q.speaker, key, key.split()[-1] if key else "", json.dumps(list(q.forms), ensure_ascii=False),
                q.title, normalise_speaker(q.title), q.kind, q.start, q.end, q.text,
            ))
        self._db.executemany(
            "INSERT INTO quotations(path, ordinal, speaker, speaker_key, surname_key, forms, title, title_key, kind, "
            'start, "end", text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
            rows,
        )

    def vector_count(self) -> int:
        with _chroma_calls("counting vectors"):
            return self.collection.count()

    def close(self) -> None:
        for db in self._connections:
            db.close()
        self._connections.clear()
        self._local = threading.local()

    def _upsert(self, ids: list[str], vectors: Sequence, texts: list[str], metadatas: list[dict]) -> None:
        for lo in range(0, len(ids), 1000):
            hi = lo + 1000
            with _chroma_calls("writing vectors"):
                self.collection.upsert(
                    ids=ids[lo:hi], embeddings=np.asarray(vectors[lo:hi]), documents=texts[lo:hi],
                    metadatas=metadatas[lo:hi],
                )

    def _delete_vectors(self, path: str, keep_sha: str | None) -> None:
        where = {"path": path} if keep_sha is None else {"$and": [{"path": path}, {"doc_sha": {"$ne": keep_sha}}]}
        with _chroma_calls("deleting vectors"):
            self.collection.delete(where=where)

    @contextmanager
    def _transaction(self):
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _vector_metadata(path: str, source: str, title: str, sha256: str, ordinal: int, start: int, end: int) -> dict:
    return {"path": path, "source": source, "title": title, "doc_sha": sha256, "ordinal": ordinal, "start": start,
            "end": end}


def open_chroma_client(index_dir: str | Path, chroma_url: str = ""):
    """An on-disk Chroma under `index_dir/chroma`, or the server at `chroma_url`. Telemetry off."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "localhost", port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https", settings=settings,
            )
        except ValueError as exc:  # chromadb's "Could not connect to a Chroma server"
            raise StoreUnavailableError(
                f"no Chroma server answers at {chroma_url}; start it (chroma run --path DIR --port PORT) or "
                "check ASSISTANT_CHROMA_URL"
            ) from exc
    return chromadb.PersistentClient(path=str(ensure_index_dir(index_dir) / "chroma"), settings=settings)
