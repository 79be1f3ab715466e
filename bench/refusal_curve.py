"""The refusal trade-off with the question's constraints in force: the real extractive answerer
(`ExtractiveAnswerer.answer`, constraints and near misses included) replayed at each threshold.

Each question is retrieved and its units scored once (`Assistant.retrieve`); then for every
threshold the answerer decides on those same units, which needs no model. Refusal accuracy on
SQuAD 2.0's unanswerable questions, false refusals and gold containment on the answerable ones,
per set. Needs the indexes of bench/evaluate.py. Run as
`.venv/bin/python bench/refusal_curve.py [--thresholds 0.35 0.40 ...]`; writes the
"refusal-curve" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import common

from assistant import Settings
from assistant.eval_report import print_progress
from assistant.evaluation import contains_gold, load_questions, share
from assistant.factory import make_embedder, open_assistant

if TYPE_CHECKING:
    from assistant import Assistant

THRESHOLDS = [0.35, 0.40, 0.43, 0.45, 0.47, 0.49, 0.51, 0.53, 0.55, 0.60]


def replay(assistant: Assistant, questions, thresholds: list[float]) -> dict[float, list[tuple[bool, bool, bool]]]:
    """threshold -> (answerable, refused, answer contains gold) per question."""
    answerer = assistant.answerer
    original = answerer.refusal_threshold
    out: dict[float, list[tuple[bool, bool, bool]]] = {t: [] for t in thresholds}
    for done, question in enumerate(questions, start=1):
        turn = assistant.retrieve(question.question)
        for threshold in thresholds:
            answerer.refusal_threshold = threshold
            answer = answerer.answer(turn)
            gold = question.answerable and not answer.refused and contains_gold(answer.answer, question.answers)
            out[threshold].append((question.answerable, answer.refused, gold))
        print_progress(done, len(questions))
    answerer.refusal_threshold = original
    return out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", nargs="+", type=float, default=THRESHOLDS)
    parser.add_argument("--out", type=Path, default=common.DEFAULT_REPORT)
    args = common.parse_set_args(parser, argv)
    settings = Settings()
    embedder = make_embedder(settings)
    current = settings.refusal_threshold
    rows = []
    for name in args.sets:
        index_dir = common.CACHE_DIR / name / "index"
        if not index_dir.is_dir():
            sys.exit(f"no index at {index_dir}: run bench/evaluate.py first")
        assistant = open_assistant(settings.model_copy(update={"index_dir": index_dir}), embedder=embedder)
        questions = load_questions(args.eval_dir / name / "questions.jsonl")
        print(f"{name}: {len(questions)} questions", file=sys.stderr)
        for threshold, results in replay(assistant, questions, args.thresholds).items():
            unanswerable = [r for r in results if not r[0]]
            answerable = [r for r in results if r[0]]
            rows.append([
                name, f"{threshold:.2f}" + (" (current)" if abs(threshold - current) < 1e-9 else ""),
                common.fmt(share(r[1] for r in unanswerable)) if unanswerable else "n/a",
                common.fmt(share(r[1] for r in answerable)), common.fmt(share(r[2] for r in answerable)),
            ])
        assistant.close()
    body = "\n".join([
        "## Refusal trade-off with the question's constraints (issue 12)",
        "",
        f"Produced by `{common.command_line('refusal_curve.py', argv)}`. {common.run_note()}",
        "",
        "The answerer refuses unless a unit scoring at least threshold - 0.1 meets the question's constraints "
        "(numbers and years, names, a name written with a number as written, the words a preposition, possessive "
        "or nationality introduces, a denial for a negated question; `assistant/support.py`), "
        "the best unit being at least that high too. Refusal accuracy: refused / unanswerable (SQuAD 2.0's, squad "
        "only); false refusals: refused / answerable; gold: a gold answer in the answer text (answerable). "
        "Targets: unanswerable refused >= 0.50 at false refusals <= 0.05; gold within a point of before.",
        "",
        common.markdown_table(
            ["set", "threshold", "unanswerable refused", "false refusals", "answer contains gold"], rows
        ),
    ])
    common.publish_section(args.out, "refusal-curve", body)


if __name__ == "__main__":
    main(sys.argv[1:])
