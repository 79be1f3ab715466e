"""`assistant eval`: measure the assistant on a question set with gold answers.

A question set is JSONL in the format of ../shared/eval: one `{"id", "question", "answers",
"evidence_docs", "answerable"}` per line (only `question` is required). For every question the
assistant answers as a user would call it (`Assistant.ask`), and each retriever ranks passages;
the report holds recall@k and MRR of an evidence document, whether a gold answer is in the answer
and in the cited quotes, refusal accuracy, false refusals, latency and its stages, written as a JSON
report with two PNG plots (recall@k curve, latency histogram) beside it.

Deliberate simplifications: "evidence" is a whole document (a passage of it counts), and a gold
answer matches as whole words after case, punctuation and unicode quotes are ignored.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AssistantError

# Retrievers compared. "hybrid" is what `ask` uses: RRF of dense and BM25, then the evidence rerank.
RETRIEVERS = {"hybrid": None, "hybrid, RRF only": "hybrid", "dense-only": "dense", "BM25-only": "lexical"}
RANK_DEPTH = 10  # recall@k for k = 1..10, MRR over the top 10
WARM_UP_QUESTION = "What is this collection of documents about?"
UNANSWERABLE_GOLD = "insufficient information"
# Answer.timings_ms keys, in order
STAGES = ("embed_query", "dense", "lexical", "fusion", "embed_units", "rerank", "answer")


class EvalFileError(AssistantError):
    """The question file cannot be used; the message names the line and what to fix."""

    exit_code = 2


# -- matching gold answers -----------------------------------------------------------------------


def normalise_for_match(text: str) -> str:
    """Lower case (NFKC), punctuation and symbols dropped, unicode quotes included (dashes and
    slashes, which join words, become spaces), whitespace collapsed.

    >>> normalise_for_match("The  U.S. “Levi’s”\\nStadium, 1990–95/96!")
    'the us levis stadium 1990 95 96'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join("".join(map(_match_char, text)).split())


def _match_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Pd" or ch == "/":
        return " "
    return "" if category[0] in "PS" else ch


def contains_gold(text: str, answers: Iterable[str]) -> bool:
    """Whether any gold answer appears in `text` as whole words, after `normalise_for_match`.

    >>> contains_gold("They beat the Arizona Cardinals 49–15.", ["arizona cardinals!"])
    True
    >>> contains_gold("In 19955.", ["1995"])
    False
    """
    haystack = f" {normalise_for_match(text)} "
    return any(gold and f" {gold} " in haystack for gold in map(normalise_for_match, answers))


# -- the question file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...] = ()
    evidence_docs: tuple[str, ...] = ()  # file paths relative to the corpus folder (or file names)
    answerable: bool = True


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a question set, or raise EvalFileError naming the line that is wrong and why."""
    if not path.is_file():
        raise EvalFileError(f"no such file: {path}. Give a JSONL file with one {{\"question\", \"answers\"}} per line.")
    questions, seen = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{where}: not valid JSON ({exc.msg}); fix that line and run again.") from None
        question = _parse_question(item, number, where)
        if question.id in seen:
            raise EvalFileError(f"{where}: the id {question.id!r} is used twice; ids must be unique.")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise EvalFileError(f"{path}: no questions in the file.")
    return questions


def _parse_question(item: object, number: int, where: str) -> EvalQuestion:
    if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
        raise EvalFileError(f'{where}: expected a JSON object with a non-empty "question" string.')
    answers = item.get("answers", [])
    evidence = item.get("evidence_docs", [])
    for name, value in (("answers", answers), ("evidence_docs", evidence)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise EvalFileError(f'{where}: "{name}" must be a list of strings.')
    answerable = item.get("answerable")
    if answerable is None:  # absent: unanswerable only when the gold says so
        answerable = [normalise_for_match(a) for a in answers] != [UNANSWERABLE_GOLD]
    if not isinstance(answerable, bool):
        raise EvalFileError(f'{where}: "answerable" must be true or false.')
    return EvalQuestion(
        id=str(item.get("id", number)), question=item["question"], answers=tuple(answers),
        evidence_docs=tuple(evidence), answerable=answerable,
    )


# -- running -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one question."""

    id: str
    question: str
    answerable: bool
    refused: bool = False
    answer_hit: bool | None = None  # None: unanswerable, or no gold answers to look for
    citation_hit: bool | None = None
    ranks: dict[str, int | None] = field(default_factory=dict)  # retriever -> rank of the first evidence passage
    latency_ms: float = 0.0
    stages_ms: dict[str, float] = field(default_factory=dict)
    top_unit_score: float | None = None  # the answerer's best sentence unit: what the refusal rule reads
    top_unit_hit: bool | None = None
    error: str | None = None


def is_evidence(path: str, evidence_docs: Sequence[str]) -> bool:
    """Whether an indexed file is one of the evidence documents (given relative to the corpus).

    >>> is_evidence("/data/corpus/a/doc_1.txt", ["a/doc_1.txt"]), is_evidence("/x/doc_11.txt", ["doc_1.txt"])
    (True, False)
    """
    path = Path(path).as_posix()
    return any(path == doc or path.endswith("/" + doc.lstrip("./")) for doc in evidence_docs)


