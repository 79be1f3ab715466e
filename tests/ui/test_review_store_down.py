"""Reproducer from a hostile review of issue 15: the Documents tab of the Gradio UI while the shared
catalogue (PostgreSQL) or the Chroma server cannot be reached. The chat says so (ui/chat.py); the
Documents tab's upload says "not indexed" instead and its thread dies with a traceback."""

from __future__ import annotations

import threading
from pathlib import Path

from assistant import StoreUnavailableError
from ui.documents_tab import gradio_upload_folder, upload_files

DOWN = "the catalogue's PostgreSQL at db:5432/assistant cannot be reached"


class StoreDown:
    def upload(self, *args, **kwargs):
        raise StoreUnavailableError(DOWN)


def test_an_upload_while_the_store_is_down_says_so(tmp_path):
    folder = Path(gradio_upload_folder()) / "review-store-down"
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "notes.txt"
    file.write_text("Notes\nSomething.\n", encoding="utf-8")
    died: list[BaseException] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: died.append(args.exc_value)
    try:
        *_, last = upload_files(StoreDown(), [str(file)], watch_every_s=0.01)
    finally:
        threading.excepthook = previous
    (name, state, message), = last
    assert not died, f"the upload thread died: {died!r}"
    assert state == "refused" and "cannot be reached" in message, message
