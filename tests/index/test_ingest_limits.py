"""Ingest limits and what it says: files over the size limit are skipped with the size, the limit
and the setting; progress lines every few seconds when stderr is not a terminal; no file name can
forge a log line; an unwritable index directory is one line saying which and what to do."""

from __future__ import annotations

import io
import logging
import re
import sys
import tempfile
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.cli import main
from assistant.errors import AssistantError
from index import IndexStore, ingest, open_chroma_client

from ..fakes import FakeEmbedder
from ..helpers import ROOT, run_cli
from .corpus import make_folder, unprivileged

SMALL = {"small.txt": "Harbour note\nThe ferry to Nida leaves at nine."}


@pytest.fixture
def store(tmp_path):
    store = IndexStore(tmp_path / "ix", open_chroma_client(tmp_path / "ix"))
    yield store
    store.close()


def long_text(words: int) -> str:
    sentence = "The council met on Monday and the minister said the harbour budget would grow."
    return "Long report\n" + " ".join([sentence] * (words // 14)) + "\n"


def test_a_file_over_the_size_limit_is_skipped_saying_size_limit_and_setting(tmp_path, store, caplog):
    folder = make_folder(tmp_path / "docs", {**SMALL, "big.txt": long_text(6000)})
    size = (folder / "big.txt").stat().st_size
    assert 30_000 < size < 40_000
    with caplog.at_level(logging.WARNING, logger="index.ingest"):
        report = ingest([folder], store, FakeEmbedder(), max_file_mb=0.02)
    assert [Path(s).name for s in report.added] == ["small.txt"]
    ((source, reason),) = report.skipped
    assert source == f"{folder.name}/big.txt"
    assert reason == f"is {size / 2**20:.3g} MB, over the 0.02 MB limit; raise ASSISTANT_MAX_FILE_MB to ingest it"
    assert f"skipped {source}: {reason}" in caplog.text


def test_the_size_limit_is_the_setting_and_defaults_to_20_mb(tmp_path, embedder, monkeypatch):
    assert Settings().max_file_mb == 20
    folder = make_folder(tmp_path / "docs", {**SMALL, "big.txt": long_text(6000)})
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "0.02")
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), embedder=embedder)
    report = assistant.ingest([folder])
    assert [Path(s).name for s in report.added] == ["small.txt"]
    assert [Path(s).name for s, _ in report.skipped] == ["big.txt"]


def test_progress_lines_come_every_few_seconds_when_stderr_is_not_a_terminal(tmp_path, store, caplog, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # as under a service manager or `2> log`
    notes = {f"note-{i:02d}.txt": f"Note {i}\nThe ferry left at {i}." for i in range(12)}
    folder = make_folder(tmp_path / "docs", notes)
    (folder / "huge.txt").write_text(long_text(150_000), encoding="utf-8")  # chunking it takes a while
    with caplog.at_level(logging.INFO, logger="index.ingest.progress"):
        report = ingest([folder], store, FakeEmbedder(), progress_every_s=0.02)
    lines = [r.getMessage() for r in caplog.records if r.name == "index.ingest.progress"]
    line_format = r"ingest: \d+/13 files, \d+ chunks embedded \(.+\)"
    assert lines and all(re.fullmatch(line_format, line) for line in lines), lines
    # Not only embedding: reading, chunking and finding quotations show the file being worked on.
    huge = f"{folder.name}/huge.txt"
    assert any(re.search(rf"\((chunking|finding quotations in) {re.escape(huge)}\)", line) for line in lines), lines
    counts = [int(re.search(r"(\d+) chunks", line).group(1)) for line in lines]
    assert counts == sorted(counts) and report.chunks_embedded >= counts[-1]


def test_a_file_name_cannot_forge_a_log_line(tmp_path, store, caplog, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    folder = make_folder(tmp_path / "docs", SMALL)
    evil = "evil\nWARNING: skipped secret.txt: fake.txt"
    (folder / evil).write_bytes(b"")  # empty: skipped, with a warning that names it
    (folder / ("also-" + evil)).write_text(long_text(20_000), encoding="utf-8")  # ingested, named in progress
    with caplog.at_level(logging.INFO, logger="index"):
        report = ingest([folder], store, FakeEmbedder())
    assert len(report.added) == 2 and [Path(s).name for s, _ in report.skipped] == [evil]
    messages = [r.getMessage() for r in caplog.records]
    assert messages and not [m for m in messages if "\n" in m or "\r" in m]
    assert f"skipped {folder.name + '/' + evil!r}: is empty" in "\n".join(messages)

    # Progress lines name the file being worked on: escaped too.
    caplog.clear()
    (folder / ("also-" + evil)).write_text(long_text(30_000), encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="index"):
        ingest([folder], store, FakeEmbedder(), progress_every_s=0.001)
    messages = [r.getMessage() for r in caplog.records]
    assert any(repr(f"{folder.name}/also-{evil}") in m for m in messages), messages
    assert not [m for m in messages if "\n" in m or "\r" in m]


@pytest.mark.parametrize("how", ["parent is a file", "read-only folder"])
def test_an_unwritable_index_directory_is_one_line_saying_which_and_what_to_do(tmp_path, how, capsys):
    if how == "parent is a file":
        (tmp_path / "a-file").write_text("not a folder")
        index_dir = tmp_path / "a-file" / "index"
        assert main(["--index-dir", str(index_dir), "ingest", str(ROOT / "seeds")]) == 1
        err = capsys.readouterr().err
        with pytest.raises(AssistantError, match="cannot write the index directory"):
            Assistant(Settings(index_dir=index_dir))
    else:
        # chmod does not stop root: run the CLI as a process without root's file capabilities.
        base = Path(tempfile.mkdtemp(prefix="readonly-"))
        (base / "index").mkdir(mode=0o555)
        index_dir = base / "index"
        run = run_cli("--index-dir", str(index_dir), "ingest", "seeds", prefix=unprivileged(), timeout=120)
        assert run.returncode == 1, run.stderr
        err = run.stderr
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"error: cannot write the index directory {index_dir} (")
    assert "set ASSISTANT_INDEX_DIR (or --index-dir) to a folder you can write" in err
