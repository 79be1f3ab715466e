"""Incremental ingestion: files -> documents -> chunks -> vectors -> the index.

A file whose bytes hash to what the index already holds is skipped before it is even parsed, so
a second run over unchanged files does no embedding work. Chunks of several small documents are
embedded together in batches; each document is committed on its own. A batch is written to the
store by one writer thread while the next batch is embedded, so the encoder never waits for
Chroma or SQLite. Each document's quotations (who said what) and date are found when it is
loaded and committed with its chunks.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import chunk_document
from .dates import document_date
from .documents import SUPPORTED_SUFFIXES, Document, LoadError, display_source, file_sha256, load_document
from .embedding import SentenceEmbedder
from .quotes import extract_quotations
from .store import DocumentFacts, IndexStore

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    chunks_embedded: int = 0
    quotations: int = 0  # found in the documents added or updated (or brought up to date)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged",
            f"{len(self.removed)} removed", f"{len(self.skipped)} skipped", f"{self.chunks_embedded} chunks embedded",
            f"{self.quotations} quotations found",
        ]
        return ", ".join(parts)


def discover_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest under `paths` (folders are walked; hidden entries skipped), and the paths
    that could not be used, with the reason (unsupported types, missing paths)."""
    files: list[Path] = []
    problems: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    file = Path(root) / name
                    if file.suffix.lower() in SUPPORTED_SUFFIXES:
                        files.append(file)
                    else:
                        problems.append((display_source(file), f"unsupported file type {file.suffix or '(none)'}"))
        elif path.is_file():
            files.append(path)
        else:
            problems.append((str(path), "no such file or folder"))
    unique = list(dict.fromkeys(f.resolve() for f in files))
    return unique, problems


def ingest(
    paths: Iterable[str | Path],
    store: IndexStore,
    embedder: SentenceEmbedder,
    *,
    prune: bool = False,
    max_words: int = 120,
    overlap_sentences: int = 1,
    batch_chunks: int = 1024,
) -> IngestReport:
    """Bring the index in line with the files under `paths`; see the module docstring."""
    report = IngestReport()
    store.recover()
    files, problems = discover_files(paths)
    for source, reason in problems:
        _skip(report, source, reason)
    known = store.document_hashes()
    backlog = store.quotation_backlog()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-writer") as writer:
        write = _OrderedWrites(writer)
        try:
            _ingest_files(
                files, known, backlog, store, embedder, report, write, max_words, overlap_sentences, batch_chunks,
            )
        finally:
            try:
                write.wait()
            finally:
                writer.submit(store.release_connection).result()

    if prune:
        present = {str(f) for f in files}
        gone = [p for p in known if p not in present and not Path(p).exists()]
        sources = {r.path: r.source for r in store.documents()}
        store.remove_documents(gone)
        report.removed.extend(sources.get(p, p) for p in gone)
    return report


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
    files, known, backlog, store, embedder, report, write, max_words, overlap_sentences, batch_chunks,
) -> None:
    pending: list[tuple[Document, list, DocumentFacts]] = []
    pending_chunks = 0
    progress = _progress(len(files))

    def flush() -> None:
        nonlocal pending, pending_chunks
        if not pending:
            return
        inputs = [_embedding_input(doc, c.text) for doc, chunks, _ in pending for c in chunks]
        vectors = embedder.encode(inputs)
        items, at = [], 0
        for doc, chunks, facts in pending:
            items.append((doc, chunks, vectors[at : at + len(chunks)], facts))
            at += len(chunks)
        write(_write_batch, store, items, known, report)
        pending, pending_chunks = [], 0

    for file in files:
        progress.update(1)
        try:
            data = file.read_bytes()
        except OSError as exc:
            _skip(report, display_source(file), f"cannot be read ({exc.strerror or exc})")
            continue
        if known.get(str(file)) == file_sha256(data):
            report.unchanged.append(display_source(file))
            if str(file) in backlog:  # indexed before quotations were stored: find them, embed nothing
                try:
                    doc = load_document(file, data)
                except LoadError:
                    continue
                facts = find_facts(doc)
                report.quotations += len(facts.quotations)
                write(store.write_facts, [(doc, facts)])
            continue
        try:
            doc = load_document(file, data)
        except LoadError as exc:
            _skip(report, display_source(file), exc.reason)
            if str(file) in known:
                # Its old text no longer is what the file says: it must not stay citable.
                write(store.remove_documents, [str(file)])
                report.removed.append(display_source(file))
            continue
        chunks = chunk_document(doc, max_words=max_words, overlap_sentences=overlap_sentences)
        pending.append((doc, chunks, find_facts(doc)))
        pending_chunks += len(chunks)
        if pending_chunks >= batch_chunks:
            flush()
    flush()
    progress.close()


def _write_batch(store: IndexStore, items, known: dict[str, str], report: IngestReport) -> None:
    store.write_documents(items)
    for doc, chunks, _, facts in items:
        report.chunks_embedded += len(chunks)
        report.quotations += len(facts.quotations)
        (report.updated if doc.path in known else report.added).append(doc.source)


def find_facts(doc: Document) -> DocumentFacts:
    """The document's quotations with their speakers, and its date when its first lines give one."""
    return DocumentFacts(quotations=extract_quotations(doc.text), date=document_date(doc.text))


def _embedding_input(doc: Document, text: str) -> str:
    # A title gives a chunk the context its sentences lack ("he", "the company"); a name made up
    # from the file name ("Doc 00001") would only add noise to the vector.
    return text if doc.title_from_filename else f"{doc.title}\n{text}"


def _skip(report: IngestReport, source: str, reason: str) -> None:
    report.skipped.append((source, reason))
    log.warning("skipped %s: %s", source, reason)


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="ingest", disable=not sys.stderr.isatty() or total < 2, leave=False)
