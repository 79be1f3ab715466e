"""An ingest killed with SIGKILL half-way leaves no half-written document, and the next run repairs it.

The `assistant ingest` CLI runs in a subprocess over 100 small files; with ASSISTANT_CHUNK_WORDS=20
each file gives 4 short chunks (400 in all, so two embedding batches of 256 that stay cheap), and the
process is killed once the catalogue holds some documents but not all.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from index import CATALOGUE_FILE, IndexStore, chunk_document, extract_quotations, load_document, open_chroma_client
from index.records import chunk_id

from ..helpers import ROOT, run_cli
from .corpus import CHUNK_WORDS, N_FILES, ingest_cmd, run_env, write_corpus

pytestmark = pytest.mark.slow

KILL_TIMEOUT_S = 120


def document_rows(catalogue: Path) -> int | None:
    if not catalogue.exists():
        return None
    try:
        db = sqlite3.connect(catalogue, timeout=0.5)
        try:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:  # table not created yet, or briefly locked
        return None


def query(db_path: Path, sql: str, args=()) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


@pytest.fixture(scope="module")
def killed_ingest(tmp_path_factory):
    """Run the CLI ingest and SIGKILL it mid-way. Returns (folder, files, index_dir, snapshot_dir):
    snapshot_dir is a copy of the index exactly as the killed process left it."""
    base = tmp_path_factory.mktemp("interrupted")
    folder, index_dir = base / "docs", base / "index"
    files = write_corpus(folder)
    catalogue = index_dir / CATALOGUE_FILE
    log = (base / "killed.log").open("w+")
    proc = subprocess.Popen(ingest_cmd(index_dir, folder), cwd=ROOT, env=run_env(), stdout=log, stderr=log)
    deadline = time.monotonic() + KILL_TIMEOUT_S
    rows = None
    try:
        while time.monotonic() < deadline:
            rows = document_rows(catalogue)
            if rows and rows < N_FILES:
                proc.kill()  # SIGKILL: no cleanup, no atexit, no finally blocks
                break
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        log.seek(0)
        output = log.read()
        log.close()
    assert proc.returncode == -9, f"ingest was not killed mid-way (rc={proc.returncode}, rows={rows}):\n{output}"
    snapshot = base / "snapshot"
    shutil.copytree(index_dir, snapshot)  # the process is dead: the files are what a crash leaves
    return folder, files, index_dir, snapshot


def test_killed_ingest_leaves_only_whole_documents(killed_ingest, embedder):
    folder, files, _, snapshot = killed_ingest
    db_path = snapshot / CATALOGUE_FILE
    store = IndexStore(snapshot, open_chroma_client(snapshot), embedder)
    try:
        docs = store.documents()
        assert 0 < len(docs) < N_FILES
        assert all(d.chunks == 4 for d in docs)  # multi-chunk documents, chunked as the CLI was told
        sqlite_ids = {row[0] for row in query(db_path, "SELECT chunk_id FROM chunks")}
        chroma_ids = set(store.vectors.collection.get(include=[])["ids"])

        # Every committed document has exactly its own chunks, matching the file on disk.
        by_path: dict[str, list[tuple]] = {}
        sql = 'SELECT path, chunk_id, ordinal, start, "end", text FROM chunks ORDER BY path, ordinal'
        for row in query(db_path, sql):
            by_path.setdefault(row[0], []).append(row[1:])
        assert set(by_path) == {d.path for d in docs}  # no chunks without a document
        for doc in docs:
            rows = by_path[doc.path]
            assert len(rows) == doc.chunks
            loaded = load_document(doc.path)
            assert loaded.sha256 == doc.sha256
            expected = chunk_document(loaded, max_words=CHUNK_WORDS)
            assert [(r[1], r[2], r[3], r[4]) for r in rows] == [(c.ordinal, c.start, c.end, c.text) for c in expected]
            assert [r[0] for r in rows] == [chunk_id(doc.path, doc.sha256, c.ordinal) for c in expected]
        assert store.chunk_count() == sum(d.chunks for d in docs)

        # Quotations came with their documents' chunks: one per committed document, none of the others.
        quoted = query(db_path, "SELECT path, text, speaker FROM quotations ORDER BY path")
        assert [row[0] for row in quoted] == sorted(d.path for d in docs)
        for path, text, speaker in quoted:
            (expected,) = extract_quotations(load_document(path).text)
            assert (text, speaker) == (expected.text, expected.speaker) and speaker == "Kovač"

        # Every committed chunk has its vector; any extra vector belongs to a journaled (in-flight) path.
        assert sqlite_ids <= chroma_ids
        journal = {row[0] for row in query(db_path, "SELECT path FROM journal")}
        orphans = chroma_ids - sqlite_ids
        if orphans:
            meta = store.vectors.collection.get(ids=sorted(orphans), include=["metadatas"])["metadatas"]
            assert {m["path"] for m in meta} <= journal

        # Searches only surface committed chunks (dense hits are resolved through chunks_by_id).
        committed = {Path(d.path).stem for d in docs}
        some_doc = sorted(committed)[0]
        marker = f"zzmarker{some_doc.rsplit('-', 1)[1]}"
        hits = store.lexical_search(f"{marker} amber harbour ferry", 50)
        assert hits
        resolved = store.chunks_by_id([cid for cid, _ in hits])
        assert set(resolved) == {cid for cid, _ in hits}
        assert any(marker in c.text for c in resolved.values())
        missing_marker = next(f"zzmarker{i:03d}" for i in range(N_FILES) if f"report-{i:03d}" not in committed)
        assert not store.lexical_search(missing_marker, 10)

        # Every vector, ranked: a top 50 may hold only in-flight vectors when few documents committed.
        dense = store.dense_search(embedder.encode(["minerals treaty council budget"])[0], store.vector_count())
        assert dense
        for cid, _ in dense:
            assert cid in chroma_ids
        resolved = store.chunks_by_id([cid for cid, _ in dense])
        assert set(resolved) <= sqlite_ids
        assert set(resolved) == {cid for cid, _ in dense} - orphans
        got = store.vectors.collection.get(ids=sorted(resolved), include=["documents"])
        texts = dict(zip(got["ids"], got["documents"], strict=True))
        assert all(texts[cid] == chunk.text for cid, chunk in resolved.items())
    finally:
        store.close()


def test_rerun_after_kill_completes_consistently(killed_ingest, embedder):
    folder, files, index_dir, snapshot = killed_ingest
    committed_before = query(snapshot / CATALOGUE_FILE, "SELECT count(*) FROM documents")[0][0]

    done = run_cli("--index-dir", str(index_dir), "ingest", str(folder), env=run_env(), timeout=600)
    assert done.returncode == 0, done.stderr
    summary = done.stdout
    assert re.search(rf"\b{N_FILES - committed_before} added\b", summary), summary
    assert re.search(rf"\b{committed_before} unchanged\b", summary), summary
    assert re.search(r"\b0 updated\b.*\b0 skipped\b", summary), summary

    db_path = index_dir / CATALOGUE_FILE
    store = IndexStore(index_dir, open_chroma_client(index_dir), embedder)
    try:
        docs = store.documents()
        assert len(docs) == N_FILES
        assert {d.path for d in docs} == {str(f.resolve()) for f in files}
        total = sum(d.chunks for d in docs)
        assert total == store.chunk_count() == store.vector_count()
        assert total == sum(len(chunk_document(load_document(f), max_words=CHUNK_WORDS)) for f in files)
        assert query(db_path, "SELECT count(*) FROM journal") == [(0,)]
        (mayor,) = store.speakers()
        assert (mayor.name, mayor.count, mayor.documents) == ("Kovač", N_FILES, N_FILES)
        sqlite_ids = {row[0] for row in query(db_path, "SELECT chunk_id FROM chunks")}
        assert set(store.vectors.collection.get(include=[])["ids"]) == sqlite_ids
        # Lexical index is in step with the chunks table: every file's marker is found in that file.
        for i in (0, N_FILES // 2, N_FILES - 1):
            hits = store.lexical_search(f"zzmarker{i:03d}", 5)
            assert hits
            assert store.chunks_by_id([hits[0][0]])[hits[0][0]].path.endswith(f"report-{i:03d}.txt")
    finally:
        store.close()
