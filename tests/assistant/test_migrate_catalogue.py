"""`assistant migrate-catalogue`: a collection's SQLite catalogue copied into a real PostgreSQL (the
session's `postgres_server`, a schema per test) answers exactly as the SQLite one did, with nothing
embedded again; what cannot be copied as it is is refused, and leaves PostgreSQL as it was.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.cli import main
from assistant.errors import AssistantError
from assistant.migrate import copy_catalogue, migrate_collection
from index import CATALOGUE_FILE, PostgresCatalogue, SQLiteCatalogue, open_chroma_client

from ..fakes import FakeEmbedder
from ..helpers import HARBOUR, SEEDS, free_port
from ..postgres import fresh_schema_name
from ..servers import CHROMA, ChromaServer

QUESTIONS = ["What did Budrys say?", "Who is the prime minister of Lithuania?", "What did Jansen say about the ferry?"]


class CountingEmbedder(FakeEmbedder):
    """The fake embedding, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts: list[str], progress: bool = False):
        self.texts += texts
        return super().encode(texts, progress)


@pytest.fixture
def sqlite_index(tmp_path, fake_embedder):
    """The seeds and a council meeting with quotations, in the SQLite catalogue of a collection
    named for this test (its PostgreSQL schema is this test's own)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index", collection=fresh_schema_name())
    assistant = Assistant(settings, embedder=fake_embedder)
    report = assistant.ingest([SEEDS, folder])
    assert len(report.added) == 2
    yield assistant
    assistant.close()


def catalogue_path(assistant: Assistant) -> Path:
    return assistant.settings.collection_dir() / CATALOGUE_FILE


@pytest.fixture
def target(postgres_server, sqlite_index):
    """The test's collection in PostgreSQL, as a worker opens it (closed after the test)."""
    opened: list[PostgresCatalogue] = []

    def open_target() -> PostgresCatalogue:
        opened.append(PostgresCatalogue(postgres_server.url, collection=sqlite_index.settings.collection))
        return opened[-1]

    yield open_target
    for catalogue in opened:
        catalogue.close()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli_args(assistant: Assistant, url: str, *more: str) -> list[str]:
    settings = assistant.settings
    return ["--index-dir", str(settings.index_dir), "--collection", settings.collection, "migrate-catalogue",
            "--to", url, *more]


def assert_same_answers(migrated: Assistant, original: Assistant) -> None:
    """The migrated assistant (over a CountingEmbedder) answers QUESTIONS as a fresh one over the
    original index does, and embeds what that one embeds (a question, its words, a quotation it
    ranks), never a chunk: nothing of the documents is embedded again."""
    reference = Assistant(original.settings, embedder=CountingEmbedder())
    try:
        for question in QUESTIONS:
            got, expected = migrated.ask(question), reference.ask(question)
            assert not expected.refused and expected.citations, question
            assert got.answer == expected.answer, question
            assert got.citations == expected.citations, question
            assert [p.chunk_id for p in got.passages] == [p.chunk_id for p in expected.passages], question
        assert migrated.embedder.texts == reference.embedder.texts and migrated.embedder.texts
        chunks = original.store.chunks_by_id(sorted(original.store.catalogue.chunk_ids()))
        assert not {chunk.text for chunk in chunks.values()} & set(migrated.embedder.texts)
    finally:
        reference.close()


