"""`assistant eval`: the question file, the measures, the JSON report and its plots."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant import eval_report, evaluation
from assistant.evaluation import EvalFileError, load_questions

from ..helpers import SEEDS, run_cli

SEED_FILE = "lithuania-critical-minerals.txt"
ORCHARD = (
    "Apple Harvest in Kent\n"
    "The orchards of Kent picked 4,200 tonnes of apples this autumn, the county's growers' association "
    "reported. Most of the crop was Gala and Braeburn. Frost in April cut the cherry harvest by a third."
)
QUESTIONS = [
    {"id": "pm", "question": "Who is the prime minister of Lithuania?", "answers": ["Inga Ruginienė"],
     "evidence_docs": [SEED_FILE], "answerable": True},
    {"id": "apples", "question": "How many tonnes of apples did the orchards of Kent pick?",
     "answers": ["4,200 tonnes"], "evidence_docs": ["farming/orchard.txt"], "answerable": True},
    {"id": "none", "question": "What is the boiling point of liquid nitrogen?",
     "answers": ["Insufficient information"], "evidence_docs": [], "answerable": False},
]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eval-corpus")
    shutil.copy(SEEDS / SEED_FILE, folder / SEED_FILE)
    (folder / "farming").mkdir()
    (folder / "farming" / "orchard.txt").write_text(ORCHARD, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def report(corpus, embedder, tmp_path_factory):
    from assistant import Assistant, Settings

    assistant = Assistant(Settings(index_dir=tmp_path_factory.mktemp("eval-index")), embedder=embedder)
    assistant.ingest([corpus])
    questions_file = write_jsonl(tmp_path_factory.mktemp("eval-set") / "questions.jsonl", QUESTIONS)
    outcomes = evaluation.run_evaluation(assistant, load_questions(questions_file))
    return eval_report.build_report(outcomes, assistant.settings, questions_file, corpus, evaluation.RETRIEVERS)


def test_answerable_questions_find_their_evidence_and_gold(report):
    by_id = {o.id: o for o in report.outcomes}
    for qid in ("pm", "apples"):
        outcome = by_id[qid]
        assert outcome.ranks["hybrid"] == 1, outcome
        assert outcome.answer_hit and outcome.citation_hit and not outcome.refused
    assert by_id["none"].ranks == {} and by_id["none"].answer_hit is None


def test_measures_add_up(report):
    assert report.counts == {"questions": 3, "answerable": 2, "unanswerable": 1, "with_evidence": 2, "errors": 0}
    assert set(report.retrieval) == set(evaluation.RETRIEVERS)
    for metrics in report.retrieval.values():
        curve = [metrics["recall_at_k"][k] for k in range(1, 11)]
        assert curve == sorted(curve) and curve[-1] == 1.0  # a recall@k curve never falls
        assert metrics["questions"] == 2
    assert report.answers["answer_contains_gold"] == 1.0
    # The one unanswerable question is refused, and neither answerable one is.
    assert [o.id for o in report.outcomes if o.refused] == ["none"]
    assert report.answers["refusal_accuracy"] == 1.0 and report.answers["false_refusals"] == 0.0
    latency = report.latency
    assert 0 < latency["p50_ms"] <= latency["p95_ms"] <= latency["max_ms"]
    assert {"embed_query", "dense", "lexical", "fusion", "rerank", "answer"} <= set(latency["stage_p50_ms"])


def test_report_json_and_plots_are_written(report, tmp_path):
    import matplotlib.image

    written = eval_report.write_report(report, tmp_path / "out")
    assert sorted(p.name for p in written) == ["latency.png", "recall_at_k.png", "report.json"]
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["answers"] == report.answers and len(data["outcomes"]) == 3
    assert data["retrieval"]["hybrid"]["recall_at_k"]["1"] == report.retrieval["hybrid"]["recall_at_k"][1]
    assert data["plots"] == ["recall_at_k.png", "latency.png"]
    for name in data["plots"]:
        image = matplotlib.image.imread(tmp_path / "out" / name)
        assert image.shape[0] > 200 and image.shape[1] > 300 and image.std() > 0.05  # a real, non-blank picture


def test_summary_names_every_measure(report):
    summary = eval_report.format_summary(report)
    for phrase in ("R@1", "MRR@10", "answer contains gold", "refusal accuracy", "false refusals", "p95"):
        assert phrase in summary


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"answers": ["x"]}', 'non-empty "question"'),
        ('{"question": "Why?", "answers": "x"}', '"answers" must be a list'),
        ('{"question": "Why?", "answerable": "yes"}', '"answerable" must be true or false'),
    ],
)
def test_a_bad_line_is_named_with_what_to_fix(tmp_path, line, problem):
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "Fine?"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match=problem) as info:
        load_questions(path)
    assert f"{path}:2" in str(info.value)


def test_duplicate_ids_and_empty_files_are_refused(tmp_path):
    path = write_jsonl(tmp_path / "q.jsonl", [{"id": 1, "question": "A?"}, {"id": "1", "question": "B?"}])
    with pytest.raises(EvalFileError, match="used twice"):
        load_questions(path)
    with pytest.raises(EvalFileError, match="no questions"):
        load_questions(write_jsonl(tmp_path / "empty.jsonl", []))
    with pytest.raises(EvalFileError, match="no such file"):
        load_questions(tmp_path / "missing.jsonl")


def test_answerable_defaults_from_the_gold(tmp_path):
    path = write_jsonl(tmp_path / "q.jsonl", [
        {"question": "A?", "answers": ["Insufficient information."]},
        {"question": "B?", "answers": ["42"]},
        {"question": "C?"},
    ])
    assert [q.answerable for q in load_questions(path)] == [False, True, True]
    assert [q.id for q in load_questions(path)] == ["1", "2", "3"]


@pytest.mark.slow
def test_cli_indexes_the_corpus_once_and_writes_the_report(corpus, tmp_path):
    questions = write_jsonl(tmp_path / "questions.jsonl", QUESTIONS)
    index_dir, out = tmp_path / "index", tmp_path / "report"
    args = ("eval", str(questions), "--corpus", str(corpus), "--out", str(out), "--retrievers", "hybrid", "bm25")
    first = run_cli("--index-dir", str(index_dir), *args, "--json", index_dir=index_dir)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert set(data["retrieval"]) == {"hybrid", "BM25-only"} and data["answers"]["answer_contains_gold"] == 1.0
    assert "2 added" in first.stderr
    assert {p.name for p in out.iterdir()} == {"report.json", "recall_at_k.png", "latency.png"}

    second = run_cli("--index-dir", str(index_dir), *args, index_dir=index_dir)
    assert second.returncode == 0, second.stderr
    assert "2 unchanged" in second.stderr and "0 chunks embedded" in second.stderr
    assert "R@1" in second.stdout and "refusal accuracy" in second.stdout


@pytest.mark.slow
def test_cli_rejects_a_bad_question_file_before_loading_anything(tmp_path):
    bad = tmp_path / "questions.jsonl"
    bad.write_text('{"question": "Fine?"}\n{"answers": []}\n', encoding="utf-8")
    result = run_cli("eval", str(bad), index_dir=tmp_path / "index")
    assert result.returncode == 2
    assert result.stderr.strip() == f'error: {bad}:2: expected a JSON object with a non-empty "question" string.'
    unknown = run_cli("eval", str(bad), "--retrievers", "magic", index_dir=tmp_path / "index")
    assert unknown.returncode == 2 and "invalid choice: 'magic'" in unknown.stderr
