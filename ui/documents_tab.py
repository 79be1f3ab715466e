"""The chat's Documents tab: add files by drag and drop or a picker, watch each one being read,
chunked and embedded, see the collection's documents listed, open or delete one.

Every event works out the visitor's access from its own request (`ui.access`), so the tab lists,
adds to and deletes from only a collection the visitor's credential allows, whatever the page sent.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import gradio as gr

from assistant import UPLOAD_SUFFIXES, Assistant, AssistantError, StoreUnavailableError
from assistant.collections import Collections
from prompts import load_prompt

from .access import Access
from .render import ChatHTML, join

AccessOf = Callable[[gr.Request], Access]


def documents_html(assistant: Assistant, viewer: str = "") -> str:
    """The collection's documents, every field escaped; each title opens the document in the viewer."""
    rows = join(
        ChatHTML(
            '<tr data-id="{}"><td><a href="{}" target="_blank" rel="noopener">{}</a></td><td><code>{}</code></td>'
            "<td>{}</td><td>{}</td><td>{}</td><td>{:%Y-%m-%d %H:%M} UTC</td></tr>"
        ).format(d.doc_id, f"{viewer}/documents/{d.doc_id}", d.title, d.source, d.date or "", d.chunks, d.quotations,
                 datetime.fromtimestamp(d.ingested_at, tz=UTC))
        for d in assistant.documents()
    )
    if not rows:
        empty = load_prompt("no_documents_here").format(collection=assistant.collection)
        return str(ChatHTML("<p>{}</p>").format(empty))
    return str(ChatHTML(
        '<table class="documents"><thead><tr><th>Title</th><th>Source</th><th>Date</th><th>Chunks</th>'
        "<th>Quotations</th><th>Added</th></tr></thead><tbody>{}</tbody></table>"
    ).format(rows))


def document_choices(assistant: Assistant) -> list[tuple[str, str]]:
    return [(f"{d.title} ({d.source})", d.doc_id) for d in assistant.documents()]


def upload_status(lines: list[tuple[str, str, str]]) -> str:
    """One line per file: its name, its state (waiting, working, done, refused) and what it is doing."""
    items = join(ChatHTML('<li class="upload-{}"><strong>{}</strong>: {}</li>').format(state, name, note)
                 for name, state, note in lines)
    return str(ChatHTML('<ul class="upload-status">{}</ul>').format(items)) if lines else ""


def uploaded_by_gradio(path: str) -> bool:
    """Whether `path` is a file Gradio received from a browser (in its upload folder), so an event
    can never make the tab read another file of the server.

    >>> uploaded_by_gradio("/etc/passwd"), uploaded_by_gradio(gradio_upload_folder() + "/a/b.txt")
    (False, True)
    """
    folder = Path(gradio_upload_folder()).resolve()
    return Path(path).resolve().is_relative_to(folder)


def gradio_upload_folder() -> str:
    from gradio.utils import get_upload_folder

    return str(get_upload_folder())


def upload_files(
    assistant: Assistant, files: list[str], watch_every_s: float = 0.3
) -> Iterator[list[tuple[str, str, str]]]:
    """Upload `files` (Gradio's temporary copies, under their original names) one after another;
    yield every file's line each time one's step changes. Gradio's copy is removed once read."""
    lines = [(Path(f).name, "waiting", "waiting") for f in files]
    yield lines
    for i, file in enumerate(files):
        name = Path(file).name
        if not uploaded_by_gradio(file):
            lines[i] = (name, "refused", load_prompt("upload_not_received"))
            yield lines
            continue
        steps: queue.Queue[str] = queue.Queue()
        outcome: dict = {}

        def run(path: str = file, filename: str = name, steps: queue.Queue[str] = steps, outcome: dict = outcome):
            try:
                data = Path(path).read_bytes()
                Path(path).unlink(missing_ok=True)  # the upload folder keeps it from now on; Gradio's copy goes
                outcome["record"] = assistant.upload(filename, data, on_progress=steps.put)
            except (AssistantError, StoreUnavailableError) as exc:
                outcome["error"] = str(exc)
            except OSError as exc:
                outcome["error"] = f"{filename} could not be read ({exc.strerror or exc})"

        worker = threading.Thread(target=run, name="upload", daemon=True)
        worker.start()
        lines[i] = (name, "working", "reading")
        yield lines
        while worker.is_alive() or not steps.empty():
            try:
                lines[i] = (name, "working", steps.get(timeout=watch_every_s))
                yield lines
            except queue.Empty:
                continue
        worker.join()
        if "record" in outcome:
            r = outcome["record"]
            lines[i] = (name, "done", load_prompt("upload_done").format(chunks=r.chunks, quotations=r.quotations))
        else:
            lines[i] = (name, "refused", outcome.get("error", "not indexed"))
        yield lines


def build_documents_tab(collections: Collections, access_of: AccessOf, picker: gr.Dropdown, viewer: str = "") -> None:
    """The tab's components and events; `picker` holds the collection being shown."""
    upload = gr.File(
        label=load_prompt("upload_label"), file_count="multiple", file_types=list(UPLOAD_SUFFIXES),
        elem_id="upload", height=140,
    )
    status = gr.HTML(elem_id="upload-status")
    listing = gr.HTML(elem_id="documents")
    with gr.Row():
        chosen = gr.Dropdown(label="Document", choices=[], elem_id="document-choice", scale=4, interactive=True)
        delete = gr.Button("Delete", variant="stop", size="sm", elem_id="delete-document", scale=1)
        refresh = gr.Button("Refresh", size="sm", elem_id="refresh-documents", scale=1)

    def shown(collection: str | None, request: gr.Request):
        try:
            assistant = access_of(request).assistant(collections, collection or None)
            return documents_html(assistant, viewer), gr.update(choices=document_choices(assistant), value=None)
        except (AssistantError, StoreUnavailableError) as exc:  # a store that is down is said, as in the chat
            return str(ChatHTML("<p>{}</p>").format(str(exc))), gr.update(choices=[], value=None)

    def add(files: list[str] | None, collection: str | None, request: gr.Request):
        if not files:
            yield gr.update(), gr.update(), gr.update(), gr.update()
            return
        try:
            assistant = access_of(request).assistant(collections, collection or None)
        except (AssistantError, StoreUnavailableError) as exc:
            yield None, str(ChatHTML("<p>{}</p>").format(str(exc))), gr.update(), gr.update()
            return
        for lines in upload_files(assistant, files):
            yield gr.update(), upload_status(lines), gr.update(), gr.update()
        listing_html, choices = shown(collection, request)
        yield None, upload_status(lines), listing_html, choices

    def remove(doc_id: str | None, collection: str | None, request: gr.Request):
        note = ""
        if doc_id:
            try:
                record = access_of(request).assistant(collections, collection or None).delete_document(doc_id)
                note = str(ChatHTML("<p>{}</p>").format(load_prompt("document_deleted").format(source=record.source)))
            except (AssistantError, StoreUnavailableError) as exc:
                note = str(ChatHTML("<p>{}</p>").format(str(exc)))
        return (note, *shown(collection, request))

    upload.upload(add, [upload, picker], [upload, status, listing, chosen], api_visibility="private",
                  show_progress="minimal")
    delete.click(remove, [chosen, picker], [status, listing, chosen], api_visibility="private")
    refresh.click(shown, [picker], [listing, chosen], api_visibility="private")
    picker.change(shown, [picker], [listing, chosen], api_visibility="private")
