"""The catalogue's contract (index/catalogue/base.py), run on every backend: SQLite in a file and
PostgreSQL in a schema of a real server (tests/postgres.py). What one backend does, the other must:
the same documents, chunks, offsets, quotations and vectors come back from both, and lexical
search ranks the same way, with the same BM25 scores."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest

from index import Catalogue, Chunk, Document, SQLiteCatalogue, chunk_document, load_document
from index.ingest import find_facts
from index.records import DocumentFacts, QuotationSpan, UnitVectors, chunk_id, document_id
from index.terms import lexical_terms
from index.units import chunk_unit_texts, direct_spans, unit_key

from ..helpers import HARBOUR, SEED_FILE
from ..postgres import fresh_schema_name

BACKENDS = ["sqlite", "postgres"]
# A later report of the harbour's mayor, one on the same day as HARBOUR, and an undated one.
FERRY_UPDATE = (
    "Ferry service starts\nMar 3, 2026\n"
    "Mayor Ana Kovač welcomed the first passengers in Portvale. “The ferry is full every morning,” Kovač said.\n"
)
FERRY_SAME_DAY = (
    "Ferry tickets on sale\nFeb 14, 2026\n"
    "Mayor Ana Kovač opened the ticket office. “Tickets will cost two euros,” Kovač said.\n"
)
FERRY_UNDATED = (
    "Ferry notes\nMayor Ana Kovač spoke to reporters on the quay. “We will add a night crossing,” Kovač said.\n"
)


# -- opening catalogues ----------------------------------------------------------------------------


def postgres_catalogue(url: str, schema: str) -> Catalogue:
    from index.catalogue.postgres import PostgresCatalogue

    return PostgresCatalogue(url, schema)


@dataclass
class Backend:
    """One backend's storage (an SQLite file, a PostgreSQL schema): `open()` gives another catalogue on it."""

    name: str
    opener: Callable[[], Catalogue]
    opened: list[Catalogue] = field(default_factory=list)

    def open(self) -> Catalogue:
        catalogue = self.opener()
        self.opened.append(catalogue)
        return catalogue

    def close(self) -> None:
        for catalogue in self.opened:
            catalogue.close()


