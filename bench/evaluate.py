"""Retrieval and answer quality of the assistant on the shared eval sets (../shared/eval).

For each set: index its corpus with the project's own ingestion (reused from bench/.cache/<set>/
while the corpus, the chunk settings and the ingestion code are unchanged), then run the same
evaluation as `assistant eval` (assistant/evaluation.py) on its questions:
- retrieval: recall@k and MRR@10 of an evidence document, hybrid vs dense-only vs BM25-only
  (answerable questions only; recall@k here = a passage of an evidence document is in the top k);
- answers: `Assistant.ask` as a user would call it; is a gold answer in the answer, in the cited
  quotes; refusals on unanswerable and answerable questions; warm wall-clock latency.
Writes its section of docs/BENCHMARKS.md, each set's report.json and plots to docs/eval/<set>/,
and the answerer's best unit score per question to bench/.cache/<set>/unit_scores.jsonl for
bench/calibrate_refusal.py.

    .venv/bin/python bench/evaluate.py [--sets squad_v1.1_dev rgb_en_fact] [--out docs/BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import common

import index
from assistant import Settings, eval_report, evaluation
from assistant.factory import make_embedder, open_assistant
from assistant.scoring import refuses

if TYPE_CHECKING:
    from assistant import Assistant
    from index.embedding import SentenceEmbedder

# Retrievers compared; "hybrid" is the pipeline `ask` uses (RRF of dense and BM25, then the evidence rerank).
MODES = list(evaluation.RETRIEVERS)
REPORT_DIR = common.PROJECT_ROOT / "docs" / "eval"  # per set: report.json, recall_at_k.png, latency.png


@dataclass
class IngestFigures:
    docs: int
    chunks: int
    seconds: float
    built_at: str
    reused: bool = False

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0


@dataclass
class SetResult:
    name: str
    ingest: IngestFigures
    outcomes: list[evaluation.Outcome]
    report: eval_report.EvalReport


# -- the index -----------------------------------------------------------------------------------


def index_key(corpus_dir: Path, settings: Settings) -> str:
    """Changes when the corpus files or their sizes, the chunk settings, the embedding model or the
    ingestion code (the `index` package) change."""
    files = sorted(
        (p.relative_to(corpus_dir).as_posix(), p.stat().st_size) for p in corpus_dir.rglob("*") if p.is_file()
    )
    code = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(Path(index.__file__).parent.rglob("*.py"))))
    basis = {
        "corpus": str(corpus_dir.resolve()), "files": files, "chunk_words": settings.chunk_words,
        "chunk_overlap_sentences": settings.chunk_overlap_sentences, "embedding_model": settings.embedding_model,
        "index_code": code.hexdigest(),
    }
    return hashlib.sha256(json.dumps(basis).encode()).hexdigest()


def open_set_index(
    set_name: str, corpus_dir: Path, embedder: SentenceEmbedder, rebuild: bool
) -> tuple[Assistant, IngestFigures]:
    """An Assistant over the set's cached index, built first when missing or stale."""
    cache = common.CACHE_DIR / set_name
    index_dir, record_file = cache / "index", cache / "index.json"
    settings = Settings(index_dir=index_dir)
    key = index_key(corpus_dir, settings)
    record = json.loads(record_file.read_text()) if record_file.is_file() else {}
    if not rebuild and record.get("key") == key and index_dir.is_dir():
        return open_assistant(settings, embedder=embedder), replace(IngestFigures(**record["figures"]), reused=True)

    shutil.rmtree(index_dir, ignore_errors=True)
    record_file.unlink(missing_ok=True)
    assistant = open_assistant(settings, embedder=embedder)
    t0 = time.perf_counter()
    report = assistant.ingest([corpus_dir])
    seconds = time.perf_counter() - t0
    if report.skipped:
        print(f"  {set_name}: {len(report.skipped)} files skipped, e.g. {report.skipped[0]}", file=sys.stderr)
    figures = IngestFigures(
        docs=len(assistant.documents()), chunks=assistant.chunk_count(), seconds=seconds,
        built_at=datetime.now(UTC).strftime("%Y-%m-%d"),
    )
    record_file.write_text(json.dumps({"key": key, "figures": asdict(figures)}, indent=1))
    return assistant, figures


# -- the questions ---------------------------------------------------------------------------------


