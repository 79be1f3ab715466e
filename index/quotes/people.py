"""The people of one document, as the quotation extractor knows them: a canonical name (the
fullest form seen), the forms it was written in, and a title."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..names import NAME_RUN_PATTERN, ROLE_NOUNS, normalise_speaker, split_title


@dataclass
class Person:
    name: str
    title: str = ""
    forms: list[str] = field(default_factory=list)


class People:
    """The people of one document: names seen after a title or with a speech verb; and every
    name-like run of two words or more, which a lone surname may stand for."""

    def __init__(self, text: str):
        self.people: dict[str, Person] = {}
        self.by_last_word: dict[str, set[str]] = {}  # full names and known people, by last word
        titled = []
        for m in NAME_RUN_PATTERN.finditer(text):
            title, name = split_title(m.group())
            if len(name.split()) >= 2:
                self._index(name)
            role_before = text[max(0, m.start() - 30):m.start()].split()[-1:]
            if name and (title or (len(name.split()) >= 2 and role_before and role_before[0] in ROLE_NOUNS)):
                titled.append(m.group())
        for run in titled:  # "Prime Minister Inga Ruginienė", "judge Amara Nwosu", "President Biden"
            self.resolve(run)

    def resolve(self, run: str) -> Person | None:
        """The person a run like "Ruginienė" or "Prime Minister Inga Ruginienė" names (registered
        now if new), or None."""
        title, name = split_title(run)
        canonical = self._canonical(name, title)
        if canonical is None:
            return None
        if canonical not in self.people:
            self.people[canonical] = Person(canonical)
            self._index(canonical)
        person = self.people[canonical]
        person.title = person.title or title
        for form in (canonical, name):
            if form not in person.forms:
                person.forms.append(form)
        return person

    def _index(self, name: str) -> None:
        self.by_last_word.setdefault(normalise_speaker(name).split()[-1], set()).add(name)

    def find(self, run: str) -> Person | None:
        """The already known person a run names, or None."""
        title, name = split_title(run)
        canonical = self._canonical(name, title)
        return self.people.get(canonical) if canonical else None

    def _canonical(self, name: str, title: str) -> str | None:
        """The fullest known form of `name`: a lone word stands for the one longer name ending
        with it; a name of two words or more for the one known person whose name ends with it."""
        if not name:
            return None
        key = normalise_speaker(name).split()
        pool = self.by_last_word.get(key[-1], set())
        fuller = {full for full in pool if (len(key) == 1 or full in self.people)
                  and len(full.split()) > len(key) and normalise_speaker(full).split()[-len(key):] == key}
        shortest = min(fuller, key=lambda f: len(f.split()), default=None)
        # Nested forms ("Marco Polo", "Venetian Marco Polo") are one person, named by the shortest:
        # a longer one is more often a sentence's first word glued to the name than a fuller name.
        if shortest and all(normalise_speaker(f).endswith(normalise_speaker(shortest)) for f in fuller):
            return shortest
        if fuller:
            return None  # "Russo" with "Anthony Russo" and "Joe Russo"
        if len(key) == 1 and not title:
            return None  # a lone capitalised word: a country or a company as often as a surname
        return name

    def with_role(self, phrase: str) -> Person | None:
        """The one person whose title contains `phrase` ("the minister"), if exactly one does."""
        words = phrase.split()[1:]  # without "the"
        if not words or words[-1] not in ROLE_NOUNS:
            return None
        matches = [p for p in self.people.values() if f" {' '.join(words)} " in f" {p.title.casefold()} "]
        return matches[0] if len(matches) == 1 else None
