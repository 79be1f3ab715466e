"""Growth: ingest time, index size on disk, serving memory and query latency at 1k, 10k and 100k chunks.

A synthetic corpus is built from the sentences of the eval documents (../shared/eval): each
generated document strings together sentences drawn at random (seeded) from all of them, so its
chunks are new texts with real vocabulary. One index grows in steps (1k, then to 10k, then to
100k chunks), as a user's collection does; after each step a real `assistant serve` process is
started over it and asked eval questions through /api/ask, one at a time:

- ingest: seconds and chunks/s of the step (the step's new chunks only);
- disk: the whole index folder (Chroma + the SQLite catalogue with its FTS5 index);
- serve start: process start to /api/health answering (nothing is rebuilt at start: BM25 is
  SQLite FTS5, persisted and updated incrementally);
- RSS of the serving process after the questions; p50/p95 of /api/ask and the p50 of each stage.

The smallest size is the baseline of the same run: the report gives each figure as a multiple of it.

    .venv/bin/python bench/growth.py [--sizes 1000 10000 100000] [--questions 60]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import common

from assistant import Settings
from assistant.evaluation import STAGES, percentile
from assistant.factory import make_embedder, open_assistant
from index import chunk_document, load_document, split_sentences

SENTENCES_PER_DOC = (8, 30)
SEED = 20261129


def sentence_pool(eval_dir: Path) -> list[str]:
    pool = []
    for name in common.DEFAULT_SETS:
        for file in sorted((eval_dir / name / "corpus").glob("*.txt")):
            text = load_document(file).text
            sentences = (text[s.start : s.end] for s in split_sentences(text))
            pool += [sentence for sentence in sentences if 4 <= len(sentence.split()) <= 60]
    return pool


def write_documents(folder: Path, pool: list[str], chunks_wanted: int, rng: random.Random, settings: Settings,
                    first_number: int) -> tuple[int, int]:
    """Write generated documents into `folder` until they hold `chunks_wanted` chunks; returns
    (documents, chunks)."""
    folder.mkdir(parents=True, exist_ok=True)
    chunks = docs = 0
    while chunks < chunks_wanted:
        number = first_number + docs
        sentences = rng.sample(pool, rng.randint(*SENTENCES_PER_DOC))
        path = folder / f"synthetic-{number:07d}.txt"
        path.write_text(f"Synthetic document {number}\n" + " ".join(sentences) + "\n", encoding="utf-8")
        chunks += len(chunk_document(load_document(path), max_words=settings.chunk_words,
                                     overlap_sentences=settings.chunk_overlap_sentences))
        docs += 1
    return docs, chunks


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure_serving(index_dir: Path, questions: list[str]) -> dict:
    import httpx

    port = common.free_port()
    server, start_seconds = common.start_server(index_dir, port)
    try:
        latencies: list[float] = []
        stages: dict[str, list[float]] = {name: [] for name in STAGES}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as http:
            http.post("/api/ask", json={"question": questions[0]}).raise_for_status()  # warm-up
            for question in questions:
                t0 = time.perf_counter()
                response = http.post("/api/ask", json={"question": question})
                latencies.append((time.perf_counter() - t0) * 1000)
                response.raise_for_status()
                for name, ms in response.json()["timings_ms"].items():
                    stages.setdefault(name, []).append(ms)
        rss = common.rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {
        "start_s": start_seconds, "rss_mb": rss, "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95), "stages": {n: percentile(v, 50) for n, v in stages.items() if v},
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], help="chunks, ascending")
    parser.add_argument("--questions", type=int, default=60, help="eval questions asked at each size")
    parser.add_argument("--eval-dir", type=Path, default=common.DEFAULT_EVAL_DIR)
    parser.add_argument("--work-dir", type=Path, help="keep the corpus and index here (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    args = parser.parse_args(argv)
    if args.sizes != sorted(args.sizes):
        parser.error("--sizes must be ascending: the index grows from one size to the next")

    settings = Settings()
    rng = random.Random(SEED)
    pool = sentence_pool(args.eval_dir)
    files = [args.eval_dir / name / "questions.jsonl" for name in common.DEFAULT_SETS]
    questions = [q["question"] for file in files for q in common.read_jsonl(file)]
    questions = random.Random(SEED).sample(questions, min(args.questions, len(questions)))
    print(f"{len(pool)} sentences in the pool, {len(questions)} questions", file=sys.stderr)

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bench-growth-"))
    corpus, index_dir = work / "corpus", work / "index"
    shutil.rmtree(work, ignore_errors=True)
    embedder = make_embedder(settings)
    rows, total_docs, total_chunks = [], 0, 0
    try:
        for size in args.sizes:
            docs, chunks = write_documents(corpus, pool, size - total_chunks, rng, settings, total_docs)
            assistant = open_assistant(settings.model_copy(update={"index_dir": index_dir}), embedder=embedder)
            t0 = time.perf_counter()
            report = assistant.ingest([corpus])
            seconds = time.perf_counter() - t0
            assert report.chunks_embedded == chunks and len(report.unchanged) == total_docs, report.summary()
            total_chunks = assistant.chunk_count()
            assistant.close()
            total_docs += docs
            print(f"{total_chunks} chunks: ingested {chunks} new in {seconds:.0f} s", file=sys.stderr)
            serving = measure_serving(index_dir, questions)
            rows.append({
                "chunks": total_chunks, "docs": total_docs, "new_chunks": chunks, "ingest_s": seconds,
                "chunks_per_s": chunks / seconds, "disk_mb": disk_mb(index_dir), **serving,
            })
            print(f"  {rows[-1]}", file=sys.stderr)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)

    common.publish_section(args.out, "growth", render(rows, len(questions), argv))
    return 0


def render(rows: list[dict], questions: int, argv: list[str]) -> str:
    base = rows[0]

    def x(row: dict, key: str) -> str:
        return f"{common.fmt(row[key], 1)} ({row[key] / base[key]:.2f}×)" if base[key] else common.fmt(row[key], 1)

    stage_names = [n for n in STAGES if n in base["stages"]]
    return "\n".join([
        "## Growth: 1k to 100k chunks",
        "",
        f"Produced by `{common.command_line('growth.py', argv)}`. {common.run_note()}",
        "",
        "A synthetic corpus of documents strung together from random sentences of the eval documents; one index "
        "grows step by step. After each step a real `assistant serve` over it answers "
        f"{questions} eval questions through `/api/ask`, one at a time (after one warm-up). Figures in brackets are "
        f"multiples of the {base['chunks']}-chunk row, measured in the same run. Ingest figures are the step's new "
        "chunks only; disk is the whole index folder (Chroma + SQLite catalogue with FTS5); serve start is process "
        "start to `/api/health` answering; RSS is the serving process's after the questions.",
        "",
        common.markdown_table(
            ["chunks", "documents", "ingest: new chunks", "ingest s", "chunks/s", "disk MB", "serve start s", "RSS MB",
             "ask p50 ms", "ask p95 ms"],
            ([r["chunks"], r["docs"], r["new_chunks"], common.fmt(r["ingest_s"], 0), x(r, "chunks_per_s"),
              x(r, "disk_mb"),
              x(r, "start_s"), x(r, "rss_mb"), x(r, "p50_ms"), x(r, "p95_ms")] for r in rows),
        ),
        "",
        "p50 of each stage of `ask` (ms), from the answers' `timings_ms`:",
        "",
        common.markdown_table(
            ["chunks", *stage_names],
            ([r["chunks"], *(common.fmt(r["stages"].get(n), 1) for n in stage_names)] for r in rows),
        ),
    ])


if __name__ == "__main__":
    sys.exit(main())
