"""One writer at a time per index: while another process holds the writer lock, an ingest waits
and says who holds it, or (asked not to wait) fails at once with that line."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from assistant.cli import main
from assistant.errors import AssistantError
from index.lock import IndexBusyError, WriterLock

from ..helpers import ROOT
from .corpus import make_folder

_HOLD = (
    "import sys; from index.lock import WriterLock; lock = WriterLock(sys.argv[1]); lock.acquire(); "
    "print('held', flush=True); sys.stdin.readline()"
)
DOCS = {"note.txt": "Harbour note\nThe ferry to Nida leaves at nine."}


@pytest.fixture
def holder(tmp_path):
    """A process that holds the writer lock of tmp_path/index until its stdin gets a line."""
    (tmp_path / "index").mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path / "index")], cwd=ROOT, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout.readline() == "held\n"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


def release(proc: subprocess.Popen) -> None:
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(timeout=30)


def test_an_ingest_waits_for_the_holder_and_says_who_it_is(tmp_path, make_assistant, holder, caplog):
    assistant = make_assistant()
    folder = make_folder(tmp_path / "docs", DOCS)
    done = {}
    with caplog.at_level(logging.WARNING, logger="index.lock"):
        run = threading.Thread(target=lambda: done.setdefault("report", assistant.ingest([folder])))
        run.start()
        deadline = time.monotonic() + 30
        while "waiting for the index" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        assert run.is_alive() and assistant.store.is_empty()  # it waits, and has written nothing
        release(holder)
        run.join(timeout=120)
    (line,) = [r.getMessage() for r in caplog.records if "waiting for the index" in r.getMessage()]
    assert str(tmp_path / "index") in line and f"pid {holder.pid} (" in line and " since " in line
    assert f"(-c {tmp_path / 'index'})" in line  # the holder's command line (python -c's argv)
    assert [d.source for d in assistant.store.documents()] and done["report"].added


def test_asked_not_to_wait_an_ingest_fails_at_once_naming_the_holder(tmp_path, make_assistant, holder, capsys):
    assistant = make_assistant()
    folder = make_folder(tmp_path / "docs", DOCS)
    started = time.monotonic()
    with pytest.raises(AssistantError, match=rf"being written by pid {holder.pid} \(.*\) since .*without --no-wait"):
        assistant.ingest([folder], wait=False)
    assert time.monotonic() - started < 5 and assistant.store.is_empty()

    assert main(["--index-dir", str(tmp_path / "index"), "ingest", "--check", "--no-wait"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: the index at ") and f"pid {holder.pid}" in err


def test_a_killed_holder_leaves_no_stale_lock(tmp_path, holder):
    lock = WriterLock(tmp_path / "index")
    with pytest.raises(IndexBusyError):
        lock.acquire(wait=False)
    os.kill(holder.pid, signal.SIGKILL)  # no cleanup at all: the kernel drops its lock
    holder.wait(timeout=30)
    lock.acquire(wait=False)
    assert lock.held and f"pid {os.getpid()} (" in lock.holder()
    lock.release()
    assert lock.holder() == "another process"  # released: the file names no holder
