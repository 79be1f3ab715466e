"""What opening a citation in its document needs from the index (issue 14): a document's id, its
stored text, a PDF's page starts; sources named relative to their root, never a server path, also
for an index built before (migration 5) and at the next ingest of its root."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from index import ingest, load_document
from index.catalogue import CATALOGUE_FILE
from index.documents import page_of
from index.records import document_id

from ..fakes import FakeEmbedder
from ..pdfs import text_pdf


def test_a_pdf_records_where_each_page_starts(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf([["Harbour report"], [], ["The crane moved 40 boxes."], ["Budrys spoke last."]]))
    doc = load_document(path)
    assert len(doc.pages) == 4
    for number, needle in [(1, "Harbour report"), (3, "The crane moved"), (4, "Budrys spoke last.")]:
        at = doc.text.index(needle)
        assert page_of(doc.pages, at) == number and doc.text[doc.pages[number - 1] :].startswith(needle)
    assert doc.pages[1] == doc.pages[2]  # the empty page 2 holds no character: nothing is on it
    assert load_document(tmp_path / "report.pdf").pages == doc.pages


def test_the_catalogue_keeps_each_documents_id_text_pages_and_quotation_count(tmp_path, new_store):
    folder = tmp_path / "corpus"
    folder.mkdir()
    quoted = '"The port reopens on Monday," said Mayor Jonas Budrys.'
    (folder / "report.pdf").write_bytes(text_pdf([["Harbour report"], [quoted]]))
    (folder / "note.txt").write_text("Note\n\nThe ferry left at noon.\n\n\n   Then it rained.", encoding="utf-8")
    store = new_store()
    ingest([folder], store, FakeEmbedder(), max_words=20)

    by_source = {d.source: d for d in store.documents()}
    assert set(by_source) == {"corpus/note.txt", "corpus/report.pdf"}  # named by the folder, not the server path
    for record in by_source.values():
        assert record.doc_id == document_id(record.path) and store.document(record.doc_id) == record
        assert store.document_text(record.path) == load_document(record.path).text
    assert len(by_source["corpus/report.pdf"].pages) == 2 and by_source["corpus/note.txt"].pages == ()
    assert by_source["corpus/report.pdf"].quotations == 1
    (chunk,) = [c for c in store.chunks_by_id(list(store.catalogue.chunk_ids())).values() if "ferry" in c.text]
    assert store.documents_of([chunk.chunk_id]) == {chunk.chunk_id: by_source["corpus/note.txt"]}
    assert store.document("0" * 16) is None and store.document_text("/nowhere.txt") is None

    store.remove_documents([by_source["corpus/note.txt"].path])
    assert store.document(by_source["corpus/note.txt"].doc_id) is None
    assert store.document_text(by_source["corpus/note.txt"].path) is None


def test_an_older_index_gets_ids_and_names_and_its_text_from_the_chunks(tmp_path, new_store):
    folder = tmp_path / "srv" / "news"
    folder.mkdir(parents=True)
    text = "Harbour\n\nThe crane moved forty boxes on Monday.\n\n\nThe mayor was pleased with it."
    (folder / "a.txt").write_text(text, encoding="utf-8")
    store = new_store()
    ingest([folder], store, FakeEmbedder(), max_words=20)
    store.close()
    path = str((folder / "a.txt").resolve())
    # As the index was before migration 5: no ids, no texts, and the absolute path as the source.
    db = sqlite3.connect(tmp_path / "ix" / CATALOGUE_FILE)
    db.executescript(f"""UPDATE documents SET doc_id = NULL, pages = NULL, source = '{path}';
                         DELETE FROM document_texts; DROP INDEX documents_by_id; PRAGMA user_version = 4;""")
    db.close()

    store = new_store()
    (record,) = store.documents()
    assert record.source == "news/a.txt" and record.doc_id == document_id(path)
    rebuilt = store.document_text(path)
    assert len(rebuilt) == len(text)
    for chunk in store.chunks_by_id(list(store.catalogue.chunk_ids())).values():
        assert rebuilt[chunk.start : chunk.end] == text[chunk.start : chunk.end]  # every cited offset still holds

    store.rename_source(path, "elsewhere/a.txt")
    report = ingest([folder], store, FakeEmbedder(), max_words=20)  # unchanged: renamed, nothing embedded
    assert report.unchanged == ["news/a.txt"] and report.chunks_embedded == 0
    assert [d.source for d in store.documents()] == ["news/a.txt"]


def test_sources_are_relative_to_the_root_whatever_the_working_directory(tmp_path, new_store, monkeypatch):
    folder = tmp_path / "deep" / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.txt").write_text("X\nThe ferry left at noon.", encoding="utf-8")
    (tmp_path / "single.md").write_text("# Single\nA lone file.", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    store = new_store()
    report = ingest([folder, tmp_path / "single.md"], store, FakeEmbedder())
    assert sorted(report.added) == ["corpus/sub/x.txt", "single.md"]
    assert sorted(d.source for d in store.documents()) == ["corpus/sub/x.txt", "single.md"]
    assert all(not Path(d.source).is_absolute() for d in store.documents())
