"""index.ingest: incremental ingestion into a real on-disk index (real model, real Chroma)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from index import CATALOGUE_FILE, IndexStore, chunk_document, ingest, load_document

from .corpus import make_folder

DOCS = {
    "amber.txt": (
        "Amber coast\nThe amber coast of Lithuania draws many visitors each summer. "
        "Fishermen in Nida still sell smoked fish by the dunes. The Curonian Spit is a protected area."
    ),
    "grid.md": (
        "# Baltic grid\n\nThe Baltic states left the Soviet-era power grid in 2025. "
        "Engineers synchronised with the continental European network. Officials called it a milestone."
    ),
    "minerals.html": (
        "<html><head><title>Minerals deal</title><script>var tracker = 'zzscripttoken';</script></head>"
        "<body><p>Vilnius may sign a bilateral minerals deal with Washington.</p>"
        "<p>Budrys said the European Union must move faster.</p></body></html>"
    ),
}


def sqlite_ids(store: IndexStore) -> set[str]:
    with sqlite3.connect(store.index_dir / CATALOGUE_FILE) as db:
        return {row[0] for row in db.execute("SELECT chunk_id FROM chunks")}


def chroma_ids(store: IndexStore) -> set[str]:
    return set(store.vectors.collection.get(include=[])["ids"])


def assert_consistent(store: IndexStore) -> None:
    """The SQLite catalogue and the Chroma collection hold exactly the same chunks."""
    assert store.chunk_count() == store.vector_count()
    assert sqlite_ids(store) == chroma_ids(store)
    assert sum(d.chunks for d in store.documents()) == store.chunk_count()


def expected_chunks(folder: Path) -> int:
    return sum(len(chunk_document(load_document(f))) for f in folder.iterdir())


def test_incremental_ingest(tmp_path, new_store, embedder):
    folder = make_folder(tmp_path / "docs", DOCS)
    store = new_store()
    n_chunks = expected_chunks(folder)

    # First run: everything is new and embedded once.
    before = embedder.texts_embedded
    report = ingest([folder], store, embedder)
    # Each chunk once, each distinct sentence unit once and each word once (for the answerer).
    assert n_chunks == report.chunks_embedded and report.units_embedded >= n_chunks and report.words_embedded > 0
    assert embedder.texts_embedded - before == n_chunks + report.units_embedded + report.words_embedded
    assert store.unit_backlog() == []
    assert sorted(Path(s).name for s in report.added) == sorted(DOCS)
    assert not (report.updated or report.unchanged or report.removed or report.skipped)
    assert store.chunk_count() == n_chunks
    assert_consistent(store)
    titles = {Path(d.path).name: d.title for d in store.documents()}
    assert titles == {"amber.txt": "Amber coast", "grid.md": "Baltic grid", "minerals.html": "Minerals deal"}
    assert not store.lexical_search("zzscripttoken", 5)  # script content never indexed
    hit = store.lexical_search("Curonian dunes", 5)
    assert hit and store.chunks_by_id([hit[0][0]])[hit[0][0]].path.endswith("amber.txt")

    # Second run over unchanged files: no embedding at all, nothing rewritten.
    ids_before = chroma_ids(store)
    before = embedder.texts_embedded
    report = ingest([folder], store, embedder)
    assert embedder.texts_embedded == before
    assert report.chunks_embedded == 0
    assert sorted(Path(s).name for s in report.unchanged) == sorted(DOCS)
    assert not (report.added or report.updated or report.removed or report.skipped)
    assert chroma_ids(store) == ids_before
    assert "3 unchanged" in report.summary() and "0 chunks embedded" in report.summary()

    # Change one file: only its chunks are embedded; its old chunks are gone everywhere.
    amber = folder / "amber.txt"
    old_ids = {cid for cid, c in store.chunks_by_id(list(sqlite_ids(store))).items() if c.path == str(amber)}
    assert old_ids
    amber.write_text(
        "Amber coast\nThe amber coast now has a new ferry line to Klaipeda. Tourists welcome it.", encoding="utf-8"
    )
    new_chunks = len(chunk_document(load_document(amber)))
    before = embedder.texts_embedded
    report = ingest([folder], store, embedder)
    assert new_chunks == report.chunks_embedded
    assert embedder.texts_embedded - before == new_chunks + report.units_embedded + report.words_embedded
    assert [Path(s).name for s in report.updated] == ["amber.txt"]
    assert sorted(Path(s).name for s in report.unchanged) == ["grid.md", "minerals.html"]
    assert not report.added
    assert store.chunk_count() == n_chunks - len(old_ids) + new_chunks
    assert_consistent(store)
    assert not old_ids & chroma_ids(store)
    assert not old_ids & sqlite_ids(store)
    assert not store.lexical_search("Curonian", 5)  # only the old version said this
    assert not store.lexical_search("Nida fishermen smoked", 5)
    ferry = store.lexical_search("ferry Klaipeda", 5)
    assert ferry and store.chunks_by_id([ferry[0][0]])[ferry[0][0]].path == str(amber.resolve())
    # Dense search finds the new text and never an old vector.
    vector = embedder.encode(["a new ferry line to Klaipeda"])[0]
    dense_ids = [cid for cid, _ in store.dense_search(vector, 10)]
    assert dense_ids and set(dense_ids) <= sqlite_ids(store)
    assert store.chunks_by_id(dense_ids[:1])[dense_ids[0]].path == str(amber.resolve())

    # Delete a file: without prune it stays, with prune it goes.
    grid_path = str((folder / "grid.md").resolve())
    grid_chunks = next(d.chunks for d in store.documents() if d.path == grid_path)
    (folder / "grid.md").unlink()
    count = store.chunk_count()
    report = ingest([folder], store, embedder)
    assert not report.removed
    assert grid_path in store.document_hashes()
    assert store.chunk_count() == count
    assert store.lexical_search("synchronised continental", 5)

    before = embedder.texts_embedded
    report = ingest([folder], store, embedder, prune=True)
    assert embedder.texts_embedded == before
    assert [Path(s).name for s in report.removed] == ["grid.md"]
    assert grid_path not in store.document_hashes()
    assert store.chunk_count() == count - grid_chunks
    assert_consistent(store)
    assert not store.lexical_search("synchronised continental", 5)
    assert len(store.documents()) == 2

    # A fresh store over the same directory sees the same index (it is on disk).
    store.close()
    reopened = new_store()
    assert len(reopened.documents()) == 2
    assert_consistent(reopened)
    reopened.close()


def test_same_content_at_two_paths_gives_two_documents(tmp_path, new_store, embedder):
    text = "Twin file\nIdentical words live in two places. Both must be found."
    a = make_folder(tmp_path / "a", {"twin.txt": text})
    b = make_folder(tmp_path / "b", {"twin.txt": text})
    store = new_store()
    report = ingest([a, b, a / "twin.txt"], store, embedder)  # a named twice: ingested once
    assert len(report.added) == 2
    assert len(store.documents()) == 2
    assert_consistent(store)
    assert len(store.lexical_search("identical", 10)) == 2


def test_bad_files_are_skipped_with_reasons_and_warnings(tmp_path, new_store, embedder, caplog):
    folder = make_folder(tmp_path / "mixed", {
        "good.txt": "Good file\nThe harbour of Klaipeda is ice free.",
        "page.html": "<html><head><title>Page</title></head><body><p>Visible harbour text.</p>"
                     "<script>alert('zzscriptword')</script></body></html>",
    })
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes(b"caf\xe9 au lait")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / ".hidden.txt").write_text("Hidden\nNot to be ingested.", encoding="utf-8")
    store = new_store()

    with caplog.at_level(logging.WARNING, logger="index.ingest"):
        report = ingest([folder], store, embedder)

    assert sorted(Path(s).name for s in report.added) == ["good.txt", "page.html"]
    skipped = {Path(source).name: reason for source, reason in report.skipped}
    assert set(skipped) == {"binary.txt", "empty.txt", "latin1.txt", "image.png"}
    assert {source for source, _ in report.skipped} == {f"{folder.name}/{name}" for name in skipped}
    assert "binary" in skipped["binary.txt"]
    assert "empty" in skipped["empty.txt"]
    assert "UTF-8" in skipped["latin1.txt"]
    assert "unsupported" in skipped["image.png"] and ".png" in skipped["image.png"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for name, reason in skipped.items():
        assert any(name in w and reason in w for w in warnings), (name, warnings)
    assert "4 skipped" in report.summary()

    assert len(store.documents()) == 2
    assert_consistent(store)
    assert store.lexical_search("harbour", 5)
    assert not store.lexical_search("zzscriptword", 5)
    assert not store.lexical_search("hidden", 5)

    # Bad files are skipped again next time (they are not recorded as ingested), good ones unchanged.
    before = embedder.texts_embedded
    report = ingest([folder], store, embedder)
    assert embedder.texts_embedded == before
    assert len(report.skipped) == 4 and len(report.unchanged) == 2


def test_missing_path_is_reported_not_raised(tmp_path, new_store, embedder):
    store = new_store()
    report = ingest([tmp_path / "nope"], store, embedder)
    assert report.skipped == [(str(tmp_path / "nope"), "no such file or folder")]
    assert store.is_empty()


def test_file_that_becomes_unloadable_does_not_leave_stale_chunks(tmp_path, new_store, embedder):
    folder = make_folder(tmp_path / "docs", {"note.txt": "Stale note\nThe zzstaleword must disappear."})
    store = new_store()
    ingest([folder], store, embedder)
    assert store.lexical_search("zzstaleword", 5)
    (folder / "note.txt").write_bytes(b"")
    report = ingest([folder], store, embedder, prune=True)
    assert [Path(s).name for s, _ in report.skipped] == ["note.txt"]
    assert not store.lexical_search("zzstaleword", 5)
