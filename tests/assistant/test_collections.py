"""Collections and uploads at the level of the Python API (issue 14): each collection a whole index
of its own, that answers and lists only its own documents; uploads kept in the collection's managed
folder under safe names, replaced by name, refused when they are not what they say, and gone with
their document. The REST and browser sides are tested in tests/ui/."""

from __future__ import annotations

import json
import threading

import pytest

from assistant import Settings
from assistant.collections import Collections
from assistant.errors import UnknownCollectionError, UnknownDocumentError, UploadError
from assistant.uploads import check_upload, safe_upload_name

from ..helpers import run_cli

NEWS = ("harbour.txt", "Harbour news\n\n\u201cThe Klaipeda harbour crane moved 40 containers on Monday,\u201d "
        "said harbour master Jonas Petraitis.")
HR = ("holidays.txt", "Holiday policy\n\nEvery employee of Zentrix receives 27 days of paid holiday a year.")


@pytest.fixture
def collections(embedder, tmp_path):
    opened = Collections(Settings(index_dir=tmp_path / "index"), embedder=embedder)
    yield opened
    opened.close()


def test_each_collection_answers_and_lists_only_its_own_documents(collections, tmp_path):
    news = collections.get("news", create=True)
    hr = collections.get("hr", create=True)
    news.upload(*NEWS[:1], NEWS[1].encode())
    hr.upload(*HR[:1], HR[1].encode())
    assert collections.names() == ["documents", "hr", "news"]
    assert news.store.index_dir == tmp_path / "index" / "collections" / "news"

    assert [d.source for d in news.documents()] == ["harbour.txt"]
    assert [d.source for d in hr.documents()] == ["holidays.txt"]
    answer = hr.ask("How many days of paid holiday does a Zentrix employee get?")
    assert not answer.refused and {c.source for c in answer.citations} == {"holidays.txt"}
    crossed = news.ask("How many days of paid holiday does a Zentrix employee get?")
    assert crossed.refused and all(c.source == "harbour.txt" for c in crossed.citations)
    assert not hr.speakers() and [s.name for s in news.speakers()] == ["Jonas Petraitis"]

    with pytest.raises(UnknownCollectionError, match="No collection named 'finance'"):
        collections.get("finance")
    for bad in ["../index", "hr-", "news\n", "_x", "a" * 65]:
        with pytest.raises(UnknownCollectionError, match="not a collection name"):
            collections.get(bad, create=True)
    assert collections.names() == ["documents", "hr", "news"]  # nothing was made for them


def test_ingest_and_ask_take_a_collection_on_the_command_line(tmp_path):
    folder = tmp_path / "hr-docs"
    folder.mkdir()
    (folder / HR[0]).write_text(HR[1], encoding="utf-8")
    done = run_cli("ingest", "--collection", "hr", str(folder), index_dir=tmp_path / "index")
    assert done.returncode == 0, done.stderr
    assert "(collection hr)" in done.stdout and "1 added" in done.stdout
    asked = run_cli("--collection", "hr", "ask", "--json", "How many days of paid holiday?",
                    index_dir=tmp_path / "index")
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and answer["citations"][0]["source"] == "hr-docs/holidays.txt"
    assert answer["citations"][0]["url"].startswith("/documents/")
    # The default collection holds nothing: it was never ingested into.
    missing = run_cli("ask", "How many days of paid holiday?", index_dir=tmp_path / "index")
    assert missing.returncode != 0 and "Nothing has been indexed yet" in missing.stderr
    bad = run_cli("--collection", "a/b", "ingest", str(folder), index_dir=tmp_path / "index")
    assert bad.returncode == 2 and "ASSISTANT_COLLECTION" in bad.stderr


