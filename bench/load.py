"""Load check of the REST API: N concurrent clients asking M questions each through `/api/ask`.

Starts a real `assistant serve` process on loopback, measures one client alone first (the
baseline of the same run), then the concurrent load, and the serving process's memory: RSS before
the load (model loaded, two questions answered), at its end, after a few idle seconds, and the
peak. Writes the figures to the "load" section of docs/BENCHMARKS.md. Not a test: run it as
`.venv/bin/python bench/load.py [--clients 20] [--questions 10] [--set squad_v1.1_dev | seeds]
[--baseline DIR] [--workers N] [--rounds 1] [--no-write]`.

The default workload is an eval set's corpus with every request a different question of that
set, as users ask: each request embeds its question and the sentences of its passages. `--set
seeds` asks ten questions about the seed article over and over, which after the first round the
server answers from its caches.

With `--baseline DIR` (an earlier checkout with its own .venv, see bench/baseline.py), the same run
also starts that version's server, on its own index of the same corpus, and measures both: the
single client on each, then each round's load on each, one server at a time, rounds alternating
which goes first; the section gives both rows and the ratios current / baseline (issue 13's
target: at least 4x the throughput). `--workers N` goes to this version's `assistant serve` only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import common
import httpx
from baseline import Checkout

from assistant.evaluation import percentile
from index.embedding import IDLE_TRIM_SECONDS

# Questions a reader of the seed article asks; answered and refused ones both.
QUESTIONS = [
    "What did Budrys say?",
    "Who is the prime minister of Lithuania?",
    "What is the capital of France?",
    "Where was the statement made?",
    "What restrictions did Beijing impose?",
    "How many countries agreed to establish price floors?",
    "What does the U.S. National Defense Strategy expect from NATO allies?",
    "Why is Lithuania considering a bilateral deal?",
    "What did Ruginienė say about the armed forces?",
    "What could a bilateral deal mean for the EU?",
]
SEEDS = "seeds"
# Seconds of quiet after the load before the idle RSS is read: the server hands freed memory back
# after IDLE_TRIM_SECONDS without a model call.
IDLE_WAIT_S = IDLE_TRIM_SECONDS + 3
# Issue 13: under load, this version answers at least 4x the requests per second of commit 5d65ca0.
THROUGHPUT_TARGET = 4.0


def client_run(base: str, questions: list[str]) -> tuple[list[float], int]:
    """Latencies (ms) of one client's questions, and its number of failed requests."""
    latencies, errors = [], 0
    with httpx.Client(base_url=base, timeout=300) as http:
        for question in questions:
            t0 = time.perf_counter()
            try:
                response = http.post("/api/ask", json={"question": question})
                failed = response.status_code != 200 or "answer" not in response.json()
            except httpx.TransportError as exc:  # a timeout or a dropped connection is a failed request
                print(f"{base}: {question!r}: {exc!r}", file=sys.stderr)
                failed = True
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += failed
    return latencies, errors


def plans(questions: list[str], clients: int, per_client: int, first: int, repeat: bool) -> list[list[str]]:
    """Each client's questions: with `repeat`, the same few questions rotated among clients;
    otherwise every request its own question, from `first` on.

    >>> plans(list("abcdefgh"), 2, 2, first=1, repeat=False)
    [['b', 'c'], ['d', 'e']]
    >>> plans(list("abc"), 2, 2, first=0, repeat=True)
    [['a', 'b'], ['b', 'c']]
    """
    if repeat:
        return [[questions[(c + i) % len(questions)] for i in range(per_client)] for c in range(clients)]
    n = len(questions)
    return [[questions[(first + c * per_client + i) % n] for i in range(per_client)] for c in range(clients)]


def measure(base: str, plan: list[list[str]]) -> dict:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(plan)) as pool:
        results = list(pool.map(lambda questions: client_run(base, questions), plan))
    wall = time.perf_counter() - t0
    latencies = [ms for lats, _ in results for ms in lats]
    return {
        "clients": len(plan), "requests": len(latencies), "errors": sum(e for _, e in results),
        "seconds": wall, "throughput": len(latencies) / wall,
        "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
    }


def workload(set_name: str, eval_dir: Path) -> tuple[Path, list[str]]:
    """The folder to index and the questions to ask."""
    if set_name == SEEDS:
        return common.PROJECT_ROOT / "seeds", QUESTIONS
    problem = common.missing_sets(eval_dir, [set_name])
    if problem:
        raise SystemExit(problem)
    questions = [q["question"] for q in common.read_jsonl(eval_dir / set_name / "questions.jsonl")]
    return eval_dir / set_name / "corpus", questions


