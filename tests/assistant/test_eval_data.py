"""Integrity of the hand-labelled evaluation data in tests/data/support/ and tests/data/near_miss/.

Fast, no model: every line parses, fields have the right types, every quote is exactly
load_document(path).text[start:end], twin gold answers appear in their evidence, ids are unique
and no claim or question is shared between the dev and held-out splits.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from ..helpers import EVAL_DIR, ROOT, SEEDS

DATA = ROOT / "tests" / "data"
SUPPORT = DATA / "support"
NEAR_MISS = DATA / "near_miss"
SPLITS = ("dev", "heldout")

CORPORA = {"seed", "rgb", "squad"}
LABELS = {"supported", "unsupported", "connective"}
KINDS = {
    "paraphrase",
    "verbatim",
    "number",
    "entity",
    "negation",
    "outside",
    "wrong_span",
    "connective",
}
DIFFERS = {"year", "entity", "field", "quantity", "role", "place"}


def _load(folder: Path) -> dict[str, list[dict]]:
    out = {}
    for split in SPLITS:
        path = folder / f"{split}.jsonl"
        assert path.is_file(), f"missing {path}"
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip(), f"{path.name}:{n} is blank"
            rows.append(json.loads(line))
        out[split] = rows
    return out


@pytest.fixture(scope="module")
def support_rows() -> dict[str, list[dict]]:
    return _load(SUPPORT)


@pytest.fixture(scope="module")
def near_miss_rows() -> dict[str, list[dict]]:
    return _load(NEAR_MISS)


@pytest.fixture(scope="module")
def all_support(support_rows) -> list[dict]:
    return [r for rows in support_rows.values() for r in rows]


@pytest.fixture(scope="module")
def all_near_miss(near_miss_rows) -> list[dict]:
    return [r for rows in near_miss_rows.values() for r in rows]


def corpus_path(corpus: str, file: str) -> Path:
    if corpus == "seed":
        return SEEDS / file
    if corpus == "rgb":
        return EVAL_DIR / "rgb_en_fact" / "corpus" / file
    if corpus == "squad":
        return EVAL_DIR / "squad_v1.1_dev" / "corpus" / file
    raise ValueError(corpus)


@cache
def document_text(corpus: str, file: str) -> str:
    from index import load_document

    return load_document(corpus_path(corpus, file)).text


def _needs_corpus(corpus: str) -> None:
    if corpus != "seed" and not EVAL_DIR.is_dir():
        pytest.skip(f"shared eval corpora not found at {EVAL_DIR}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_span(corpus: str, file: str, start, end, quote) -> None:
    assert _is_int(start) and _is_int(end) and 0 <= start < end, (file, start, end)
    assert isinstance(quote, str) and quote.strip() == quote and quote
    text = document_text(corpus, file)
    assert end <= len(text), (file, end, len(text))
    assert text[start:end] == quote, (
        f"{corpus}/{file}[{start}:{end}] is {text[start:end]!r}, not {quote!r}"
    )


# ------------------------------------------------------------------ support set


def _check_fields(rows: list[dict], fields: str, texts: str, id_prefix: str) -> None:
    """Every row has exactly `fields`, a non-empty string in each of `texts`, an id with `id_prefix`."""
    for row in rows:
        assert set(row) == set(fields.split()), row.get("id")
        for key in texts.split():
            assert isinstance(row[key], str) and row[key].strip(), (row["id"], key)
        assert row["id"].startswith(id_prefix), row["id"]


def test_support_fields_and_types(all_support):
    _check_fields(all_support, "id claim corpus file start end quote label kind reason",
                  "id claim file quote reason", "sup-")
    for row in all_support:
        assert _is_int(row["start"]) and _is_int(row["end"]), row["id"]
        assert row["corpus"] in CORPORA, row["id"]
        assert row["label"] in LABELS, row["id"]
        assert row["kind"] in KINDS, row["id"]
        assert (row["kind"] == "connective") == (row["label"] == "connective"), row[
            "id"
        ]
        if row["kind"] in {"number", "entity", "negation", "outside", "wrong_span"}:
            assert row["label"] == "unsupported", row["id"]
        if row["kind"] == "verbatim":
            assert row["label"] == "supported", row["id"]
        assert "[" not in row["claim"], f"{row['id']}: claims carry no [n] markers"


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_support_quotes_are_exact_spans(corpus, all_support):
    rows = [r for r in all_support if r["corpus"] == corpus]
    assert rows
    _needs_corpus(corpus)
    for row in rows:
        _check_span(corpus, row["file"], row["start"], row["end"], row["quote"])


def test_support_counts(support_rows, all_support):
    assert len(all_support) >= 130
    kinds = Counter(r["kind"] for r in all_support)
    assert set(kinds) == KINDS, kinds
    corpora = Counter(r["corpus"] for r in all_support)
    assert corpora["seed"] >= 25 and corpora["rgb"] >= 40 and corpora["squad"] >= 40, (
        corpora
    )
    labels = Counter(r["label"] for r in all_support)
    assert labels["supported"] >= 40 and labels["unsupported"] >= 60, labels
    for split, rows in support_rows.items():
        assert set(Counter(r["kind"] for r in rows)) == KINDS, f"{split} lacks a kind"


def test_support_split_is_disjoint(support_rows, all_support):
    ids = [r["id"] for r in all_support]
    assert len(ids) == len(set(ids))
    dev = {r["claim"].strip().lower() for r in support_rows["dev"]}
    held = {r["claim"].strip().lower() for r in support_rows["heldout"]}
    assert not dev & held
    assert 0.25 <= len(support_rows["heldout"]) / len(all_support) <= 0.45


# ------------------------------------------------------------------ near-miss set


def test_near_miss_fields_and_types(all_near_miss):
    _check_fields(all_near_miss, "id corpus question differs twin twin_answers twin_evidence checked found_instead",
                  "id question twin checked found_instead", "nm-")
    for row in all_near_miss:
        assert row["corpus"] in CORPORA, row["id"]
        assert row["differs"] in DIFFERS, row["id"]
        assert row["question"].strip().lower() != row["twin"].strip().lower(), row["id"]
        answers = row["twin_answers"]
        assert (
            isinstance(answers, list)
            and answers
            and all(isinstance(a, str) and a.strip() for a in answers)
        )
        evidence = row["twin_evidence"]
        assert isinstance(evidence, list) and evidence, row["id"]
        for ev in evidence:
            assert set(ev) == {"file", "start", "end", "quote"}, row["id"]
            assert isinstance(ev["file"], str) and isinstance(ev["quote"], str)
            assert _is_int(ev["start"]) and _is_int(ev["end"])


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_near_miss_twin_evidence_is_exact(corpus, all_near_miss):
    rows = [r for r in all_near_miss if r["corpus"] == corpus]
    if not rows:
        pytest.skip(f"no near misses over {corpus}")
    _needs_corpus(corpus)
    for row in rows:
        for ev in row["twin_evidence"]:
            _check_span(corpus, ev["file"], ev["start"], ev["end"], ev["quote"])


def test_near_miss_twin_answers_in_evidence(all_near_miss):
    for row in all_near_miss:
        quotes = " ".join(ev["quote"] for ev in row["twin_evidence"]).lower()
        for answer in row["twin_answers"]:
            assert answer.lower() in quotes, (row["id"], answer)


def test_near_miss_counts_and_split(near_miss_rows, all_near_miss):
    assert len(all_near_miss) >= 60
    corpora = Counter(r["corpus"] for r in all_near_miss)
    assert corpora["rgb"] + corpora["squad"] >= 50, corpora
    ids = [r["id"] for r in all_near_miss]
    assert len(ids) == len(set(ids))
    for key in ("question", "twin"):
        dev = {r[key].strip().lower() for r in near_miss_rows["dev"]}
        held = {r[key].strip().lower() for r in near_miss_rows["heldout"]}
        assert not dev & held, key
    questions = [r["question"].strip().lower() for r in all_near_miss]
    assert len(questions) == len(set(questions))
    assert 0.3 <= len(near_miss_rows["heldout"]) / len(all_near_miss) <= 0.5
