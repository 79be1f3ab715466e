"""Who said what: the seed article's quotations, each attribution pattern on a small text, and
precision on the hand-labelled set in tests/data/quotes (the figure bench/quotes.py reports)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from index.quotes import Quotation, check_attributions, extract_quotations, normalise_speaker, same_speaker

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "lithuania-critical-minerals.txt"
LABELS = ROOT / "tests" / "data" / "quotes" / "articles.jsonl"
HELD_OUT = LABELS.with_name("heldout.jsonl")


def said(text: str) -> list[tuple[str, str, str]]:
    """(speaker, kind, quoted text) of each quotation, checking offsets on the way."""
    quotations = extract_quotations(text)
    for q in quotations:
        assert text[q.start:q.end] == q.text
    return [(q.speaker, q.kind, q.text) for q in quotations]


def labelled_records() -> list[dict]:
    records = [json.loads(line) for path in (LABELS, HELD_OUT)
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for record in records:
        if "text" not in record:  # the seed article, read from its file
            record["text"] = (ROOT / record["origin"]).read_text(encoding="utf-8")
    return records


# -- the seed article --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[Quotation]]:
    text = SEED.read_text(encoding="utf-8")
    return text, extract_quotations(text)


def test_seed_budrys_has_his_quoted_sentences_and_the_reported_statement(seed):
    text, quotations = seed
    budrys = [q for q in quotations if q.speaker == "Kestutis Budrys"]
    sentences = [
        "We have the intention to go forward at the European level",
        "But it’s time sensitive.",
        "We demand everyone’s interest within the European Union.",
        "If not, then the way forward is bilaterally.",
    ]
    for sentence in sentences:
        assert any(q.kind == "direct" and sentence in q.text for q in budrys), sentence
    reported = [q for q in budrys if q.kind == "reported"]
    assert [q.text for q in reported] == [
        "while a European-level agreement remains the preferred outcome, time is of the essence"
    ]
    assert all("Budrys" in q.forms and q.title == "Lithuanian Foreign Minister" for q in budrys)


def test_seed_ruginiene_has_her_two_quotes(seed):
    _, quotations = seed
    direct = [q.text for q in quotations if q.speaker == "Inga Ruginienė" and q.kind == "direct"]
    assert direct == [
        "We need the armed forces of European countries and U.S. Troops",
        "But you never know what can happen. That is why the absolute top priority should be to strengthen the "
        "European Union.",
    ]
    assert {q.title for q in quotations if q.speaker == "Inga Ruginienė"} == {"Prime Minister"}


def test_seed_scare_quotes_belong_to_nobody(seed):
    text, quotations = seed
    assert not [q for q in quotations if "Trump" in q.speaker or "Strategy" in q.speaker or "U.S." in q.speaker]
    for phrase in ("primary responsibility", "critical but more limited"):
        start = text.index(phrase)
        assert not [q for q in quotations if q.start < start + len(phrase) and start < q.end], phrase
    assert {q.speaker for q in quotations} == {"Kestutis Budrys", "Inga Ruginienė"}


def test_seed_offsets_are_exact(seed):
    text, quotations = seed
    assert quotations == sorted(quotations, key=lambda q: q.start)
    assert all(text[q.start:q.end] == q.text for q in quotations)


# -- one pattern at a time ---------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ('"We will win," said Ana Diaz, the coach.', [("Ana Diaz", "direct", "We will win")]),
    ("“We will win,” Ana Diaz stated.", [("Ana Diaz", "direct", "We will win")]),
    ("Coach Ana Diaz said: “We will win.”", [("Ana Diaz", "direct", "We will win.")]),
    ("“We will win,” according to Ana Diaz.", [("Ana Diaz", "direct", "We will win")]),
    ("“It is over.” Ana Diaz said.", [("Ana Diaz", "direct", "It is over.")]),
    ("'We will rebuild every school', says education chief Nadia Rahman",
     [("Nadia Rahman", "direct", "We will rebuild every school")]),
    ("“Cities are gardens.” — Jane Holloway, urban planner", [("Jane Holloway", "direct", "Cities are gardens.")]),
], ids=[
    "straight-said-X", "curly-X-stated", "before-colon", "according-to", "after-full-stop", "single-quotes", "dash",
])
def test_direct_attribution(text, expected):
    assert said(text) == expected


def test_interrupted_quote_has_one_speaker_for_both_halves():
    text = "“We need allies,” Prime Minister Inga Ruginienė stated, “but you never know what can happen.”"
    assert said(text) == [
        ("Inga Ruginienė", "direct", "We need allies"),
        ("Inga Ruginienė", "direct", "but you never know what can happen."),
    ]


def test_a_quote_without_attribution_continues_the_previous_speaker():
    text = "“We will act,” Ana Diaz said. “It is time sensitive. We demand results.”"
    assert [s for s, _, _ in said(text)] == ["Ana Diaz", "Ana Diaz"]


def test_continuation_stops_at_another_name():
    text = "“We will act,” Ana Diaz said. Tomas Vering laughed. “It is all talk and no action.”"
    assert said(text) == [("Ana Diaz", "direct", "We will act")]


def test_surname_resolves_to_the_full_name_and_title_is_kept_apart():
    text = "Lithuanian Foreign Minister Kestutis Budrys spoke in Munich. “Time is short,” Budrys said."
    [q] = extract_quotations(text)
    expected = ("Kestutis Budrys", ("Kestutis Budrys", "Budrys"), "Lithuanian Foreign Minister")
    assert (q.speaker, q.forms, q.title) == expected


def test_a_lone_word_with_no_full_name_is_not_a_speaker():
    assert said("“We will expel them,” Lithuania said. “No comment,” Facebook said.") == []


def test_title_and_surname_is_a_speaker():
    assert said("“Taxes will fall,” President Biden said.") == [("Biden", "direct", "Taxes will fall")]


def test_pronoun_resolves_to_the_only_person_before_it():
    text = "Harbour chief Marta Kowalczyk defended the tolls.\n“We cannot run the port on goodwill,” she said."
    assert said(text) == [("Marta Kowalczyk", "direct", "We cannot run the port on goodwill")]


@pytest.mark.parametrize("text", [
    "Police chief Victor Hale and prosecutor Dmitri Sokolov spoke. “This network moved drugs,” he said.",
    "Defence Minister Jonas Petraitis met his counterpart in Riga. “We agreed on radar data,” he said.",
    "“We are doing everything we can,” he said.",
], ids=["two-people", "unknown-name-last", "no-antecedent"])
def test_ambiguous_pronoun_is_left_out(text):
    assert said(text) == []


def test_two_speakers_in_one_paragraph_each_get_their_own_quote():
    text = ("“The bridge will be ready by spring,” Mayor Elena Brandt said. Councillor Tomas Vering disagreed: "
            "“Not one invoice has been paid.” “This is a tax on fishermen,” Vering said.")
    assert [s for s, _, _ in said(text)] == ["Elena Brandt", "Tomas Vering", "Tomas Vering"]


def test_the_role_resolves_to_the_one_person_with_that_title():
    text = "Health Minister Carla Jiménez spoke to parliament. “We delivered results,” the minister said."
    assert said(text) == [("Carla Jiménez", "direct", "We delivered results")]


def test_nested_quotes_stay_inside_the_outer_quote():
    text = "“When the hero shouts ‘Never again!’ you stop believing him,” critic Ana Ferreira wrote."
    assert said(text) == [("Ana Ferreira", "direct", "When the hero shouts ‘Never again!’ you stop believing him")]


@pytest.mark.parametrize("text", [
    "The strategy expects allies to take “primary responsibility” for defence.",
    "Critics have called the plan a “stealth tax”.",
    "In a statement, the Finance Ministry said: “The changes are revenue-neutral.”",
    "“It was like the sky fell in,” one resident recalled.",
    "A spokesman for Prime Minister Inga Ruginienė said: “The talks are over.”",
    "“We will appeal,” Budrys and Ruginienė said.",
    "The ministry said the rules would bring clarity to the market.",
], ids=["scare-quote", "called", "organisation", "unnamed", "spokesman-for", "joint", "ministry-reported"])
def test_no_person_no_quotation(text):
    assert said(text) == []


@pytest.mark.parametrize("text, speaker, clause", [
    ("Kestutis Budrys said that the EU was too slow.", "Kestutis Budrys", "the EU was too slow"),
    ("Lithuanian Foreign Minister Kestutis Budrys set out the position, stating that time is of the essence.",
     "Kestutis Budrys", "time is of the essence"),
    ("The ceasefire will hold through the winter, said Hanna Lindqvist, the UN envoy.", "Hanna Lindqvist",
     "The ceasefire will hold through the winter"),
    ("Health Minister Carla Jiménez told parliament that waiting lists had fallen.", "Carla Jiménez",
     "waiting lists had fallen"),
    ("According to Professor Lina Okafor, the drought is the worst in sixty years.", "Lina Okafor",
     "the drought is the worst in sixty years"),
    ("Tesla CEO Elon Musk said during the call in January that production is on hold.", "Elon Musk",
     "production is on hold"),
], ids=["said-that", "stating-that", "inverted", "told-listener-that", "according-to", "circumstance"])
def test_reported_speech(text, speaker, clause):
    assert said(text) == [(speaker, "reported", clause)]


@pytest.mark.parametrize("text", [
    "Ashleigh Barty claimed her first Wimbledon title on Saturday.",
    "Poet Percy Shelley wrote the poem The Mask of Anarchy later that year, that begins with images.",
], ids=["claimed-a-title", "wrote-an-object"])
def test_verbs_with_an_object_are_not_reported_speech(text):
    assert said(text) == []


def test_an_unclosed_quote_runs_to_the_end_of_its_paragraph():
    text = 'Dr. Bashir Abu-Manneh said: "It is right that Gurnah is awarded the prize ...\nNext paragraph.'
    assert said(text) == [("Bashir Abu-Manneh", "direct", "It is right that Gurnah is awarded the prize ...")]


def test_speaker_names_match_without_accents_or_case():
    assert normalise_speaker("Ruginienė") == normalise_speaker("ruginiene")
    assert same_speaker("Ruginiene", "Inga Ruginienė") and not same_speaker("Budrys", "Inga Ruginienė")


# -- robustness and speed ----------------------------------------------------------------------


def test_offsets_are_exact_on_every_labelled_text_and_on_noise():
    texts = [record["text"] for record in labelled_records()]
    rng = random.Random(7)
    pieces = [
        '"', "“", "”", "'", "‘", "’", " said ", " Budrys", " Inga Ruginienė", ", ", ". ", "\n", " he ", "that ", "word",
    ]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 80))) for _ in range(300)]
    for text in texts:
        for q in extract_quotations(text):
            assert text[q.start:q.end] == q.text and q.start < q.end and q.kind in ("direct", "reported")


def test_a_long_document_is_processed_quickly():
    text = "\n".join([SEED.read_text(encoding="utf-8")] * 100)  # about half a megabyte
    began = time.perf_counter()
    quotations = extract_quotations(text)
    assert time.perf_counter() - began < 10  # linear: about a second on one shared core
    assert len(quotations) == 100 * len(extract_quotations(SEED.read_text(encoding="utf-8")))


# -- the labelled set --------------------------------------------------------------------------


def test_labelled_set_precision_is_at_least_0_9():
    checks = [check_attributions(r["text"], extract_quotations(r["text"]), r["quotes"]) for r in labelled_records()]
    right, wrong = sum(len(c.right) for c in checks), sum(len(c.wrong) for c in checks)
    found, missed = sum(len(c.found) for c in checks), sum(len(c.missed) for c in checks)
    assert right + wrong >= 40 and found + missed >= 50  # the set is still there
    assert right / (right + wrong) >= 0.9, [q for c in checks for q in c.wrong]
    assert found / (found + missed) >= 0.7  # recall matters less, but must not collapse


def test_labels_are_exact_and_unique_substrings():
    for record in labelled_records():
        for label in record["quotes"]:
            assert record["text"].count(label["quote"]) == 1, (record["id"], label["quote"])
