"""What many test modules share: the project's paths, the Answer contract check, a free port, the CLI
as a process, and the articles more than one layer is tested on. Tests import from here, never from
each other (a test module imported by another is collected, and its fixtures run, twice).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from index import OFFLINE_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "lithuania-critical-minerals.txt"
EVAL_DIR = ROOT.parent / "shared" / "eval"
# What a process started by a test needs: no model hub, no telemetry (index's one list).
OFFLINE_ENV = OFFLINE_ENVIRONMENT
MARKER = re.compile(r"\[(\d+)\]")

# A council meeting with two quoted speakers (one quoted twice), for the quotation index and its answers.
HARBOUR = (
    "Harbour council approves ferry plan\nFeb 14, 2026\n"
    "Mayor Ana Kovač opened the council session in Portvale on Monday. “The new ferry will cut the crossing to "
    "the island to twenty minutes,” Kovač said. “Our football team deserves a new stadium before the next "
    "season,” she added.\n"
    "Councillor Piet Jansen disagreed with the plan. “The ferry timetable ignores the fishermen who use the "
    "harbour at dawn,” Jansen said.\n"
)


def assert_answer_contract(
    answer: Any,
    *,
    texts: Mapping[str, str] | None = None,
    chunks_by_id: Callable[[Sequence[str]], Mapping[str, Any]] | None = None,
    cited_among_passages: bool = False,
) -> None:
    """Assert the Answer contract of docs/ARCHITECTURE.md on an `Answer`, its JSON as a dict, or any
    record with `answer` and `citations` (a feedback line):

    - the markers `[n]` in the answer are exactly the citations' numbers, and those are 1..N;
    - each quote is stripped, non-empty, and the document's text between its `start` and `end`;
    - each passage's text is the document's text at its offsets, and passages come best first.

    Document texts come from `texts` (source -> text) when given, else from the file: the chunk's
    path with `chunks_by_id`, else `index.load_document(source)` (a source relative to the working
    directory, as seeds/ is).
    With `chunks_by_id` (e.g. `store.chunks_by_id`), each quote must lie inside the chunk it names;
    with `cited_among_passages`, every cited chunk must be one of the passages.
    """
    from index import load_document

    data = answer.model_dump() if hasattr(answer, "model_dump") else answer
    loaded: dict[str, str] = dict(texts or {})

    citations, passages = data["citations"], data.get("passages") or []
    chunks = chunks_by_id([c["chunk_id"] for c in [*citations, *passages]]) if chunks_by_id else {}
    paths = {chunk.source: chunk.path for chunk in chunks.values()}

    def text_of(source: str) -> str:
        if source not in loaded:
            loaded[source] = load_document(paths.get(source, source)).text
        return loaded[source]

    numbers = [c["n"] for c in citations]
    assert {int(n) for n in MARKER.findall(data["answer"])} == set(numbers), (data["answer"], numbers)
    assert numbers == list(range(1, len(citations) + 1)), numbers
    for c in citations:
        where = f"citation {c['n']} ({c['source']}, characters {c['start']}-{c['end']})"
        assert c["quote"] and c["quote"] == c["quote"].strip(), f"{where}: the quote is empty or not stripped"
        assert c["quote"] == text_of(c["source"])[c["start"] : c["end"]], f"{where}: not the document's text there"
        if chunks_by_id:
            chunk = chunks[c["chunk_id"]]
            assert chunk.source == c["source"] and chunk.start <= c["start"] <= c["end"] <= chunk.end, (
                f"{where}: not inside its chunk {chunk.source} {chunk.start}-{chunk.end}")
    for p in passages:
        assert p["text"] == text_of(p["source"])[p["start"] : p["end"]], f"passage {p['chunk_id']}: not the text there"
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True), f"passages are not best first: {scores}"
    if cited_among_passages:
        assert {c["chunk_id"] for c in citations} <= {p["chunk_id"] for p in passages}


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(
    *args: str, index_dir: str | Path | None = None, env: Mapping[str, str] | None = None,
    prefix: Sequence[str] = (), timeout: float = 180,
) -> subprocess.CompletedProcess:
    """`python -m assistant.cli ARGS` as a separate process in the project root, offline, output captured.

    `env` replaces this process's environment (the offline variables are always added); `index_dir`
    sets ASSISTANT_INDEX_DIR; `prefix` goes before the interpreter (e.g. a command dropping root).
    """
    environment = {**(os.environ if env is None else env), **OFFLINE_ENV}
    if index_dir is not None:
        environment["ASSISTANT_INDEX_DIR"] = str(index_dir)
    return subprocess.run(
        [*prefix, sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, env=environment, capture_output=True,
        text=True, timeout=timeout,
    )
