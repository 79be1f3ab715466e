"""One person's name variants are one speaker, similar names of different people are not
(index/identity.py): the cases the speaker-merge list in tests/data/quotes/merges.jsonl is made of."""

from __future__ import annotations

import pytest

from index.identity import agree, people_of, person_of


def grouped(*keys: str) -> set[frozenset[str]]:
    return {frozenset(group) for group in people_of(list(keys))}


@pytest.mark.parametrize("keys", [
    ("donald trump", "defendant donald j. trump", "president-elect donald trump", "former donald trump"),
    ("jane smith", "dr jane smith", "dr. jane smith"),
    ("john smith", "john smith sr."),  # the father goes by the plain name
    ("ursula von der leyen", "ursula von der leyen"),
    ("goldman sachs", "goldman sachs group inc."),
    ("john smith jr", "john smith jr."),
    ("j.k. rowling", "j. k. rowling"),
    ("queen elizabeth ii", "the late queen elizabeth ii"),
    ("george h. w. bush", "george h.w. bush", "george herbert walker bush"),
    ("hillary rodham clinton", "hillary clinton"),
])
def test_variants_of_one_person_are_one_group(keys):
    assert grouped(*keys) == {frozenset(keys)}


@pytest.mark.parametrize("keys", [
    ("donald trump", "melania trump"),
    ("john smith", "john smith jr."),  # the son is another person
    ("jane smith", "adam smith"),
    ("george h. w. bush", "george w. bush"),
    ("norsk hydro", "statoilhydro"),
    ("new york university", "new york group"),  # a kind of body is part of its name
    ("mr smith", "ms smith"),
])
def test_different_people_stay_apart(keys):
    assert grouped(*keys) == {frozenset([k]) for k in keys}


def test_a_name_without_a_middle_is_nobody_in_particular_between_two_who_have_one():
    assert grouped("george h. w. bush", "george w. bush", "george bush") == {
        frozenset(["george h. w. bush"]), frozenset(["george w. bush"]), frozenset(["george bush"])}
    assert grouped("donald j. trump", "donald trump") == {frozenset(["donald j. trump", "donald trump"])}
    # In any order: "John P. Smith" is Paul or Peter, so it joins neither.
    for keys in (["john paul smith", "john peter smith", "john p. smith"],
                 ["john p. smith", "john paul smith", "john peter smith"]):
        assert len(people_of(keys)) == 3, keys


def test_the_parts_of_a_name():
    assert person_of("ursula von der leyen").last == "von der leyen"
    assert person_of("von der leyen").first == ""  # a surname alone, particles and all
    assert person_of("ms smith").bucket == "smith" and person_of("john smith jr.").suffix == "jr."
    assert person_of("al gore").first == "al" and person_of("ms smith").gender == "f"
    assert agree(("j",), ("john",)) and not agree(("h", "w"), ("w",)) and agree((), ("h", "w"))


@pytest.mark.parametrize("name, label", [
    ("Farmer Anna Rigoni", ("Farmer", "Anna Rigoni")),
    ("Defendant Donald J. Trump", ("Defendant", "Donald J. Trump")),
    ("Student Loans Company", ("", "Student Loans Company")),
    ("Volunteer Fire Department", ("", "Volunteer Fire Department")),
], ids=["a-job", "a-court-label", "an-organisation-opening-with-a-job", "another"])
def test_a_job_is_a_label_only_before_a_persons_name(name, label):
    from index.names import role_label
    assert role_label(name) == label


def test_an_organisation_keeps_a_job_word_that_opens_it():
    assert person_of("trader joe's").bucket == "trader joe's"
