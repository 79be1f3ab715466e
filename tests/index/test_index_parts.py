"""The parts behind IndexStore, each on its own: the named attribution rules, the speaker
directory's folding, the vector index, and the typed write with the catalogue it goes through."""

from __future__ import annotations

import pytest

from index import (
    Catalogue,
    DocumentFacts,
    DocumentWrite,
    IndexStore,
    SQLiteCatalogue,
    VectorIndex,
    chunk_document,
    load_document,
    open_chroma_client,
)
from index.quotes import rules
from index.records import SpeakerRow
from index.speakers import group_speakers

from ..helpers import SEED_FILE


def test_every_rule_has_a_name_of_its_own_within_its_list():
    for group in (rules.AFTER, rules.BEFORE, rules.REPORTED):
        names = [rule.name for rule in group]
        assert len(set(names)) == len(names), names


def test_the_rules_searched_anywhere_in_a_sentence_want_their_name_as_its_subject():
    subject_only = {(group, rule.name) for group, rules_ in [("after", rules.AFTER), ("before", rules.BEFORE),
                                                             ("reported", rules.REPORTED)]
                    for rule in rules_ if rule.subject_only}
    assert subject_only == {
        ("before", "name says"), ("before", "role says"), ("before", "name verbed colon"),
        ("before", "subject ... and called"),
        ("reported", "says that"), ("reported", "told someone that"), ("reported", "says statement"),
        ("reported", "told someone statement"),
    }


def test_a_lone_surname_joins_the_only_fuller_name_ending_in_it():
    rows = [
        SpeakerRow("kestutis budrys", "budrys", "Kestutis Budrys", "Foreign Minister", ("Kestutis Budrys",), "/a", 2),
        SpeakerRow("budrys", "budrys", "Budrys", "", ("Budrys",), "/b", 3),
        SpeakerRow("russo", "russo", "Russo", "", ("Russo",), "/c", 1),
        SpeakerRow("anthony russo", "russo", "Anthony Russo", "", ("Anthony Russo",), "/c", 1),
        SpeakerRow("joe russo", "russo", "Joe Russo", "", ("Joe Russo",), "/c", 1),
    ]
    speakers = group_speakers(rows)
    budrys = speakers[0]
    assert (budrys.name, budrys.keys, budrys.count, budrys.documents) == (
        "Kestutis Budrys", ("kestutis budrys", "budrys"), 5, 2)
    assert budrys.forms == ("Kestutis Budrys", "Budrys") and budrys.title == "Foreign Minister"
    assert {s.name for s in speakers[1:]} == {"Russo", "Anthony Russo", "Joe Russo"}  # two fuller names: no fold


def test_one_persons_variants_are_one_speaker_and_similar_names_stay_apart():
    def row(key, name, count, path):
        return SpeakerRow(key, key.split()[-1], name, "", (name,), path, count)

    rows = [
        row("donald trump", "Donald Trump", 88, "/a"),
        row("defendant donald j. trump", "Defendant Donald J. Trump", 11, "/b"),
        row("president-elect donald trump", "President-elect Donald Trump", 1, "/c"),
        row("melania trump", "Melania Trump", 2, "/d"),
        row("dr jane smith", "Dr Jane Smith", 3, "/e"),
        row("jane smith", "Jane Smith", 1, "/f"),
        row("john smith", "John Smith", 2, "/g"),
        row("john smith jr.", "John Smith Jr.", 2, "/g"),
    ]
    speakers = {s.name: s for s in group_speakers(rows)}
    assert set(speakers) == {"Donald Trump", "Melania Trump", "Jane Smith", "John Smith", "John Smith Jr."}
    donald = speakers["Donald Trump"]
    assert (donald.count, donald.documents) == (100, 3)
    assert set(donald.keys) == {"donald trump", "defendant donald j. trump", "president-elect donald trump"}
    assert speakers["Jane Smith"].count == 4 and speakers["Melania Trump"].count == 2
    assert speakers["John Smith Jr."].count == 2  # father and son are two people


def test_the_sqlite_catalogue_is_a_catalogue(tmp_path):
    catalogue: Catalogue = SQLiteCatalogue(tmp_path / "catalogue.sqlite3")
    assert isinstance(catalogue, SQLiteCatalogue) and catalogue.is_empty()
    catalogue.close()


def test_typed_writes_reach_the_catalogue_and_the_one_vector_collection(tmp_path, fake_embedder):
    doc = load_document(SEED_FILE)
    chunks = chunk_document(doc)
    store = IndexStore(tmp_path / "ix", open_chroma_client(tmp_path / "ix"))
    try:
        assert isinstance(store.vectors, VectorIndex) and isinstance(store.catalogue, SQLiteCatalogue)
        vectors = fake_embedder.encode([c.text for c in chunks])
        store.write_documents([DocumentWrite(doc, chunks, vectors, DocumentFacts(date="2026-01-01"))])
        assert store.health().consistent and store.chunk_count() == store.vector_count() == len(chunks)
        assert store.documents()[0].date == "2026-01-01"
        best, similarity = store.dense_search(vectors[2], 1)[0]
        assert store.chunks_by_id([best])[best].ordinal == chunks[2].ordinal and similarity == pytest.approx(1.0)
    finally:
        store.close()
