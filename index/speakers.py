"""Who is quoted in the index: speakers gathered from the catalogue's quotation rows, a lone
surname ("Budrys") folded into the one fuller name ending in it ("Kestutis Budrys"), or into the one
of several that the documents call by it, and found by name or by title ("the prime minister")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .catalogue import Catalogue
from .identity import Person, agree, gender_of, people_of, person_of
from .names import normalise_speaker, same_speaker, split_title
from .records import SpeakerRow, StoredQuotation


@dataclass(frozen=True)
class Speaker:
    """A person quoted in the index. A surname seen alone in some documents ("Budrys") is folded
    into the one fuller name ending in it ("Kestutis Budrys"), when there is exactly one."""

    name: str
    keys: tuple[str, ...]  # the speaker_keys of their quotations
    forms: tuple[str, ...]
    title: str
    count: int  # quotations
    documents: int


@dataclass
class _Tally:
    """What the rows of one speaker key say: counts by name and title, forms, documents."""

    names: dict[str, int] = field(default_factory=dict)
    titles: dict[str, int] = field(default_factory=dict)
    forms: dict[str, None] = field(default_factory=dict)  # in order of appearance
    paths: set[str] = field(default_factory=set)

    def bare_forms(self) -> set[str]:
        """The forms of one word ("trump"), normalised: how a surname alone names this speaker."""
        return {normalise_speaker(f) for f in self.forms if " " not in f.strip()}


def group_speakers(rows: Iterable[SpeakerRow]) -> list[Speaker]:
    """Speakers from quotation rows, most quoted first: one person's keys are one speaker
    (`identity.people_of`), and a lone surname joins the only fuller name ending in it, or of
    several the dominant one the documents call by it."""
    by_key: dict[str, _Tally] = {}
    for row in rows:
        entry = by_key.setdefault(row.speaker_key, _Tally())
        entry.names[row.speaker] = entry.names.get(row.speaker, 0) + row.count
        if row.title:
            entry.titles[row.title] = entry.titles.get(row.title, 0) + row.count
        for form in row.forms:
            entry.forms[form] = None
        entry.paths.add(row.path)
    # One person's variants ("Defendant Donald J. Trump", "Donald Trump") are one speaker, under the
    # plainest of their keys (their first and last name when it is one of them, else the most quoted).
    persons = {key: person_of(key) for key in by_key}
    groups: dict[str, list[str]] = {}
    for keys in people_of(list(by_key)):
        bucket = persons[keys[0]].bucket
        lead = bucket if bucket in keys else max(keys, key=lambda k: sum(by_key[k].names.values()))
        groups[lead] = [lead, *(k for k in keys if k != lead)]
    by_surname: dict[str, list[str]] = {}  # surname -> the fuller names' groups ending in it
    for lead in groups:
        person = persons[lead]
        if person.first and not person.suffix:
            by_surname.setdefault(person.last, []).append(lead)
    for key in [k for k in groups if not persons[k].first]:
        _fold_surname(key, groups, by_key, persons, by_surname.get(persons[key].last, []))
    speakers = []
    for key, keys in groups.items():
        names: dict[str, int] = {}
        titles: dict[str, int] = {}
        forms: dict[str, None] = {}
        paths: set[str] = set()
        for entry in (by_key[k] for k in keys):
            for n, c in entry.names.items():
                names[n] = names.get(n, 0) + c
            for t, c in entry.titles.items():
                titles[t] = titles.get(t, 0) + c
            forms.update(entry.forms)
            paths |= entry.paths
        name = max(by_key[key].names.items(), key=lambda nc: (nc[1], len(nc[0])))[0]
        title = max(titles.items(), key=lambda tc: tc[1])[0] if titles else ""
        speakers.append(Speaker(
            name=name, keys=tuple(keys), forms=tuple(dict.fromkeys([name, *forms])), title=title,
            count=sum(names.values()), documents=len(paths),
        ))
    return sorted(speakers, key=lambda s: (-s.count, normalise_speaker(s.name)))


def _fold_surname(key: str, groups: dict[str, list[str]], by_key: dict[str, _Tally], persons: dict[str, Person],
                  fuller: list[str]) -> None:
    """A surname alone ("Budrys", "Mrs Smith") joins the one fuller name ending in it, of the same
    gender when its honorific says one; of several, the dominant one the documents call by it."""
    alone = persons[key]
    gender = alone.gender or gender_of([*by_key[key].titles, *by_key[key].forms])  # "Ms" titled, "Ms Smith"
    if gender:  # of the same gender, known if any is, else not known to differ
        same = [k for k in fuller if persons[k].gender == gender]
        fuller = same or [k for k in fuller if not persons[k].gender]
    if len(fuller) > 1:  # "Trump" alone: the Trump the documents call "Trump", the dominant one
        fuller = [k for k in fuller if any(key in by_key[g].bare_forms() for g in groups[k])]
        counts = {k: sum(sum(by_key[g].names.values()) for g in groups[k]) for k in fuller}
        top = max(fuller, key=lambda k: counts[k], default=None)
        fuller = [top] if top and counts[top] >= DOMINANT_SHARE * sum(counts.values()) else fuller
    if len(fuller) == 1:
        groups[fuller[0]] += groups.pop(key)


class SpeakerDirectory:
    """The speakers of one catalogue, and their quotations."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def speakers(self) -> list[Speaker]:
        """Everyone quoted in the index, most quoted first."""
        return group_speakers(self.catalogue.speaker_rows())

    def find(self, name: str) -> list[Speaker]:
        """Speakers a name denotes: the full name or the surname, any case, accents optional
        ("Ruginiene" finds "Inga Ruginienė"). A title before the name is ignored."""
        words = name.replace("’s", "").replace("'s", "").split()
        if words and words[0].casefold() == "the":
            words = words[1:]
        if not words:
            return []
        key = normalise_speaker(" ".join(words))
        candidates = [key]
        _, bare = split_title(" ".join(words))
        if bare and normalise_speaker(bare) != key:
            candidates.append(normalise_speaker(bare))
        for candidate in candidates:
            speakers = group_speakers(self.catalogue.speaker_rows(surname=candidate.split()[-1]))
            # A full name finds that person ("Melania Trump" is not Donald Trump, though both are
            # "Trump"); a bearer of the surname alone only when no full name matches.
            found = [s for s in speakers if _names(candidate, s)] if " " in candidate else []
            found = found or [
                s for s in speakers
                if any(same_speaker(candidate, k) for k in s.keys) or any(same_speaker(candidate, f) for f in s.forms)
            ]
            if found:
                return found
        return []

    def find_by_title(self, title: str) -> list[Speaker]:
        """Speakers whose title is `title` or ends with it: "the prime minister" finds a "Prime Minister"."""
        words = normalise_speaker(title).split()
        if words and words[0] == "the":
            words = words[1:]
        if not words:
            return []
        wanted = " ".join(words)
        titled = self.catalogue.titled_speaker_keys(wanted)
        return [s for s in group_speakers(self.catalogue.speaker_rows(title=wanted)) if titled & set(s.keys)]

    def quotations(self, speaker: Speaker | str) -> list[StoredQuotation]:
        """A speaker's quotations (a Speaker, or a name as `find` takes it), by document, in document order."""
        speakers = [speaker] if isinstance(speaker, Speaker) else self.find(speaker)
        return self.catalogue.quotations_of([k for s in speakers for k in s.keys])


