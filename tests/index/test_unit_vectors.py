"""Sentence (unit) vectors computed once, at ingest: stored with their chunks, found again at
question time by their text, replaced and removed with their document, and given to an index
built before they existed at its next ingest without embedding its chunks again."""

from __future__ import annotations

import logging
import sqlite3

import numpy as np

from assistant.units import group_units
from index import CATALOGUE_FILE, ingest
from index.terms import evidence_words
from index.units import unit_key, unit_text

from ..helpers import SEED_FILE
from .corpus import write_corpus


def unit_rows(index_dir) -> int:
    with sqlite3.connect(index_dir / CATALOGUE_FILE) as db:
        return db.execute("SELECT count(*) FROM unit_vectors").fetchone()[0]


def passages(store):
    """Every chunk of the index as the retriever gives it (quotations included)."""
    from langchain_core.documents import Document

    docs = []
    for record in store.documents():
        spans = store.quotation_spans([record.path])[record.path]
        for chunk in store.chunks_covering(record.path, 0, 10**9):
            quotations = [q for q in spans if q.start < chunk.end and q.end > chunk.start]
            docs.append(Document(page_content=chunk.text, metadata={
                "chunk_id": chunk.chunk_id, "path": chunk.path, "start": chunk.start, "quotations": quotations}))
    return docs


def test_every_answer_unit_is_stored_as_the_model_embeds_it(tmp_path, new_store, embedder):
    store = new_store()
    report = ingest([SEED_FILE], store, embedder)
    docs = passages(store)
    stored = store.unit_vectors([d.metadata["chunk_id"] for d in docs])
    texts = list(dict.fromkeys(unit_text(u.text) for d in docs for u in group_units(d) if not u.text.endswith("?")))
    assert len(texts) == report.units_embedded == len(stored)
    # The answerer's units (assistant.units.group_units) are the ones ingest embedded, vector for vector.
    assert np.allclose(np.stack([stored[unit_key(t)] for t in texts]), embedder.encode(texts), atol=1e-5)
    # A quotation that runs over several sentences is one unit, as the answerer cites it.
    assert any("But it’s time sensitive" in t and "Budrys said" in t for t in texts)


def test_a_question_embeds_only_itself(seed_assistant):
    """Units and the evidence's words were embedded at ingest: a question embeds itself, and at
    most those of its own words that no document uses."""
    # Worded as no other test asks them: a question asked before is answered from the cache.
    for question in ["Who is Lithuania's prime minister, in the article on minerals?",
                     "Which restrictions did Beijing impose, in the article on minerals?"]:
        before = seed_assistant.embedder.texts_embedded
        answer = seed_assistant.ask(question)
        assert not answer.refused and answer.citations
        assert 1 <= seed_assistant.embedder.texts_embedded - before <= 1 + len(evidence_words(question))


def test_every_word_of_the_chunks_is_stored(tmp_path, new_store, embedder):
    store = new_store()
    report = ingest([SEED_FILE], store, embedder)
    words = list(dict.fromkeys(w for d in passages(store) for w in evidence_words(d.page_content)))
    stored = store.word_vectors(words)
    assert len(words) == len(stored) == report.words_embedded
    assert np.allclose(np.stack([stored[w] for w in words]), embedder.encode(words), atol=1e-5)
    # Another document embeds only the words the index has not seen.
    other = tmp_path / "other.txt"
    other.write_text("Vilnius talks\nBudrys met the Lithuanian minister of energy in Vilnius on Tuesday.\n")
    again = ingest([other], store, embedder)
    new_words = [w for w in evidence_words(other.read_text()) if w not in stored]
    assert new_words and again.words_embedded == len(new_words)


def test_units_follow_their_document(tmp_path, new_store, fake_embedder):
    folder = tmp_path / "docs"
    write_corpus(folder, 3, seed=4)
    store = new_store()
    ingest([folder], store, fake_embedder)
    rows = unit_rows(tmp_path / "ix")
    first = sorted(folder.iterdir())[0]
    old_ids = [c.chunk_id for c in store.chunks_covering(str(first.resolve()), 0, 10**9)]
    assert store.unit_vectors(old_ids)

    first.write_text("Amber coast\nThe amber coast has a new ferry line. Tourists welcome it.\n", encoding="utf-8")
    ingest([folder], store, fake_embedder)
    assert store.unit_vectors(old_ids) == {}  # the old version's units went with its chunks
    new_ids = [c.chunk_id for c in store.chunks_covering(str(first.resolve()), 0, 10**9)]
    assert set(store.unit_vectors(new_ids)) == {
        unit_key(t) for t in ["Amber coast", "The amber coast has a new ferry line.", "Tourists welcome it."]}

    first.unlink()
    ingest([folder], store, fake_embedder, prune=True)
    assert store.unit_vectors(new_ids) == {} and 0 < unit_rows(tmp_path / "ix") < rows
    assert store.unit_backlog() == []


def test_an_older_index_gets_its_units_at_the_next_ingest(tmp_path, new_store, fake_embedder, caplog):
    folder = tmp_path / "docs"
    write_corpus(folder, 4, seed=5)
    store = new_store()
    ingest([folder], store, fake_embedder)
    ids = sorted(store.catalogue.chunk_ids())
    fresh = store.unit_vectors(ids)
    vector_ids = set(store.vectors.ids(1000))
    store.close()
    # Make it an index of the previous version: no unit vectors, schema version 2.
    with sqlite3.connect(tmp_path / "ix" / CATALOGUE_FILE) as db:
        db.executescript(
            "DROP TABLE unit_vectors; DROP TABLE unit_backlog; DROP TABLE word_vectors; PRAGMA user_version = 2;"
        )

    with caplog.at_level(logging.WARNING, logger="index.store"):
        store = new_store()
    assert "before sentence vectors were stored" in caplog.text
    assert len(store.unit_backlog()) == 4 and store.unit_vectors(ids) == {}

    before = fake_embedder.texts_embedded
    report = ingest([folder], store, fake_embedder)
    assert report.chunks_embedded == 0 and len(report.unchanged) == 4  # no chunk embedded again
    assert report.units_upgraded == 4 and report.words_embedded > 0
    assert fake_embedder.texts_embedded - before == report.units_embedded + report.words_embedded
    assert "4 documents given sentence vectors" in report.summary()
    assert store.unit_backlog() == [] and set(store.vectors.ids(1000)) == vector_ids
    upgraded = store.unit_vectors(ids)
    assert upgraded.keys() == fresh.keys()
    assert all(np.array_equal(upgraded[k], fresh[k]) for k in fresh)

    # Next time there is nothing left to do.
    before = fake_embedder.texts_embedded
    assert ingest([folder], store, fake_embedder).units_embedded == 0 and fake_embedder.texts_embedded == before


def test_units_of_a_replaced_version_are_not_stored(tmp_path, new_store, fake_embedder):
    store = new_store()
    ingest([SEED_FILE], store, fake_embedder)
    path = str(SEED_FILE.resolve())
    assert store.write_units([(path, "0" * 64, [])]) == 0  # another version: nothing written
    assert store.unit_vectors([c.chunk_id for c in store.chunks_covering(path, 0, 10**9)])

