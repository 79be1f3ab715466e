"""Encoder backends compared: torch, onnx and onnx-int8 (index/embedding.py) on the shared eval sets.

- speed: every chunk of the sets' corpora (chunked and titled as ingestion does) encoded by each
  backend, rounds interleaved (the backends take turns, in a rotating order) so that the machine's
  other work hits all of them; texts/s and the speed-up over torch in the same run; one-question
  encoding latency (p50, p90), also interleaved;
- agreement: cosine between each backend's vector of a chunk and torch's;
- recall: dense retrieval by exact cosine (numpy) over all chunks of a set, answerable questions:
  recall@1, recall@5, MRR@10 of an evidence document, and the change from torch in points;
  with --hybrid also the full pipeline (`Assistant.retrieve` over a fresh index per backend).
Writes the "backends" section of docs/BENCHMARKS.md.

    .venv/bin/python bench/backends.py [--sets squad_v1.1_dev rgb_en_fact] [--rounds 3] [--hybrid]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import common
import numpy as np

from assistant import Settings
from assistant.evaluation import Outcome, is_evidence, percentile, retrieval_metrics
from assistant.factory import make_embedder, open_assistant
from index.chunking import chunk_document
from index.documents import load_document
from index.embedding import BACKENDS, OnnxSentenceEncoder, SentenceEmbedder, int8_preset
from index.ingest import embedding_input

BASELINE = "torch"
LOADS: list[float] = []  # the 1-min load average before each timed round: how busy the machine was


@dataclass
class EvalSet:
    name: str
    corpus: Path
    chunk_files: list[str]  # the corpus file (path) of each chunk
    chunk_texts: list[str]  # what ingestion embeds for it
    questions: list[dict]  # answerable ones
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # backend -> chunk vectors


def load_set(eval_dir: Path, name: str, settings: Settings) -> EvalSet:
    corpus = eval_dir / name / "corpus"
    files, texts = [], []
    for path in sorted(corpus.iterdir()):
        doc = load_document(path)
        for chunk in chunk_document(doc, settings.chunk_words, settings.chunk_overlap_sentences):
            files.append(doc.path)
            texts.append(embedding_input(doc.title, not doc.title_from_filename, chunk.text))
    questions = [q for q in common.read_jsonl(eval_dir / name / "questions.jsonl") if q.get("answerable", True)]
    return EvalSet(name, corpus, files, texts, questions)


# -- speed -------------------------------------------------------------------------------------


def time_encoding(embedders: dict[str, SentenceEmbedder], sets: list[EvalSet], rounds: int) -> dict[str, list[float]]:
    """Seconds per backend per round to encode all chunks; keeps the first round's vectors."""
    seconds: dict[str, list[float]] = {b: [] for b in embedders}
    names = list(embedders)
    for r in range(rounds):
        for backend in names[r % len(names):] + names[: r % len(names)]:
            LOADS.append(os.getloadavg()[0])
            t0 = time.perf_counter()
            vectors = [embedders[backend].encode(s.chunk_texts) for s in sets]
            seconds[backend].append(time.perf_counter() - t0)
            print(f"  round {r + 1}: {backend} {seconds[backend][-1]:.1f} s", file=sys.stderr)
            for s, v in zip(sets, vectors, strict=True):
                s.vectors.setdefault(backend, v)
    return seconds


def query_latency_ms(
    embedders: dict[str, SentenceEmbedder], questions: list[str], threads: int = 0
) -> dict[str, list[float]]:
    """One question at a time (past the query cache), backends taking turns per question.

    threads=0: each library's default (one thread per core); else that many threads.
    """
    import torch

    encoders = {}
    for backend, embedder in embedders.items():
        if backend == BASELINE or not threads:
            encoders[backend] = embedder.model
        else:
            encoders[backend] = OnnxSentenceEncoder(embedder.model.folder, embedder.model.file_name, threads=threads)
    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads or default_threads)
    times: dict[str, list[float]] = {b: [] for b in embedders}
    try:
        for i, question in enumerate(questions):
            names = list(embedders)
            for backend in names[i % len(names):] + names[: i % len(names)]:
                t0 = time.perf_counter()
                encoders[backend].encode([question], normalize_embeddings=True)
                times[backend].append((time.perf_counter() - t0) * 1000)
    finally:
        torch.set_num_threads(default_threads)
    return times


