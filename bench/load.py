"""Load check of the REST API: N concurrent clients asking M questions each through `/api/ask`.

Starts a real `assistant serve` process on loopback over an index of seeds/, measures one client
alone first (the baseline of the same run), then the concurrent load, and writes the figures to
the "load" section of docs/BENCHMARKS.md. Not a test: run it as
`.venv/bin/python bench/load.py [--clients 20] [--questions 10]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import (
    PROJECT_ROOT, command_line, fmt, free_port, markdown_table, run_cli, run_note, start_server, write_report_section,
)

import httpx

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


def client_run(base: str, questions: list[str]) -> tuple[list[float], int]:
    """Latencies (ms) of one client's questions, and its number of failed requests."""
    latencies, errors = [], 0
    with httpx.Client(base_url=base, timeout=120) as http:
        for question in questions:
            t0 = time.perf_counter()
            response = http.post("/api/ask", json={"question": question})
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200 or "answer" not in response.json():
                errors += 1
    return latencies, errors


def measure(base: str, clients: int, per_client: int) -> dict:
    plans = [[QUESTIONS[(c + i) % len(QUESTIONS)] for i in range(per_client)] for c in range(clients)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda plan: client_run(base, plan), plans))
    wall = time.perf_counter() - t0
    latencies = sorted(ms for lats, _ in results for ms in lats)
    return {
        "clients": clients, "requests": len(latencies), "errors": sum(e for _, e in results),
        "seconds": wall, "throughput": len(latencies) / wall,
        "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10, help="questions per client")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        run_cli("ingest", "seeds/", index_dir=index_dir)
        server, _ = start_server(index_dir, port)
        try:
            base = f"http://127.0.0.1:{port}"
            client_run(base, QUESTIONS[:2])  # warm-up
            single = measure(base, 1, args.questions)
            loaded = measure(base, args.clients, args.questions)
        finally:
            server.terminate()
            server.wait(timeout=30)

    rows = [
        [f"{r['clients']} × {args.questions}", r["requests"], r["errors"], fmt(r["seconds"], 1), fmt(r["throughput"], 1),
         fmt(r["p50"], 1), fmt(r["p95"], 1), fmt(r["p50"] / single["p50"], 2)]
        for r in (single, loaded)
    ]
    body = "\n".join([
        "## Load: concurrent clients on `/api/ask`",
        "",
        f"Produced by `{command_line('load.py', sys.argv[1:] if argv is None else argv)}`. {run_note()}",
        "One `assistant serve` process over the seed index; each client asks its questions one after the other. "
        "The single-client row is the baseline measured in the same run; the last column is p50 latency as a "
        "multiple of it.",
        "",
        markdown_table(
            ["clients × questions", "requests", "errors", "seconds", "requests/s", "p50 ms", "p95 ms", "p50 / baseline"],
            rows,
        ),
        "",
        f"Throughput under load is {fmt(loaded['throughput'] / single['throughput'], 2)}× the single client's; "
        "answers are computed on 2 CPU cores, so concurrent requests queue and latency grows with the clients.",
    ])
    write_report_section(args.out, "load", body)
    print(body)
    return 1 if loaded["errors"] or single["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
