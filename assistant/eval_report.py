"""The report of `assistant eval`: figures from the outcomes (`assistant/evaluation.py`), written as
JSON with two PNG plots beside it (recall@k curve, latency histogram), and a summary for the terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .evaluation import Outcome, answer_metrics, latency_metrics, retrieval_metrics


@dataclass
class EvalReport:
    questions_file: str
    corpus: str | None
    index_dir: str
    created: str
    settings: dict
    counts: dict
    retrieval: dict
    answers: dict
    latency: dict
    outcomes: list[Outcome]
    plots: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)


def build_report(
    outcomes: Sequence[Outcome], settings, questions_file: Path, corpus: Path | None, retrievers: Iterable[str]
) -> EvalReport:
    counts = {
        "questions": len(outcomes),
        "answerable": sum(o.answerable for o in outcomes),
        "unanswerable": sum(not o.answerable for o in outcomes),
        "with_evidence": sum(bool(o.ranks) for o in outcomes),
        "errors": sum(o.error is not None for o in outcomes),
    }
    return EvalReport(
        questions_file=str(questions_file), corpus=str(corpus) if corpus else None,
        index_dir=settings.chroma_url or str(settings.index_dir),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        settings={
            name: getattr(settings, name) for name in (
                "k", "candidates", "rrf_k", "rerank_depth", "refusal_threshold", "chunk_words",
                "chunk_overlap_sentences", "embedding_model", "llm",
            )
        },
        counts=counts,
        retrieval={
            name: retrieval_metrics(outcomes, name) for name in retrievers if any(name in o.ranks for o in outcomes)
        },
        answers=answer_metrics(outcomes), latency=latency_metrics(outcomes), outcomes=list(outcomes),
    )


# -- writing -------------------------------------------------------------------------------------


def write_report(report: EvalReport, out_dir: Path) -> list[Path]:
    """report.json plus recall_at_k.png and latency.png in `out_dir`; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = [_plot_recall(report, out_dir / "recall_at_k.png"), _plot_latency(report, out_dir / "latency.png")]
    report.plots = [p.name for p in plots if p]
    json_path = out_dir / "report.json"
    json_path.write_text(report.to_json() + "\n", encoding="utf-8")
    return [json_path, *(p for p in plots if p)]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display here, and none wanted
    import matplotlib.pyplot as plt

    return plt


def _plot_recall(report: EvalReport, path: Path) -> Path | None:
    if not report.retrieval:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), dpi=110)
    for name, metrics in report.retrieval.items():
        ks = sorted(int(k) for k in metrics["recall_at_k"])
        ax.plot(ks, [metrics["recall_at_k"][k] for k in ks], marker="o", label=name)
    ax.set(xlabel="k (passages retrieved)", ylabel="recall@k (evidence document in top k)", ylim=(0, 1.02),
           title=f"{_set_label(report)}: recall@k, {metrics['questions']} questions")
    ax.set_xticks(ks)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _plot_latency(report: EvalReport, path: Path) -> Path | None:
    latencies = [o.latency_ms for o in report.outcomes if o.error is None]
    if not latencies:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4), dpi=110)
    ax.hist(latencies, bins=min(40, max(5, len(latencies) // 5)), color="#4c72b0")
    for label, value, style in (("p50", report.latency["p50_ms"], "--"), ("p95", report.latency["p95_ms"], ":")):
        ax.axvline(value, color="black", linestyle=style, label=f"{label} {value:.0f} ms")
    ax.set(xlabel="ask latency (ms, wall clock)", ylabel="questions",
           title=f"{_set_label(report)}: latency of {len(latencies)} questions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _set_label(report: EvalReport) -> str:
    path = Path(report.questions_file)
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def format_figure(value: float | None, decimals: int = 3) -> str:
    """A figure for a report; n/a for none.

    >>> format_figure(0.12345), format_figure(12.0, 1), format_figure(None)
    ('0.123', '12.0', 'n/a')
    """
    return "n/a" if value is None else f"{value:.{decimals}f}"


def format_summary(report: EvalReport) -> str:
    """The report as a few plain-text lines for the terminal."""

    f = format_figure
    c, a, lat = report.counts, report.answers, report.latency
    lines = [
        f"{c['questions']} questions ({c['answerable']} answerable, {c['unanswerable']} unanswerable, "
        f"{c['with_evidence']} with evidence documents, {c['errors']} rejected)",
    ]
    if report.retrieval:
        lines.append(f"{'retriever':<18} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7}")
        for name, m in report.retrieval.items():
            r = m["recall_at_k"]
            lines.append(f"{name:<18} {f(r[1]):>6} {f(r[5]):>6} {f(r[10]):>6} {f(m['mrr@10']):>7}")
    lines += [
        f"answer contains gold {f(a['answer_contains_gold'])}, citations contain gold "
        f"{f(a['citations_contain_gold'])}",
        f"refusal accuracy {f(a['refusal_accuracy'])}, false refusals {f(a['false_refusals'])}",
        f"latency p50 {f(lat['p50_ms'], 1)} ms, p95 {f(lat['p95_ms'], 1)} ms; stage p50: "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in lat["stage_p50_ms"].items()),
    ]
    return "\n".join(lines)


def print_progress(done: int, total: int) -> None:
    if done % 50 == 0 or done == total:
        print(f"  {done}/{total} questions", file=sys.stderr, flush=True)