@dataclass
class Side:
    """One version's server in the run, and what was measured of it."""

    checkout: Checkout
    server_args: list[str]
    workers: str  # as the table shows it
    ingest_s: float = 0.0
    chunks: int = 0
    base: str = ""
    server: subprocess.Popen | None = None
    processes: int = 0  # the server's process and its descendants, after the warm-up
    single: dict = field(default_factory=dict)
    loads: list[dict] = field(default_factory=list)  # one per round
    rss: dict[str, float] = field(default_factory=dict)

    def start(self, index_dir: Path) -> None:
        port = common.free_port()
        self.server, _ = self.checkout.start_server(index_dir, port, self.server_args)
        self.base = f"http://127.0.0.1:{port}"

    def memory(self, kind: str = "VmRSS") -> float:
        assert self.server is not None
        return common.tree_rss_mb(self.server.pid, kind)

    def stop(self) -> None:
        """Terminate the server; after 30 s, kill it and whatever it started that is still there."""
        if self.server is None:
            return
        tree = common.process_tree(self.server.pid)
        self.server.terminate()
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print(f"{self.checkout.label}: the server did not stop in 30 s; killing it", file=sys.stderr)
            for pid in tree:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.server.wait(timeout=30)


def run_sides(sides: list[Side], corpus: Path, questions: list[str], args: argparse.Namespace, repeat: bool) -> None:
    """Index the corpus once per version, start every server, then measure: warm-up, the single
    client on each, and each round's load on each (rounds alternate the order), then memory."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for i, side in enumerate(sides):
            side.ingest_s, side.chunks = side.checkout.ingest(corpus, Path(tmp) / f"index-{i}")
        try:
            for i, side in enumerate(sides):
                side.start(Path(tmp) / f"index-{i}")
            for side in sides:
                client_run(side.base, questions[-2:])  # warm-up: the model has run, the caches are empty
                assert side.server is not None
                side.processes = len(common.process_tree(side.server.pid))
                side.rss["before"] = side.memory()
            for side in sides:
                side.single = measure(side.base, plans(questions, 1, args.questions, 0, repeat))
            for round_ in range(args.rounds):
                first = args.questions * (1 + round_ * args.clients)
                for side in sides if round_ % 2 == 0 else sides[::-1]:
                    side.loads.append(measure(side.base, plans(questions, args.clients, args.questions, first, repeat)))
                    side.rss["end of load"] = side.memory()
                    print(f"{side.checkout.label}, round {round_ + 1}: {side.loads[-1]['throughput']:.2f} requests/s",
                          file=sys.stderr)
            time.sleep(IDLE_WAIT_S)
            for side in sides:
                side.rss[f"after {IDLE_WAIT_S:g} s idle"] = side.memory()
                side.rss["peak"] = side.memory("VmHWM")
        finally:
            for side in sides:
                side.stop()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10, help="questions per client")
    parser.add_argument("--rounds", type=int, default=1, help="loads per server, each with questions of its own")
    parser.add_argument("--set", default="squad_v1.1_dev", help=f"an eval set of --eval-dir, or {SEEDS!r}")
    parser.add_argument("--eval-dir", type=Path, default=common.DEFAULT_EVAL_DIR,
                        help=f"default: {common.DEFAULT_EVAL_DIR}")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also measure the checkout in DIR (with its own .venv), side by side in the same run")
    parser.add_argument("--workers", type=int, help="`assistant serve --workers N` for this version's server "
                        "(default: its own default; the baseline's server always runs its default)")
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave --out as it is")
    args = parser.parse_args(argv)
    corpus, questions = workload(args.set, args.eval_dir)
    repeat = args.set == SEEDS
    needed = 2 + args.questions * (1 + args.rounds * args.clients)
    if not repeat and len(questions) < needed:
        raise SystemExit(f"error: {args.set} has {len(questions)} questions; this run asks {needed} different ones")

    current = Side(Checkout.current(), ["--workers", str(args.workers)] if args.workers else [],
                   str(args.workers) if args.workers else "default")
    sides = [current]
    if args.baseline:
        sides.insert(0, Side(Checkout.baseline(args.baseline), [], "default (no --workers flag)"))
    run_sides(sides, corpus, questions, args, repeat)

    what = ("the seed index, ten questions about the seed article rotated among the clients" if repeat else
            f"an index of {args.set}'s corpus; every request asks a different question of {args.set}")
    command = common.command_line("load.py", argv)
    if args.baseline:
        body = side_by_side_report(sides, what, command, args)
    else:
        body = single_report(current, what, command, args)
    common.publish_section(args.out, "load", body, write=not args.no_write)
    return 1 if any(r["errors"] for side in sides for r in [side.single, *side.loads]) else 0


def _label(r: dict, questions: int, round_: int | None = None) -> str:
    return f"{r['clients']} × {questions}" + (f", round {round_}" if round_ else "")


def _rounds(side: Side) -> list[tuple[int | None, dict]]:
    return [(i + 1 if len(side.loads) > 1 else None, r) for i, r in enumerate(side.loads)]


def single_report(side: Side, what: str, command: str, args: argparse.Namespace) -> str:
    """This version alone: the single client, the load, and the server's memory."""
    single = side.single
    rows = [
        [_label(r, args.questions, round_), r["requests"], r["errors"], common.fmt(r["seconds"], 1),
         common.fmt(r["throughput"], 2),
         common.fmt(r["p50"], 1), common.fmt(r["p95"], 1), common.fmt(r["p50"] / single["p50"], 2),
         common.fmt(r["p95"] / single["p95"], 2)]
        for round_, r in [(None, single), *_rounds(side)]
    ]
    rss = side.rss
    after = list(rss)[2]
    load_throughput = statistics.median(r["throughput"] for r in side.loads)
    return "\n".join([
        "## Load: concurrent clients on `/api/ask`",
        "",
        f"Produced by `{command}`. {common.run_note()}",
        f"One `assistant serve` (workers: {side.workers}; {side.processes} process(es) in its tree) over {what}. "
        "Each client asks its questions one after the other. "
        "The single-client row is the baseline measured in the same run (its own questions); the last two "
        "columns are p50 and p95 latency as multiples of it.",
        "",
        common.markdown_table(
            ["clients × questions", "requests", "errors", "seconds", "requests/s", "p50 ms", "p95 ms",
             "p50 / baseline", "p95 / baseline"],
            rows,
        ),
        "",
        f"Throughput under load is {common.fmt(load_throughput / single['throughput'], 2)}× the single client's; "
        "answers are computed on the machine's CPU cores and the model runs one call at a time, so concurrent "
        "requests queue and latency grows with the clients.",
        "",
        "Memory of the serving process and its children (RSS, MB): before is after two warm-up questions, with "
        "the model loaded; peak is the highest RSS of each process's life (VmHWM), summed.",
        "",
        common.markdown_table(
            [*rss, f"{after} / before"],
            [[*(common.fmt(v, 0) for v in rss.values()), common.fmt(rss[after] / rss["before"], 2)]],
        ),
        "",
        f"End of load / before: {common.fmt(rss['end of load'] / rss['before'], 2)}. During load, freed model buffers "
        "stay in malloc's arenas for the next call (capped at `index.embedding.MALLOC_ARENAS` arenas); "
        f"{IDLE_TRIM_SECONDS:g} s after the last model call they go back to the system "
        "(docs/DEPLOYMENT.md, \"Memory\").",
    ])


