"""Load check of the REST API: N concurrent clients asking M questions each through `/api/ask`.

Starts a real `assistant serve` process on loopback, measures one client alone first (the
baseline of the same run), then the concurrent load, and the serving process's memory: RSS before
the load (model loaded, two questions answered), at its end, after a few idle seconds, and the
peak. Writes the figures to the "load" section of docs/BENCHMARKS.md. Not a test: run it as
`.venv/bin/python bench/load.py [--clients 20] [--questions 10] [--set squad_v1.1_dev | seeds]`.

The default workload is an eval set's corpus with every request a different question of that
set, as users ask: each request embeds its question and the sentences of its passages. `--set
seeds` asks ten questions about the seed article over and over, which after the first round the
server answers from its caches.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import common
import httpx

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


def client_run(base: str, questions: list[str]) -> tuple[list[float], int]:
    """Latencies (ms) of one client's questions, and its number of failed requests."""
    latencies, errors = [], 0
    with httpx.Client(base_url=base, timeout=300) as http:
        for question in questions:
            t0 = time.perf_counter()
            response = http.post("/api/ask", json={"question": question})
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200 or "answer" not in response.json():
                errors += 1
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10, help="questions per client")
    parser.add_argument("--set", default="squad_v1.1_dev", help=f"an eval set of --eval-dir, or {SEEDS!r}")
    parser.add_argument("--eval-dir", type=Path, default=common.DEFAULT_EVAL_DIR,
                        help=f"default: {common.DEFAULT_EVAL_DIR}")
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    args = parser.parse_args(argv)
    corpus, questions = workload(args.set, args.eval_dir)
    repeat = args.set == SEEDS
    needed = 2 + args.questions * (1 + args.clients)
    if not repeat and len(questions) < needed:
        raise SystemExit(f"error: {args.set} has {len(questions)} questions; this run asks {needed} different ones")

    port = common.free_port()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        common.run_cli("ingest", str(corpus), index_dir=index_dir)
        server, _ = common.start_server(index_dir, port)
        try:
            base = f"http://127.0.0.1:{port}"
            client_run(base, questions[-2:])  # warm-up: the model has run, the caches are empty
            rss = {"before": common.rss_mb(server.pid)}
            single = measure(base, plans(questions, 1, args.questions, 0, repeat))
            loaded = measure(base, plans(questions, args.clients, args.questions, args.questions, repeat))
            rss["end of load"] = common.rss_mb(server.pid)
            time.sleep(IDLE_WAIT_S)
            rss[f"after {IDLE_WAIT_S:g} s idle"] = common.rss_mb(server.pid)
            rss["peak"] = common.peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)

    rows = [
        [f"{r['clients']} × {args.questions}", r["requests"], r["errors"], common.fmt(r["seconds"], 1),
         common.fmt(r["throughput"], 2),
         common.fmt(r["p50"], 1), common.fmt(r["p95"], 1), common.fmt(r["p50"] / single["p50"], 2),
         common.fmt(r["p95"] / single["p95"], 2)]
        for r in (single, loaded)
    ]
    after = list(rss)[2]
    what = ("the seed index, ten questions about the seed article rotated among the clients" if repeat else
            f"an index of {args.set}'s corpus; every request asks a different question of {args.set}")
    body = "\n".join([
        "## Load: concurrent clients on `/api/ask`",
        "",
        f"Produced by `{common.command_line('load.py', sys.argv[1:] if argv is None else argv)}`. {common.run_note()}",
        f"One `assistant serve` process over {what}. Each client asks its questions one after the other. "
        "The single-client row is the baseline measured in the same run (its own questions); the last two "
        "columns are p50 and p95 latency as multiples of it.",
        "",
        common.markdown_table(
            ["clients × questions", "requests", "errors", "seconds", "requests/s", "p50 ms", "p95 ms",
             "p50 / baseline", "p95 / baseline"],
            rows,
        ),
        "",
        f"Throughput under load is {common.fmt(loaded['throughput'] / single['throughput'], 2)}× the single client's; "
        "answers are computed on the machine's CPU cores and the model runs one call at a time, so concurrent "
        "requests queue and latency grows with the clients.",
        "",
        "Memory of the serving process (RSS, MB): before is after two warm-up questions, with the model loaded; "
        "peak is the highest RSS of the process's life (VmHWM).",
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
    common.publish_section(args.out, "load", body)
    return 1 if loaded["errors"] or single["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
