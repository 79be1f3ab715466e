"""What several index tests share (not a test module): folders of small documents, the corpus the
ingest-process tests write, the command that runs such an ingest, and a way to drop root's powers."""

from __future__ import annotations

import os
import random
import shutil
import sys
from pathlib import Path

import pytest

from ..helpers import OFFLINE_ENV

CHUNK_WORDS = 20  # the smallest the settings allow: many cheap chunks per file
N_FILES = 100

_VOCAB = (
    "amber harbour ferry grid minerals lithium cobalt treaty council minister budget railway port "
    "energy summit envoy tariff export import border river forest winter market copper nickel"
).split()


def make_folder(root: Path, docs: dict[str, str]) -> Path:
    """A folder holding `docs` (file name -> text)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def write_corpus(folder: Path, n_files: int = N_FILES, name: str = "report", seed: int = 7) -> list[Path]:
    """`n_files` files of ~42 words (4 chunks each) opening with a quotation of the mayor; each has a
    unique marker word for lexical search."""
    folder.mkdir()
    rng = random.Random(seed)
    files = []
    for i in range(n_files):
        sentences = []
        for s in range(5):
            words = [rng.choice(_VOCAB) for _ in range(8)]
            if s == 2:
                words[4] = f"zzmarker{i:03d}"
            if s == 0:  # a quotation, stored with the document's chunks
                sentences.append(f"“{' '.join(words[:5]).capitalize()},” Mayor Kovač said.")
                continue
            sentences.append(" ".join(words).capitalize() + ".")
        path = folder / f"{name}-{i:03d}.txt"
        path.write_text(f"Report {i}\n" + " ".join(sentences) + "\n", encoding="utf-8")
        files.append(path)
    return files


def run_env() -> dict[str, str]:
    """The environment of an ingest process: offline, small chunks, none of this process's ASSISTANT_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_CHUNK_WORDS=str(CHUNK_WORDS), PYTHONUNBUFFERED="1", **OFFLINE_ENV)
    return env


def ingest_cmd(index_dir: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", "--index-dir", str(index_dir), "ingest", str(folder)]


def unprivileged() -> list[str]:
    """A command prefix that runs a process which file permissions stop: nothing for a normal user;
    as root (the CI containers), setpriv without the capabilities that let root read and write
    anything, since chmod alone does not stop root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("as root, permissions can be tested only with setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
