"""Another version of the assistant to measure beside this one: a checkout of an earlier commit
(`git worktree add ../baseline-5d65ca0 5d65ca0`) with its own `.venv`, run through its CLI.

Each version runs as its own processes, from its own root, with its own default `Settings`: the
`ASSISTANT_*` variables of this environment do not reach the baseline (a setting of this version,
such as the embedding backend, may not exist there or mean something else). Each version builds
its own index of the same corpus: an older catalogue may lack this one's migrations.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import common

_CHUNKS_EMBEDDED = re.compile(r"(\d+) chunks embedded")


@dataclass(frozen=True)
class Checkout:
    """One version of the assistant: its root, its `assistant` executable (None: this checkout's),
    and a label for the report (\"current 1c6c68e\", \"baseline 5d65ca0\")."""

    label: str
    root: Path
    assistant: Path | None = None

    @classmethod
    def current(cls) -> Checkout:
        return cls(f"current {_commit(common.PROJECT_ROOT)}", common.PROJECT_ROOT)

    @classmethod
    def baseline(cls, root: Path) -> Checkout:
        """The checkout at `root`; exits with what to do when it has no installed `assistant`."""
        root = root.resolve()
        assistant = root / ".venv" / "bin" / "assistant"
        if not assistant.is_file():
            raise SystemExit(
                f"error: no {assistant}; create the baseline with `git worktree add {root} <commit>`, then "
                f"`python3 -m venv {root}/.venv` and install it as its Makefile's install target does"
            )
        return cls(f"baseline {_commit(root)}", root, assistant)

    def env(self, index_dir: Path) -> dict[str, str]:
        if self.assistant is None:
            return common.cli_env(index_dir)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        # The offline variables come from importing `index` in this process; the baseline needs them too.
        return {**inherited, "ASSISTANT_INDEX_DIR": str(index_dir)}

    def ingest(self, corpus: Path, index_dir: Path) -> tuple[float, int]:
        """Wall seconds of `assistant ingest CORPUS` into `index_dir` (process start and model load
        included), and the chunks it says it embedded."""
        t0 = time.perf_counter()
        try:
            result = common.run_cli("ingest", str(corpus), index_dir=index_dir, assistant=self.assistant,
                                    cwd=self.root, env=self.env(index_dir))
        except subprocess.CalledProcessError as exc:
            raise SystemExit(f"{self.label}: `assistant ingest {corpus}` failed: {exc.stderr[-2000:]}") from exc
        seconds = time.perf_counter() - t0
        match = _CHUNKS_EMBEDDED.search(result.stdout)
        if not match:
            raise SystemExit(f"{self.label}: no chunk count in the ingest output: {result.stdout[-500:]!r}")
        return seconds, int(match.group(1))

    def start_server(self, index_dir: Path, port: int, args: list[str]) -> tuple[subprocess.Popen, float]:
        return common.start_server(index_dir, port, assistant=self.assistant, args=args, cwd=self.root,
                                   env=self.env(index_dir))


def _commit(root: Path) -> str:
    """The short commit of a checkout, with '+changes' when its tracked files differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")
