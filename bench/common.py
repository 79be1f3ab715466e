"""What the bench/ scripts share: paths, JSONL files, run notes, and writing one section of
docs/BENCHMARKS.md without touching the others. The measures themselves live in
assistant/evaluation.py (`assistant eval`), which bench/evaluate.py runs.

The scripts run as `.venv/bin/python bench/<script>.py`: Python puts bench/ on the path (so they
import this module as `common`), and the project is installed editable, so `assistant` and `index`
import as they are. Importing `index` (which `assistant` does) sets the offline environment, in
each process that does so, the `assistant` commands these scripts start included.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from assistant.eval_report import format_figure

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
DEFAULT_SETS = ("squad_v1.1_dev", "rgb_en_fact")
CACHE_DIR = PROJECT_ROOT / "bench" / ".cache"
DEFAULT_REPORT = PROJECT_ROOT / "docs" / "BENCHMARKS.md"
UNIT_SCORES_FILE = "unit_scores.jsonl"


def unit_scores_path(set_name: str) -> Path:
    return CACHE_DIR / set_name / UNIT_SCORES_FILE


def parse_set_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """The parser's arguments plus --sets and --eval-dir (which shared eval sets to run on); exits (2)
    naming the sets that have no questions."""
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS), help="eval sets (folders of --eval-dir)")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help=f"default: {DEFAULT_EVAL_DIR}")
    args = parser.parse_args(argv)
    problem = missing_sets(args.eval_dir, args.sets)
    if problem:
        parser.exit(2, problem + "\n")
    return args


def missing_sets(eval_dir: Path, sets: Iterable[str]) -> str | None:
    """An error line naming the sets without questions.jsonl under eval_dir, or None."""
    missing = [name for name in sets if not (eval_dir / name / "questions.jsonl").is_file()]
    if missing:
        return f"error: no questions.jsonl for {', '.join(missing)} under {eval_dir}; check --eval-dir and --sets"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli_env(index_dir: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir), **extra}


def assistant_command(assistant: Path | None = None) -> list[str]:
    """How to start `assistant`: this checkout's (`python -m assistant.cli`), or the executable given
    (another checkout's `.venv/bin/assistant`)."""
    return [str(assistant)] if assistant else [sys.executable, "-m", "assistant.cli"]


def run_cli(
    *args: str, index_dir: Path, assistant: Path | None = None, cwd: Path = PROJECT_ROOT,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """`assistant ARGS` in a process of its own, over `index_dir`; raises when it fails. `assistant`,
    `cwd` and `env` run another checkout's (see assistant_command)."""
    return subprocess.run(
        [*assistant_command(assistant), *args], cwd=cwd, env=env or cli_env(index_dir),
        check=True, capture_output=True, text=True,
    )


def start_server(
    index_dir: Path, port: int, timeout: float = 300, *, assistant: Path | None = None,
    args: Sequence[str] = (), cwd: Path = PROJECT_ROOT, env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, float]:
    """A real `assistant serve` over `index_dir` (with `args` after the port; `assistant`, `cwd` and
    `env` start another checkout's), and the seconds from its start until /api/health answers."""
    import httpx

    t0 = time.perf_counter()
    server = subprocess.Popen(
        [*assistant_command(assistant), "serve", "--port", str(port), *args], cwd=cwd,
        env=env or cli_env(index_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return server, time.perf_counter() - t0
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    _, stderr = server.communicate()
    raise SystemExit(f"the server did not start: {stderr.decode()[-2000:]}")


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process (MB), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def peak_rss_mb(pid: int) -> float:
    """The highest resident memory of a process so far (MB): its VmHWM."""
    return rss_mb(pid, "VmHWM")


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (a server's worker processes), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces: the parent id is the second field after it.
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we read
        children.setdefault(parent, []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


def tree_rss_mb(pid: int, field: str = "VmRSS") -> float:
    """rss_mb summed over the process and its descendants (with field VmHWM: the sum of their peaks,
    an upper bound of the tree's peak)."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError, RuntimeError):  # ended, or a kernel thread without memory
            total += rss_mb(member, field)
    return total


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


fmt = format_figure  # one formatter for `assistant eval` and the benchmarks


def markdown_table(headers: list[str], rows: Iterable[Iterable[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def command_line(script: str, argv: list[str]) -> str:
    """The command as typed from the project root."""
    return " ".join([".venv/bin/python", f"bench/{script}", *map(shlex.quote, argv)])


def run_note() -> str:
    """When and where the figures were measured."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Run on {when}; {os.cpu_count()} CPU cores, CPU only (no GPU), {platform.machine()}, Python "
        f"{platform.python_version()}; 1-min load average {os.getloadavg()[0]:.1f} when written."
    )


# -- docs/BENCHMARKS.md: a fixed intro, then one section per script between markers ------------

_REPORT_INTRO = """# Benchmarks

How well the assistant retrieves and answers on the shared evaluation sets (`../shared/eval`,
development split; see its README). Nothing here is tuned to individual questions: a larger
held-out part of each set exists. All figures come from the commands shown in each section, run
from the project root with the default `Settings` (the ones listed), on this machine's CPU. Times
(ingestion, latency) move with whatever else runs on the machine: the load average is noted.

```
.venv/bin/python bench/evaluate.py            # indexes each corpus, then `assistant eval` on each set
.venv/bin/python bench/calibrate_refusal.py   # sweeps the refusal threshold over evaluate's dumps
.venv/bin/python bench/latency.py             # warm latency by stage at 10k chunks against the search floor
.venv/bin/python bench/ingest.py              # ingest pipeline against plain encode
.venv/bin/python bench/backends.py            # torch vs ONNX vs int8 ONNX encoders: speed and recall
.venv/bin/python bench/coldstart.py           # process start to first answer
.venv/bin/python bench/growth.py              # 1k -> 10k -> 100k chunks: ingest, disk, RSS, latency
.venv/bin/python bench/load.py                # concurrent clients against a real server
.venv/bin/python bench/quotes.py              # quotation attribution precision and recall
```
"""


# These sections come first, in this order; other scripts' sections follow.
REPORT_SECTIONS = (
    "evaluate", "calibrate", "issue13", "latency", "load", "ingest-baseline", "ingest", "backends", "coldstart",
    "growth", "quotes",
)


def _markers(section: str) -> tuple[str, str]:
    return f"<!-- {section}:start -->", f"<!-- {section}:end -->"


def _section_body(text: str, section: str) -> str | None:
    start, end = map(re.escape, _markers(section))
    match = re.search(f"{start}\\n(.*?)\\n{end}", text, flags=re.DOTALL)
    return match.group(1) if match else None


def write_report_section(path: Path, section: str, body: str) -> None:
    """Rewrite the report with this section's new body, the other sections as they were."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    names = dict.fromkeys([*REPORT_SECTIONS, *re.findall(r"<!-- ([\w.-]+):start -->", old), section])
    bodies = {name: _section_body(old, name) or "_Not run yet._" for name in names}
    bodies[section] = body.strip()
    parts = [_REPORT_INTRO]
    for name in names:
        start, end = _markers(name)
        parts.append(f"\n{start}\n{bodies[name]}\n{end}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")


def publish_section(path: Path, section: str, body: str, write: bool = True) -> None:
    """Write the section into the report (unless not `write`: a trial run), show it, and say where it went."""
    if write:
        write_report_section(path, section, body)
    print(body)
    print(f"\nwrote {path}" if write else f"\n{path} left as it was (--no-write)", file=sys.stderr)