def make_backend(name: str, request: pytest.FixtureRequest, folder: Path) -> Backend:
    if name == "sqlite":
        return Backend(name, lambda: SQLiteCatalogue(folder / "catalogue.sqlite3"))
    server = request.getfixturevalue("postgres_server")  # only PostgreSQL's tests start the server
    schema = fresh_schema_name()
    return Backend(name, lambda: postgres_catalogue(server.url, schema))


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Iterator[Backend]:
    opened = make_backend(request.param, request, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def catalogue(backend) -> Catalogue:
    return backend.open()


# -- documents as ingest hands them over -----------------------------------------------------------


@dataclass
class Stored:
    doc: Document
    chunks: list[Chunk]
    facts: DocumentFacts
    units: list[UnitVectors]

    def ids(self) -> list[str]:
        return [chunk_id(self.doc.path, self.doc.sha256, c.ordinal) for c in self.chunks]


def write_file(folder: Path, name: str, text: str) -> Document:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_document(path, source=name)


def unit_vectors(doc: Document, chunks: Sequence[Chunk], facts: DocumentFacts, seed: int = 0) -> list[UnitVectors]:
    """Each chunk's answer units with small random float32 vectors, one per text as the model gives
    (overlapping chunks share a sentence); `seed` stands for another model."""
    spans = direct_spans(facts.quotations)
    units = []
    for c in chunks:
        keys = tuple(dict.fromkeys(unit_key(t) for t in chunk_unit_texts(c.text, c.start, spans)))
        vectors = [np.random.default_rng([seed, int(key[:12], 16)]).standard_normal(4) for key in keys]
        units.append(UnitVectors(c.ordinal, keys, np.array(vectors, dtype=np.float32).reshape(len(keys), 4)))
    return units


def store(catalogue: Catalogue, doc: Document, *, units: bool = True, at: float = 1_700_000_000.25,
          seed: int = 0) -> Stored:
    chunks = chunk_document(doc)
    facts = find_facts(doc)
    stored = Stored(doc, chunks, facts, unit_vectors(doc, chunks, facts, seed))
    catalogue.store_document(doc, chunks, facts, at, stored.units if units else None)
    return stored


@pytest.fixture
def corpus(tmp_path) -> dict[str, Document]:
    """The seed article (several chunks, two quoted ministers), the harbour council (two speakers),
    and three more reports of the harbour's mayor: later, the same day, undated."""
    return {
        "seed": load_document(SEED_FILE, source="seeds/lithuania-critical-minerals.txt"),
        "harbour": write_file(tmp_path / "docs", "harbour.txt", HARBOUR),
        "update": write_file(tmp_path / "docs", "ferry-update.txt", FERRY_UPDATE),
        "same_day": write_file(tmp_path / "docs", "a-ferry-tickets.txt", FERRY_SAME_DAY),
        "undated": write_file(tmp_path / "docs", "ferry-notes.txt", FERRY_UNDATED),
    }


def store_all(catalogue: Catalogue, corpus: dict[str, Document]) -> dict[str, Stored]:
    return {name: store(catalogue, doc) for name, doc in corpus.items()}


# -- documents and chunks --------------------------------------------------------------------------


def test_a_stored_document_is_read_back_as_it_was_written(catalogue, corpus):
    assert catalogue.is_empty() and catalogue.document_count() == 0 and catalogue.chunk_count() == 0
    stored = store_all(catalogue, corpus)
    seed, harbour = stored["seed"], stored["harbour"]
    assert len(seed.chunks) > 3

    records = catalogue.documents()
    assert [r.source for r in records] == sorted(s.doc.source for s in stored.values())
    record = next(r for r in records if r.path == harbour.doc.path)
    assert record == catalogue.document(document_id(harbour.doc.path))
    assert (record.source, record.title, record.sha256, record.chunks, record.chars) == (
        "harbour.txt", "Harbour council approves ferry plan", harbour.doc.sha256, len(harbour.chunks),
        len(HARBOUR))
    assert (record.ingested_at, record.date, record.doc_id, record.pages, record.quotations) == (
        1_700_000_000.25, "2026-02-14", document_id(harbour.doc.path), (), 3)
    assert catalogue.document("0" * 16) is None

    assert not catalogue.is_empty()
    assert catalogue.document_count() == len(corpus)
    assert catalogue.document_hashes() == {s.doc.path: s.doc.sha256 for s in stored.values()}
    assert catalogue.indexed_paths([seed.doc.path, "/nowhere.txt", harbour.doc.path]) == {
        seed.doc.path, harbour.doc.path}
    assert catalogue.indexed_paths([]) == set()
    every_id = {cid for s in stored.values() for cid in s.ids()}
    assert catalogue.chunk_ids() == every_id
    assert catalogue.chunk_count() == len(every_id)

    assert catalogue.document_text(seed.doc.path) == seed.doc.text
    assert catalogue.document_text("/nowhere.txt") is None
    of = catalogue.documents_of([*seed.ids()[:2], harbour.ids()[0], "no-such-chunk"])
    assert of == {seed.ids()[0]: catalogue.document(document_id(seed.doc.path)),
                  seed.ids()[1]: catalogue.document(document_id(seed.doc.path)),
                  harbour.ids()[0]: record}
    assert catalogue.documents_of([]) == {}


def test_chunks_come_back_with_exact_offsets(catalogue, corpus):
    seed = store(catalogue, corpus["seed"])
    text = catalogue.document_text(seed.doc.path)
    assert text is not None
    found = catalogue.chunks_by_id([*seed.ids(), "no-such-chunk"])
    assert set(found) == set(seed.ids())
    for cid, c in zip(seed.ids(), seed.chunks, strict=True):
        got = found[cid]
        assert (got.chunk_id, got.path, got.source, got.title, got.ordinal, got.start, got.end, got.text) == (
            cid, seed.doc.path, seed.doc.source, seed.doc.title, c.ordinal, c.start, c.end, c.text)
        assert text[got.start : got.end] == got.text
    assert catalogue.chunks_by_id([]) == {}
    assert catalogue.document_lead(seed.doc.path) == seed.chunks[0].text
    assert catalogue.document_lead("/nowhere.txt") == ""

    # Overlapping [start, end), by start: a chunk ending at `start` or beginning at `end` is not in it.
    middle = seed.chunks[2]
    covering = catalogue.chunks_covering(seed.doc.path, middle.start, middle.end)
    expected = [c for c in seed.chunks if c.start < middle.end and c.end > middle.start]
    assert [(c.ordinal, c.start, c.end) for c in covering] == [(c.ordinal, c.start, c.end) for c in expected]
    assert all(text[c.start : c.end] == c.text for c in covering)
    assert [c.start for c in covering] == sorted(c.start for c in covering)
    first = seed.chunks[0]
    assert [c.ordinal for c in catalogue.chunks_covering(seed.doc.path, first.end, first.end + 1)] == [
        c.ordinal for c in seed.chunks if c.start <= first.end < c.end]
    assert catalogue.chunks_covering(seed.doc.path, 0, 0) == []
    assert catalogue.chunks_covering(seed.doc.path, seed.chunks[-1].end, seed.chunks[-1].end + 10) == []
    everything = catalogue.chunks_covering(seed.doc.path, 0, 10**9)
    assert [c.chunk_id for c in everything] == seed.ids()
    assert catalogue.chunks_covering("/nowhere.txt", 0, 10**9) == []


def test_chunks_to_embed_carry_their_documents_titles_and_hashes(catalogue, corpus, tmp_path):
    seed, harbour = store(catalogue, corpus["seed"]), store(catalogue, corpus["harbour"])
    # A first line that is a sentence is no title: the file name gives one, which is not embedded.
    untitled = store(catalogue, write_file(tmp_path / "docs", "quay-works.txt", "The quay was repaired in May.\n"))
    assert untitled.doc.title_from_filename
    wanted = [*reversed(seed.ids()), untitled.ids()[0], harbour.ids()[0], "no-such-chunk"]
    got = catalogue.chunks_to_embed(wanted)
    expected = sorted(
        [(s, c) for s in (seed, harbour, untitled) for c in s.chunks
         if chunk_id(s.doc.path, s.doc.sha256, c.ordinal) in wanted],
        key=lambda sc: (sc[0].doc.path, sc[1].ordinal),
    )
    assert [(g.chunk_id, g.path, g.source, g.title, g.title_embedded, g.sha256, g.ordinal, g.start, g.end, g.text)
            for g in got] == [
        (chunk_id(s.doc.path, s.doc.sha256, c.ordinal), s.doc.path, s.doc.source, s.doc.title,
         not s.doc.title_from_filename, s.doc.sha256, c.ordinal, c.start, c.end, c.text) for s, c in expected]
    assert catalogue.chunks_to_embed([]) == []


def test_sample_texts_take_the_first_chunks_of_each_document_first(catalogue, corpus):
    stored = store_all(catalogue, corpus)
    firsts = {s.chunks[0].text for s in stored.values()}
    assert set(catalogue.sample_texts(len(stored))) == firsts
    assert len(catalogue.sample_texts(2)) == 2 and set(catalogue.sample_texts(2)) <= firsts
    every = catalogue.sample_texts(10_000)
    assert sorted(every) == sorted(c.text for s in stored.values() for c in s.chunks)
    assert catalogue.sample_texts(0) == []


def test_documents_come_in_the_order_of_their_sources_code_points(catalogue, tmp_path):
    """By source, as SQLite orders text (its bytes): capitals first, punctuation by its code, whatever
    the database's collation (tests/postgres.py creates a linguistic one)."""
    names = ["b.txt", "a.txt", "_c.txt", "a-b.txt", "ab.txt", "B.txt", "Zeta.txt", "é.txt"]
    stored = [store(catalogue, write_file(tmp_path / "order", name, HARBOUR), units=False) for name in names]
    assert [r.source for r in catalogue.documents()] == sorted(names)
    assert [q.source for q in catalogue.quotations_of({"piet jansen"})] == sorted(names)
    paths = [s.doc.path for s in stored]
    assert catalogue.unit_backlog() == sorted(paths)


def test_a_very_long_word_is_stored_and_searched(catalogue, tmp_path):
    """A token longer than any word (an inline data URL, a hash): it may not be searchable, but the document is."""
    blob = "QUJD" * 1000
    doc = store(catalogue, write_file(tmp_path, "blob.md", f"# Attachment\nThe logo is {blob} in base64.\n"))
    assert catalogue.document_text(doc.doc.path) == doc.doc.text
    assert [cid for cid, _ in search(catalogue, "logo base64")] == doc.ids()
    catalogue.lexical_search([blob.lower()], 5)
    catalogue.lexical_search(["x" * 100_000], 5)


def test_titles_with_like_wildcards_are_taken_literally(catalogue, corpus):
    """"Ends with " " + title": a title's own % and _ are characters, not patterns."""
    store(catalogue, corpus["harbour"])
    store(catalogue, corpus["seed"])
    for title in ["m_yor", "%", "_", "%or", "\\", "mayor\\", "\\%"]:
        assert catalogue.titled_speaker_keys(title) == set(), title
        assert catalogue.speaker_rows(title=title) == [], title
    assert catalogue.titled_speaker_keys("mayor") == {"ana kovac"}
    assert catalogue.titled_speaker_keys("foreign minister") == {"kestutis budrys"}
    assert catalogue.titled_speaker_keys("f_reign minister") == set()
    assert catalogue.titled_speaker_keys("% minister") == set()


def test_pages_round_trip(catalogue, corpus):
    doc = replace(corpus["harbour"], pages=(0, 52, 200))
    store(catalogue, doc)
    record = catalogue.document(document_id(doc.path))
    assert record is not None and record.pages == (0, 52, 200)


def test_renaming_a_source_changes_how_it_is_shown_everywhere(catalogue, corpus):
    harbour = store(catalogue, corpus["harbour"])
    catalogue.rename_source(harbour.doc.path, "council/harbour.txt")
    record = catalogue.document(document_id(harbour.doc.path))
    assert record is not None and record.source == "council/harbour.txt"
    assert record.sha256 == harbour.doc.sha256 and record.chunks == len(harbour.chunks)
    assert {c.source for c in catalogue.chunks_by_id(harbour.ids()).values()} == {"council/harbour.txt"}
    assert {c.source for c in catalogue.chunks_to_embed(harbour.ids())} == {"council/harbour.txt"}
    assert {q.source for q in catalogue.quotations_of({"ana kovac"})} == {"council/harbour.txt"}
    catalogue.rename_source("/nowhere.txt", "x")  # a path not indexed: nothing to do
    assert catalogue.document_count() == 1


def test_replacing_a_document_replaces_its_chunks_quotations_and_units(catalogue, corpus, tmp_path):
    old = store(catalogue, corpus["harbour"])
    path = Path(old.doc.path)
    path.write_text(FERRY_UPDATE.replace("Portvale", "Lindholm"), encoding="utf-8")
    new = store(catalogue, load_document(path, source="harbour.txt"), seed=7)
    assert new.doc.path == old.doc.path and new.doc.sha256 != old.doc.sha256

    assert catalogue.document_count() == 1
    assert catalogue.document_hashes() == {new.doc.path: new.doc.sha256}
    assert catalogue.chunk_ids() == set(new.ids())
    assert catalogue.chunks_by_id(old.ids()) == {}
    assert catalogue.unit_vectors(old.ids()) == {} or set(old.ids()) & set(new.ids())
    assert set(catalogue.unit_vectors(new.ids())) == {k for u in new.units for k in u.keys}
    assert catalogue.document_text(new.doc.path) == new.doc.text
    record = catalogue.document(document_id(new.doc.path))
    assert record is not None and (record.title, record.date, record.quotations) == (
        "Ferry service starts", "2026-03-03", 1)
    assert [q.text for q in catalogue.quotations_of({"ana kovac"})] == ["The ferry is full every morning"]
    assert catalogue.quotations_of({"piet jansen"}) == []
    assert catalogue.quotation_count() == 1
    assert catalogue.lexical_search(["fishermen"], 10) == []
    assert catalogue.lexical_search(["portvale"], 10) == []
    assert [cid for cid, _ in catalogue.lexical_search(["lindholm"], 10)] == new.ids()


def test_deleting_a_document_removes_everything_of_it(catalogue, corpus):
    harbour, seed = store(catalogue, corpus["harbour"]), store(catalogue, corpus["seed"], units=False)
    catalogue.delete_document(harbour.doc.path)
    catalogue.delete_document(seed.doc.path)
    catalogue.delete_document("/nowhere.txt")
    assert catalogue.is_empty() and catalogue.documents() == [] and catalogue.document_count() == 0
    assert catalogue.chunk_count() == 0 and catalogue.chunk_ids() == set()
    assert catalogue.document(document_id(harbour.doc.path)) is None
    assert catalogue.document_text(harbour.doc.path) is None
    assert catalogue.documents_of(harbour.ids()) == {} and catalogue.chunks_by_id(harbour.ids()) == {}
    assert catalogue.chunks_covering(harbour.doc.path, 0, 10**9) == []
    assert catalogue.unit_vectors(harbour.ids()) == {}
    assert catalogue.unit_backlog() == []
    assert catalogue.quotation_count() == 0 and catalogue.quotation_backlog() == set()
    assert catalogue.speaker_rows() == [] and catalogue.quotations_of({"ana kovac"}) == []
    assert catalogue.quotation_spans([harbour.doc.path]) == {harbour.doc.path: []}
    assert catalogue.lexical_search(["ferry", "budrys"], 10) == []
    assert catalogue.sample_texts(10) == []


class FailingChunks(Sequence[Chunk]):
    """The chunks of a document that fail to be read after the first: a write that breaks half-way."""

    def __init__(self, chunks: Sequence[Chunk]):
        self.chunks = chunks

    def __len__(self) -> int:
        return len(self.chunks)

    def __getitem__(self, i):
        if isinstance(i, slice) or i > 0:
            raise RuntimeError("disk on fire")
        return self.chunks[i]

    def __iter__(self):
        yield self.chunks[0]
        raise RuntimeError("disk on fire")


def test_a_write_that_fails_half_way_leaves_the_previous_version_whole(catalogue, corpus):
    old = store(catalogue, corpus["harbour"])
    path = Path(old.doc.path)
    path.write_text(HARBOUR + "A second paragraph. It has more sentences. And another one here.\n", encoding="utf-8")
    doc = load_document(path, source="harbour.txt")
    chunks = chunk_document(doc)
    with pytest.raises(RuntimeError, match="disk on fire"):
        catalogue.store_document(doc, FailingChunks(chunks), find_facts(doc), 1.0, [])
    assert catalogue.document_hashes() == {old.doc.path: old.doc.sha256}
    assert catalogue.chunk_ids() == set(old.ids())
    assert catalogue.document_text(old.doc.path) == old.doc.text
    assert catalogue.quotation_count() == 3
    assert set(catalogue.unit_vectors(old.ids())) == {k for u in old.units for k in u.keys}
    assert catalogue.unit_backlog() == []
    store(catalogue, doc)  # and the catalogue is usable after it
    assert catalogue.document_hashes() == {doc.path: doc.sha256}


# -- lexical search --------------------------------------------------------------------------------


def lexical_corpus(catalogue: Catalogue, folder: Path) -> dict[str, str]:
    """One-chunk documents of about equal length: "ferry" in 5 of 14, "zeppelin" in 2; name -> chunk id.
    Titles hold none of the words searched."""
    bodies = {
        **{f"common{i}": "The ferry left the pier at noon with passengers and cargo aboard today." for i in range(3)},
        "rare": "The zeppelin left the pier at noon with passengers and cargo aboard today.",
        "both": "The ferry and the zeppelin left the pier at noon with passengers aboard today.",
        "ferries": "The ferry ferry ferry left the pier with the ferry passengers and cargo today.",
        **{f"filler{i}": "The lighthouse keeper painted the railings white in the early spring sun." for i in range(8)},
    }
    ids = {}
    for i, (name, body) in enumerate(bodies.items()):
        doc = write_file(folder / "lexical", f"{name}.txt", f"Log entry {i}\n{body}\n")
        ids[name] = store(catalogue, doc).ids()[0]
        assert len(chunk_document(doc)) == 1
    return ids


def search(catalogue: Catalogue, query: str, k: int = 20) -> list[tuple[str, float]]:
    """As `IndexStore.lexical_search` asks it."""
    return catalogue.lexical_search(list(dict.fromkeys(lexical_terms(query))), k)


def test_lexical_search_ranks_rare_terms_and_more_terms_higher(catalogue, tmp_path):
    ids = lexical_corpus(catalogue, tmp_path)
    hits = search(catalogue, "ferry zeppelin")
    ranked = [cid for cid, _ in hits]
    assert set(ranked) == {ids[n] for n in ("common0", "common1", "common2", "rare", "both", "ferries")}
    assert ranked[0] == ids["both"], "the chunk holding both terms is first"
    assert ranked.index(ids["rare"]) < min(ranked.index(ids[f"common{i}"]) for i in range(3)), (
        "a chunk holding the rare term ranks above one holding only the common term")
    scores = [score for _, score in hits]
    assert all(isinstance(s, float) for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1], "scores tell better from worse"
    # A term found more often in a chunk of the same length scores higher.
    ferry = [cid for cid, _ in search(catalogue, "ferry")]
    assert ferry[0] == ids["ferries"]


def test_lexical_search_right_after_writes_ranks_with_them(catalogue, tmp_path):
    """What a search counts (chunks, their mean length, a term's rarity) includes the writes before it:
    a question asked just after an upload ranks the new documents as well as the old."""
    store(catalogue, write_file(tmp_path, "first.txt", "Log entry\nThe ferry was late again this morning.\n"))
    assert len(search(catalogue, "ferry")) == 1
    ids = lexical_corpus(catalogue, tmp_path)
    ranked = [cid for cid, _ in search(catalogue, "ferry zeppelin")]
    assert ranked[0] == ids["both"]
    assert ranked.index(ids["rare"]) < min(ranked.index(ids[f"common{i}"]) for i in range(3))
    for name in ["rare", "both"]:
        catalogue.delete_document(str((tmp_path / "lexical" / f"{name}.txt").resolve()))
    assert ids["rare"] not in {cid for cid, _ in search(catalogue, "ferry zeppelin")}


def test_lexical_search_respects_k_and_empty_queries(catalogue, tmp_path):
    lexical_corpus(catalogue, tmp_path)
    assert len(search(catalogue, "ferry", k=2)) == 2
    assert len(search(catalogue, "ferry", k=1)) == 1
    assert [cid for cid, _ in search(catalogue, "ferry", k=3)] == [cid for cid, _ in search(catalogue, "ferry")][:3]
    assert catalogue.lexical_search([], 10) == []
    assert catalogue.lexical_search(["ferry"], 0) == []
    assert catalogue.lexical_search(["ferry"], -1) == []
    assert catalogue.lexical_search(["absentword"], 10) == []


def test_lexical_search_stems_and_folds_accents(catalogue, tmp_path):
    minister = store(catalogue, write_file(tmp_path, "minister.txt", "Cabinet\nThe minister opened the cafe.\n"))
    accented = store(catalogue, write_file(tmp_path, "naive.txt", "Menu\nA naïve crème brûlée at the Café Noir.\n"))
    assert [cid for cid, _ in search(catalogue, "ministers")] == minister.ids()
    assert [cid for cid, _ in search(catalogue, "opening")] == minister.ids()
    assert {cid for cid, _ in search(catalogue, "café")} == {*minister.ids(), *accented.ids()}
    assert [cid for cid, _ in search(catalogue, "naive")] == accented.ids()
    assert [cid for cid, _ in search(catalogue, "CRÈME brulee")] == accented.ids()


def test_lexical_search_finds_a_documents_title(catalogue, tmp_path):
    """The title is searched with each chunk (SQLite: a second FTS column, at half the weight)."""
    doc = store(catalogue, write_file(tmp_path, "t.txt", "Zanzibar harbour\nBoats came in at dawn.\n"))
    other = store(catalogue, write_file(tmp_path, "u.txt", "Quiet day\nNothing happened in the port today.\n"))
    catalogue.rename_source(other.doc.path, "u")  # (not its title)
    assert [cid for cid, _ in search(catalogue, "dawn")] == doc.ids()
    assert [cid for cid, _ in search(catalogue, "quiet")] == other.ids()


@pytest.mark.parametrize("term", [
    '"', "'", "it's", 'say "hello"', "back\\slash", "\\", "&", "|", "!", "(", ")", ":", "*", "<", ">", "<->",
    "&|!():*<>", "a & b | !c", "ferry:*", "ferry:A", "(ferry", "-ferry", "+ferry", "^", "NEAR", "AND", "OR", "NOT",
    "ferry OR zeppelin", "'';DROP TABLE chunks;--", "%", "_", "café", "Ruginienė", "日本語", "🙂", "ß", " ", "",
])
def test_lexical_search_takes_any_term(catalogue, tmp_path, term):
    ids = lexical_corpus(catalogue, tmp_path)
    hits = catalogue.lexical_search([term, "zeppelin"], 10)
    assert {ids["rare"], ids["both"]} <= {cid for cid, _ in hits}
    assert all(isinstance(s, float) for _, s in hits)
    catalogue.lexical_search([term], 10)  # alone, too (it may find nothing)
    assert catalogue.chunk_count() == 14


def test_a_term_that_is_only_punctuation_finds_nothing(catalogue, tmp_path):
    lexical_corpus(catalogue, tmp_path)
    for term in ["&|!():*<>", '"', "\\", "*"]:
        assert catalogue.lexical_search([term], 10) == [], term


# -- vectors ---------------------------------------------------------------------------------------


def test_unit_vectors_round_trip_exactly(catalogue, corpus):
    seed = store(catalogue, corpus["seed"])
    found = catalogue.unit_vectors([*seed.ids(), *seed.ids(), "no-such-chunk"])
    expected = {k: v for u in seed.units for k, v in zip(u.keys, u.vectors, strict=True)}
    assert set(found) == set(expected) and len(expected) > 5
    for key, vector in found.items():
        assert vector.dtype == np.float32 and vector.shape == (4,)
        assert np.array_equal(vector, expected[key]), key
    assert catalogue.unit_vectors([]) == {}
    part = catalogue.unit_vectors(seed.ids()[:1])
    assert set(part) == set(seed.units[0].keys)


def test_the_unit_backlog_follows_what_was_embedded(catalogue, corpus):
    seed, harbour = store(catalogue, corpus["seed"], units=False), store(catalogue, corpus["harbour"], units=False)
    assert catalogue.unit_backlog() == sorted([seed.doc.path, harbour.doc.path])
    assert catalogue.unit_vectors(seed.ids()) == {}

    assert catalogue.store_units(seed.doc.path, "0" * 64, seed.units) is False, "another version: nothing written"
    assert catalogue.store_units("/nowhere.txt", seed.doc.sha256, seed.units) is False
    assert catalogue.unit_vectors(seed.ids()) == {}
    assert catalogue.unit_backlog() == sorted([seed.doc.path, harbour.doc.path])

    assert catalogue.store_units(seed.doc.path, seed.doc.sha256, seed.units) is True
    assert catalogue.unit_backlog() == [harbour.doc.path]
    assert len(catalogue.unit_vectors(seed.ids())) == len({k for u in seed.units for k in u.keys})

    # New quotations group its units anew: the document goes back in the backlog (its vectors stay until then).
    catalogue.store_facts(seed.doc, DocumentFacts(seed.facts.quotations[:2], "2026-01-05"))
    assert catalogue.unit_backlog() == sorted([seed.doc.path, harbour.doc.path])
    units = unit_vectors(seed.doc, seed.chunks, seed.facts, seed=3)
    assert catalogue.store_units(seed.doc.path, seed.doc.sha256, units) is True
    assert catalogue.unit_backlog() == [harbour.doc.path]
    found = catalogue.unit_vectors(seed.ids())
    assert all(np.array_equal(found[k], v) for u in units for k, v in zip(u.keys, u.vectors, strict=True))

    # Replacing with units (store_document) takes it off the backlog too.
    store(catalogue, corpus["harbour"])
    assert catalogue.unit_backlog() == []


def test_word_vectors_are_stored_once(catalogue):
    rng = np.random.default_rng(1)
    first = rng.standard_normal((3, 5)).astype(np.float32)
    catalogue.store_word_vectors(["ferry", "harbour", "café"], first)
    catalogue.store_word_vectors(["harbour", "quay"], rng.standard_normal((2, 5)).astype(np.float32))
    catalogue.store_word_vectors([], np.zeros((0, 5), np.float32))
    found = catalogue.word_vectors(["ferry", "harbour", "café", "quay", "zeppelin", "ferry"])
    assert set(found) == {"ferry", "harbour", "café", "quay"}
    assert all(v.dtype == np.float32 and v.shape == (5,) for v in found.values())
    assert np.array_equal(found["ferry"], first[0]) and np.array_equal(found["café"], first[2])
    assert np.array_equal(found["harbour"], first[1]), "a word's vector never changes"
    assert catalogue.known_words(["ferry", "zeppelin", "quay", "Ferry", "cafe"]) == {"ferry", "quay"}
    assert catalogue.known_words([]) == set() and catalogue.word_vectors([]) == {}


def test_many_words_at_once(catalogue):
    words = [f"w{i}" for i in range(1500)]
    vectors = np.arange(1500 * 3, dtype=np.float32).reshape(1500, 3)
    catalogue.store_word_vectors(words, vectors)
    assert len(catalogue.known_words([*words, "absent"])) == 1500
    found = catalogue.word_vectors(words)
    assert np.array_equal(np.stack([found[w] for w in words]), vectors)


def test_the_generation_only_moves_forward(backend):
    catalogue, other = backend.open(), backend.open()
    start = catalogue.generation()
    assert isinstance(start, int) and start >= 0
    seen = [start]
    for _ in range(3):
        catalogue.next_generation()
        seen.append(catalogue.generation())
    assert seen == sorted(set(seen)), seen
    assert other.generation() == seen[-1], "another process sees it move"
    other.next_generation()
    assert catalogue.generation() > seen[-1]


# -- the journal -----------------------------------------------------------------------------------


def test_the_journal_records_writes_in_flight(backend):
    catalogue, other = backend.open(), backend.open()
    assert catalogue.journal_pending() == []
    catalogue.journal_add([("/a.txt", "a" * 64), ("/a.txt", None), ("/b.txt", "b" * 64), ("/c.txt", None)])
    assert sorted(other.journal_pending()) == ["/a.txt", "/b.txt", "/c.txt"], "durable at once, for others too"
    catalogue.journal_done("/a.txt", "a" * 64)
    assert sorted(catalogue.journal_pending()) == ["/a.txt", "/b.txt", "/c.txt"], "its removal is still in flight"
    catalogue.journal_done("/b.txt", "0" * 64)
    assert "/b.txt" in catalogue.journal_pending(), "another sha256 is another entry"
    catalogue.journal_add([("/b.txt", "c" * 64)])
    catalogue.journal_done("/b.txt", None)
    assert sorted(catalogue.journal_pending()) == ["/a.txt", "/c.txt"], "None drops every entry of the path"
    catalogue.journal_done("/a.txt", None)
    assert catalogue.journal_pending() == ["/c.txt"]
    catalogue.journal_add([])
    catalogue.journal_clear()
    assert catalogue.journal_pending() == [] and other.journal_pending() == []


# -- quotations ------------------------------------------------------------------------------------


def test_quotations_are_counted_and_found_by_speaker(catalogue, corpus):
    stored = store_all(catalogue, corpus)
    assert catalogue.quotation_count() == sum(len(s.facts.quotations) for s in stored.values()) == 12
    assert catalogue.quotation_backlog() == set()

    rows = catalogue.speaker_rows()
    harbour = stored["harbour"].doc.path
    assert sorted((r.speaker_key, r.path, r.count) for r in rows) == sorted([
        ("ana kovac", harbour, 2), ("piet jansen", harbour, 1),
        ("ana kovac", stored["update"].doc.path, 1), ("ana kovac", stored["same_day"].doc.path, 1),
        ("ana kovac", stored["undated"].doc.path, 1),
        ("kestutis budrys", stored["seed"].doc.path, 3), ("inga ruginiene", stored["seed"].doc.path, 3),
    ])
    kovac = next(r for r in rows if r.speaker_key == "ana kovac" and r.path == harbour)
    assert (kovac.surname_key, kovac.speaker, kovac.title, kovac.forms) == ("kovac", "Ana Kovač", "Mayor",
                                                                            ("Ana Kovač", "Kovač"))
    assert {(r.speaker_key, r.path) for r in catalogue.speaker_rows(surname="kovac")} == {
        ("ana kovac", s.doc.path) for n, s in stored.items() if n != "seed"}
    assert catalogue.speaker_rows(surname="nobody") == []
    assert {r.speaker_key for r in catalogue.speaker_rows(title="minister")} == {"kestutis budrys", "inga ruginiene"}
    assert {r.speaker_key for r in catalogue.speaker_rows(title="prime minister")} == {"inga ruginiene"}
    assert {r.speaker_key for r in catalogue.speaker_rows(title="mayor")} == {"ana kovac"}
    assert catalogue.speaker_rows(title="inister") == [], "a title key ends with a whole word"
    assert catalogue.titled_speaker_keys("minister") == {"kestutis budrys", "inga ruginiene"}
    assert catalogue.titled_speaker_keys("lithuanian foreign minister") == {"kestutis budrys"}
    assert catalogue.titled_speaker_keys("councillor") == {"piet jansen"}
    assert catalogue.titled_speaker_keys("president") == set()


def test_speakers_sharing_a_surname_come_together(catalogue, tmp_path):
    """speaker_rows(surname=...) and (title=...) give every speaker whose surname key is that of a
    quotation meeting the condition (so a lone surname could join its fuller name), whatever their title."""
    mayor = store(catalogue, write_file(tmp_path, "a.txt", HARBOUR))
    master = store(catalogue, write_file(tmp_path, "b.txt", (
        "Port report\nHarbour master Marta Kovač inspected the quay. “The cranes are too old,” Kovač said.\n")))
    both = {("ana kovac", mayor.doc.path, "Mayor"), ("marta kovac", master.doc.path, "")}
    assert {(r.speaker_key, r.path, r.title) for r in catalogue.speaker_rows(surname="kovac")} == both
    assert {(r.speaker_key, r.path, r.title) for r in catalogue.speaker_rows(title="mayor")} == both
    assert catalogue.titled_speaker_keys("mayor") == {"ana kovac"}


def test_quotation_spans_are_the_direct_quotations_in_document_order(catalogue, corpus):
    seed, harbour = store(catalogue, corpus["seed"]), store(catalogue, corpus["harbour"])
    spans = catalogue.quotation_spans([seed.doc.path, harbour.doc.path, "/nowhere.txt", seed.doc.path])
    assert spans == {
        seed.doc.path: sorted(direct_spans(seed.facts.quotations)),
        harbour.doc.path: sorted(direct_spans(harbour.facts.quotations)),
        "/nowhere.txt": [],
    }
    assert spans[seed.doc.path] == [QuotationSpan(1490, 1547, "kestutis budrys"),
                                    QuotationSpan(1586, 1712, "kestutis budrys"),
                                    QuotationSpan(2783, 2845, "inga ruginiene"),
                                    QuotationSpan(2867, 2984, "inga ruginiene")]
    assert catalogue.quotation_spans([]) == {}


def test_quotations_come_newest_dated_document_first(catalogue, corpus):
    stored = store_all(catalogue, corpus)
    found = catalogue.quotations_of({"ana kovac", "nobody"})
    # Mar 3; then Feb 14 by source ("a-ferry-tickets.txt" before "harbour.txt"), by position; then undated.
    assert [(q.source, q.date, q.start) for q in found] == [
        ("ferry-update.txt", "2026-03-03", stored["update"].facts.quotations[0].start),
        ("a-ferry-tickets.txt", "2026-02-14", stored["same_day"].facts.quotations[0].start),
        ("harbour.txt", "2026-02-14", 116),
        ("harbour.txt", "2026-02-14", 199),
        ("ferry-notes.txt", None, stored["undated"].facts.quotations[0].start),
    ]
    first = found[2]
    assert (first.path, first.document_title, first.ordinal, first.speaker, first.speaker_key, first.forms,
            first.title, first.kind, first.end, first.text) == (
        stored["harbour"].doc.path, "Harbour council approves ferry plan", 0, "Ana Kovač", "ana kovac",
        ("Ana Kovač", "Kovač"), "Mayor", "direct", 183,
        "The new ferry will cut the crossing to the island to twenty minutes")
    for q in found:
        assert catalogue.document_text(q.path)[q.start : q.end] == q.text
    budrys = catalogue.quotations_of(["kestutis budrys"])
    assert [(q.kind, q.ordinal) for q in budrys] == [("reported", 0), ("direct", 1), ("direct", 2)]
    assert catalogue.quotations_of([]) == [] and catalogue.quotations_of({"nobody"}) == []


def test_facts_are_stored_only_for_the_text_they_were_found_in(catalogue, corpus, tmp_path):
    harbour = store(catalogue, corpus["harbour"])
    other_version = replace(harbour.doc, sha256="0" * 64)
    catalogue.store_facts(other_version, DocumentFacts((), "1999-01-01"))
    not_indexed = write_file(tmp_path, "elsewhere.txt", FERRY_UPDATE)
    catalogue.store_facts(not_indexed, find_facts(not_indexed))
    assert catalogue.quotation_count() == 3 and catalogue.unit_backlog() == []
    assert catalogue.document_count() == 1
    record = catalogue.document(document_id(harbour.doc.path))
    assert record is not None and record.date == "2026-02-14"

    catalogue.store_facts(harbour.doc, DocumentFacts(harbour.facts.quotations[2:], "2026-02-15"))
    record = catalogue.document(document_id(harbour.doc.path))
    assert record is not None and (record.date, record.quotations) == ("2026-02-15", 1)
    assert catalogue.quotations_of({"ana kovac"}) == []
    assert [q.ordinal for q in catalogue.quotations_of({"piet jansen"})] == [0]
    assert catalogue.unit_backlog() == [harbour.doc.path]
    assert catalogue.chunk_ids() == set(harbour.ids()), "its chunks are unchanged"


# -- opening, migrations, connections --------------------------------------------------------------


def test_a_catalogue_opened_again_sees_the_same_data(backend, corpus):
    first = backend.open()
    store_all(first, corpus)
    first.journal_add([("/x.txt", None)])
    first.next_generation()
    second = backend.open()  # its migrations find the schema up to date
    assert second.documents() == first.documents()
    assert second.chunk_ids() == first.chunk_ids()
    assert second.journal_pending() == ["/x.txt"]
    assert second.generation() == first.generation()
    first.close()
    third = backend.open()
    assert third.document_count() == len(corpus)


@pytest.mark.parametrize("name", ["sqlite", "postgres"])
def test_catalogues_opened_at_once_on_a_fresh_schema_all_work(request, tmp_path, name):
    """Workers starting together on a new collection: one creates and migrates the schema (or the
    file, whose switch to WAL the others wait for), the others wait for it."""
    backend = make_backend(name, request, tmp_path)
    request.addfinalizer(backend.close)
    barrier = threading.Barrier(4)
    opened: list[Catalogue] = []
    errors: list[BaseException] = []

    def open_one():
        barrier.wait()
        try:
            opened.append(backend.open())
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(opened) == 4
    opened[0].journal_add([("/a.txt", None)])
    assert all(c.journal_pending() == ["/a.txt"] and c.is_empty() for c in opened)


def test_threads_read_with_their_own_connections(catalogue, corpus):
    seed = store(catalogue, corpus["seed"])
    results: list[object] = []
    errors: list[BaseException] = []

    def read():
        try:
            for _ in range(5):
                results.append((len(catalogue.chunks_by_id(seed.ids())),
                                len(catalogue.lexical_search(["budrys"], 5))))
        except BaseException as exc:
            errors.append(exc)
        finally:
            catalogue.release_connection()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert set(results) == {(len(seed.ids()), len(search(catalogue, "budrys", 5)))} and len(results) == 20


def test_a_released_connection_is_opened_again(catalogue, corpus):
    store(catalogue, corpus["harbour"])
    catalogue.release_connection()
    assert catalogue.document_count() == 1
    catalogue.release_connection()
    catalogue.release_connection()  # twice: nothing to release
    store(catalogue, corpus["update"])
    assert catalogue.document_count() == 2
    catalogue.close()


@pytest.mark.slow  # stops and starts the session's PostgreSQL server
def test_postgres_catalogue_works_again_after_its_server_restarts(postgres_server, corpus):
    from index import StoreUnavailableError

    catalogue = postgres_catalogue(postgres_server.url, fresh_schema_name())
    try:
        store(catalogue, corpus["harbour"])
        postgres_server.restart()  # every pooled connection is dropped
        assert catalogue.document_count() == 1
        postgres_server.stop()
        with pytest.raises(StoreUnavailableError, match="cannot be reached"):
            catalogue.document_count()
        postgres_server.start()
        assert catalogue.document_count() == 1
        store(catalogue, corpus["update"])
        assert catalogue.document_count() == 2
    finally:
        postgres_server.start()
        catalogue.close()


# -- one backend as the other ----------------------------------------------------------------------


def test_both_backends_give_the_same_answers(request, tmp_path, corpus):
    sqlite, postgres = (make_backend(name, request, tmp_path / name) for name in BACKENDS)
    (tmp_path / "sqlite").mkdir()
    try:
        catalogues = [sqlite.open(), postgres.open()]
        stored = [store_all(c, corpus) for c in catalogues][0]
        for c in catalogues:
            c.rename_source(stored["undated"].doc.path, "notes/ferry-notes.txt")
            c.store_facts(stored["seed"].doc, stored["seed"].facts)
            c.store_word_vectors(["ferry", "minister"], np.eye(2, 3, dtype=np.float32))
        a, b = catalogues
        ids = sorted(a.chunk_ids())
        paths = [s.doc.path for s in stored.values()]
        seed = stored["seed"].doc.path

        assert a.documents() == b.documents()
        for path in paths:
            assert a.document(document_id(path)) == b.document(document_id(path))
            assert a.document_text(path) == b.document_text(path)
            assert a.document_lead(path) == b.document_lead(path)
            assert a.chunks_covering(path, 100, 900) == b.chunks_covering(path, 100, 900)
        assert a.documents_of(ids) == b.documents_of(ids)
        assert a.document_hashes() == b.document_hashes()
        assert a.document_count() == b.document_count()
        assert a.indexed_paths([*paths, "/x"]) == b.indexed_paths([*paths, "/x"])
        assert a.chunk_count() == b.chunk_count() and a.chunk_ids() == b.chunk_ids()
        assert a.is_empty() == b.is_empty()
        assert sorted(a.sample_texts(5)) == sorted(b.sample_texts(5))
        assert sorted(a.sample_texts(1000)) == sorted(b.sample_texts(1000))
        assert a.chunks_by_id(ids) == b.chunks_by_id(ids)
        assert a.chunks_to_embed(ids) == b.chunks_to_embed(ids)
        va, vb = a.unit_vectors(ids), b.unit_vectors(ids)
        assert set(va) == set(vb) and [k for k in va if not np.array_equal(va[k], vb[k])] == []
        wa, wb = a.word_vectors(["ferry", "minister", "x"]), b.word_vectors(["ferry", "minister", "x"])
        assert set(wa) == set(wb) and all(np.array_equal(wa[k], wb[k]) for k in wa)
        assert a.known_words(["ferry", "x"]) == b.known_words(["ferry", "x"])
        assert a.unit_backlog() == b.unit_backlog() == [seed]
        assert a.quotation_count() == b.quotation_count()
        assert a.quotation_backlog() == b.quotation_backlog()
        for args in [{}, {"surname": "kovac"}, {"surname": "budrys"}, {"title": "minister"}, {"title": "mayor"}]:
            key = lambda r: (r.speaker_key, r.path, r.speaker, r.title)
            assert sorted(a.speaker_rows(**args), key=key) == sorted(b.speaker_rows(**args), key=key), args
        for title in ["minister", "prime minister", "mayor", "councillor"]:
            assert a.titled_speaker_keys(title) == b.titled_speaker_keys(title)
        assert a.quotation_spans(paths) == b.quotation_spans(paths)
        keys = {"ana kovac", "kestutis budrys", "inga ruginiene", "piet jansen"}
        assert a.quotations_of(keys) == b.quotations_of(keys)
        for query in ["What did Budrys say?", "ferry timetable fishermen", "critical minerals China",
                      "Who is the prime minister of Lithuania?", "Kovač stadium"]:
            top_a, top_b = search(a, query, 3), search(b, query, 3)
            assert {cid for cid, _ in top_a} == {cid for cid, _ in top_b}, query
            assert top_a[0][0] == top_b[0][0], query
            # Both compute FTS5's BM25 (PostgreSQL's from its own tsvectors): the same scores, to rounding.
            assert [score for _, score in top_a] == pytest.approx([score for _, score in top_b], rel=1e-6), query
        for c in catalogues:
            c.delete_document(seed)
        assert a.documents() == b.documents() and a.chunk_ids() == b.chunk_ids()
    finally:
        sqlite.close()
        postgres.close()