def side_by_side_report(sides: list[Side], what: str, command: str, args: argparse.Namespace) -> str:
    """The baseline's server and this version's, each on its own index of the same corpus."""
    baseline, current = sides
    runs = [(baseline, None, baseline.single), (current, None, current.single)]
    for i in range(args.rounds):
        order = sides if i % 2 == 0 else sides[::-1]
        runs += [(side, i + 1 if args.rounds > 1 else None, side.loads[i]) for side in order]
    rows = [
        [side.checkout.label, side.workers, side.processes, _label(r, args.questions, round_), r["requests"],
         r["errors"], common.fmt(r["seconds"], 1), common.fmt(r["throughput"], 2), common.fmt(r["p50"], 1),
         common.fmt(r["p95"], 1)]
        for side, round_, r in runs
    ]
    pairs = [(None, baseline.single, current.single)]
    pairs += [(round_, b, c) for (round_, b), (_, c) in zip(_rounds(baseline), _rounds(current), strict=True)]
    ratios = [
        [_label(c, args.questions, round_), common.fmt(c["throughput"] / b["throughput"], 2),
         common.fmt(c["p50"] / b["p50"], 2), common.fmt(c["p95"] / b["p95"], 2)]
        for round_, b, c in pairs
    ]
    load_ratio = statistics.median(c["throughput"] / b["throughput"] for _, b, c in pairs[1:])
    verdict = "meets" if load_ratio >= THROUGHPUT_TARGET else "misses"
    rss_names = list(current.rss)
    return "\n".join([
        "## Load: concurrent clients on `/api/ask`, against the baseline",
        "",
        f"Produced by `{command}`. {common.run_note()}",
        f"Two servers, started in the same run: the baseline checkout's `assistant serve` and this version's, each "
        f"over its own index of the same corpus ({what}; each version ingested it with its own `assistant "
        "ingest`, as an older catalogue may lack this version's migrations), each with its own default settings. "
        "Each client asks its questions one after the other; both servers get the same questions in each row "
        "pair. Rows are in the order they ran (rounds alternate which server goes first); only one server is "
        "under load at a time.",
        "",
        common.markdown_table(
            ["version", "chunks indexed", "`assistant ingest` s"],
            ([s.checkout.label, s.chunks, common.fmt(s.ingest_s, 1)] for s in sides),
        ),
        "",
        common.markdown_table(
            ["version", "workers", "processes", "clients × questions", "requests", "errors", "seconds",
             "requests/s", "p50 ms", "p95 ms"],
            rows,
        ),
        "",
        common.markdown_table(["clients × questions", "requests/s current / baseline", "p50 current / baseline",
                               "p95 current / baseline"], ratios),
        "",
        f"Throughput under load, current / baseline: **{load_ratio:.2f}**"
        f"{' (median of the rounds)' if args.rounds > 1 else ''}; it {verdict} the target of "
        f"{THROUGHPUT_TARGET:g}×.",
        "",
        "Memory of each server's process and its children (RSS, MB; peak: each process's VmHWM, summed):",
        "",
        common.markdown_table(
            ["version", *rss_names],
            ([s.checkout.label, *(common.fmt(s.rss[name], 0) for name in rss_names)] for s in sides),
        ),
    ])


if __name__ == "__main__":
    sys.exit(main())
