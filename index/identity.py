"""When two speaker keys are one person: "Defendant Donald J. Trump" and "Donald Trump" are, "George
H. W. Bush" and "George W. Bush" are not, nor are "John Smith" and "John Smith Jr.".

A key (a normalised name, see `names.normalise_speaker`) reads as its person's first and last
names (`Person.bucket`, suffix included) and the middle words between them. Keys of one bucket are
one person when their middles agree: one is a prefix of the other, word by word, an initial
standing for any name it begins ("j." for "john"). A key with no middle joins the one person of its
bucket who has one, and stays apart when several do ("George Bush" between the two presidents).
Role labels and honorifics before a name ("defendant", "former", "dr") and corporate designators
after an organisation's name ("inc.", "group") say nothing of who it is and are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .names import PARTICLES, ROLE_LABELS
from .quotes.lexicon import FEMALE_NAMES, FEMALE_WORDS, MALE_NAMES, MALE_WORDS

# After a name: the son is another person ("jr.", "ii"); "sr." names the father, who also goes by
# the plain name. After an organisation: its legal form, not another body.
_KEPT_SUFFIXES = frozenset("jr. jr ii iii iv v".split())
_DROPPED_SUFFIXES = frozenset("sr. sr inc inc. corp corp. ltd ltd. plc asa ag sa s.a. llc co. group holdings".split())
_PARTICLE = re.compile(PARTICLES)
_INITIALS = re.compile(r"(?:[^\W\d_]\.){1,4}")  # "j.", "h.w."
_INITIAL = re.compile(r"^[^\W\d_]\.?$")  # "j." or "j" between first and last name


@dataclass(frozen=True)
class Person:
    first: str  # "" for a surname alone: "budrys", "von der leyen"
    last: str  # the surname with its particles: "trump", "von der leyen"
    middle: tuple[str, ...] = ()  # the words between, initials as bare letters: ("j",), ("h", "w")
    suffix: str = ""  # "jr.", "ii": the son, the second
    gender: str = ""  # "f" or "m" when an honorific or a common given name says it ("Mrs Smith", "Jane")

    @property
    def bucket(self) -> str:
        """First and last name, and a kept suffix: "donald trump", "john smith jr."."""
        return " ".join(w for w in (self.first, self.last, self.suffix) if w)


def person_of(key: str) -> Person:
    """The first and last names of a speaker key and what stands between them.

    >>> person_of("defendant donald j. trump")
    Person(first='donald', last='trump', middle=('j',), suffix='', gender='m')
    >>> person_of("the late queen elizabeth ii").bucket, person_of("ursula von der leyen").last
    ('queen elizabeth ii', 'von der leyen')
    >>> person_of("george h.w. bush").middle, person_of("goldman sachs group inc.").bucket, person_of("ms smith")
    (('h', 'w'), 'goldman sachs', Person(first='', last='smith', middle=(), suffix='', gender='f'))
    """
    words = [w for word in key.split() for w in _tokens(word)]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    gender = ""
    while len(words) > 1 and words[0] in ROLE_LABELS:  # "ms smith" is Smith; "dr jane smith" Jane Smith
        gender = gender or _gender(words[0])
        words = words[1:]
    while len(words) > 2 and words[-1] in _DROPPED_SUFFIXES:
        words = words[:-1]
    suffix = ""
    if len(words) > 2 and words[-1] in _KEPT_SUFFIXES:
        suffix, words = words[-1], words[:-1]
    # The surname starts at its particles: "von der leyen", "de la cruz"; "al gore" is Al Gore.
    cut = len(words) - 1
    while cut > 0 and _PARTICLE.fullmatch(words[cut - 1]) and not (cut == 1 and len(words) == 2 and words[0] == "al"):
        cut -= 1
    if cut == 0 or not words:
        return Person("", " ".join(words), (), suffix, gender)
    middle: list[str] = []
    for word in words[1:cut]:
        middle.append(word.rstrip(".") if _INITIAL.match(word) else word)
    return Person(words[0], " ".join(words[cut:]), tuple(middle), suffix, gender or _gender(words[0]))


def _tokens(word: str) -> list[str]:
    """A word as name parts: "j.k." is two initials, "jr" is "jr."."""
    if _INITIALS.fullmatch(word) and word.count(".") > 1:
        return [f"{letter}." for letter in word.replace(".", "")]
    return ["jr."] if word == "jr" else [word]


def gender_of(names: list[str]) -> str:
    """'f' or 'm' when the first words of these titles or names ("Ms", "Ms Smith") agree on one."""
    found = {_gender(n.split()[0].casefold()) for n in names if n.split()} - {""}
    return found.pop() if len(found) == 1 else ""


def _gender(word: str) -> str:
    """'f' or 'm' for a gendered honorific or a common given name, else ''."""
    if word in FEMALE_WORDS or word in FEMALE_NAMES:
        return "f"
    return "m" if word in MALE_WORDS or word in MALE_NAMES else ""


def agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two middles may be one person's: the shorter a prefix of the longer, word by word,
    an initial matching the names it begins.

    >>> agree(("j",), ()), agree(("j",), ("john",)), agree(("h", "w"), ("w",)), agree(("rodham",), ())
    (True, True, False, True)
    """
    short, long = sorted((a, b), key=len)
    return all(s == t or (len(s) == 1 and t.startswith(s)) or (len(t) == 1 and s.startswith(t))
               for s, t in zip(short, long, strict=False))


def people_of(keys: list[str]) -> list[list[str]]:
    """Keys grouped by person: by bucket, then by agreeing middles (see the module's docstring).
    Keys with no middle join the one person of their bucket who has one; with several, they are
    a person of their own.

    >>> people_of(["donald trump", "defendant donald j. trump", "melania trump"])
    [['donald trump', 'defendant donald j. trump'], ['melania trump']]
    >>> people_of(["george h. w. bush", "george w. bush", "george bush"])
    [['george h. w. bush'], ['george w. bush'], ['george bush']]
    """
    buckets: dict[tuple[str, str], list[tuple[str, Person]]] = {}
    for key in keys:
        person = person_of(key)  # "Mr Smith" and "Ms Smith" alone are two people
        buckets.setdefault((person.bucket, "" if person.first else person.gender), []).append((key, person))
    groups: list[list[str]] = []
    for members in buckets.values():
        plain = [key for key, p in members if not p.middle]
        clusters: list[tuple[list[tuple[str, ...]], list[str]]] = []  # (their middles, keys)
        # The most specific first (longest, names before initials); a key joins the one cluster
        # whose every middle agrees with its own, and is a person of its own when none or several do.
        specific = sorted((m for m in members if m[1].middle),
                          key=lambda m: (-len(m[1].middle), sum(len(w) == 1 for w in m[1].middle), m[0]))
        for key, person in specific:
            fits = [c for c in clusters if all(agree(middle, person.middle) for middle in c[0])]
            if len(fits) == 1:
                fits[0][0].append(person.middle)
                fits[0][1].append(key)
            else:
                clusters.append(([person.middle], [key]))
        if len(clusters) == 1:
            clusters[0][1][:0] = plain
        elif plain:
            clusters.append(([()], plain))
        groups += [cluster for _, cluster in clusters]
    return groups