def assert_same_vectors(got: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert got.keys() == expected.keys() and got
    for key, vector in expected.items():
        assert np.array_equal(got[key], vector), key


def test_the_migrated_catalogue_answers_as_the_sqlite_one_without_embedding_documents(
        sqlite_index, postgres_server, tmp_path):
    url = postgres_server.url
    report = copy_catalogue(catalogue_path(sqlite_index), url, sqlite_index.settings.collection)
    source = sqlite_index.store.catalogue
    assert report.rows["documents"] == 2 and report.rows["chunks"] == source.chunk_count() > 2
    assert report.rows["quotations"] == source.quotation_count() >= 4
    assert report.rows["unit_vectors"] > 0 and report.rows["word_vectors"] > 0
    assert report.generation == source.generation() > 0

    # Another, empty index directory: the catalogue can only come from PostgreSQL, the vectors from the original.
    counting = CountingEmbedder()
    settings = Settings(index_dir=tmp_path / "elsewhere", catalogue_url=url,
                        collection=sqlite_index.settings.collection)
    chroma = open_chroma_client(sqlite_index.settings.collection_dir())
    migrated = Assistant(settings, embedder=counting, chroma_client=chroma)
    try:
        assert not (settings.collection_dir() / CATALOGUE_FILE).exists()
        by_path = lambda records: sorted(records, key=lambda r: r.path)
        assert by_path(migrated.documents()) == by_path(sqlite_index.documents())
        for record in sqlite_index.documents():
            assert migrated.store.document_text(record.path) == source.document_text(record.path)
        assert migrated.speaker_quotations("Budrys") == sqlite_index.speaker_quotations("Budrys")
        assert migrated.speaker_quotations("Jansen") == sqlite_index.speaker_quotations("Jansen")
        for query in ("harbour ferry timetable", "Lithuania minerals deal"):
            got, expected = migrated.store.lexical_search(query, 5), sqlite_index.store.lexical_search(query, 5)
            assert [cid for cid, _ in got] == [cid for cid, _ in expected] and got, query
        assert migrated.store.unit_backlog() == [] and migrated.store.quotation_backlog() == set()
        copied, ids = migrated.store.catalogue, sorted(source.chunk_ids())
        assert copied.chunks_to_embed(ids) == source.chunks_to_embed(ids)  # offsets, titles, hashes, title_embedded
        assert_same_vectors(copied.unit_vectors(ids), source.unit_vectors(ids))
        with closing(sqlite3.connect(catalogue_path(sqlite_index))) as db:
            words = [word for (word,) in db.execute("SELECT word FROM word_vectors")]
        assert_same_vectors(copied.word_vectors(words), source.word_vectors(words))
        assert counting.texts == []  # opening it embedded nothing
        assert_same_answers(migrated, sqlite_index)
    finally:
        migrated.close()


def test_the_cli_prints_what_it_copied_and_never_the_password(sqlite_index, postgres_server, target, capsys):
    url = postgres_server.url.replace("assistant@", "assistant:s3cret@")  # (trust authentication ignores it)
    code, out, err = run(capsys, *cli_args(sqlite_index, url))
    assert code == 0, err
    chunks = sqlite_index.store.catalogue.chunk_count()
    assert out.startswith(f"copied 2 documents, {chunks} chunks, 2 document texts, ")
    assert (f"into PostgreSQL at 127.0.0.1:{postgres_server.port}/assistant "
            f"(collection {sqlite_index.settings.collection})") in out
    assert "ASSISTANT_CATALOGUE_URL" in out and "Chroma server" in out and "--chroma-to" in out
    assert f"chunks: {chunks} rows" in err
    assert "s3cret" not in out + err
    assert target().document_count() == 2


def test_a_collection_holding_documents_is_replaced_only_when_asked(
        sqlite_index, postgres_server, target, capsys, tmp_path):
    url = postgres_server.url
    assert run(capsys, *cli_args(sqlite_index, url))[0] == 0
    migrated = target()
    before = (migrated.documents(), migrated.chunk_count(), migrated.quotation_count(), migrated.generation())
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "port.txt").write_text("Port news\nThe port of Portvale opened a new quay for ferries.\n",
                                    encoding="utf-8")
    sqlite_index.ingest([SEEDS, tmp_path / "docs", extra])

    code, out, err = run(capsys, *cli_args(sqlite_index, url))
    assert code == 1 and out == ""
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert f"collection {sqlite_index.settings.collection} in PostgreSQL already holds 2 documents" in err
    assert "--replace" in err
    assert (migrated.documents(), migrated.chunk_count(), migrated.quotation_count(), migrated.generation()) == before

    code, out, err = run(capsys, *cli_args(sqlite_index, url, "--replace"))
    assert code == 0, err
    assert out.startswith("copied 3 documents") and "replacing its 2 documents" in out
    assert sorted(r.path for r in migrated.documents()) == sorted(r.path for r in sqlite_index.documents())
    assert migrated.chunk_count() == sqlite_index.store.catalogue.chunk_count()
    assert migrated.generation() > before[3]  # a worker that read the collection before sees it changed


def test_an_interrupted_ingest_is_refused_until_it_is_repaired(sqlite_index, postgres_server, capsys, tmp_path):
    document = sqlite_index.documents()[0]
    sqlite_index.store.catalogue.journal_add([(document.path, document.sha256)])
    code, out, err = run(capsys, *cli_args(sqlite_index, postgres_server.url))
    assert code == 1 and out == ""
    assert "1 document from an interrupted ingest; run `assistant ingest` once to repair it" in err
    assert not schema_exists(postgres_server.url, sqlite_index)  # PostgreSQL was not touched
    sqlite_index.ingest([SEEDS, tmp_path / "docs"])  # repairs it
    assert sqlite_index.store.catalogue.journal_pending() == []
    code, out, err = run(capsys, *cli_args(sqlite_index, postgres_server.url))
    assert code == 0 and out.startswith("copied 2 documents"), err


