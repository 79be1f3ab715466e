"""Reproducers from a hostile review of issue 15 (the PostgreSQL catalogue). Each test states what
should hold; those that fail show a bug (see the review report).

Run: .venv/bin/python -m pytest tests/index/test_review_shared_catalogue.py -q
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index import (
    PostgresCatalogue,
    SQLiteCatalogue,
    chunk_document,
    ingest,
    load_document,
)
from index.ingest import find_facts
from index.terms import lexical_terms

from ..fakes import FakeEmbedder
from ..postgres import fresh_schema_name


def _doc(folder: Path, name: str, text: str):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return load_document(path, source=name)


# -- lexical index: a word whose stem is empty -----------------------------------------------------

# U+FF9E / U+FF9F (halfwidth katakana voiced marks) are \w but fold to nothing: the lexeme is ''.
EMPTY_STEM = "\uff9e"


def test_a_question_with_a_word_that_stems_to_nothing_is_searched_not_raised(postgres_server):
    catalogue = PostgresCatalogue(postgres_server.url, fresh_schema_name())
    try:
        # SQLite answers []; PostgreSQL raises psycopg.errors.SyntaxError (HTTP 500 from /api/ask).
        assert catalogue.lexical_search(lexical_terms(f"ferry {EMPTY_STEM}"), 5) == []
    finally:
        catalogue.close()


def test_a_document_with_a_word_that_stems_to_nothing_is_stored(postgres_server, tmp_path):
    catalogue = PostgresCatalogue(postgres_server.url, fresh_schema_name())
    try:
        doc = _doc(tmp_path, "kana.txt", f"Kana\nThe sign read {EMPTY_STEM} and nothing else.\n")
        # Raises "syntax error in tsvector": one such document aborts a whole ingest run / upload.
        catalogue.store_document(doc, chunk_document(doc), find_facts(doc), 1.0, None)
        assert catalogue.document_count() == 1
    finally:
        catalogue.close()


# -- lexical index: the same documents, the same hits as SQLite ------------------------------------


@pytest.mark.parametrize(("text", "question"), [
    ("The covid_19 figures rose again.", "covid"),  # FTS5 unicode61 splits on _, Python's \w does not
    ("The news came late.", "new"),  # FTS5 stems with Porter (news -> new), PostgreSQL with Snowball
    ("The skies cleared.", "sky"),
])
def test_postgres_finds_what_sqlite_finds(postgres_server, tmp_path, text, question):
    doc = _doc(tmp_path, "a.txt", f"Report\n{text}\n")
    sqlite = SQLiteCatalogue(tmp_path / "c.sqlite3")
    pg = PostgresCatalogue(postgres_server.url, fresh_schema_name())
    try:
        for catalogue in (sqlite, pg):
            catalogue.store_document(doc, chunk_document(doc), find_facts(doc), 1.0, None)
        terms = list(dict.fromkeys(lexical_terms(question)))
        assert [c for c, _ in pg.lexical_search(terms, 5)] == [c for c, _ in sqlite.lexical_search(terms, 5)]
    finally:
        sqlite.close()
        pg.close()


# -- --prune over a shared catalogue ---------------------------------------------------------------


def test_prune_on_one_host_keeps_the_uploads_every_worker_shares(two_hosts, tmp_path):
    one, _ = two_hosts
    embedder = FakeEmbedder()
    upload = tmp_path / "tmp-upload" / "lighthouse.txt"
    upload.parent.mkdir()
    upload.write_text("Lighthouse\nThe Zorbulon lighthouse was painted violet.\n", encoding="utf-8")
    ingest([upload], one, embedder, keys={upload.resolve(): "upload:lighthouse.txt"})
    assert "upload:lighthouse.txt" in one.document_hashes()
    folder = tmp_path / "docs"
    _doc(folder, "a.txt", "Ferry\nThe ferry was late.\n")
    report = ingest([folder], one, embedder, prune=True)  # `assistant ingest --prune docs` on any host
    assert report.removed == [], "an upload, kept in no folder, is removed by a prune of an unrelated folder"
    assert "upload:lighthouse.txt" in one.document_hashes()


# -- a delete on one host while another host writes the same document -----------------------------


def test_a_delete_waits_for_the_claim_of_a_writer_on_another_host(two_hosts, tmp_path):
    """Host 1 is writing report.txt (claimed; vectors upserted, catalogue commit next). Host 2's
    delete of the same document deletes the catalogue rows first and the vectors last: if host 1
    commits in between, the document is committed with its vectors deleted."""
    one, other = two_hosts
    embedder = FakeEmbedder()
    folder = tmp_path / "docs"
    doc = _doc(folder, "report.txt", "Report\nThe harbour handled 17 ships.\n")
    ingest([folder], one, embedder)
    path = doc.path
    (folder / "report.txt").write_text("Report\nThe harbour handled 18 ships.\n", encoding="utf-8")

    original = other.vectors.delete_document

    def delete_vectors_after_host_one_commits(p, keep_sha=None):
        if p == path:  # host 1's ingest of the new version runs (and commits) now, in the window
            ingest([folder], one, embedder)
        return original(p, keep_sha=keep_sha)

    other.vectors.delete_document = delete_vectors_after_host_one_commits
    with other.writing():
        other.remove_documents([path])  # Assistant.delete_document does exactly this: no claim
    health = one.health()
    assert health.consistent, f"{len(health.missing)} committed chunks have no vector"


# -- a writer whose PostgreSQL session is lost ---------------------------------------------------


def test_a_writer_whose_session_was_lost_stops_writing(two_hosts, tmp_path, postgres_server):
    from index.catalogue.postgres_locks import WriterLostError

    """Host 1's writer session ends (a restart, a failover, a proxy or idle_session_timeout closing an
    idle connection while it embeds a batch): its advisory locks are gone, but it still writes through
    the pool. Host 2 is then 'alone', recovers, and deletes host 1's in-flight vectors; host 1 commits."""
    import psycopg

    one, other = two_hosts
    embedder = FakeEmbedder()
    doc = _doc(tmp_path / "docs", "inflight.txt", "Inflight\nThe harbour handled 17 ships.\n")
    chunks = chunk_document(doc)
    facts = find_facts(doc)
    with one.writing():
        # host 1's write of a batch, first half: journal + vectors (IndexStore._write_documents)
        one.catalogue.journal_add([(doc.path, doc.sha256)])
        from index.records import chunk_id
        from index.vectors import vector_metadata
        one.vectors.upsert([chunk_id(doc.path, doc.sha256, c.ordinal) for c in chunks],
                           embedder.encode([c.text for c in chunks]), [c.text for c in chunks],
                           [vector_metadata(doc.path, doc.source, doc.title, doc.sha256, c.ordinal, c.start, c.end)
                            for c in chunks])
        pid = one._writer._db.info.backend_pid
        with psycopg.connect(postgres_server.url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert one._writer.held  # host 1 does not know
        with other.writing():
            with other.alone() as alone:
                assert alone  # PostgreSQL ended host 1's session, and its locks with it
            assert other.recover() == 1  # host 1's in-flight vectors are removed
        # host 1's write, second half: its commit checks that its session still holds the lock
        with pytest.raises(WriterLostError, match="ended while it wrote"):
            one.catalogue.store_document(doc, chunks, facts, 1.0, None)
    assert one.catalogue.document_count() == 0
    health = one.health()
    assert health.consistent, f"{len(health.missing)} committed chunks have no vector"
