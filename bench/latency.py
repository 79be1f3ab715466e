"""Warm latency by stage at about 10k chunks: how much an answer costs beyond its searches.

The index holds both shared eval corpora (../shared/eval, so the questions find their documents)
and synthetic documents strung together from their sentences (bench/growth.py's generator) up to
`--chunks`. A real `assistant serve --workers 1` answers the eval questions through `/api/ask`,
one at a time, after one warm-up question. For each answer the *search floor* is
`embed_query + dense + lexical` (the question's one forward pass and the two searches, from the
answer's `timings_ms`); the report gives the p50 of every stage, and p50 of `total` against p50 of
the floor, both from the same answers. Target (issue 13): total / floor at most 2.5.

    .venv/bin/python bench/latency.py [--chunks 10000] [--questions 120] [--work-dir DIR]
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
import httpx
from growth import SEED, disk_mb, sentence_pool, write_documents

from assistant import Settings
from assistant.evaluation import STAGES, percentile
from assistant.factory import make_embedder, open_assistant

FLOOR = ("embed_query", "dense", "lexical")
TARGET = 2.5


def build_index(index_dir: Path, corpus: Path, eval_dir: Path, chunks: int, settings: Settings) -> dict:
    """Ingest the eval corpora and synthetic documents up to `chunks`; returns what was built."""
    corpus.mkdir(parents=True, exist_ok=True)
    folders = [eval_dir / name / "corpus" for name in common.DEFAULT_SETS]
    assistant = open_assistant(settings.model_copy(update={"index_dir": index_dir}), embedder=make_embedder(settings))
    try:
        t0 = time.perf_counter()
        assistant.ingest(folders)
        real = assistant.chunk_count()
        docs, _ = write_documents(corpus, sentence_pool(eval_dir), chunks - real, random.Random(SEED), settings, 0)
        report = assistant.ingest([*folders, corpus])
        seconds = time.perf_counter() - t0
        return {"chunks": assistant.chunk_count(), "real_chunks": real, "synthetic_docs": docs,
                "ingest_s": seconds, "units": report.units_embedded, "disk_mb": disk_mb(index_dir)}
    finally:
        assistant.close()


def ask_all(index_dir: Path, questions: list[str]) -> dict[str, list[float]]:
    """`timings_ms` of every answer, by stage, and the client's wall clock as "wall"."""
    port = common.free_port()
    server, _ = common.start_server(index_dir, port, args=["--workers", "1"])
    stages: dict[str, list[float]] = {"wall": []}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as http:
            http.post("/api/ask", json={"question": questions[0]}).raise_for_status()  # warm-up
            for question in questions:
                t0 = time.perf_counter()
                response = http.post("/api/ask", json={"question": question})
                stages["wall"].append((time.perf_counter() - t0) * 1000)
                response.raise_for_status()
                timings = response.json()["timings_ms"]
                for name, ms in timings.items():
                    stages.setdefault(name, []).append(ms)
                stages.setdefault("floor", []).append(sum(timings.get(n, 0.0) for n in FLOOR))
    finally:
        server.terminate()
        server.wait(timeout=60)
    return stages


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000, help="chunks in the index (eval corpora + synthetic)")
    parser.add_argument("--questions", type=int, default=120, help="eval questions asked, sampled from both sets")
    parser.add_argument("--eval-dir", type=Path, default=common.DEFAULT_EVAL_DIR)
    parser.add_argument("--work-dir", type=Path, help="keep the corpus and index here and reuse them")
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    args = parser.parse_args(argv)
    if problem := common.missing_sets(args.eval_dir, common.DEFAULT_SETS):
        raise SystemExit(problem)

    settings = Settings()
    files = [args.eval_dir / name / "questions.jsonl" for name in common.DEFAULT_SETS]
    questions = [q["question"] for file in files for q in common.read_jsonl(file)]
    questions = random.Random(SEED).sample(questions, min(args.questions, len(questions)))
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bench-latency-"))
    index_dir, corpus = work / "index", work / "synthetic"
    try:
        if not (index_dir / "catalogue.sqlite3").exists():
            built = build_index(index_dir, corpus, args.eval_dir, args.chunks, settings)
            print(f"built: {built}", file=sys.stderr)
        stages = ask_all(index_dir, questions)
        chunks = open_assistant(settings.model_copy(update={"index_dir": index_dir})).chunk_count()
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    common.publish_section(args.out, "latency", render(stages, chunks, len(questions), argv))
    return 0


def render(stages: dict[str, list[float]], chunks: int, questions: int, argv: list[str]) -> str:
    p50 = {name: percentile(values, 50) for name, values in stages.items()}
    ratio = p50["total"] / p50["floor"]
    names = [n for n in STAGES if n in p50 and n != "total"]
    return "\n".join([
        "## Warm latency by stage (issue 13)",
        "",
        f"Produced by `{common.command_line('latency.py', argv)}`. {common.run_note()}",
        "",
        f"An index of {chunks} chunks: both eval corpora and synthetic documents made of their sentences. A real "
        f"`assistant serve --workers 1` answers {questions} eval questions (both sets, sampled) through `/api/ask`, "
        "one at a time after a warm-up. The search floor of an answer is its `embed_query + dense + lexical`; every "
        "figure is a p50 over the same answers (ms).",
        "",
        common.markdown_table(
            [*names, "total", "search floor", "total / floor", "client wall clock"],
            [[*(common.fmt(p50[n], 1) for n in names), common.fmt(p50["total"], 1), common.fmt(p50["floor"], 1),
              f"**{ratio:.2f}**", common.fmt(p50["wall"], 1)]],
        ),
        "",
        f"Target: total / floor at most {TARGET}: **{'met' if ratio <= TARGET else 'not met'}**.",
    ])


if __name__ == "__main__":
    sys.exit(main())
