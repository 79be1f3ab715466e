"""The people of one document, as the quotation extractor knows them: a canonical name (the
fullest form seen), the forms it was written in, and a title; and the organisations that may speak
("Halvorsen Bank", "Qorix" for Qorix Software), kept with them as speakers of their own."""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from dataclasses import dataclass, field

from ..names import (
    COMPOUND_ADJECTIVE,
    FOLDED_PARTICLES,
    NAME_RUN,
    NAME_RUN_PATTERN,
    NOT_NAME_WORDS,
    ROLE_NOUNS,
    normalise_speaker,
    split_title,
)
from ..terms import SPEECH_VERBS
from . import lexicon
from .organisations import find_organisations


@dataclass
class Person:
    name: str
    title: str = ""
    forms: list[str] = field(default_factory=list)


# A name with an apposition that says it is a person: "Tobias Hale, who plays ...", "Marcus Feld, a
# fisheries scientist at ...".
_PERSON_APPOSITION = re.compile(
    rf"(?<![\w'’.\-])(?P<run>{NAME_RUN}),\s+(?:who(?:se)?\b|(?:a|an|the)\s+(?:[\w'’\-]+\s+){{0,3}}?"
    rf"(?:{'|'.join(sorted(ROLE_NOUNS))})\b|(?:[a-z][\w\-]*\s+)?(?:head|{'|'.join(sorted(ROLE_NOUNS))})\s+of\s)"
)
# "His wife and business partner, Claudine Roux", "the boy's mother, Ana Ruiz": her gender.
_KIN_APPOSITION = re.compile(
    rf"\b(?:[Hh]is|[Hh]er|[Tt]heir|[Tt]he|[Aa])\s+(?:[\w'’\-]+\s+){{0,2}}?(?P<kin>wife|husband|mother|father|son|"
    rf"daughter|brother|sister|widow|widower|grandmother|grandfather|aunt|uncle|niece|nephew)"
    rf"(?:\s+and\s+(?:[\w\-]+\s+){{0,2}}?[\w\-]+)?,\s+(?P<run>{NAME_RUN})")
# "X said she ...", "X, who ..., told reporters he ...": what the subject says of themself.
_SAID_PRONOUN = re.compile(
    rf"(?<![\w'’.\-])(?P<run>{NAME_RUN})(?:,\s+[^,;“”\"]{{1,90}},)?\s+(?:said|says|told\s+[a-z]+)\s+(?:that\s+)?"
    rf"(?P<pron>[Ss]he|[Hh]e)\s+(?!said|told)")