def test_a_missing_catalogue_is_refused(postgres_server, capsys, tmp_path):
    code, out, err = run(capsys, "--index-dir", str(tmp_path / "none"), "migrate-catalogue", "--to",
                         postgres_server.url)
    assert code == 1 and out == ""
    assert f"{tmp_path / 'none' / CATALOGUE_FILE}" in err and "run `assistant ingest` first" in err


def test_a_failed_copy_leaves_postgresql_as_it_was(sqlite_index, postgres_server, target):
    def fail():
        raise RuntimeError("the vectors could not be copied")

    with pytest.raises(RuntimeError, match="could not be copied"):
        copy_catalogue(catalogue_path(sqlite_index), postgres_server.url, sqlite_index.settings.collection,
                       before_commit=fail)
    migrated = target()
    assert (migrated.document_count(), migrated.chunk_count(), migrated.quotation_count()) == (0, 0, 0)
    assert migrated.known_words(["budrys", "ferry"]) == set() and migrated.generation() == 0


def test_an_older_catalogue_is_migrated_and_its_texts_pieced_together(sqlite_index, postgres_server, target):
    path = catalogue_path(sqlite_index)
    sqlite_index.close()
    with sqlite3.connect(path) as db:  # as an index from before texts and document ids were stored
        db.execute("DROP TABLE document_texts")
        db.execute("PRAGMA user_version = 4")
    report = copy_catalogue(path, postgres_server.url, sqlite_index.settings.collection)
    assert report.rows["document_texts"] == 2
    source, migrated = SQLiteCatalogue(path), target()
    for record in source.documents():
        assert migrated.document_text(record.path) == source.document_text(record.path)
        assert migrated.document(record.doc_id) == record
    source.close()


def test_postgresql_that_cannot_be_reached_is_said_in_one_line(sqlite_index, capsys):
    code, out, err = run(capsys, *cli_args(sqlite_index, f"postgresql://me:s3cret@127.0.0.1:{free_port()}/x"))
    assert code == 1 and out == ""
    assert "cannot be reached" in err and len(err.strip().splitlines()) == 1 and "s3cret" not in err


def test_a_url_that_is_not_postgresql_is_refused(sqlite_index):
    with pytest.raises(AssistantError, match="--to takes a PostgreSQL URL"):
        migrate_collection(sqlite_index.settings, "mysql://db/x")


def schema_exists(url: str, assistant: Assistant) -> bool:
    import psycopg

    from index.catalogue import schema_name

    with psycopg.connect(url) as db:
        return db.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                          (schema_name(assistant.settings.collection),)).fetchone() is not None


# -- --chroma-to: a real Chroma server --------------------------------------------------------------


@pytest.fixture
def chroma_url(tmp_path):
    if not CHROMA.exists():
        pytest.skip(f"no chroma command at {CHROMA}")
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server.url
    server.stop()


@pytest.mark.slow
def test_chroma_to_moves_the_vectors_so_a_worker_keeps_nothing_of_its_own(
        sqlite_index, postgres_server, chroma_url, tmp_path, capsys):
    url = postgres_server.url
    code, out, err = run(capsys, *cli_args(sqlite_index, url, "--chroma-to", chroma_url))
    assert code == 0, err
    vectors = sqlite_index.store.vectors.count()
    assert f"{vectors} vectors copied to the Chroma server at {chroma_url}" in out
    assert f"ASSISTANT_CHROMA_URL={chroma_url}" in out

    # A second copy to the same server is refused (nothing changed), and replaces with --replace.
    code, _, err = run(capsys, *cli_args(sqlite_index, url, "--chroma-to", chroma_url))
    assert code == 1 and "already holds" in err and "--replace" in err
    code, out, err = run(capsys, *cli_args(sqlite_index, url, "--chroma-to", chroma_url, "--replace"))
    assert code == 0 and f"{vectors} vectors copied" in out, err

    counting = CountingEmbedder()
    settings = Settings(index_dir=tmp_path / "stateless", catalogue_url=url, chroma_url=chroma_url,
                        collection=sqlite_index.settings.collection)
    migrated = Assistant(settings, embedder=counting)
    try:
        assert settings.stateless and migrated.store.health().consistent
        assert_same_answers(migrated, sqlite_index)
    finally:
        migrated.close()