def _names(candidate: str, speaker: Speaker) -> bool:
    """Whether a full name (normalised) is one of the speaker's names, role labels and middle
    initials aside ("donald j. trump" is Donald Trump)."""
    wanted = person_of(candidate)
    return any(_same_person(person_of(k), wanted) for k in speaker.keys) or any(
        _same_person(person_of(normalise_speaker(f)), wanted) for f in speaker.forms if " " in f.strip())


def _same_person(a: Person, b: Person) -> bool:
    return a.bucket == b.bucket and agree(a.middle, b.middle)


# A surname alone ("Trump") means the one speaker it names in most of the documents when that one
# has at least this share of all the quotations of those the documents call by it.
DOMINANT_SHARE = 0.8


def called_by(speakers: list[Speaker], name: str) -> list[Speaker]:
    """Of several speakers a lone surname finds (Donald Trump, Melania Trump), those the documents
    call by that word alone ("Trump said"), and of those the dominant one (DOMINANT_SHARE of their
    quotations) when there is one; all of them when none is called so.

    >>> d = Speaker("Donald Trump", ("donald trump",), ("Donald Trump", "Trump"), "", 30, 14)
    >>> m = Speaker("Melania Trump", ("melania trump",), ("Melania Trump", "Trump"), "", 2, 1)
    >>> j = Speaker("John Smith", ("john smith",), ("John Smith", "Smith"), "", 5, 2)
    >>> a = Speaker("Adam Smith", ("adam smith",), ("Adam Smith", "Smith"), "", 4, 2)
    >>> [s.name for s in called_by([d, m], "Trump")], len(called_by([j, a], "Smith"))
    (['Donald Trump'], 2)
    """
    word = normalise_speaker(name)
    if " " in word or len(speakers) < 2:
        return speakers
    called = [s for s in speakers if any(normalise_speaker(f) == word for f in s.forms)] or speakers
    top = max(called, key=lambda s: s.count)
    return [top] if top.count >= DOMINANT_SHARE * sum(s.count for s in called) else called