_PREPOSITIONS = frozenset("in at on from to of for with by near outside inside across into over".split())
class People:
    """The people of one document: names seen after a title or with a speech verb; and every
    name-like run of two words or more, which a lone surname may stand for. Organisations named
    with a word of their kind ("Bank", "University") or as a company ("shares in Norsk Hydro")."""

    def __init__(self, text: str):
        self.text = text
        self.people: dict[str, Person] = {}
        self.by_last_word: dict[str, set[str]] = {}  # full names and known people, by last word
        self.by_first_word: dict[str, set[str]] = {}  # full names (normalised) by their first word
        self.by_middle_word: dict[str, set[str]] = {}  # names of three words by their second ("Olivera")
        self.by_first_word_of_three: dict[str, set[str]] = {}  # and by their first ("Lim" of Lim Hui Min, Kim Ji-hoon)
        self.introduced: set[str] = set()  # people named with a title or a role ("President Donald Trump")
        self.organisations: dict[str, frozenset[str]] = {}  # name -> what "the ..." may call it
        self.acronyms: dict[str, str] = {}  # "NCDC" -> the name written before "(NCDC)"
        self.gender_cues: dict[str, set[str]] = {}  # canonical name -> {"f", "m"} as the text says
        self.roles: dict[str, set[str]] = {}  # canonical name -> role nouns written before it ("chef")
        titled = []
        self.title_ends: dict[str, tuple[str, str]] = {}  # "Ports Ellis Laville" -> ("Ports", "Ellis Laville")
        for m in NAME_RUN_PATTERN.finditer(text):
            parts = m.group().split()
            if len(parts) >= 3 and _LONG_TITLE_BEFORE.search(text, max(0, m.start() - 120), m.start()):
                k = 3 if len(parts) >= 4 and parts[-3].casefold() in lexicon.GIVEN_NAMES else 2
                self.title_ends[m.group()] = (" ".join(parts[:-k]), " ".join(parts[-k:]))
            title, name = self.title_ends.get(m.group()) or _without_descriptor(*split_title(m.group()))
            if len(name.split()) >= 2:
                self._index(name)
            role_before = text[max(0, m.start() - 30):m.start()].split()[-1:]
            if name and (title or (len(name.split()) >= 2 and role_before and role_before[0] in ROLE_NOUNS)):
                titled.append((m.group(), role_before[0].casefold() if role_before else ""))
        self._sorted_organisations: list[str] | None = None  # set once every organisation is found
        self._by_first_word: dict[str, list[str]] | None = None  # made on first use, once all are found
        self.long_by_last_word: dict[str, list[str]] = {}  # the long organisations by their last word, once found
        self._find_organisations(text)
        # The organisations of more than one word, longest first (found once: none is added later).
        self.long_organisations = sorted((o for o in self.organisations if " " in o), key=len, reverse=True)
        for o in self.long_organisations:
            self.long_by_last_word.setdefault(o.rsplit(" ", 1)[-1], []).append(o)
        self._sorted_organisations = sorted(self.organisations)  # for the names that start with a run
        for run, before in titled:  # "Prime Minister Inga Ruginienė", "judge Amara Nwosu", "President Biden"
            person = self.resolve(run)
            if person and person.name not in self.organisations:
                self.introduced.add(person.name)
                words = {w.casefold() for w in [before, *split_title(run)[0].split()]}
                self._cue(person.name, words)
                if before in ROLE_NOUNS:
                    self.roles.setdefault(person.name, set()).add(before)
        for m in _KIN_APPOSITION.finditer(text):  # "His wife and business partner, Claudine Roux": a woman
            person = self.resolve(m.group("run")) if split_title(m.group("run"))[1] else None
            if person and not self.is_organisation(person.name):
                self._cue(person.name, {m.group("kin").casefold()})
        for m in _PERSON_APPOSITION.finditer(text):  # "Hale, who plays ...": a person, known from now on
            previous = text[max(0, m.start() - 20):m.start()].split()[-1:]
            if m.group("run").split()[0].casefold() not in NOT_NAME_WORDS and not (
                    previous and previous[0] in _PREPOSITIONS) and not self.organisation(m.group("run")):
                self.resolve(m.group("run"))
        for m in _SAID_PRONOUN.finditer(text):  # "Dana Whitcombe, who ..., said she shared": a woman
            run, pronoun = m.group("run"), ("f" if m.group("pron").casefold() == "she" else "m")
            if (" " not in run and split_title(run)[1] == run and run not in self.organisations
                    and self.organisation(run)):  # "Johnson said he ...": a person, not Johnson Services
                self._register(run, "", run)
                self.gender_cues.setdefault(run, set()).add(pronoun)
            person = self.resolve(run) if split_title(run)[1] else None
            if person and not self.is_organisation(person.name):
                self.gender_cues.setdefault(person.name, set()).add(pronoun)

    def _find_organisations(self, text: str) -> None:
        find_organisations(self, text)

    def _cue(self, name: str, words: set[str]) -> None:
        """Record the gender that words before a name ("Mrs.", "spokeswoman") say."""
        cues = self.gender_cues.setdefault(name, set())
        cues |= {"f"} if words & lexicon.FEMALE_WORDS else set()
        cues |= {"m"} if words & lexicon.MALE_WORDS else set()

    def gender(self, name: str) -> str:
        """ "f" or "m" when the text (or a common given name) says so, without contradiction; else ""."""
        cues = set(self.gender_cues.get(name, set()))
        first = name.split()[0].casefold() if " " in name else ""
        cues |= {"f"} if first in lexicon.FEMALE_NAMES else {"m"} if first in lexicon.MALE_NAMES else set()
        return next(iter(cues)) if len(cues) == 1 else ""

    def learn_gender(self, name: str, gender: str) -> None:
        """Record what a resolved "he" ("m") or "she" ("f") says of a person."""
        self.gender_cues.setdefault(name, set()).add(gender)

    def resolve(self, run: str) -> Person | None:
        """The person (or organisation) a run like "Ruginienė", "Prime Minister Inga Ruginienė" or
        "Halvorsen Bank" names (registered now if new), or None."""
        org = self.organisation(run)
        if org:
            return self._register(org, "", org)
        title, name = self.title_ends.get(run) or _without_descriptor(*split_title(run))
        if lexicon.a_described_place(name):
            return None  # "Neighbouring Togo said": a country
        canonical = None if self._both(name) else self._canonical(name, title, _words_before(run, name))
        return self._register(canonical, title, name) if canonical else None

    def _register(self, canonical: str, title: str, form: str) -> Person:
        if canonical not in self.people:
            self.people[canonical] = Person(canonical)
            self._index(canonical)
        person = self.people[canonical]
        person.title = person.title or title
        for f in (canonical, form):
            if f not in person.forms:
                person.forms.append(f)
        return person

    def organisation(self, run: str) -> str | None:
        """The known organisation a run names: its name, or the start of one name ("Qorix" for
        Qorix Software, "Texas Tech" for Texas Tech University)."""
        words = run.split()
        while words and words[0].casefold() in NOT_NAME_WORDS:
            words = words[1:]
        if not words:
            return None
        name = " ".join(words)
        if name in self.organisations:
            return name
        if name in self.acronyms:
            return self.acronyms[name]  # "the NCDC" after "the Nigeria Centre for ... (NCDC)"
        if re.fullmatch(r"[A-Z]{3,6}", name):  # "The ICC said" after "the International Cricket Council"
            spelt = [o for o in self.organisations if _initials(o) == name and len(_initials(o)) >= 3]
            return spelt[0] if len(spelt) == 1 and name not in _NOT_ACRONYMS else None
        prefix, ordered = name + " ", self._sorted_organisations
        if ordered is None:  # still finding them
            longer = [o for o in self.organisations if o.startswith(prefix)]
        else:
            i = bisect_left(ordered, prefix)
            longer = list(itertools.takewhile(lambda o: o.startswith(prefix), ordered[i:i + 2]))
        if len(longer) == 1 and not self._person_ending(name):
            return longer[0]
        if len(words) < 2 or name in self.people or words[0].casefold() in lexicon.GIVEN_NAMES:
            return None  # "Rafael del Pino" is no Fundación Rafael del Pino
        ending = [o for o in self.long_by_last_word.get(words[-1], ()) if o.endswith(" " + name)]
        return ending[0] if len(ending) == 1 else None  # "Vila Serrana" for Esporte Clube Vila Serrana

    def organisations_starting(self, word: str) -> list[str]:
        """The organisations whose name starts with `word`, longest first."""
        if self._by_first_word is None:
            self._by_first_word = {}
            for o in sorted(self.organisations, key=len, reverse=True):
                self._by_first_word.setdefault(o.split(None, 1)[0], []).append(o)
        return self._by_first_word.get(word, [])

    def _person_ending(self, word: str) -> bool:
        """Whether a person's name ends with `word` ("Michael Bloomberg" for "Bloomberg")."""
        return any(p not in self.organisations for p in self.by_last_word.get(normalise_speaker(word), ()))

    def _both(self, name: str) -> bool:
        """Whether a lone word may be an organisation named after it or a person of that surname:
        "Bloomberg" with Bloomberg News and Michael Bloomberg named; either, so neither."""
        return " " not in name and self._person_ending(name) and not self.gender_cues.get(name) and any(
            o.startswith(name + " ") for o in self.organisations)

    def speaking_alone(self, run: str) -> Person | None:
        """A lone word that speaks ("Hendricks said", "Google said") when the document has no
        fuller name for it: a surname or an organisation, either way its name. Not a country or
        a capital ("Japan said"), nor a plural noun opening the sentence ("Officials said")."""
        title, name = split_title(run)
        word = name.casefold()
        if title or " " in name or not name or word in lexicon.PLACES or word in lexicon.GROUP_NOUNS:
            return None
        if self.by_last_word.get(normalise_speaker(name)) or self.by_middle_word.get(normalise_speaker(name)):
            return None  # "Russo" with "Anthony Russo" and "Joe Russo", "Olivera" with two Oliveras: not alone
        return self._register(name, "", name)

    def spoken_alone(self, word: str) -> Person | None:
        """The speaker a lone word already named with no title, role or gender ("Parcelink said"):
        after "a spokesperson for", an organisation rather than a person."""
        person = self.people.get(word)
        if person is None or " " in word or person.title or word in self.introduced or self.gender(word):
            return None
        return person

    def is_organisation(self, name: str) -> bool:
        return name in self.organisations

    def _index(self, name: str) -> None:
        key = normalise_speaker(name).split()
        self.by_last_word.setdefault(key[-1], set()).add(name)
        if len(key) >= 2:
            self.by_first_word.setdefault(key[0], set()).add(" ".join(key))
        if len(key) == 3 and key[1] not in FOLDED_PARTICLES:
            self.by_middle_word.setdefault(key[1], set()).add(name)
            self.by_first_word_of_three.setdefault(key[0], set()).add(name)
        elif len(key) == 2 and "-" in key[1]:
            self.by_first_word_of_three.setdefault(key[0], set()).add(name)  # "Kim Ji-hoon": a family name first

    def find(self, run: str) -> Person | None:
        """The already known person a run names, or None."""
        org = self.organisation(run)
        if org:
            return self.people.get(org)
        title, name = split_title(run)
        canonical = self._canonical(name, title, _words_before(run, name))
        return self.people.get(canonical) if canonical else None

    def _canonical(self, name: str, title: str, before: frozenset[str] = frozenset()) -> str | None:
        """The fullest known form of `name`: a lone word stands for the one longer name ending
        with it; a name of two words or more for the one known person whose name ends with it."""
        if not name:
            return None
        key = normalise_speaker(name).split()
        pool = self.by_last_word.get(key[-1], set())
        surname = len(key) == 1 or (len(key) == 2 and key[0] in FOLDED_PARTICLES)  # "De Wilde"
        fuller = {full for full in pool if (surname or full in self.people)
                  and len(full.split()) > len(key) and normalise_speaker(full).split()[-len(key):] == key}
        shortest = min(fuller, key=lambda f: len(f.split()), default=None)
        # Nested forms ("Marco Polo", "Venetian Marco Polo") are one person, named by the shortest:
        # a longer one is more often a sentence's first word glued to the name than a fuller name.
        if shortest and all(normalise_speaker(f).endswith(normalise_speaker(shortest)) for f in fuller):
            return shortest
        if fuller:
            return self._shared_surname(fuller, before)
        if len(key) == 1 and not pool and (paternal := self._paternal_surname(key[0])):
            return paternal
        if len(key) == 1 and not pool and (family := self._family_name_first(key[0])) and (
                before & _HONORIFICS or "-" in family):  # "Ms. Lim" for Lim Hui Min; "Kim said" for Kim Ji-hoon
            return family  # "Ms. Lim" for Lim Hui Min
        if name in self.people:
            return name  # a surname the document only ever gives alone ("Officer Ruiz", then "Ruiz")
        if len(key) == 1 and not title:
            return None  # a lone capitalised word: a country or a company as often as a surname
        return name

    def _family_name_first(self, word: str) -> str | None:
        """The one speaker of three names whose first one is `word`, a family name written first
        ("Ms. Lim" for Lim Hui Min, who spoke before), when no other name starts with it ("Kim Yo-jong")."""
        names = [n for n in self.by_first_word_of_three.get(word, ()) if n not in self.organisations]
        spoke = rf"{re.escape(names[0])}[^.!?“”\"]{{0,120}}?\b(?:{_SPEECH_VERB})\b" if len(names) == 1 else ""
        if not spoke or not re.search(spoke, self.text):
            return None  # a speaker ("Lim Hui Min, the chief executive, said"), not "Lim Hui Min was injured"
        return None if self.by_first_word.get(word, set()) - {normalise_speaker(names[0])} else names[0]

    def _paternal_surname(self, word: str) -> str | None:
        """The one person of three names whose middle one is `word`, when no name ends with it:
        "Olivera" for Martín Olivera Sosa, whose first surname is the one used alone."""
        names = [n for n in self.by_middle_word.get(word, ()) if n not in self.organisations
                 and n.split()[-1].casefold() not in lexicon.ORGANISATION_NOUNS]
        if word in lexicon.GIVEN_NAMES:
            return None  # "José" of María José García: a given name, maybe someone else's
        return names[0] if len(names) == 1 else None

    def _shared_surname(self, fuller: set[str], before: frozenset[str]) -> str | None:
        """Of several people a surname may name ("Trump": Donald and Melania), the one introduced
        with a title or role ("President Donald Trump") when the others never are; after an
        honorific ("Mrs Trump") only the one of its gender. Otherwise nobody."""
        people = {self.people[f].name for f in fuller if f in self.people} | {f for f in fuller if f not in self.people}
        if before & (lexicon.FEMALE_WORDS | lexicon.MALE_WORDS):
            g = "f" if before & lexicon.FEMALE_WORDS else "m"
            matching = [p for p in people if self.gender(p) == g]
            return matching[0] if len(matching) == 1 and all(self.gender(p) for p in people) else None
        if before:
            return None  # "Dr. Trump", "Senator Smith": not the one introduced otherwise
        introduced = [p for p in people if p in self.introduced]
        return introduced[0] if len(introduced) == 1 else None

    def with_role(self, phrase: str, at: int | None = None) -> Person | None:
        """The one person whose title contains `phrase` ("the minister"), if exactly one does; or
        the one organisation of that kind ("the bank", "the company"); not one first named later in
        the sentence at `at`: "The company said it hired the firm Blackwell Labs" is not Blackwell Labs."""
        words = phrase.split()[1:]  # without "the"
        if words and words[-1] in lexicon.ORGANISATION_NOUNS and words[-1] not in ROLE_NOUNS:
            return self.of_kind(words, at)
        if not words or words[-1] not in ROLE_NOUNS:
            return None
        matches = [p for p in self.people.values() if f" {' '.join(words)} " in f" {p.title.casefold()} "
                   or (len(words) == 1 and words[0] in self.roles.get(p.name, ()))]  # "chef Armand Roux"
        return matches[0] if len(matches) == 1 else None

    def of_kind(self, words: list[str], at: int | None = None) -> Person | None:
        """The one organisation that "the <words>" ("the bank", "the foreign ministry") can be,
        but not one first named later in the sentence at `at` (its object, not its subject); of
        those, the ones named before `at` if any are."""
        kind, qualifiers = words[-1], [q for q in words[:-1] if not COMPOUND_ADJECTIVE.fullmatch(q)]  # "Bergamo-based"
        alike = _REGULATORS if kind in ("regulator", "watchdog") else {kind}  # "the regulator": its board
        matches = [o for o, kinds in self.organisations.items() if alike & kinds
                   and (all(q in o.casefold().split() for q in qualifiers)  # "the foreign ministry"
                        or f" {o.casefold()} " in f" {' '.join(qualifiers)} ")  # "the Solidarity trade union"
                   and not (at is not None and self._named_later_in_sentence(o, at))]
        earlier = [o for o in matches if at is not None and 0 <= self.text.find(o) < at]
        lead = at is None or "\n" not in self.text[:at].strip()  # a lead's "the company said" may look ahead
        matches = earlier or (matches if lead else [])  # "the company" looks back, past its lead
        return self._register(matches[0], "", matches[0]) if len(matches) == 1 else None

    def _named_later_in_sentence(self, name: str, at: int) -> bool:
        first = self.text.find(name)
        return first >= at and not re.search(r"[.!?]\s", self.text[at:first])