# -- recall ----------------------------------------------------------------------------------


def dense_ranks(s: EvalSet, backend: str, embedder: SentenceEmbedder, depth: int = 10) -> list[list[str]]:
    """Per question, the paths of its `depth` best chunks' documents by exact cosine."""
    queries = embedder.encode([q["question"] for q in s.questions])
    scores = queries @ s.vectors[backend].T
    top = np.argsort(-scores, axis=1, kind="stable")[:, :depth]
    return [[s.chunk_files[i] for i in row] for row in top]


def hybrid_ranks(s: EvalSet, embedder: SentenceEmbedder, depth: int = 10) -> tuple[list[list[str]], float]:
    """Per question, the documents (paths) of the pipeline's `depth` best passages; and the ingest time."""
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as tmp:
        assistant = open_assistant(Settings(index_dir=Path(tmp)), embedder=embedder)
        t0 = time.perf_counter()
        assistant.ingest([s.corpus])
        ingest_s = time.perf_counter() - t0
        ranks = [
            [d.metadata["path"] for d in assistant.retrieve(q["question"], depth).passages] for q in s.questions
        ]
        assistant.close()
    return ranks, ingest_s


def retrieval_scores(ranks: list[list[str]], questions: list[dict], depth: int = 10) -> dict[str, float | None]:
    """recall@1, recall@5, MRR@10 of an evidence document, by the measures of `assistant eval`.

    >>> retrieval_scores([["c/a", "c/b"], ["c/c", "c/d"]], [{"evidence_docs": ["b"]}, {"evidence_docs": ["x"]}])
    {'recall@1': 0.0, 'recall@5': 0.5, 'MRR@10': 0.25}
    """
    outcomes = []
    for paths, q in zip(ranks, questions, strict=True):
        rank = next((r for r, path in enumerate(paths[:depth], start=1) if is_evidence(path, q["evidence_docs"])), None)
        outcomes.append(Outcome(id=str(q.get("id", "")), question=q.get("question", ""), answerable=True,
                                ranks={"run": rank}))
    metrics = retrieval_metrics(outcomes, "run", depth)
    return {"recall@1": metrics["recall_at_k"][1], "recall@5": metrics["recall_at_k"][5],
            "MRR@10": metrics[f"mrr@{depth}"]}


# -- the report -----------------------------------------------------------------------------------


def points(value: float, base: float) -> str:
    return f"{(value - base) * 100:+.1f}"


def verdict(changes: list[tuple[float, str]], recall: dict) -> str:
    """'4.3 points (rgb dense recall@1): **not within one point** on rgb (46 questions: ...); within ...'.

    >>> verdict([(0.4, "squad dense MRR@10"), (0.0, "squad hybrid MRR@10")], {"squad": {"n": 266}})
    '0.4 points (squad dense MRR@10): **within one point** everywhere.'
    """
    size, where = max(changes)
    over = sorted({w.split()[0] for c, w in changes if c > 1.0 + 1e-9})
    if size < 0.05:
        return "no change on any set or metric: **within one point** everywhere."
    text = f"{size:.1f} points ({where}): "
    if not over:
        return text + "**within one point** everywhere."
    sizes = "; ".join(
        f"{o}: {recall[o]['n']} questions, one question = {100 / recall[o]['n']:.1f} points" for o in over
    )
    rest = "; within one point on the others." if len(over) < len(recall) else "."
    return text + f"**not within one point** on {', '.join(over)} ({sizes}){rest}"