def evaluate_set(name: str, set_dir: Path, embedder: SentenceEmbedder, rebuild: bool, report_dir: Path) -> SetResult:
    assistant, ingest = open_set_index(name, set_dir / "corpus", embedder, rebuild)
    verb = "reused index of" if ingest.reused else "indexed"
    print(f"{name}: {verb} {ingest.docs} docs, {ingest.chunks} chunks ({ingest.seconds:.1f} s)", file=sys.stderr)
    questions_file = set_dir / "questions.jsonl"
    outcomes = evaluation.run_evaluation(
        assistant, evaluation.load_questions(questions_file), MODES,
        progress=eval_report.print_progress,
    )
    assistant.close()
    report = eval_report.build_report(outcomes, assistant.settings, questions_file, set_dir / "corpus", MODES)
    # Paths relative to the project, so that the committed report does not name this machine's folders.
    report.questions_file, report.corpus = f"../shared/eval/{name}/questions.jsonl", f"../shared/eval/{name}/corpus"
    report.index_dir = f"bench/.cache/{name}/index"
    eval_report.write_report(report, report_dir / name)
    common.write_jsonl(common.unit_scores_path(name), (unit_score_record(o) for o in outcomes))
    check_unit_scores(name, outcomes, assistant.settings.refusal_threshold)
    return SetResult(name, ingest, outcomes, report)


def unit_score_record(outcome: evaluation.Outcome) -> dict:
    return {
        "id": outcome.id, "answerable": outcome.answerable, "top_unit_score": outcome.top_unit_score,
        "top_unit_hit": outcome.top_unit_hit, "refused": outcome.refused,
    }


def check_unit_scores(name: str, outcomes: list[evaluation.Outcome], threshold: float) -> None:
    """The calibration replays the answerer's rule on the dumped scores; warn if that disagrees with ask."""
    disagree = [o.id for o in outcomes if o.refused != refuses(o.top_unit_score, threshold)]
    if disagree:
        print(f"  {name}: WARNING {len(disagree)} questions where ask's refusal disagrees with the dumped "
              f"unit score at threshold {threshold}, e.g. {disagree[:3]}", file=sys.stderr)


# -- figures -------------------------------------------------------------------------------------


def retrieval_row(report: eval_report.EvalReport, mode: str) -> dict[str, float | None]:
    metrics = report.retrieval[mode]
    return {
        "recall@1": metrics["recall_at_k"][1], "recall@5": metrics["recall_at_k"][5],
        "MRR@10": metrics["mrr@10"],
    }


def hybrid_verdict(table: dict[str, dict[str, float | None]]) -> str:
    """Whether hybrid retrieval is at least as good as the better single retriever, metric by metric."""
    worse = []
    for metric, value in table["hybrid"].items():
        singles = [v for v in (table["dense-only"][metric], table["BM25-only"][metric]) if v is not None]
        if value is not None and singles and value < max(singles):
            worse.append(metric)
    if not worse:
        return "hybrid >= max(dense-only, BM25-only) on every metric: **yes**."
    return (
        "hybrid >= max(dense-only, BM25-only): **no**, hybrid is below the better single retriever on "
        f"{', '.join(worse)}."
    )


