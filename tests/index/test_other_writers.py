"""A process serving an on-disk index sees what another process ingests into it, at its next
search: Chroma loads its HNSW index once per process, so the store opens Chroma again when the
catalogue's generation shows documents stored or removed by someone else (docs/DEPLOYMENT.md,
"Workers")."""

from __future__ import annotations

import subprocess

import pytest

from assistant import Assistant, Settings

from ..helpers import ROOT
from .corpus import ingest_cmd, run_env

HARBOUR = "Kolkasrags lighthouse\nThe keeper of the Kolkasrags lighthouse is Anna Berzina.\n"
TRAMS = "Riga tram depot\nThe Riga tram depot holds forty old wooden carriages.\n"


def cli_ingest(index_dir, folder) -> None:
    done = subprocess.run(ingest_cmd(index_dir, folder), cwd=ROOT, env=run_env(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def dense_sources(assistant: Assistant, text: str) -> list[str]:
    """The files of the best dense hits for `text`, best first."""
    ids = [cid for cid, _ in assistant.store.dense_search(assistant.embedder.query_vector(text), 3)]
    chunks = assistant.store.chunks_by_id(ids)
    return [chunks[cid].path.rsplit("/", 1)[-1] for cid in ids if cid in chunks]


@pytest.mark.slow
def test_a_server_sees_documents_another_process_ingests(tmp_path, embedder):
    index_dir, first, second = tmp_path / "ix", tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "lighthouse.txt").write_text(HARBOUR, encoding="utf-8")
    (second / "depot.txt").write_text(TRAMS, encoding="utf-8")
    cli_ingest(index_dir, first)

    serving = Assistant(Settings(index_dir=index_dir), embedder=embedder)
    assert dense_sources(serving, "Who keeps the lighthouse?") == ["lighthouse.txt"]

    cli_ingest(index_dir, second)  # another process writes while this one serves
    assert "depot.txt" in dense_sources(serving, "How many carriages does the tram depot hold?")
    answer = serving.ask("How many carriages does the Riga tram depot hold?")
    assert not answer.refused and "forty" in answer.answer

    (second / "depot.txt").unlink()
    done = subprocess.run([*ingest_cmd(index_dir, second), "--prune"], cwd=ROOT, env=run_env(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert dense_sources(serving, "How many carriages does the tram depot hold?") == ["lighthouse.txt"]

    # Its own writes need no reopening, and what it wrote is found at once.
    own = tmp_path / "own"
    own.mkdir()
    (own / "ferry.txt").write_text("Klaipeda ferry\nThe Klaipeda ferry sails to Kiel every night.\n", encoding="utf-8")
    serving.ingest([own])
    assert dense_sources(serving, "Where does the Klaipeda ferry sail?")[0] == "ferry.txt"


def test_a_reopen_that_fails_is_tried_again(tmp_path, fake_embedder):
    from index import CATALOGUE_FILE, IndexStore, SQLiteCatalogue, ingest, open_chroma_client

    from ..helpers import SEED_FILE

    index_dir, opens = tmp_path / "ix", []

    def flaky_reopen():
        opens.append(1)
        if len(opens) % 2:
            raise OSError("disk full (simulated)")
        return open_chroma_client(index_dir)

    store = IndexStore(index_dir, open_chroma_client(index_dir), reopen=flaky_reopen)
    before = store.catalogue.generation()
    ingest([SEED_FILE], store, fake_embedder)
    assert store.catalogue.generation() == before + 1  # one move per write, not one per document
    vector = fake_embedder.embed_query("Budrys")
    other = SQLiteCatalogue(index_dir / CATALOGUE_FILE)
    for attempt in ("search", "write"):
        other.next_generation()  # as another process's ingest does
        with pytest.raises(OSError):
            if attempt == "search":
                store.dense_search(vector, 3)
            else:
                with store.writing():
                    pass
        assert store.dense_search(vector, 3)  # the failed open was not taken as done: tried again, and works
    assert len(opens) == 4
    other.close()
    store.close()
