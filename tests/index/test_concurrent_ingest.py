"""Two `assistant ingest` processes on one index: the second waits for the first, and the index
ends with exactly one vector per catalogue chunk, every document embedded once.

Real processes over a real on-disk index. "Started during the other" is made certain rather
than hoped for: the first process is stopped (SIGSTOP) while it is writing, with vectors stored
and documents not yet committed, which is when an unguarded second run's cleanup destroyed them;
the second is started then, and the first resumes once the second has said it waits.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from index import CATALOGUE_FILE, IndexStore, open_chroma_client

from ..helpers import ROOT
from .corpus import CHUNK_WORDS, ingest_cmd, run_env, write_corpus

pytestmark = pytest.mark.slow

N_FILES = 40  # 4 chunks each: enough for a write to take a moment, few enough to stay quick
FACTS = {
    "harbour": ("lighthouse.txt", "Kolkasrags lighthouse\nThe keeper of the Kolkasrags lighthouse is Anna Berzina.\n",
                "Who is the keeper of the Kolkasrags lighthouse?"),
    "trams": ("depot.txt", "Riga tram depot\nThe Riga tram depot holds forty old wooden carriages.\n",
              "How many carriages does the Riga tram depot hold?"),
}
TIMEOUT_S = 300


def make_folder(base: Path, name: str, seed: int) -> Path:
    folder = base / name
    write_corpus(folder, N_FILES, name=name, seed=seed)
    file, text, _ = FACTS[name]
    (folder / file).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def folders(tmp_path) -> dict[str, Path]:
    return {"harbour": make_folder(tmp_path, "harbour", 1), "trams": make_folder(tmp_path, "trams", 2)}


def start(index_dir: Path, folder: Path, log: Path) -> subprocess.Popen:
    out = log.open("w")
    return subprocess.Popen(
        ingest_cmd(index_dir, folder), cwd=ROOT, env=run_env(), stdout=out, stderr=subprocess.STDOUT
    )


def finish(proc: subprocess.Popen, log: Path) -> str:
    proc.wait(timeout=TIMEOUT_S)
    output = log.read_text(encoding="utf-8")
    assert proc.returncode == 0, output
    return output


def chunks_embedded(output: str) -> int:
    (count,) = re.findall(r"(\d+) chunks embedded", output.splitlines()[-1])
    return int(count)


def stop_while_writing(proc: subprocess.Popen, catalogue: Path, n_documents: int) -> None:
    """SIGSTOP the process once its vectors are stored and its documents are being committed (all
    of them are in one batch): the journal lists them, the catalogue holds some but not all. Its
    Chroma writes are done, so the second process opens the index without waiting on them."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            db = sqlite3.connect(catalogue, timeout=0.2)
            try:
                journal = db.execute("SELECT count(*) FROM journal").fetchone()[0]
                documents = db.execute("SELECT count(*) FROM documents").fetchone()[0]
            finally:
                db.close()
        except sqlite3.OperationalError:  # not created yet, or locked for a moment
            journal = documents = 0
        if journal and 0 < documents < n_documents:
            proc.send_signal(signal.SIGSTOP)
            return
        time.sleep(0.01)
    raise AssertionError(f"the first ingest was never caught writing (rc={proc.poll()})")


def wait_for_line(log: Path, pattern: str, proc: subprocess.Popen, timeout: float = 120) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text(encoding="utf-8"))
        if found:
            return found.group(0)
        if proc.poll() is not None:
            return None
        time.sleep(0.1)
    return None


def assert_one_vector_per_chunk(index_dir: Path, embedder, folders: list[Path]) -> int:
    """Every catalogue chunk has exactly one vector and every vector a chunk; every file of the
    folders is a document. Returns the number of chunks."""
    store = IndexStore(index_dir, open_chroma_client(index_dir), embedder)
    try:
        health = store.health()
        assert health.consistent, health.summary()
        assert health.chunks == health.vectors == store.vector_count() == sum(d.chunks for d in store.documents())
        assert {d.path for d in store.documents()} == {str(f.resolve()) for folder in folders for f in folder.iterdir()}
        with sqlite3.connect(index_dir / CATALOGUE_FILE) as db:
            assert db.execute("SELECT count(*) FROM journal").fetchone() == (0,)
        return health.chunks
    finally:
        store.close()


def assert_answers_cite(index_dir: Path, embedder, folders: dict[str, Path]) -> None:
    assistant = Assistant(Settings(index_dir=index_dir, chunk_words=CHUNK_WORDS), embedder=embedder)
    for name, folder in folders.items():
        file, _, question = FACTS[name]
        answer = assistant.ask(question)
        assert not answer.refused, answer.answer
        assert any(c.source.endswith(f"{folder.name}/{file}") for c in answer.citations), answer.citations
        # Dense search alone finds the fact: its vector is there (lexical search would hide a loss).
        hits = assistant.store.dense_search(embedder.encode([question])[0], 3)
        assert any(assistant.store.chunks_by_id([cid])[cid].path.endswith(file) for cid, _ in hits)
    assistant.store.close()


@pytest.mark.parametrize("same_folder", [True, False], ids=["same-folder", "different-folders"])
def test_two_ingests_started_together(tmp_path, folders, embedder, same_folder):
    index_dir = tmp_path / "index"
    targets = [folders["harbour"], folders["harbour" if same_folder else "trams"]]
    procs = [start(index_dir, folder, tmp_path / f"run{i}.log") for i, folder in enumerate(targets)]
    outputs = [finish(proc, tmp_path / f"run{i}.log") for i, proc in enumerate(procs)]

    total = assert_one_vector_per_chunk(index_dir, embedder, list(dict.fromkeys(targets)))
    assert sum(chunks_embedded(out) for out in outputs) == total, outputs  # each document embedded once
    if same_folder:  # one did all the work; the other, after waiting, found every file unchanged
        assert sorted(chunks_embedded(out) for out in outputs) == [0, total], outputs
        assert any(f"{N_FILES + 1} unchanged" in out for out in outputs), outputs
    assert_answers_cite(index_dir, embedder, {folder.name: folder for folder in targets})


@pytest.mark.parametrize("same_folder", [True, False], ids=["same-folder", "different-folders"])
def test_an_ingest_started_while_another_writes_waits_for_it(tmp_path, folders, embedder, same_folder):
    index_dir = tmp_path / "index"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    second_folder = folders["harbour" if same_folder else "trams"]
    first = start(index_dir, folders["harbour"], first_log)
    second = None
    try:
        stop_while_writing(first, index_dir / CATALOGUE_FILE, N_FILES + 1)
        second = start(index_dir, second_folder, second_log)
        waiting = wait_for_line(second_log, r"waiting for the index at .*", second)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    first_out = finish(first, first_log)
    second_out = finish(second, second_log)

    assert waiting is not None, second_out
    assert f"pid {first.pid} (" in waiting and "ingest" in waiting and " since " in waiting, waiting
    assert len([line for line in second_out.splitlines() if "waiting for the index" in line]) == 1
    total = assert_one_vector_per_chunk(index_dir, embedder, list(dict.fromkeys([folders["harbour"], second_folder])))
    assert chunks_embedded(first_out) + chunks_embedded(second_out) == total, (first_out, second_out)
    if same_folder:
        assert chunks_embedded(second_out) == 0 and f"{N_FILES + 1} unchanged" in second_out, second_out
    assert_answers_cite(index_dir, embedder, {f.name: f for f in [folders["harbour"], second_folder]})