# What "the regulator" or "the watchdog" may be named: "the Competition Board", "the Energy Authority".
_REGULATORS = frozenset("regulator watchdog authority commission board office agency inspectorate".split())
_SPEECH_VERB = "|".join(SPEECH_VERBS)
_HONORIFICS = frozenset("mr mr. mrs mrs. ms ms. miss mx mx. madam".split())
_NOT_ACRONYMS = frozenset("CEO CFO COO CTO MP PM AG DA GM US UK UN EU USA".split())


# The start of a long title whose last field is glued to the name after it: "Minister for Public
# Works, Water Resources and (Ports Ellis Laville)", "State Councillor for Economy and (Territorial
# Development Pascal Rey)".
_LONG_TITLE_BEFORE = re.compile(
    r"\b(?:Minister|Secretary|Councillor|Commissioner|Director|Senator|Member)\s+(?:for|of)\s+[^.;:“”\"]{0,100}?"
    r"\band\s+$")


def _without_descriptor(title: str, name: str) -> tuple[str, str]:
    """A word saying what someone is, glued before a given name at a sentence's start, goes to the
    title: "Challenger Katarzyna Nowicka" is Katarzyna Nowicka, "Farmer Anna Rigoni" Anna Rigoni."""
    words = name.split()
    given = lexicon.GIVEN_NAMES
    if (len(words) >= 3 and words[0].casefold() not in given and words[1].casefold() in given
            and words[0].casefold().endswith(("er", "or", "ist", "ian", "ant", "ent"))):  # not "Luz Marina Ospina"
        return " ".join([*title.split(), words[0]]), " ".join(words[1:])
    return title, name


def _initials(name: str) -> str:
    """ "ICC" for International Cricket Council (small words left out)."""
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def _words_before(run: str, name: str) -> frozenset[str]:
    """The words of a run before its name, folded: {"mrs"} for "Mrs Trump"."""
    words = run.split()
    return frozenset(w.casefold() for w in words[:len(words) - len(name.split())]) if name else frozenset()
