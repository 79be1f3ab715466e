"""discover_files: symlinks never lead ingest outside the paths it is given, loops and unreadable
folders are reported (not a crash, not silence), and only regular files are read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from index import IndexStore, discover_files, ingest, open_chroma_client

from ..helpers import ROOT
from .corpus import make_folder, unprivileged

GOOD = {"good.txt": "Harbour news\nThe harbour of Klaipeda is ice free all winter."}


def reasons(problems) -> dict[str, str]:
    return {Path(source).name: reason for source, reason in problems}


def test_a_symlink_loop_is_reported_and_the_rest_ingested(tmp_path, embedder):
    folder = make_folder(tmp_path / "docs", GOOD)
    (folder / "loop-a.txt").symlink_to("loop-b.txt")
    (folder / "loop-b.txt").symlink_to("loop-a.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "again").symlink_to(folder / "sub")  # a folder that contains itself
    store = IndexStore(tmp_path / "ix", open_chroma_client(tmp_path / "ix"), embedder)

    report = ingest([folder], store, embedder)

    assert [Path(s).name for s in report.added] == ["good.txt"]
    skipped = reasons(report.skipped)
    assert skipped == {"loop-a.txt": "symlink loop: skipped", "loop-b.txt": "symlink loop: skipped"}
    shown = folder.name
    assert {s for s, _ in report.skipped} == {f"{shown}/loop-a.txt", f"{shown}/loop-b.txt"}


def test_symlinks_out_of_the_given_folders_are_not_followed(tmp_path, embedder):
    outside = make_folder(tmp_path / "outside", {"secret.txt": "Vault\nThe vault code is 4711."})
    folder = make_folder(tmp_path / "docs", GOOD)
    (folder / "secret-link.txt").symlink_to(outside / "secret.txt")
    (folder / "relative-link.txt").symlink_to(Path("..") / "outside" / "secret.txt")
    (folder / "outside-dir").symlink_to(outside)
    (folder / "alias.txt").symlink_to(folder / "good.txt")  # inside: the same document, once
    store = IndexStore(tmp_path / "ix", open_chroma_client(tmp_path / "ix"), embedder)

    report = ingest([folder], store, embedder)

    assert [Path(s).name for s in report.added] == ["good.txt"]
    assert [d.path for d in store.documents()] == [str((folder / "good.txt").resolve())]
    skipped = reasons(report.skipped)
    assert set(skipped) == {"secret-link.txt", "relative-link.txt", "outside-dir"}
    for name, reason in skipped.items():
        assert "outside the folders given to ingest: not followed" in reason, (name, reason)
        assert str(outside.resolve()) in reason
    assert not store.lexical_search("vault code", 5)
    hits = store.dense_search(embedder.encode(["What is the vault code?"])[0], 5)
    found = store.chunks_by_id([cid for cid, _ in hits]).values()
    assert {c.path for c in found} == {str((folder / "good.txt").resolve())}

    # Given as a root itself, the outside folder is ingested (its file once, under its real path).
    files, problems = discover_files([folder, outside])
    assert sorted(f.name for f in files) == ["good.txt", "secret.txt"]
    assert (outside / "secret.txt").resolve() in files and not problems


def test_a_given_path_that_is_a_symlink_is_ingested_where_it_leads(tmp_path):
    folder = make_folder(tmp_path / "docs", GOOD)
    (tmp_path / "link").symlink_to(folder)
    files, problems = discover_files([tmp_path / "link"])
    assert files == [(folder / "good.txt").resolve()] and not problems


def test_only_regular_files_are_read(tmp_path):
    folder = make_folder(tmp_path / "docs", GOOD)
    os.mkfifo(folder / "pipe.txt")  # reading it would block the ingest for ever
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    files, problems = discover_files([folder])
    assert [f.name for f in files] == ["good.txt"]
    assert reasons(problems) == {
        "pipe.txt": "not a regular file (a pipe, socket or device)",
        "dangling.txt": "broken symlink (its target does not exist)",
    }


_DISCOVER = "import json, sys; from index import discover_files; print(json.dumps(discover_files(sys.argv[1:])[1]))"


def test_an_unreadable_folder_is_reported():
    prefix = unprivileged()
    base = Path(tempfile.mkdtemp(prefix="unreadable-"))
    try:
        folder = make_folder(base / "docs", GOOD)
        make_folder(folder / "private", {"fact.txt": "Private\nNobody may read this."}).chmod(0o000)
        found = subprocess.run(
            [*prefix, sys.executable, "-c", _DISCOVER, str(folder)], cwd=ROOT, capture_output=True, text=True,
            timeout=60,
        )
        assert found.returncode == 0, found.stderr
        problems = json.loads(found.stdout)
        assert [Path(source).name for source, _ in problems] == ["private"]
        assert problems[0][1] == (
            "folder cannot be read (Permission denied): its files were not ingested; check its permissions"
        )
    finally:
        (base / "docs" / "private").chmod(0o755)
        shutil.rmtree(base)