def evidence_rank(passages, evidence_docs: Sequence[str]) -> int | None:
    """1-based rank of the first passage from an evidence document, or None."""
    for rank, doc in enumerate(passages, start=1):
        if is_evidence(doc.metadata["path"], evidence_docs):
            return rank
    return None


def retriever_functions(assistant, names: Iterable[str]) -> dict[str, Callable]:
    """name -> (question, k) -> passages: the full pipeline for "hybrid", else one retriever mode."""
    functions: dict[str, Callable] = {}
    for name in names:
        mode = RETRIEVERS[name]
        if mode is None:
            functions[name] = lambda question, k: assistant.retrieve(question, k).passages
        else:
            retriever = assistant.retriever.model_copy(update={"mode": mode})
            functions[name] = lambda question, k, r=retriever: r.retrieve(question, k)[0]
    return functions


def evaluate_question(assistant, retrievers: dict[str, Callable], item: EvalQuestion) -> Outcome:
    from .errors import QuestionError
    from .pipeline import clean_question

    outcome = Outcome(id=item.id, question=item.question, answerable=item.answerable)
    try:
        question = clean_question(item.question, assistant.settings.max_question_chars)
    except QuestionError as exc:
        outcome.error = str(exc)
        return outcome
    # First, so that its latency includes embedding the question (retrieval caches the vector).
    t0 = time.perf_counter()
    turn = assistant.retrieve(question)
    answer = assistant.answer(turn)
    outcome.latency_ms = (time.perf_counter() - t0) * 1000
    outcome.stages_ms = {name: answer.timings_ms[name] for name in STAGES if name in answer.timings_ms}
    outcome.refused = answer.refused
    if item.answerable and item.answers:
        outcome.answer_hit = contains_gold(answer.answer, item.answers)
        outcome.citation_hit = contains_gold(" ".join(c.quote for c in answer.citations), item.answers)
    if item.answerable and item.evidence_docs:
        outcome.ranks = {
            name: evidence_rank(retrieve(question, RANK_DEPTH), item.evidence_docs)
            for name, retrieve in retrievers.items()
        }
    if turn.units:
        score, unit = turn.units[0]
        outcome.top_unit_score = round(float(score), 6)
        outcome.top_unit_hit = contains_gold(unit.text, item.answers) if item.answerable and item.answers else None
    return outcome


def run_evaluation(
    assistant, questions: Sequence[EvalQuestion], retrievers: Iterable[str] = RETRIEVERS,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Every question through `ask` and each retriever, after one untimed warm-up question."""
    functions = retriever_functions(assistant, retrievers)
    assistant.ask(WARM_UP_QUESTION)
    outcomes = []
    for i, item in enumerate(questions, start=1):
        outcomes.append(evaluate_question(assistant, functions, item))
        if progress:
            progress(i, len(questions))
    return outcomes


# -- figures -------------------------------------------------------------------------------------


def share(flags: Iterable[bool | None]) -> float | None:
    """The fraction of true flags; None when there are none to count."""
    flags = list(flags)
    return sum(map(bool, flags)) / len(flags) if flags else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """numpy's percentile, None for no values (a set with no timed question).

    >>> percentile([1, 2, 3, 4], 50), percentile([], 50)
    (2.5, None)
    """
    import numpy as np

    return float(np.percentile(values, q)) if len(values) else None


def retrieval_metrics(outcomes: Sequence[Outcome], retriever: str, depth: int = RANK_DEPTH) -> dict:
    """recall@1..depth and MRR@depth over the questions that have evidence documents."""
    ranks = [o.ranks[retriever] for o in outcomes if retriever in o.ranks]
    recall = {k: share(r is not None and r <= k for r in ranks) for k in range(1, depth + 1)}
    mrr = sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else None
    return {"questions": len(ranks), "recall_at_k": recall, f"mrr@{depth}": mrr}


def answer_metrics(outcomes: Sequence[Outcome]) -> dict:
    answered = [o for o in outcomes if o.error is None]
    answerable = [o for o in answered if o.answerable]
    with_gold = [o for o in answerable if o.answer_hit is not None]
    unanswerable = [o for o in answered if not o.answerable]
    return {
        "answer_contains_gold": share(o.answer_hit for o in with_gold),
        "citations_contain_gold": share(o.citation_hit for o in with_gold),
        "refusal_accuracy": share(o.refused for o in unanswerable),
        "false_refusals": share(o.refused for o in answerable),
    }


def latency_metrics(outcomes: Sequence[Outcome]) -> dict:
    latencies = [o.latency_ms for o in outcomes if o.error is None]
    stages = {
        name: percentile([o.stages_ms[name] for o in outcomes if name in o.stages_ms], 50)
        for name in STAGES if any(name in o.stages_ms for o in outcomes)
    }
    return {
        "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
        "mean_ms": sum(latencies) / len(latencies) if latencies else None,
        "max_ms": max(latencies, default=None), "stage_p50_ms": stages,
    }