def test_an_upload_is_kept_under_a_safe_name_and_replaced_by_name(collections):
    assistant = collections.get()
    assert assistant.example_questions() == []
    first = assistant.upload("../../../etc/Harbour news.TXT", NEWS[1].encode())
    # The examples are kept between page loads, and follow what the index holds.
    assert assistant.example_questions() == assistant.example_questions() == [
        "What did Jonas Petraitis say?", "What is “Harbour news” about?"]
    assert first.source == "Harbour news.txt" and first.chunks >= 1 and first.quotations == 1
    assert (assistant.uploads_dir / "Harbour news.txt").read_text(encoding="utf-8") == NEWS[1]
    assert sorted(p.name for p in assistant.uploads_dir.iterdir()) == ["Harbour news.txt"]  # nothing left over

    second = assistant.upload("Harbour news.txt", NEWS[1].replace("40 containers", "75 containers").encode())
    assert second.doc_id == first.doc_id and second.sha256 != first.sha256
    assert [d.source for d in assistant.documents()] == ["Harbour news.txt"]
    assert "75 containers" in assistant.document(first.doc_id).text
    answer = assistant.ask("How many containers did the crane move?")
    assert "75" in answer.answer and "40" not in answer.answer

    assistant.delete_document(first.doc_id)
    assert assistant.example_questions() == []
    assert assistant.documents() == [] and not (assistant.uploads_dir / "Harbour news.txt").exists()
    with pytest.raises(UnknownDocumentError):
        assistant.document(first.doc_id)
    with pytest.raises(UnknownDocumentError):
        assistant.delete_document(first.doc_id)


@pytest.mark.parametrize("name, data, status", [
    ("tool.exe", b"MZ\x90\x00", 415),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", 415),
    ("report.pdf", b"<html><body>not a pdf</body></html>", 415),
    ("smuggled.txt", b"%PDF-1.7 something", 415),
    ("latin1.txt", "caf\xe9".encode("latin-1"), 422),
    ("broken.pdf", b"%PDF-1.7\nthis is no pdf at all", 422),
    ("empty.md", b"", 422),
    ("huge.txt", b"x" * 3 * 2**20, 413),
])
def test_a_refused_upload_says_why_and_changes_nothing(collections, name, data, status):
    assistant = collections.get()
    kept = assistant.upload("kept.txt", HR[1].encode())
    with pytest.raises(UploadError) as refused:
        assistant.upload(name, data) if status != 413 else check_upload(name, data, 2**20)
    assert refused.value.status == status and name.split(".")[0] in str(refused.value)
    assert [d.doc_id for d in assistant.documents()] == [kept.doc_id]
    assert sorted(p.name for p in assistant.uploads_dir.iterdir()) == ["kept.txt"]


def test_a_failed_replacement_keeps_the_old_version(collections):
    assistant = collections.get()
    kept = assistant.upload("notes.txt", HR[1].encode())
    with pytest.raises(UploadError):
        assistant.upload("notes.txt", "caf\xe9".encode("latin-1"))
    assert assistant.document(kept.doc_id).text == HR[1]


def test_concurrent_uploads_are_all_indexed(collections):
    assistant = collections.get()
    errors: list[Exception] = []

    def send(n: int) -> None:
        try:
            assistant.upload(f"note-{n}.txt", f"Note {n}\n\nThe ferry number {n} left at {n} o'clock.".encode())
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(d.source for d in assistant.documents()) == [f"note-{n}.txt" for n in range(4)]
    assert assistant.health().consistent


@pytest.mark.parametrize("sent, kept", [
    ("a.txt", "a.txt"), ("/abs/path/b.md", "b.md"), ("..\\..\\win\\c.html", "c.html"), ("...hidden.txt", "hidden.txt"),
    ("we<i>rd\n.txt", "we_i_rd.txt"), (".pdf", "upload.pdf"), ("Ünïcödé.PDF", "Ünïcödé.pdf"),
])
def test_upload_names_are_made_safe(sent, kept):
    assert safe_upload_name(sent) == kept


@pytest.mark.parametrize("sent", ["", "noext", "archive.zip", "../..", "script.py"])
def test_names_of_types_we_do_not_read_are_refused(sent):
    with pytest.raises(UploadError) as refused:
        safe_upload_name(sent)
    assert refused.value.status == 415 and ".pdf" in str(refused.value)
