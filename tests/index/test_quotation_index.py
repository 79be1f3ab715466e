"""The quotation index in the catalogue: written with each document's chunks, replaced and removed
with them, brought to indexes built before it, and looked up by name, surname, accent-free or title."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from index import CATALOGUE_FILE, IndexStore, extract_quotations, ingest, load_document
from index.dates import document_date

from ..helpers import HARBOUR, SEED_FILE

# The same council a week later: the mayor is only "Kovač" here, Jansen is no longer quoted.
HARBOUR_LATER = (
    "Ferry vote delayed\n2026-02-21\n"
    "The council postponed its vote. “We will decide in March,” Mayor Kovač said.\n"
)


def rows(store: IndexStore, sql: str) -> list[tuple]:
    with sqlite3.connect(store.index_dir / CATALOGUE_FILE) as db:
        return db.execute(sql).fetchall()


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_quotations_are_stored_at_ingest_with_exact_offsets_and_dates(tmp_path, new_store, embedder):
    folder = tmp_path / "docs"
    write(folder, "harbour.txt", HARBOUR)
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    store = new_store()
    report = ingest([folder], store, embedder)
    assert report.quotations == 9 and "9 quotations found" in report.summary()

    for path in folder.iterdir():
        text = load_document(path).text
        stored = [q for s in store.speakers() for q in store.quotations(s) if q.path == str(path.resolve())]
        assert sorted((q.start, q.end, q.speaker) for q in stored) == sorted(
            (q.start, q.end, q.speaker) for q in extract_quotations(text))
        assert all(q.text == text[q.start : q.end] for q in stored)
    dates = {Path(d.path).name: d.date for d in store.documents()}
    assert dates == {"harbour.txt": "2026-02-14", SEED_FILE.name: None}  # no dateline, no date (not the mtime)

    budrys = store.quotations("Budrys")
    assert [q.kind for q in budrys] == ["reported", "direct", "direct"]
    assert budrys[0].source.endswith(SEED_FILE.name) and budrys[0].document_title == "Lithuania critical minerals"
    assert budrys[0].title == "Lithuanian Foreign Minister" and budrys[0].forms == ("Kestutis Budrys", "Budrys")


def test_speakers_are_found_by_name_surname_accents_and_title(tmp_path, new_store, embedder):
    store = new_store()
    ingest([SEED_FILE], store, embedder)
    speakers = store.speakers()
    assert [(s.name, s.count, s.documents) for s in speakers] == [("Inga Ruginienė", 3, 1), ("Kestutis Budrys", 3, 1)]
    for name in ["Inga Ruginienė", "Ruginienė", "ruginiene", "INGA RUGINIENE", "Prime Minister Ruginienė"]:
        assert [s.name for s in store.find_speakers(name)] == ["Inga Ruginienė"], name
    for name in ["Trump", "Inga", "Lithuania", "the U.S. National Defense Strategy", ""]:
        assert store.find_speakers(name) == [], name
    assert [s.name for s in store.find_speakers_by_title("the prime minister")] == ["Inga Ruginienė"]
    assert [s.name for s in store.find_speakers_by_title("foreign minister")] == ["Kestutis Budrys"]
    assert store.find_speakers_by_title("minister of sport") == []


def test_a_surname_seen_alone_joins_the_only_fuller_name(tmp_path, new_store, embedder):
    folder = tmp_path / "docs"
    write(folder, "harbour.txt", HARBOUR)
    write(folder, "later.txt", HARBOUR_LATER)
    store = new_store()
    ingest([folder], store, embedder)
    (kovac,) = store.find_speakers("Kovac")
    assert (kovac.name, kovac.count, kovac.documents) == ("Ana Kovač", 3, 2)
    quotes = store.quotations(kovac)
    assert quotes[0].date == "2026-02-21" and quotes[0].text == "We will decide in March"  # newest first
    assert [s.name for s in store.speakers()] == ["Ana Kovač", "Piet Jansen"]


def test_changed_document_replaces_its_quotations_and_pruned_one_loses_them(tmp_path, new_store, embedder):
    folder = tmp_path / "docs"
    harbour = write(folder, "harbour.txt", HARBOUR)
    later = write(folder, "later.txt", HARBOUR_LATER)
    store = new_store()
    ingest([folder], store, embedder)
    assert len(store.quotations("Jansen")) == 1

    harbour.write_text(HARBOUR.split("Councillor")[0] + "The council will vote again in March.\n", encoding="utf-8")
    report = ingest([folder], store, embedder)
    assert [Path(s).name for s in report.updated] == ["harbour.txt"] and report.quotations == 2
    assert store.quotations("Jansen") == [] and store.find_speakers("Jansen") == []
    assert len(store.quotations("Kovač")) == 3
    text = load_document(harbour).text
    assert all(q.text == text[q.start : q.end] for q in store.quotations("Kovač") if q.path == str(harbour.resolve()))

    later.unlink()
    ingest([folder], store, embedder, prune=True)
    assert [q.text for q in store.quotations("Kovač")] == [
        "The new ferry will cut the crossing to the island to twenty minutes",
        "Our football team deserves a new stadium before the next season",
    ]
    assert rows(store, "SELECT count(*) FROM quotations WHERE path NOT IN (SELECT path FROM documents)") == [(0,)]


def test_a_document_that_no_longer_loads_loses_its_quotations(tmp_path, new_store, embedder):
    folder = tmp_path / "docs"
    harbour = write(folder, "harbour.txt", HARBOUR)
    store = new_store()
    ingest([folder], store, embedder)
    harbour.write_bytes(b"\xff\xfe not utf-8 \x00")
    ingest([folder], store, embedder)
    assert store.speakers() == [] and rows(store, "SELECT count(*) FROM quotations") == [(0,)]


def test_an_index_built_before_quotations_gets_them_at_the_next_ingest(tmp_path, new_store, embedder, caplog):
    store = new_store()
    ingest([SEED_FILE], store, embedder)
    store.close()
    # Make it an index of the previous version: no quotations, no dates, schema version 0.
    with sqlite3.connect(tmp_path / "ix" / CATALOGUE_FILE) as db:
        db.executescript("""DROP TABLE quotations; DROP TABLE quotation_backlog;
                            ALTER TABLE documents DROP COLUMN date; PRAGMA user_version = 0;""")

    with caplog.at_level(logging.WARNING, logger="index.store"):
        store = new_store()
    assert "get their quotations at the next `assistant ingest`" in caplog.text
    assert store.speakers() == [] and store.quotation_backlog() == {str(SEED_FILE.resolve())}
    assert store.documents()[0].date is None and store.chunk_count() == 9  # the rest of the index is intact

    before = embedder.texts_embedded
    report = ingest([SEED_FILE], store, embedder)
    # No chunk embedded again; only its sentence units, which the quotations now found group.
    assert report.chunks_embedded == 0 and report.units_embedded > 0
    assert embedder.texts_embedded - before == report.units_embedded + report.words_embedded
    assert report.unchanged and report.quotations == 6
    assert [s.name for s in store.speakers()] == ["Inga Ruginienė", "Kestutis Budrys"]
    assert store.quotation_backlog() == set()
    new_store()  # opening again migrates nothing and warns of nothing more
    assert caplog.text.count("get their quotations") == 1


def test_the_catalogue_alone_opens_without_chroma(tmp_path, new_store, embedder):
    store = new_store()
    ingest([SEED_FILE], store, embedder)
    catalogue = IndexStore(tmp_path / "ix", None)
    assert catalogue.vectors is None
    assert [s.name for s in catalogue.speakers()] == ["Inga Ruginienė", "Kestutis Budrys"]


@pytest.mark.parametrize("text, expected", [
    ("Title\nFeb 14, 2026\nBody.", "2026-02-14"),
    ("Title\nPublished 14 February 2026 in Vilnius\nBody.", "2026-02-14"),
    ("Title\n2026-02-14T09:30 - Body.", "2026-02-14"),
    ("Title\nSeptember 3rd, 2025\nBody.", "2025-09-03"),
    ("Title\nFeb 30, 2026\nBody.", None),  # not a date
    ("No date here.\n" * 3, None),
    ("A\nB\nC\nD\nE\nF\nFeb 14, 2026", None),  # too far down to be the dateline
])
def test_document_date_reads_the_dateline_only(text, expected):
    assert document_date(text) == expected
