"""Cold start: from process start to the first answer, and where the time goes.

Each figure is the median of `--repeats` fresh processes over an index of seeds/ built first:
- the interpreter alone (`python -c pass`): the baseline of the same run;
- `import assistant.cli`: what every `assistant` command pays before it parses its arguments
  (models, Chroma, Gradio and torch are imported only when a command needs them);
- one process that times its own phases: importing and loading the embedding model, opening the
  index (Chroma + catalogue), the first answer, then a second (warm) answer;
- `assistant ask` end to end, and `assistant serve` from process start to /api/health answering
  and to its first /api/ask answer.

    .venv/bin/python bench/coldstart.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

QUESTION = "What did Budrys say?"

# Runs in a fresh interpreter; prints the seconds since its own start at each phase.
PHASES = f"""
import json, sys, time
t0 = time.perf_counter()
import assistant
from assistant import Settings
from assistant.factory import make_embedder, open_assistant
t_import = time.perf_counter()
settings = Settings()
embedder = make_embedder(settings)
t_model = time.perf_counter()
a = open_assistant(settings, embedder=embedder)
t_index = time.perf_counter()
a.ask({QUESTION!r})
t_first = time.perf_counter()
a.ask("Who is the prime minister of Lithuania?")
t_second = time.perf_counter()
print(json.dumps({{"import assistant": t_import - t0, "load the embedding model": t_model - t_import,
    "open the index": t_index - t_model, "first answer": t_first - t_index,
    "second answer (warm)": t_second - t_first}}))
"""


def timed(command: list[str], index_dir: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    result = subprocess.run(
        command, cwd=common.PROJECT_ROOT, env=common.cli_env(index_dir), capture_output=True, text=True, check=True
    )
    return time.perf_counter() - t0, result.stdout


def serve_to_first_answer(index_dir: Path) -> tuple[float, float]:
    import httpx

    port = common.free_port()
    t0 = time.perf_counter()
    server, ready = common.start_server(index_dir, port)
    try:
        httpx.post(f"http://127.0.0.1:{port}/api/ask", json={"question": QUESTION}, timeout=120).raise_for_status()
        return ready, time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    args = parser.parse_args(argv)

    python = sys.executable
    samples: dict[str, list[float]] = {}

    def add(name: str, seconds: float) -> None:
        samples.setdefault(name, []).append(seconds)

    with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as tmp:
        index_dir = Path(tmp) / "index"
        common.run_cli("ingest", "seeds/", index_dir=index_dir)
        for repeat in range(args.repeats):
            add("python -c pass (baseline)", timed([python, "-c", "pass"], index_dir)[0])
            add("python -c 'import assistant.cli'", timed([python, "-c", "import assistant.cli"], index_dir)[0])
            seconds, out = timed([python, "-c", PHASES], index_dir)
            for phase, value in json.loads(out).items():
                add(f"  {phase}", value)
            add("one process: start to second answer", seconds)
            add(f"assistant ask {QUESTION!r}", timed([python, "-m", "assistant.cli", "ask", QUESTION], index_dir)[0])
            ready, first = serve_to_first_answer(index_dir)
            add("assistant serve: start to /api/health", ready)
            add("assistant serve: start to first /api/ask answer", first)
            print(f"repeat {repeat + 1}/{args.repeats} done", file=sys.stderr)

    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["python -c pass (baseline)"]
    body = "\n".join([
        "## Cold start",
        "",
        f"Produced by `{common.command_line('coldstart.py', argv)}`. {common.run_note()}",
        "",
        f"Medians of {args.repeats} fresh processes over an index of seeds/. The indented rows are the phases of "
        "the 'one process' row, timed inside it. The last column is each figure as a multiple of the bare "
        "interpreter's start, measured in the same run.",
        "",
        common.markdown_table(
            ["what", "seconds", "× python -c pass"],
            ([name.replace("  ", "&nbsp;&nbsp;&nbsp;", 1) if name.startswith("  ") else name, common.fmt(value, 2),
              common.fmt(value / baseline, 1)] for name, value in medians.items()),
        ),
        "",
        "Importing the command-line entry point loads neither torch, sentence-transformers, Chroma nor Gradio; "
        "they are imported when a command needs them, and the model is loaded once per process. The first "
        f"question, {QUESTION!r}, is answered from the quotation index (no embedding); the second goes through "
        "hybrid retrieval and the sentence rerank, and pays for the first use of each.",
    ])
    common.publish_section(args.out, "coldstart", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
