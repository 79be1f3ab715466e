"""Incremental ingestion: files -> documents -> chunks -> vectors -> the index.

A file whose bytes hash to what the index already holds is skipped before it is even parsed, so
a second run over unchanged files does no embedding work. Chunks of several small documents are
embedded together in batches; each document is committed on its own. A batch is written to the
store by one writer thread while the next batch is embedded, so the encoder never waits for
Chroma or SQLite. Each document's quotations (who said what) and date are found when it is
loaded and committed with its chunks.

A run holds the index's writer lock from start to end (a second run waits for it), so the
cleanup of an interrupted run's leftovers never touches a live writer's work; at the end it
checks that every catalogue chunk has its vector, embeds again the ones that lack it, and drops
vectors that belong to no chunk. Nothing outside the files and folders it is given is read:
symlinks leading out of them are reported and not followed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .answer_vectors import AnswerVectors, embed_backlog
from .chunking import CHUNK_WORDS, OVERLAP_SENTENCES, Chunk, chunk_document
from .dates import document_date
from .discovery import discover_files, source_names
from .documents import Document, LoadError, file_sha256, load_document, shown
from .embedding import SentenceEmbedder
from .progress import Progress as _Progress
from .quotes import extract_quotations
from .records import DocumentFacts, DocumentWrite
from .store import IndexStore
from .units import direct_spans

log = logging.getLogger(__name__)

DEFAULT_MAX_FILE_MB = 20.0
UPLOAD_KEY_PREFIX = "upload:"  # an upload kept in no folder is indexed as upload:NAME (the same on every worker)
SHARED_BATCH_CHUNKS = 256  # per batch over a shared catalogue, where other hosts wait for unclaimed work


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    chunks_embedded: int = 0
    units_embedded: int = 0  # distinct sentence units embedded for the answerer (index/units.py)
    units_upgraded: int = 0  # documents of an older index whose units were embedded from stored chunks
    words_embedded: int = 0  # words new to the index, embedded for the support check
    quotations: int = 0  # found in the documents added or updated (or brought up to date)
    vectors_restored: int = 0  # catalogue chunks that had no vector, embedded again
    orphans_removed: int = 0  # vectors of no catalogue chunk, deleted
    elsewhere: list[str] = field(default_factory=list)  # claimed by another run (a shared catalogue)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged",
            f"{len(self.removed)} removed", f"{len(self.skipped)} skipped", f"{self.chunks_embedded} chunks embedded",
            f"{self.quotations} quotations found",
        ]
        if self.elsewhere:
            parts.append(f"{len(self.elsewhere)} left to another ingest run")
        if self.units_upgraded:
            parts.append(f"{self.units_upgraded} documents given sentence vectors")
        if self.vectors_restored:
            parts.append(f"{self.vectors_restored} missing vectors restored")
        if self.orphans_removed:
            parts.append(f"{self.orphans_removed} orphan vectors removed")
        return ", ".join(parts)


def ingest(
    paths: Iterable[str | Path],
    store: IndexStore,
    embedder: SentenceEmbedder,
    *,
    prune: bool = False,
    max_words: int = CHUNK_WORDS,
    overlap_sentences: int = OVERLAP_SENTENCES,
    batch_chunks: int = 1024,
    max_file_mb: float = DEFAULT_MAX_FILE_MB,
    wait: bool = True,
    remove_orphans: bool = True,
    progress_every_s: float = 5.0,
    on_progress: Callable[[str], None] | None = None,
    keys: Mapping[Path, str] | None = None,
) -> IngestReport:
    """Bring the index in line with the files under `paths`; see the module docstring.

    With `wait` False, raise IndexBusyError rather than wait while another process writes the
    index. `remove_orphans` False leaves vectors without a catalogue chunk alone (a Chroma server
    shared with other hosts' catalogues holds theirs). `on_progress` is told each step as it starts
    (for a person watching: "reading a.pdf", "embedding 12 chunks"). `keys` gives some files the
    path they are indexed under (an upload kept in no folder, under a name every worker shares).

    Over a shared catalogue (PostgreSQL), runs on several hosts split the work: each document is
    claimed before it is read, one claimed by another run is left to it, and the repairs at the
    end are done by the last run out."""
    report = IngestReport()
    with store.writing(wait=wait):
        store.recover()
        paths = list(paths)
        files, problems = discover_files(paths)
        names = source_names(paths, files)
        keyed = {file: (keys or {}).get(file, str(file)) for file in files}
        for source, reason in problems:
            _skip(report, source, reason)
        known = store.document_hashes()
        shown_as = {record.path: record.source for record in store.documents()} if known else {}
        backlog = store.quotation_backlog()
        progress = _Progress(len(files), progress_every_s, on_progress)
        if store.shared:  # a run claims a batch's documents before embedding them: smaller batches share better
            batch_chunks = min(batch_chunks, SHARED_BATCH_CHUNKS)
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-writer") as writer:
                write = _OrderedWrites(writer)
                try:
                    _ingest_files(
                        keyed, names, shown_as, known, backlog, store, embedder, report, write, progress,
                        _Limits(max_words, overlap_sentences, batch_chunks, int(max_file_mb * 2**20)),
                    )
                finally:
                    try:
                        write.wait()
                    finally:
                        writer.submit(store.release_connection).result()

            if prune:
                present = set(keyed.values())
                gone = [p for p in known if p not in present and not Path(p).exists()]
                if store.shared:  # other hosts' documents (and uploads, kept in no folder) are not this run's
                    roots = [Path(p).resolve() for p in paths]
                    gone = [p for p in gone if _under(p, roots) and store.claim(p)]
                sources = {r.path: r.source for r in store.documents()}
                store.remove_documents(gone)
                report.removed.extend(sources.get(p, p) for p in gone)
            with store.alone() as alone:
                if alone:
                    backlog_vectors = AnswerVectors(store, embedder.encode)
                    report.units_upgraded = embed_backlog(store, backlog_vectors, batch_chunks, progress.doing)
                    report.units_embedded += backlog_vectors.units_embedded
                    report.words_embedded += backlog_vectors.words_embedded
                    _repair(store, embedder, report, progress, batch_chunks, remove_orphans)
                else:
                    log.info("other ingest runs are writing the shared catalogue: the last of them checks the vectors")
        finally:
            progress.close()
    return report


@dataclass(frozen=True)
class _Limits:
    max_words: int
    overlap_sentences: int
    batch_chunks: int
    max_file_bytes: int


def _repair(
    store: IndexStore, embedder: SentenceEmbedder, report: IngestReport, progress: _Progress, batch_chunks: int,
    remove_orphans: bool,
) -> None:
    """Embed again the catalogue chunks that have no vector, and drop vectors of no chunk: what an
    index damaged before the writer lock existed (or by hand) holds, which no hash comparison sees."""
    progress.doing("checking that every chunk has its vector")
    health = store.health()
    if health.missing:
        log.warning("%d chunks of the index have no vector: embedding them again", len(health.missing))
    for lo in range(0, len(health.missing), batch_chunks):
        chunks = store.chunks_to_embed(health.missing[lo : lo + batch_chunks])
        progress.doing(f"embedding {len(chunks)} chunks that had no vector")
        vectors = embedder.encode([embedding_input(c.title, c.title_embedded, c.text) for c in chunks])
        store.restore_vectors(chunks, vectors)
        report.vectors_restored += len(chunks)
    if health.orphans and remove_orphans:
        log.warning("%d vectors belong to no chunk of the catalogue: removing them", len(health.orphans))
        store.delete_vectors(health.orphans)
        report.orphans_removed = len(health.orphans)
    elif health.orphans:
        log.warning(
            "%d vectors in the Chroma server belong to no chunk of this catalogue; left alone (another host's "
            "catalogue may hold them)", len(health.orphans),
        )


class _OrderedWrites:
    """Store writes run one at a time, in order, on the writer thread; at most one waits behind
    the running one, which bounds the vectors held in memory. A failed write raises here."""

    def __init__(self, executor: ThreadPoolExecutor):
        self.executor = executor
        self.last: Future | None = None

    def __call__(self, fn: Callable, *args) -> None:
        self.wait()
        self.last = self.executor.submit(fn, *args)

    def wait(self) -> None:
        if self.last is not None:
            last, self.last = self.last, None
            last.result()


def _ingest_files(
    files, names, shown_as, known, backlog, store, embedder, report, write, progress, limits: _Limits
) -> None:
    pending: list[_Loaded] = []
    pending_chunks = 0
    answer_vectors = AnswerVectors(store, embedder.encode)

    def flush() -> None:
        nonlocal pending, pending_chunks
        if not pending:
            return
        inputs = [
            embedding_input(p.document.title, not p.document.title_from_filename, c.text)
            for p in pending for c in p.chunks
        ]
        progress.doing(f"embedding {len(inputs)} chunks")
        vectors = embedder.encode(inputs)
        progress.doing(f"embedding the sentences of {len(inputs)} chunks")
        units = answer_vectors.units([(p.chunks, direct_spans(p.facts.quotations)) for p in pending])
        answer_vectors.words([c.text for p in pending for c in p.chunks], write)
        report.units_embedded, report.words_embedded = answer_vectors.units_embedded, answer_vectors.words_embedded
        progress.embedded(len(inputs))
        items, at = [], 0
        for p, unit_vectors in zip(pending, units, strict=True):
            items.append(DocumentWrite(p.document, p.chunks, vectors[at : at + len(p.chunks)], p.facts, unit_vectors))
            at += len(p.chunks)
        write(_write_batch, store, items, known, report)
        pending, pending_chunks = [], 0

    for file, key in files.items():
        progress.file_started()
        source = names[file]
        progress.doing(f"reading {shown(source)}")
        try:
            size = file.stat().st_size
            if size > limits.max_file_bytes:
                _skip(report, source, (
                    f"is {_megabytes(size)}, over the {_megabytes(limits.max_file_bytes)} limit; raise "
                    "ASSISTANT_MAX_FILE_MB to ingest it"
                ))
                continue
            data = file.read_bytes()
        except OSError as exc:
            _skip(report, source, f"cannot be read ({exc.strerror or exc})")
            continue
        if not store.claim(key):  # another run (another host) is writing this document now
            report.elsewhere.append(source)
            continue
        if store.shared:  # another run may have stored it since this one started
            _refresh(known, key, store.document_sha(key))
        if known.get(key) == file_sha256(data):
            report.unchanged.append(source)
            if shown_as.get(key) != source:  # an older index named it by its server path
                write(store.rename_source, key, source)
            if key in backlog:  # indexed before quotations were stored: find them, embed nothing
                try:
                    doc = _load(file, key, data, source)
                    progress.doing(f"finding quotations in {shown(source)}")
                    facts = find_facts(doc)
                    report.quotations += len(facts.quotations)
                    write(store.write_facts, [(doc, facts)])
                except LoadError:
                    pass
            # Let go at once (writing its facts again, as another run may, is harmless): waiting for the
            # writer thread here would make every unchanged file wait for the batch being written.
            store.release_claim(key)
            continue
        try:
            doc = _load(file, key, data, source)
        except LoadError as exc:
            _skip(report, source, exc.reason)
            if key in known:
                # Its old text no longer is what the file says: it must not stay citable.
                write(store.remove_documents, [key])  # (which lets go of the claim when done)
                report.removed.append(source)
            else:
                store.release_claim(key)
            continue
        progress.doing(f"chunking {shown(source)}")
        chunks = chunk_document(doc, max_words=limits.max_words, overlap_sentences=limits.overlap_sentences)
        progress.doing(f"finding quotations in {shown(source)}")
        pending.append(_Loaded(doc, chunks, find_facts(doc)))
        pending_chunks += len(chunks)
        if pending_chunks >= limits.batch_chunks:
            flush()
    flush()


@dataclass(frozen=True)
class _Loaded:
    """A document chunked and read for facts, waiting for its batch to be embedded."""

    document: Document
    chunks: list[Chunk]
    facts: DocumentFacts


def _load(file: Path, key: str, data: bytes, source: str) -> Document:
    """The file's document, indexed under `key` (its resolved path, unless ingest was given another)."""
    doc = load_document(file, data, source)
    return doc if doc.path == key else dataclasses.replace(doc, path=key)


def _under(path: str, roots: list[Path]) -> bool:
    """Whether an indexed path lies in one of the folders (or is one of the files) a run was given."""
    return not path.startswith(UPLOAD_KEY_PREFIX) and any(Path(path).is_relative_to(root) for root in roots)


def _refresh(known: dict[str, str], path: str, sha256: str | None) -> None:
    if sha256 is None:
        known.pop(path, None)
    else:
        known[path] = sha256


def _write_batch(store: IndexStore, items: list[DocumentWrite], known: dict[str, str], report: IngestReport) -> None:
    store.write_documents(items)
    for item in items:
        store.release_claim(item.document.path)
        report.chunks_embedded += len(item.chunks)
        report.quotations += len(item.facts.quotations)
        (report.updated if item.document.path in known else report.added).append(item.document.source)


def find_facts(doc: Document) -> DocumentFacts:
    """The document's quotations with their speakers, and its date when its first lines give one."""
    return DocumentFacts(quotations=extract_quotations(doc.text), date=document_date(doc.text))


def embedding_input(title: str, title_embedded: bool, text: str) -> str:
    """What a chunk's vector is made of: its document's title and its text, unless the title was
    made up from the file name.

    >>> embedding_input("Lithuania critical minerals", True, "Budrys said ..."), embedding_input("Doc 1", False, "x")
    ('Lithuania critical minerals\\nBudrys said ...', 'x')
    """
    # A title gives a chunk the context its sentences lack ("he", "the company"); a name made up
    # from the file name ("Doc 00001") would only add noise to the vector.
    return f"{title}\n{text}" if title_embedded else text



def _skip(report: IngestReport, source: str, reason: str) -> None:
    report.skipped.append((source, reason))
    log.warning("skipped %s: %s", shown(source), shown(reason))


def _megabytes(size: int) -> str:
    """A size for people, in MiB called MB as file managers do.

    >>> _megabytes(52428800), _megabytes(20 * 2**20), _megabytes(10240)
    ('50 MB', '20 MB', '0.00977 MB')
    """
    return f"{size / 2**20:.3g} MB"
