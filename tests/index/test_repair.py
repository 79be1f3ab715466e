"""An index whose catalogue and vectors disagree is found by `ingest --check` and repaired by the
next ingest, which embeds only the chunks that lost their vectors, exactly as they were embedded."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from assistant.cli import main
from index import CATALOGUE_FILE, IndexStore, ingest, open_chroma_client

from .corpus import make_folder

DOCS = {
    # A title of its own: embedded with each chunk.
    "ferry.txt": "Ferry timetable\nThe ferry to Nida leaves Klaipeda at nine. It returns at six in the evening. "
                 "Tickets are sold at the pier.",
    # No title in the text (the first line is a sentence): the file name gives one, never embedded.
    "market-day.txt": "The market opens on Saturdays at dawn. Farmers bring cheese and honey. "
                      "It closes at noon.",
}


def open_store(index_dir, embedder) -> IndexStore:
    return IndexStore(index_dir, open_chroma_client(index_dir), embedder)


def vectors(store: IndexStore) -> dict[str, tuple[np.ndarray, dict, str]]:
    got = store.vectors.collection.get(include=["embeddings", "metadatas", "documents"])
    columns = zip(got["ids"], got["embeddings"], got["metadatas"], got["documents"], strict=True)
    return {cid: (np.asarray(e), m, d) for cid, e, m, d in columns}


def damage(store: IndexStore) -> tuple[list[str], str]:
    """Delete the vectors of all of ferry.txt's chunks and of market-day.txt's first, and store a
    vector of no chunk, as two unguarded writers left an index. Returns (missing ids, orphan id)."""
    chunks = sorted(store.chunks_by_id(list(store.vectors.collection.get(include=[])["ids"])).values(),
                    key=lambda c: (c.path, c.ordinal))
    missing = [c.chunk_id for c in chunks if c.path.endswith("ferry.txt")]
    missing.append(next(c.chunk_id for c in chunks if c.path.endswith("market-day.txt")))
    store.vectors.collection.delete(ids=missing)
    orphan = "0123456789ab-0123456789ab-00000"
    store.vectors.collection.upsert(
        ids=[orphan], embeddings=[[0.1] * 384], documents=["gone"], metadatas=[{"path": "/gone.txt"}]
    )
    return missing, orphan


@pytest.fixture
def damaged(tmp_path, embedder):
    """A folder ingested into an index, then damaged. Returns (folder, index_dir, vectors before
    the damage, missing ids, orphan id)."""
    folder = make_folder(tmp_path / "docs", DOCS)
    index_dir = tmp_path / "index"
    store = open_store(index_dir, embedder)
    ingest([folder], store, embedder)
    assert len({c for c in store.documents() if c.chunks}) == 2
    before = vectors(store)
    missing, orphan = damage(store)
    store.close()
    return folder, index_dir, before, missing, orphan


def test_ingest_embeds_again_only_the_missing_vectors_and_drops_orphans(damaged, embedder):
    folder, index_dir, before, missing, orphan = damaged
    store = open_store(index_dir, embedder)
    health = store.health(page=2)  # pages smaller than the collection: every page is read
    assert (health.chunks, health.vectors) == (len(before), len(before) - len(missing) + 1)
    assert set(health.missing) == set(missing) and health.orphans == (orphan,)

    embedded = embedder.texts_embedded
    report = ingest([folder], store, embedder)
    assert embedder.texts_embedded - embedded == len(missing)  # only what was missing
    assert (report.vectors_restored, report.orphans_removed, report.chunks_embedded) == (len(missing), 1, 0)
    summary = report.summary()
    assert f"{len(missing)} missing vectors restored" in summary and "1 orphan vectors removed" in summary
    assert store.health().consistent

    # The same vectors as the first ingest made: the title embedded with ferry.txt's chunks (its
    # own) and not with market-day.txt's (made up from the file name); the same metadata and text.
    after = vectors(store)
    assert set(after) == set(before)
    for cid in missing:
        vector, metadata, text = after[cid]
        assert np.allclose(vector, before[cid][0], atol=1e-5), cid
        assert (metadata, text) == before[cid][1:]

    embedded = embedder.texts_embedded
    report = ingest([folder], store, embedder)
    assert embedder.texts_embedded == embedded and (report.vectors_restored, report.orphans_removed) == (0, 0)


def test_check_reports_the_damage_without_changing_it(damaged, embedder, capsys):
    folder, index_dir, before, missing, orphan = damaged
    store = open_store(index_dir, embedder)
    ids = set(store.vectors.collection.get(include=[])["ids"])

    assert main(["--index-dir", str(index_dir), "ingest", "--check"]) == 1
    out, err = capsys.readouterr()
    assert (f"INCONSISTENT: 2 documents, {len(before)} chunks, {len(before) - len(missing) + 1} vectors, "
            f"{len(missing)} chunks without a vector, 1 vectors without a chunk") in out
    assert "run `assistant ingest`" in err
    assert set(store.vectors.collection.get(include=[])["ids"]) == ids  # nothing changed

    ingest([folder], store, embedder)
    assert main(["--index-dir", str(index_dir), "ingest", "--check"]) == 0
    expected = f"consistent: 2 documents, {len(before)} chunks, {len(before)} vectors, 0 chunks without"
    assert expected in capsys.readouterr().out


def test_check_takes_no_paths(damaged, capsys):
    folder, index_dir, *_ = damaged
    assert main(["--index-dir", str(index_dir), "ingest", "--check", str(folder)]) == 1
    assert "give it no paths" in capsys.readouterr().err


def test_an_index_from_before_the_flag_learns_which_titles_were_embedded(damaged, embedder):
    folder, index_dir, before, missing, _ = damaged
    with sqlite3.connect(index_dir / CATALOGUE_FILE) as db:  # the previous schema: no title_embedded
        db.executescript("ALTER TABLE documents DROP COLUMN title_embedded; PRAGMA user_version = 1;")
    store = open_store(index_dir, embedder)
    flags = {c.path.rsplit("/", 1)[1]: c.title_embedded for c in store.chunks_to_embed(missing)}
    assert flags == {"ferry.txt": True, "market-day.txt": False}
    ingest([folder], store, embedder)
    after = vectors(store)
    assert all(np.allclose(after[cid][0], before[cid][0], atol=1e-5) for cid in missing)