def render(results: list[SetResult], settings: Settings, argv: list[str]) -> str:
    lines = [
        "## Retrieval and answers",
        "",
        f"Produced by `{common.command_line('evaluate.py', argv)}`. {common.run_note()}",
        f"Settings: k={settings.k} passages to the answerer, {settings.candidates} candidates from each of dense "
        f"and BM25, RRF k={settings.rrf_k}, the top {settings.rerank_depth} fused candidates reranked by "
        f"sentence evidence fused with BM25 (`EvidenceScorer.rerank`), chunks of <= {settings.chunk_words} "
        f"words with {settings.chunk_overlap_sentences} sentence(s) overlap, refusal threshold "
        f"{settings.refusal_threshold}, embeddings {settings.embedding_model or 'all-MiniLM-L6-v2 (packaged)'}.",
        "",
        "Retrieval counts answerable questions only. recall@k: share of questions with a passage of an evidence "
        "document among the top k; MRR@10: mean of 1/rank of the first such passage (0 if not in the top 10).",
        "",
        "Choices made while looking at this development split (a held-out split exists, so read these figures "
        "as optimistic): a title made up from a file name is not embedded with the chunk (it cost dense "
        "recall@1 on rgb); the fused candidates are reranked by sentence evidence fused with BM25, BM25 "
        "breaking ties. Fusions compared on both sets before choosing: RRF with k=10 or 60, BM25-weighted "
        "RRF, min-max and distribution-based score fusion, and rerankings by evidence alone, by evidence "
        "fused with dense and BM25, and by evidence fused with BM25 (chosen: the only one not below "
        "BM25-only on rgb recall@1).",
    ]
    for result in results:
        table = {label: retrieval_row(result.report, label) for label in MODES}
        n = sum(o.answerable for o in result.outcomes)
        lines += [
            "", f"### {result.name} (retrieval, {n} answerable questions)", "",
            common.markdown_table(["retriever", "recall@1", "recall@5", "MRR@10"],
                           ([label, *map(common.fmt, row.values())] for label, row in table.items())),
            "", hybrid_verdict(table),
        ]
    lines += [
        "", "### Answers (`Assistant.ask`, default k)", "",
        "Containment: a gold answer appears, as whole words, in the answer text / in the cited quotes joined "
        "(case, punctuation and unicode quotes ignored), over answerable questions (a refusal counts as a miss). "
        "Refusal accuracy: refused / unanswerable. False refusals: refused / answerable. Latency: wall clock of "
        "`ask` per question, after one warm-up question, over all questions.",
        "",
        common.markdown_table(
            ["set", "answer contains gold", "citations contain gold", "refusal accuracy", "false refusals",
             "p50 ms", "p95 ms", "questions (answerable / unanswerable)"],
            (_answer_row(r) for r in results),
        ),
        "", "### Where a warm answer's time goes", "",
        "p50 of each stage of `ask` over the set's questions (ms; `Answer.timings_ms`), and its share of the sum of "
        "the stage p50s. embed_query: the question's vector; dense: Chroma HNSW search; lexical: SQLite FTS5 BM25; "
        "fusion: RRF and fetching the candidates' text; embed_units: the candidates' sentences embedded for the "
        "evidence rerank; rerank: scoring and sorting them; answer: composing the cited answer.",
        "",
        stage_table(results),
        "", "### Ingestion", "",
        common.markdown_table(
            ["set", "docs", "chunks", "seconds", "chunks/s", "index"],
            ([r.name, r.ingest.docs, r.ingest.chunks, common.fmt(r.ingest.seconds, 1),
              common.fmt(r.ingest.chunks_per_second, 1),
              f"reused (built {r.ingest.built_at})" if r.ingest.reused else "built in this run"] for r in results),
        ),
    ]
    return "\n".join(lines)


def stage_table(results: list[SetResult]) -> str:
    names = [n for n in evaluation.STAGES if any(n in r.report.latency["stage_p50_ms"] for r in results)]
    rows = []
    for result in results:
        stages = result.report.latency["stage_p50_ms"]
        total = sum(stages.get(n) or 0.0 for n in names)
        rows.append([result.name, *(f"{common.fmt(stages.get(n), 1)} ({stages.get(n, 0) / total:.0%})" for n in names)])
    return common.markdown_table(["set", *names], rows)


def _answer_row(result: SetResult) -> list[str]:
    m, latency = result.report.answers, result.report.latency
    n_answerable = sum(o.answerable for o in result.outcomes)
    rates = ("answer_contains_gold", "citations_contain_gold", "refusal_accuracy", "false_refusals")
    return [
        result.name, *(common.fmt(m[key]) for key in rates),
        common.fmt(latency["p50_ms"], 1), common.fmt(latency["p95_ms"], 1),
        f"{len(result.outcomes)} ({n_answerable} / {len(result.outcomes) - n_answerable})",
    ]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT,
                        help="report to update (its 'evaluate' section)")
    parser.add_argument("--rebuild", action="store_true", help="index again even if the cached index fits")
    parser.add_argument("--report-dir", type=Path, default=REPORT_DIR,
                        help="where each set's `assistant eval` report and plots go (default: docs/eval/<set>/)")
    return common.parse_set_args(parser, argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    settings = Settings()
    embedder = make_embedder(settings)
    results = [
        evaluate_set(name, args.eval_dir / name, embedder, args.rebuild, args.report_dir) for name in args.sets
    ]
    common.publish_section(args.out, "evaluate", render(results, settings, argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