def delta_rows(by_backend: dict, backends, metrics, worst: dict, label: str, last_cell) -> list[list[str]]:
    """Each backend's scores with their change from torch, and the changes noted in `worst`."""
    rows = []
    base = by_backend[BASELINE]
    for b in backends:
        scores = by_backend[b]
        rows.append([b, *(f"{common.fmt(scores[m])} ({points(scores[m], base[m])})" for m in metrics), last_cell(b)])
        if b != BASELINE:
            worst[b] += [(abs(scores[m] - base[m]) * 100, f"{label} {m}") for m in metrics]
    return rows


def render(argv, args, embedders, export_s, seconds, n_texts, latency, agreement, recall, hybrid) -> str:
    metrics = ["recall@1", "recall@5", "MRR@10"]
    median = {b: statistics.median(t) for b, t in seconds.items()}
    preset = int8_preset()
    lines = [
        "## Encoder backends: torch, onnx, onnx-int8",
        "",
        f"Produced by `{common.command_line('backends.py', argv)}`. {common.run_note()}",
        "",
        "Backends (`ASSISTANT_EMBEDDING_BACKEND`, see docs/DEPLOYMENT.md): `torch` is sentence-transformers as "
        "loaded; `onnx` the same model exported to ONNX (the whole pipeline: transformer, mean pooling, "
        "normalisation) and run by onnxruntime; `onnx-int8` that export with dynamically quantised int8 weights "
        f"(preset `{preset['name']}`, {preset['weights']} weights, chosen from this CPU's flags). "
        + (f"Export and quantisation took {export_s:.0f} s in this run (once per machine; then reused). "
           if export_s > 1 else "The exports were already in the cache. ")
        + "Throughput: batches of 64, each library's default threads (one per core).",
        "",
        f"### Speed: {n_texts} chunk texts (all chunks of {', '.join(s for s in args.sets)}), {args.rounds} "
        "interleaved rounds",
        "",
        f"1-min load average before the timed rounds: {min(LOADS):.1f} to {max(LOADS):.1f} on {os.cpu_count()} cores "
        "(other work shared the machine: read the ratios, measured side by side, rather than the absolute rates).",
        "",
        common.markdown_table(
            ["backend", "texts/s (median round)", "speed-up vs torch", "rounds (s)",
             "query p50 / p90 (ms)", "query p50 / p90, 1 thread (ms)"],
            [
                [b, f"{n_texts / median[b]:.0f}", f"{median[BASELINE] / median[b]:.2f}x",
                 " / ".join(f"{t:.1f}" for t in seconds[b])]
                + [f"{common.fmt(percentile(lat[b], 50), 1)} / {common.fmt(percentile(lat[b], 90), 1)}"
                   for lat in latency]
                for b in embedders
            ],
        ),
        "",
        f"Query latency: {len(latency[0][BASELINE])} questions encoded one at a time per backend (not the cached "
        "`query_vector`), with each library's default threads (one per core, as the assistant runs) and with one "
        "thread: on a machine whose cores are busy with other work, a thread pool can wait on every small operation "
        "for one of its threads to be scheduled again, which the second column avoids.",
        "",
        "### Agreement with torch: cosine between the two vectors of the same chunk",
        "",
        common.markdown_table(
            ["backend", "mean", "1st percentile", "min"],
            [[b, common.fmt(c.mean(), 5), common.fmt(percentile(c, 1), 5), common.fmt(c.min(), 5)]
             for b, c in agreement.items()],
        ),
        "",
        "### Dense retrieval (exact cosine over all chunks, answerable questions)",
        "",
        "recall@k: share of questions with a chunk of an evidence document among the k best; MRR@10: mean "
        "1/rank of the first such chunk. Δ: change from torch in points (1 point = 0.01).",
        "",
    ]
    worst: dict[str, list[tuple[float, str]]] = {b: [] for b in embedders if b != BASELINE}
    for set_name, by_backend in recall.items():
        n = by_backend["n"]
        lines += [f"**{set_name}** ({n} questions; one question = {100 / n:.1f} points)", ""]
        rows = delta_rows(by_backend, embedders, metrics, worst, f"{set_name} dense",
                          lambda b, same=by_backend["same_top1"], n=n: f"{same[b]}/{n}")
        headers = ["backend", *(f"{m} (Δ)" for m in metrics), "same top-1 document as torch"]
        lines += [common.markdown_table(headers, rows), ""]
    if hybrid:
        lines += ["### The full hybrid pipeline (`Assistant.retrieve`, a fresh index per backend)", ""]
        for set_name, by_backend in hybrid.items():
            n = by_backend["n"]
            rows = delta_rows(by_backend, embedders, metrics, worst, f"{set_name} hybrid",
                              lambda b, ingest_s=by_backend["ingest_s"]: f"{ingest_s[b]:.0f}")
            lines += [f"**{set_name}** ({n} questions)", "",
                      common.markdown_table(["backend", *(f"{m} (Δ)" for m in metrics), "ingest (s)"], rows), ""]
    lines += ["Verdict: the largest change from torch over the sets and metrics above.", ""]
    lines += [f"- `{b}`: {verdict(changes, recall)}" for b, changes in worst.items()]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per backend (default 3)")
    parser.add_argument("--queries", type=int, default=100, help="questions timed one at a time (default 100)")
    parser.add_argument("--hybrid", action="store_true", help="also the full pipeline (ingests each set per backend)")
    parser.add_argument("--cache-dir", type=Path, help="ONNX export cache (default: Settings.model_cache, "
                        "ASSISTANT_MODEL_CACHE)")
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT,
                        help="report to update (its 'backends' section)")
    return common.parse_set_args(parser, argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    settings = Settings()
    sets = [load_set(args.eval_dir, name, settings) for name in args.sets]
    texts = [t for s in sets for t in s.chunk_texts]
    print(f"{len(texts)} chunks in {', '.join(args.sets)}", file=sys.stderr)

    embedders, export_s = {}, 0.0
    cache = {"model_cache": args.cache_dir} if args.cache_dir else {}
    for backend in BACKENDS:
        t0 = time.perf_counter()
        embedders[backend] = make_embedder(settings.model_copy(update={"embedding_backend": backend, **cache}))
        embedders[backend].encode(texts[:64])  # warm up
        if backend != BASELINE:
            export_s += time.perf_counter() - t0

    seconds = time_encoding(embedders, sets, args.rounds)
    questions = [q["question"] for s in sets for q in s.questions]
    step = max(1, len(questions) // args.queries)
    sample = questions[::step][: args.queries]
    latency = [query_latency_ms(embedders, sample), query_latency_ms(embedders, sample, threads=1)]
    agreement = {
        b: np.concatenate([(s.vectors[b] * s.vectors[BASELINE]).sum(axis=1) for s in sets])
        for b in embedders if b != BASELINE
    }

    recall: dict[str, dict[str, Any]] = {}  # set -> backend -> scores, and "n", "same_top1" (, "ingest_s")
    hybrid: dict[str, dict[str, Any]] = {}
    for s in sets:
        ranks = {b: dense_ranks(s, b, e) for b, e in embedders.items()}
        recall[s.name] = {b: retrieval_scores(r, s.questions) for b, r in ranks.items()}
        recall[s.name]["n"] = len(s.questions)
        recall[s.name]["same_top1"] = {
            b: sum(a[0] == t[0] for a, t in zip(r, ranks[BASELINE], strict=True)) for b, r in ranks.items()
        }
        if args.hybrid:
            hybrid[s.name] = {"n": len(s.questions), "ingest_s": {}}
            for b, e in embedders.items():
                print(f"  hybrid: {s.name} with {b}", file=sys.stderr)
                ranks_b, hybrid[s.name]["ingest_s"][b] = hybrid_ranks(s, e)
                hybrid[s.name][b] = retrieval_scores(ranks_b, s.questions)

    report = render(argv, args, embedders, export_s, seconds, len(texts), latency, agreement, recall, hybrid)
    common.publish_section(args.out, "backends", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
