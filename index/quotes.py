"""Who said what: rule-based extraction of quotations and their speakers from news-style text.

Direct quotes ("...", “...”, and '...' outside double quotes) are attributed by a speech verb next
to them ("...," Budrys said / said Budrys / Budrys said: "..."), by "according to X", by a dash
("...” - Doug Bowser"), or, when they carry no attribution of their own, by the quote before them
in the same paragraph. Reported speech: "X said (that) ...", "X told reporters ...", "X ...,
stating that ...", "According to X, ...", "..., said X". Regular expressions and string work only,
about linear in the text (roughly a megabyte a second): it runs on every document at ingest.

Deliberate simplifications, all on the side of precision (a quote given to the wrong person is
worse than none):
- Speakers are people: a capitalised name of 1-4 words. A lone word ("Budrys") counts only as the
  last word of a fuller name in the same document, or after a title ("President Biden"), so
  "Lithuania said" and "Facebook says" give nothing. Organisations, joint and unnamed speakers
  ("the ministry said", "a spokesman for Budrys said") are dropped, with their quotes. Word lists,
  not a gazetteer, tell names from organisations: "Goldman Sachs said" passes for a person, and
  so does "Harvard announced" when a "John Harvard" appears in the document.
- No grammar, no gender: "he"/"she" is the person named last before it in this or the previous
  paragraph, if that person is the only one named there or the speaker of a quote; any name we
  cannot tell is a person ("Riga") in between leaves the pronoun unresolved. "The minister said"
  resolves only when exactly one person in the document has that title.
- A quote never crosses a paragraph (a line break), except that an unclosed quote runs to the end
  of its paragraph and the next paragraph's opening quote continues it.
- One Quotation per contiguous quote span (not per sentence); a direct quote's text excludes the
  quote marks and a trailing comma, a reported one is its clause to the end of the sentence.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .chunking import split_sentences


@dataclass(frozen=True)
class Quotation:
    text: str  # exactly document_text[start:end]
    start: int
    end: int
    speaker: str  # canonical name: the fullest form seen in the document
    forms: tuple[str, ...]  # forms of the speaker's name seen in the document, canonical first
    kind: str  # "direct" or "reported"
    title: str = ""  # e.g. "Prime Minister", when seen before the name


def extract_quotations(text: str) -> list[Quotation]:
    """Direct and reported quotations of `text` with their speakers, sorted by start.

    >>> [(q.text, q.speaker, q.kind) for q in extract_quotations('"We will win," coach Ana Diaz said.')]
    [('We will win', 'Ana Diaz', 'direct')]
    """
    doc = _Document(text)
    for p, spans in enumerate(doc.spans_by_paragraph):
        for k in range(len(spans)):
            _attribute_direct(doc, p, k)
    sentences = [s for lo, hi in doc.paragraphs for s in split_sentences(text[lo:hi], lo)]
    reported = [r for s in sentences if (r := _reported(doc, s.start, s.end))]
    _resolve_pronouns(doc, [*doc.spans, *reported])
    _continue_quotes(doc)

    quotations = []
    for item in [*doc.spans, *reported]:
        if item.speaker is None:
            continue
        if item.kind == "reported" and any(s.speaker and s.start < item.end and item.start < s.end for s in doc.spans):
            continue  # a direct quote inside the clause says it better
        person = doc.people.people[item.speaker]
        quotations.append(Quotation(
            text[item.start:item.end], item.start, item.end, person.name, tuple(person.forms), item.kind, person.title,
        ))
    return sorted(quotations, key=lambda q: (q.start, q.end))


def normalise_speaker(name: str) -> str:
    """The form used to compare names: accents stripped, case folded, spaces collapsed.

    >>> normalise_speaker("Inga  Ruginienė") == normalise_speaker("inga ruginiene")
    True
    """
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def same_speaker(predicted: str, labelled: str) -> bool:
    """Whether two names denote the same person: equal once normalised, or one is the other's
    surname ("Budrys" and "Kestutis Budrys").

    >>> same_speaker("Budrys", "Kestutis Budrys"), same_speaker("Kestutis Budrys", "Inga Budrys")
    (True, False)
    """
    a, b = normalise_speaker(predicted).split(), normalise_speaker(labelled).split()
    return bool(a and b) and (a == b or (len(a) == 1 and a[0] == b[-1]) or (len(b) == 1 and b[0] == a[-1]))


# -- vocabulary --------------------------------------------------------------------------------

_SPEECH_VERBS = """
    said says stated states added adds told tells warned warns argued argues noted notes explained
    explains emphasized emphasised emphasizes emphasises insisted insists announced announces
    declared declares claimed claims wrote writes articulated asked asks replied replies responded
    recalled recalls acknowledged acknowledges admitted admits conceded remarked commented stressed
    stresses maintained urged cautioned predicted confirmed concluded joked quipped tweeted testified
    countered interrupted retorted exclaimed answered shouted objected protested observed continued
""".split()
# Verbs that quote a phrase as someone's words: "what he described as "hypocrisy"".
_NAMING_VERBS = r"described\s+as|describes\s+as|calls|called(?!\s+for\b)|dubbed|termed"
_PARTICIPLES = """
    saying stating adding telling warning arguing noting explaining emphasizing emphasising insisting
    announcing declaring claiming writing articulating replying acknowledging admitting stressing
    urging cautioning predicting confirming concluding tweeting
""".split()
# Verbs whose object is the statement itself, so "X said the EU ..." is reported speech without "that".
_PLAIN_VERBS = "said says added argued warned insisted stated noted explained stressed emphasized emphasised"
# Participles that introduce a statement without "that" (", saying the EU ...").
_PLAIN_PARTICIPLES = {"saying", "adding", "stating"}
_CLAUSE_OPENERS = set("that it he she they we i you the a an this there his her their its".split())
_FUNCTION_WORDS = "of|for|to|by|with|from|and|or|at|in|on|as|that|than|about|after|before|his|her|their|its|our|my"
_PREPOSITIONS = (
    "in on at during to after before when while for of about with from by over since against into through up "
    "yesterday today last that"
)

# Roles, lower case: "film director James Cameron", "said education chief Nadia Rahman".
_ROLE_NOUNS = set("""
    director filmmaker minister president spokesman spokeswoman spokesperson chief executive ceo
    chairman chairwoman chair founder co-founder author novelist writer actor actress singer rapper
    star senator lawmaker official analyst economist professor researcher scientist coach manager
    player striker midfielder defender goalkeeper quarterback captain governor mayor ambassador
    secretary leader chancellor premier producer editor journalist reporter commentator critic
    columnist designer artist poet historian lawyer attorney prosecutor judge envoy adviser advisor
    astronaut councillor councilman councilwoman commissioner inspector officer detective sheriff
    general admiral colonel sergeant lieutenant priest bishop rabbi imam teacher doctor surgeon nurse
    historian biographer philosopher theologian scholar linguist composer architect engineer inventor
    entrepreneur businessman businesswoman activist campaigner explorer merchant missionary marxist
    lady firefighter resident candidate nominee negotiator diplomat banker investor fan witness
    socialist communist physicist chemist pianist guitarist violinist specialist therapist
    psychiatrist strategist lobbyist publicist feminist industrialist evangelist
""".split())
# Capitalised words that name a role: before a name they are its title, never part of it.
_TITLE_WORDS = _ROLE_NOUNS | {w.casefold() for w in """
    Vice Prime Sen. Representative Rep. Gov. Dr. Prof. Gen. Adm. Col. Lt. Sgt. Capt. CFO COO Officer
    Justice King Queen Prince Princess Pope Cardinal Archbishop Sheikh Mr. Mrs. Ms. Miss Mx. Sir Dame
    Lord Lady Rev. Reverend Father Sister Deputy Head Speaker Superintendent Commander Marshal
    Correspondent Forward Foreign Defence Defense Finance Interior Health Economy Trade Education
    Energy Environment Culture Labour Labor Agriculture Transport Presidential Former Acting Senior
    Junior Assistant Associate Managing Executive Party Opposition
""".split()}
# Words that make a capitalised run an organisation, a place or an event, not a person.
_NON_PERSON_WORDS = {w.casefold() for w in """
    Ministry Administration Strategy Department Government Union Conference Council Commission
    Committee Agency Office Bank Group Company Inc Inc. Corp Corp. Ltd Ltd. LLC Co. University
    Institute Association Party Court Parliament Congress Senate House Police Army Navy Forces Force
    Command News Times Post Journal Press Media Network Foundation Academy Board Authority Service
    Services Organization Organisation Federation League Club Team FC Studios Pictures Records Labs
    Systems Technologies Motors Airlines Bureau Center Centre Alliance Coalition Movement Front
    Society Trust Fund School College Hospital Church Kingdom Republic States Nations Federal
    National International Global Reserve Capital Partners Holdings Ventures Watch Stadium Street
    Square Sea Ocean River Island Islands Mountains Valley County City Province Region Embassy
    Summit Forum Festival Awards Award Prize Cup Championship Games Olympics Museum Library Review
    Daily Weekly Magazine Television Radio Broadcasting Channel App Security Affairs Treaty
    Agreement Act Bill Plan Report Index Avenue Road Airport Station Market North South East West
    Northern Southern Eastern Western Central United New Saint San Los Las Hong Kong Saudi Korea
    Europe European America American Africa African Asia Asian Earth Communications Electric Energy
    Power Oil Airways Entertainment Productions Telecom Insurance Financial Securities Brands Foods
    Industries Enterprises Solutions Software Digital Electronics Publishing Books Code SpA GmbH AG
    plc PLC KG
""".split()}
# Capitalised words that open sentences or are dates: never part of a name.
_STOP_WORDS = {w.casefold() for w in """
    The A An This That These Those It Its He She We They I You His Her Their Our My Your Who What
    When Where Why How In On At By For From With As After Before While Since Until During Under Over
    But And Or So Yet Also Then Meanwhile However Still Later Earlier Today Yesterday Tomorrow Last
    Next Speaking Asked According Both Neither Either Many Some Several Other Others Each Every
    If Although Though Because Despite Instead Indeed Moreover Furthermore Nevertheless Thus Known
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept.
    Oct. Nov. Dec. Breaking Update Read Photo Video Sources Source Here There Now Not No Yes
    Dear Please Thanks Thank Well Oh Mr Mrs Ms Outside Inside Initially Previously Finally Recently
    Eventually Currently Additionally Similarly Consequently Subsequently Ultimately Originally
    Historically Traditionally Generally Typically Notably Importantly Interestingly Unfortunately
    Fortunately Clearly Obviously Apparently Reportedly Allegedly Separately Likewise Accordingly
    Otherwise Overall Instead Citing Quoting Among Like Unlike Under Per Via
""".split()}
_NAME_SUFFIXES = {"jr.", "sr.", *"ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi".split()}  # "Pope Leo X"
_ABBREVIATED_TITLES = "Dr|Mr|Mrs|Ms|Mx|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Adm|Rev|Jr|Sr|St"
_PARTICLES = r"(?:de|da|del|della|der|den|di|du|dos|das|van|von|bin|ibn|al|la|le|ter|y)"
_LEADING_PARTICLES = "von|van|de|du|da|di|del|della|bin|ibn|al"  # a surname may start with these

# -- patterns ----------------------------------------------------------------------------------

_UPPER = "".join(ch for ch in map(chr, range(0x250)) if ch.isupper())
# A capitalised word: "Budrys", "Abu-Manneh", "O'Brien", an initial "J.", "Dr.", "Jr."; a full
# stop after any other word ends the sentence, and the run of words with it.
_CAP = rf"(?:[{_UPPER}]\.|(?:{_ABBREVIATED_TITLES})\.|[{_UPPER}][\w'’\-]*)"
# Title and name, on one line: "Prime Minister Inga Ruginienė", "Ursula von der Leyen", "von der Leyen".
_RUN = (
    rf"(?:(?<![\w'’])(?:{_LEADING_PARTICLES})[ \t]+(?:{_PARTICLES}[ \t]+)?)?"
    rf"{_CAP}(?:[ \t]+(?:{_PARTICLES}[ \t]+){{0,2}}{_CAP}){{0,7}}"
)
_VERB = "(?:" + "|".join(_SPEECH_VERBS) + ")"
_PARTICIPLE = "(?:" + "|".join(_PARTICIPLES) + ")"
_AUX = r"(?:(?:has|had|have|also|later|then|once|again|further|\w+ly)\s+){0,2}"
_APPOS = r"(?P<appos>,\s+(?:who\b|[^,;:“”\"]{1,90}?,))?,?"  # ", the foreign minister," / ", who"
_ROLE_ALTERNATIVES = "|".join(sorted(_ROLE_NOUNS))
_ROLE_LEAD = rf"(?:(?:[a-z][\w'’\-]*\s+){{0,2}}?(?:{_ROLE_ALTERNATIVES}),?\s+)?"  # "film director ", "chief executive, "
_ROLE = r"(?P<role>\b[Tt]he(?:\s+[a-z][\w\-]*){1,3}?)"  # "the minister", "the foreign minister"
_PRON = r"(?P<pron>\b[Hh]e|\b[Ss]he)"
_GAP = r"(?:\s+[^\s,.;:!?“”\"]+){0,8}"  # "told reporters on Monday"
_END = r"\s*[:,]?\s*$"

_DOUBLE_MARKS = re.compile(r"[“”«»„\"]")
_SINGLE_OPEN = re.compile(r"(?<![\w'’])['‘](?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?…])['’](?!\w)")

# Attributions right after a quote's closing mark (tried in order; "other": a speech verb
# whose speaker is no person, which also stops the quote passing its speaker on).
_AFTER = [re.compile(p) for p in (
    rf"\s*,?\s*{_PRON}\s+{_AUX}{_VERB}\b",
    rf"\s*,?\s*{_VERB}\s+(?P<pron>he|she)\b",
    rf"\s*[,–—-]?\s*{_ROLE_LEAD}(?P<run>{_RUN}){_APPOS}\s+{_AUX}{_VERB}\b",
    rf"\s*,?\s*{_VERB}\s+(?:(?:the|a|an)\s+)?(?:(?!(?:{_FUNCTION_WORDS})\b)[a-z][\w'’\-]*\s+){{0,2}}(?P<run>{_RUN})",
    rf"\s*,?\s*{_ROLE}\s+{_AUX}{_VERB}\b",
    rf"\s*,?\s*{_VERB}\s+{_ROLE}\b(?!\s+[{_UPPER}])",
    rf"\s*,?\s*(?:[^\s“”\"]+\s+){{0,4}}?according\s+to\s+{_ROLE_LEAD}(?P<run>{_RUN})",
    rf"\s*[-–—]\s*(?P<run>{_RUN})",
    rf"\s*[,–—-]?\s*(?:[^\s“”\"]+\s+){{0,5}}?{_AUX}{_VERB}\b|\s*,?\s*according\s+to\b",
)]
# Attributions right before a quote's opening mark, within its sentence.
_INTRODUCES_NEXT = re.compile(rf"{_GAP}\s*:\s*")
_SAY = rf"{_AUX}(?:{_VERB}|{_NAMING_VERBS})"
_BEFORE = [re.compile(p) for p in (
    rf"{_PRON}\s+{_SAY}{_GAP}{_END}",
    rf"(?P<run>{_RUN}){_APPOS}\s+{_SAY}{_GAP}{_END}",
    rf"{_ROLE}\s+{_SAY}{_GAP}{_END}",
    rf"[Aa]ccording\s+to\s+{_ROLE_LEAD}(?P<run>{_RUN})\s*,?\s*$",
    rf"(?P<colon>{_RUN})\s*:\s*$",  # "New Vanguard CEO Tim Buckley: "
    rf"(?P<run>{_RUN}){_APPOS}\s+{_AUX}[a-z]+(?:ed|s)\s*:\s*$",  # "Vering disagreed: "
    rf"\b(?:{_VERB}|{_NAMING_VERBS}){_GAP}{_END}|\baccording\s+to\b[^.]*$",
)]
# Reported speech, one sentence at a time.
_SUBJECT = rf"(?:{_PRON}|{_ROLE}|(?P<run>{_RUN}){_APPOS})\s+{_AUX}"
# Between a verb and "that": a circumstance ("said on Monday that", "said in a statement that"),
# never an object ("wrote the poem ... that begins"); "told" takes its listener first.
_CIRCUMSTANCE = (
    r"(?:\s+(?:in|on|at|during|to|after|before|when|while|last|this|earlier|later|from|\w+ly)\b"
    r"(?:\s+[^\s,.;:!?“”\"]+){0,10}?)?"
)
_LISTENER = rf"\s+(?:the\s+[\w.]+|[a-z]+|{_RUN})"  # "told reporters", "told the BBC", "told Budrys"
_TOLD = r"(?:told|tells|warned|urged|assured|reminded|informed)"
_THAT = r"\s+that\s+(?!(?:year|day|week|month|time|morning|night|evening|season)\b)"
_STATEMENT = rf"(?P<clause>(?!(?:{_PREPOSITIONS.replace(' ', '|')})\b)[a-z]\S*(?:\s+\S+){{2,}})"  # "the EU must ..."
_REPORTED = [re.compile(p) for p in (
    rf"{_SUBJECT}{_VERB}{_CIRCUMSTANCE}{_THAT}(?P<clause>\S.*)",
    rf"{_SUBJECT}{_TOLD}{_LISTENER}{_CIRCUMSTANCE}{_THAT}(?P<clause>\S.*)",
    rf"{_SUBJECT}(?:{_PLAIN_VERBS.replace(' ', '|')})\s+{_STATEMENT}",
    rf"{_SUBJECT}(?:told|tells){_LISTENER}\s+{_STATEMENT}",
    rf"^[Aa]ccording\s+to\s+{_ROLE_LEAD}(?P<run>{_RUN}),\s+(?!{_RUN},)(?P<clause>\S.*)",
)]
_PARTICIPLE_CLAUSE = re.compile(rf",\s+(?P<verb>{_PARTICIPLE})\s+(?P<that>that\s+)?(?P<clause>\S.*)")
_INVERTED = re.compile(  # "Zuckerberg should step down, said Frances Haugen, the former ..."
    rf"(?P<clause>[^“”\"]+?),\s+(?:{_VERB}\s+{_ROLE_LEAD}(?P<run>{_RUN})|(?P<run2>{_RUN})\s+{_AUX}{_VERB}|"
    rf"(?P<pron>he|she)\s+{_AUX}{_VERB})\s*(?:[.!?]?\s*$|,\s+(?:the|a|an|who|according)\b)"
)
_NAME_RUN = re.compile(_RUN)
_SOMEONE = re.compile(  # "The Doctor", "the foreign minister": someone, maybe a known person
    rf"\b[Tt]he\s+(?:(?P<title>(?:{_ROLE_ALTERNATIVES.title()})\b)"
    rf"|(?P<role>(?:[a-z][\w\-]*\s+){{0,2}}?(?:{_ROLE_ALTERNATIVES})\b))"
)
# Patterns searched anywhere in a sentence: their name must be the sentence's subject.
_SUBJECT_PATTERNS = {_BEFORE[1], _BEFORE[2], _BEFORE[5], *_REPORTED[:4]}
_TRAILING = re.compile(r"[\s,;:.!?…]+$")
_WINDOW = 300  # characters around a quote searched for its attribution
_PRONOUN_REACH = 2000  # characters back a pronoun looks for its person, at most (long paragraphs)
_MAX_SENTENCE = 1500  # a longer "sentence" is a list or a table: no reported speech in it


# -- names -------------------------------------------------------------------------------------


def split_title(run: str) -> tuple[str, str]:
    """(title, name) of a capitalised run; name is "" when the run does not end in a person's name.

    >>> split_title("Lithuanian Foreign Minister Kestutis Budrys")
    ('Lithuanian Foreign Minister', 'Kestutis Budrys')
    >>> split_title("The U.S. National Defense Strategy")
    ('', '')
    """
    tokens = run.split()
    if tokens[-1].endswith(".") and len(tokens[-1]) > 2 and tokens[-1].casefold() not in _NAME_SUFFIXES:
        tokens[-1] = tokens[-1][:-1]  # a full stop, not an initial
    i = len(tokens)  # the name is the longest tail of name-like words, at most 4
    while i > 0 and len(tokens) - i < 4 and (
            _is_name_word(tokens[i - 1]) or (i < len(tokens) and re.fullmatch(_PARTICLES, tokens[i - 1]))):
        i -= 1
    name = tokens[i:]
    if not name or (len(name) == 1 and (name[0].casefold() in _NAME_SUFFIXES or (
            i > 0 and tokens[i - 1].casefold() in _NON_PERSON_WORDS))):
        return "", ""  # "Ministry Vilnius": a place or an organisation, not a titled person
    j = i
    while j > 0 and tokens[j - 1].casefold() not in _STOP_WORDS:
        j -= 1
    title = tokens[j:i]
    return (" ".join(title) if any(map(_is_title_word, title)) else ""), " ".join(name)


def _is_name_word(token: str) -> bool:
    word = token.casefold()
    if word in _NAME_SUFFIXES or re.fullmatch(rf"[{_UPPER}]\.", token):  # "Jr.", an initial "J."
        return True
    return (
        token[:1].isupper() and any(c.islower() for c in token)  # not an acronym like "NATO"
        and not _is_title_word(token) and word not in _STOP_WORDS and word not in _NON_PERSON_WORDS
        and not word.endswith(("'s", "’s", "'", "’")) and not (word.endswith(".") and len(word) > 3)
    )


def _is_title_word(token: str) -> bool:
    """A role before a name: listed, or shaped like one ("Archaeologist", "Biographer")."""
    word = token.casefold()
    return word in _TITLE_WORDS or word.endswith(("ologist", "ographer"))


@dataclass
class _Person:
    name: str
    title: str = ""
    forms: list[str] = field(default_factory=list)


class _People:
    """The people of one document: names seen after a title or with a speech verb; and every
    name-like run of two words or more, which a lone surname may stand for."""

    def __init__(self, text: str):
        self.people: dict[str, _Person] = {}
        self.by_last_word: dict[str, set[str]] = {}  # full names and known people, by last word
        titled = []
        for m in _NAME_RUN.finditer(text):
            title, name = split_title(m.group())
            if len(name.split()) >= 2:
                self._index(name)
            role_before = text[max(0, m.start() - 30):m.start()].split()[-1:]
            if name and (title or (len(name.split()) >= 2 and role_before and role_before[0] in _ROLE_NOUNS)):
                titled.append(m.group())
        for run in titled:  # "Prime Minister Inga Ruginienė", "judge Amara Nwosu", "President Biden"
            self.resolve(run)

    def resolve(self, run: str) -> _Person | None:
        """The person a run like "Ruginienė" or "Prime Minister Inga Ruginienė" names (registered
        now if new), or None."""
        title, name = split_title(run)
        canonical = self._canonical(name, title)
        if canonical is None:
            return None
        if canonical not in self.people:
            self.people[canonical] = _Person(canonical)
            self._index(canonical)
        person = self.people[canonical]
        person.title = person.title or title
        for form in (canonical, name):
            if form not in person.forms:
                person.forms.append(form)
        return person

    def _index(self, name: str) -> None:
        self.by_last_word.setdefault(normalise_speaker(name).split()[-1], set()).add(name)

    def find(self, run: str) -> _Person | None:
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

    def with_role(self, phrase: str) -> _Person | None:
        """The one person whose title contains `phrase` ("the minister"), if exactly one does."""
        words = phrase.split()[1:]  # without "the"
        if not words or words[-1] not in _ROLE_NOUNS:
            return None
        matches = [p for p in self.people.values() if f" {' '.join(words)} " in f" {p.title.casefold()} "]
        return matches[0] if len(matches) == 1 else None


# -- quote spans -------------------------------------------------------------------------------


@dataclass
class _Said:
    """A direct quote span or a reported clause, and what we know of its speaker."""

    start: int  # of the quoted words, inside the marks
    end: int
    kind: str = "direct"
    open_mark: int = 0  # position of the opening mark (== start when the paragraph starts inside a quote)
    close_mark: int = 0  # position just after the closing mark (== end when unclosed)
    closed: bool = True
    speaker: str | None = None
    attribution: str = ""  # "person", "pronoun", "continued", or "other" (a speaker who is not a person)
    name_at: int = -1  # where the attributing name or pronoun starts


class _Document:
    def __init__(self, text: str):
        self.text = text
        self.people = _People(text)
        self.paragraphs = _paragraphs(text)
        self.spans_by_paragraph = []
        for lo, hi in self.paragraphs:
            doubles = _double_quote_spans(text, lo, hi)
            spans = doubles + _single_quote_spans(text, lo, hi, doubles)
            self.spans_by_paragraph.append(sorted(spans, key=lambda s: s.start))
        self.spans = [s for spans in self.spans_by_paragraph for s in spans]
        self.sentence_starts = [s.start for lo, hi in self.paragraphs for s in split_sentences(text[lo:hi], lo)]
        self._marks = [s.open_mark for s in self.spans]

    def in_quote(self, pos: int) -> bool:
        i = bisect_right(self._marks, pos) - 1
        return i >= 0 and self.spans[i].open_mark <= pos < self.spans[i].close_mark

    def sentence_start(self, pos: int) -> int:
        return self.sentence_starts[max(0, bisect_right(self.sentence_starts, pos) - 1)] if self.sentence_starts else 0


def _paragraphs(text: str) -> list[tuple[int, int]]:
    bounds, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            bounds.append((pos, pos + len(line)))
        pos += len(line) + 1
    return bounds


def _double_quote_spans(text: str, lo: int, hi: int) -> list[_Said]:
    """Top-level double-quoted spans of one paragraph, text[lo:hi]; nested ones stay inside."""
    marks = []  # (position, opens)
    for m in _DOUBLE_MARKS.finditer(text, lo, hi):
        i, ch = m.start(), m.group()
        if ch != '"':
            marks.append((i, ch in "“«„"))
            continue
        # A straight mark opens after a space or a bracket, and closes after a word or punctuation.
        before, after = text[i - 1] if i > lo else " ", text[i + 1] if i + 1 < hi else " "
        if not (before.isspace() and after.isspace()):
            marks.append((i, before.isspace() or before in "([{—–-“‘'"))
    curly = [opens for i, opens in marks if text[i] != '"']
    straight = [(i, opens) for i, opens in marks if text[i] == '"']
    # A snippet cut mid-quote starts with a closing mark: its quote began before the paragraph.
    starts_inside = (curly and not curly[0]) or (
        not curly and straight and not straight[0][1] and not text[max(lo, straight[0][0] - 1)].isdigit())  # 35' 00"
    spans, depth, start = [], int(bool(starts_inside)), lo
    for i, opens in marks:
        if opens:
            start = i if depth == 0 else start
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append(_quote_span(text, start, i + 1, closed=True))
    if depth:
        spans.append(_quote_span(text, start, hi, closed=False))
    return [s for s in spans if s.end > s.start]


def _single_quote_spans(text: str, lo: int, hi: int, doubles: list[_Said]) -> list[_Said]:
    """'...' spans of one paragraph outside its double-quoted ones (apostrophes never pair up)."""
    spans = []
    edges = [lo, *(m for s in doubles for m in (s.open_mark, s.close_mark)), hi]
    for a, b in zip(edges[::2], edges[1::2]):
        while (m := _SINGLE_OPEN.search(text, a, b)) and (close := _SINGLE_CLOSE.search(text, m.end(), b)):
            spans.append(_quote_span(text, m.start(), close.end(), closed=True))
            a = close.end()
    return [s for s in spans if s.end > s.start]


def _quote_span(text: str, open_mark: int, close_mark: int, closed: bool) -> _Said:
    start = open_mark + 1 if text[open_mark] in "“«„\"'‘" else open_mark
    end = close_mark - 1 if closed else close_mark
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return _Said(start, end, open_mark=open_mark, close_mark=close_mark, closed=closed)


# -- attribution -------------------------------------------------------------------------------


def _attribute_direct(doc: _Document, p: int, k: int) -> None:
    """Attribute the k-th quote span of paragraph p. A quote ending open ("...," / "...?") looks
    after itself first ("...," Budrys said), then before; any other looks before (Budrys said:
    "...."), and after only when it opens its sentence and a short attribution ends that sentence
    ("It's over." Budrys said.), so "..." Wallmann argues that ... is not Wallmann's."""
    text, span, spans = doc.text, doc.spans_by_paragraph[p][k], doc.spans_by_paragraph[p]
    lo, hi = doc.paragraphs[p]
    before_lo = max(spans[k - 1].close_mark if k else lo, doc.sentence_start(span.open_mark), span.open_mark - _WINDOW)
    after_hi = min(spans[k + 1].open_mark if k + 1 < len(spans) else hi, span.close_mark + _WINDOW)
    after = text[span.close_mark:after_hi] if span.closed else ""
    before = text[before_lo:span.open_mark]
    inner = text[span.start:span.close_mark].rstrip("”»\"'’ ")
    ends_open = inner.endswith((",", "?", "!", "—", "–", "-", "…")) or after.startswith(",")
    if ends_open and (m := _match_after(after)):
        _set_speaker(doc, span, m, span.close_mark)
    elif m := _match_before(before):
        _set_speaker(doc, span, m, before_lo)
    elif not ends_open and not before.strip() and (m := _match_after(after)) and _short_tail(after, m.end()):
        _set_speaker(doc, span, m, span.close_mark)


def _short_tail(after: str, end: int) -> bool:
    """Whether the sentence ends soon after the verb, with no clause of its own: "Budrys said
    on Monday." attributes the quote before it; "The company said it would cut jobs." does not."""
    rest = re.split(r"[.!?]", after[end:], maxsplit=1)[0].split()
    return len(rest) <= 6 and not (rest and rest[0] in _CLAUSE_OPENERS)


def _match_after(after: str) -> re.Match | None:
    m = next((m for pattern in _AFTER if (m := pattern.match(after))), None)
    if m and _INTRODUCES_NEXT.fullmatch(after, m.end()):
        return None  # "Budrys said: " introduces the next quote
    return m


def _match_before(before: str) -> re.Match | None:
    for pattern in _BEFORE:
        m = pattern.search(before)
        if m:
            return m
    return None


def _subject_position(prefix: str, appos: str | None) -> bool:
    """Whether a name after `prefix` (its sentence so far) is the subject: at the start, after an
    opening phrase ("On Monday, "), after a quote, after a role ("film director "), or with ", who".
    "A spokesman for Budrys said" is not Budrys speaking."""
    prefix = prefix.rstrip()
    return (
        not prefix or prefix.endswith((",", ";", ":", "—", "–", "-", "...", "…", "”", '"', "’"))
        or prefix.split()[-1] in _ROLE_NOUNS or bool(appos and appos.strip(", ").startswith("who"))
    )


def _set_speaker(doc: _Document, item: _Said, m: re.Match, offset: int) -> None:
    """Record the speaker a pattern found (its groups: run/run2/colon, pron, role): a person, a
    pronoun to resolve later, or "other" when the speaker is no person we can name."""
    groups = {k: v for k, v in m.groupdict().items() if v}
    item.attribution = "other"
    if "pron" in groups:
        item.attribution, item.name_at = "pronoun", offset + m.start("pron")
        return
    group = next((g for g in ("run", "run2", "colon", "role") if g in groups), None)
    if group is None:
        return
    if m.re in _SUBJECT_PATTERNS and not _subject_position(m.string[:m.start(group)], groups.get("appos")):
        return  # "a spokesman for Budrys said": not Budrys
    if group == "role":
        person = doc.people.with_role(groups["role"].casefold())
    elif group == "colon" and len(split_title(groups["colon"])[1].split()) < 2:
        return  # "Sources: ..." or a lone word before a colon
    else:
        person = doc.people.resolve(groups[group])
    if person:
        item.speaker, item.attribution, item.name_at = person.name, "person", offset + m.start(group)


def _reported(doc: _Document, start: int, end: int) -> _Said | None:
    """The reported statement of the sentence text[start:end], if any."""
    s = doc.text[start:end]
    if len(s) > _MAX_SENTENCE or not re.search(rf"\b(?:{_VERB}|{_PARTICIPLE})\b|\baccording to\b", s, re.IGNORECASE):
        return None
    clause_end = len(s) - len(m.group()) if (m := _TRAILING.search(s)) else len(s)
    for pattern in _REPORTED:  # "Budrys said (that) ...", "He told reporters ...", "According to X, ..."
        m = pattern.search(s)
        if m and not doc.in_quote(start + m.start()):
            return _reported_item(doc, m, start, m.start("clause"), clause_end)
    m = _PARTICIPLE_CLAUSE.search(s)
    if m and (m.group("that") or m.group("verb") in _PLAIN_PARTICIPLES):
        # "Budrys articulated the position, stating that ...": the sentence's subject speaks.
        subject = next((r for r in _NAME_RUN.finditer(s, 0, m.start())
                        if split_title(r.group())[1] and not doc.in_quote(start + r.start())), None)
        if subject and _subject_position(s[:subject.start()], None):
            return _reported_item(doc, subject, start, m.start("clause"), clause_end)
    m = _INVERTED.match(s)  # "Zuckerberg should step down, said Frances Haugen"
    if m and len(m.group("clause").split()) >= 4 and not doc.in_quote(start):
        return _reported_item(doc, m, start, 0, m.end("clause"))
    return None


def _reported_item(doc: _Document, m: re.Match, offset: int, clause_start: int, clause_end: int) -> _Said | None:
    if clause_end <= clause_start:
        return None
    item = _Said(offset + clause_start, offset + clause_end, kind="reported")
    if m.re is _NAME_RUN:  # the subject of a participle clause
        person = doc.people.resolve(m.group())
        item.attribution = "person" if person else "other"
        item.speaker, item.name_at = (person.name if person else None), offset + m.start()
    else:
        _set_speaker(doc, item, m, offset)
    return item


def _resolve_pronouns(doc: _Document, items: list[_Said]) -> None:
    """He/she: the person named last before it, in this or the previous paragraph, if that name
    is a known person and either the only person named there or the speaker of a quote. A name
    we cannot tell is a person ("Riga", "Tesla") makes the pronoun ambiguous. In document order,
    so a resolved pronoun counts as a mention for the next one."""
    mentions = _mentions(doc, items)  # (position, person or "" when unknown, is an attribution)
    positions = [m[0] for m in mentions]
    starts = [lo for lo, _ in doc.paragraphs]
    for item in sorted((i for i in items if i.attribution == "pronoun"), key=lambda i: i.name_at):
        p = max(0, bisect_right(starts, item.name_at) - 1)
        window_lo = max(starts[max(0, p - 1)], item.name_at - _PRONOUN_REACH)
        window = mentions[bisect_left(positions, window_lo):bisect_left(positions, item.name_at)]
        if not window or not window[-1][1]:
            continue
        if len({name for _, name, _ in window}) == 1 or window[-1][2]:
            item.speaker, item.attribution = window[-1][1], "person"
            at = bisect_left(positions, item.name_at)
            positions.insert(at, item.name_at)
            mentions.insert(at, (item.name_at, item.speaker, True))


def _mentions(doc: _Document, items: list[_Said]) -> list[tuple[int, str, bool]]:
    """Every name outside quotes, with the known person it names ("" if none), and every
    attribution of a quote to a person."""
    mentions = [(i.name_at, i.speaker, True) for i in items if i.speaker and i.attribution == "person"]
    sentence_starts = set(doc.sentence_starts)
    for m in _NAME_RUN.finditer(doc.text):
        name = split_title(m.group())[1]
        if not name or doc.in_quote(m.start()):
            continue
        person = doc.people.find(m.group())
        if person or len(name.split()) > 1 or m.start() not in sentence_starts:  # "Critics said": no name
            mentions.append((m.start(), person.name if person else "", False))
    for m in _SOMEONE.finditer(doc.text):
        if not doc.in_quote(m.start()):
            person = doc.people.with_role(m.group().casefold()) if m.group("role") else None
            mentions.append((m.start(), person.name if person else "", False))
    return sorted(mentions)


def _continue_quotes(doc: _Document) -> None:
    """A quote with no attribution of its own that opens a sentence continues the speaker of the
    quote before it in the paragraph (or of the previous paragraph's unclosed quote), unless
    someone else is named in between or right after it ("..." Luther snapped)."""
    carried: _Said | None = None  # an unclosed quote ending the previous paragraph
    for p, spans in enumerate(doc.spans_by_paragraph):
        for k, (before, span) in enumerate(zip([carried, *spans], spans)):
            if span.attribution or before is None or before.speaker is None:
                continue
            between = doc.text[before.close_mark:span.open_mark]
            after_hi = spans[k + 1].open_mark if k + 1 < len(spans) else doc.paragraphs[p][1]
            after = re.split(r"[.!?;]", doc.text[span.close_mark:after_hi], maxsplit=1)[0]
            names = [m.group() for m in _NAME_RUN.finditer(between + " " + after) if split_title(m.group())[1]]
            if ((not between.strip() or re.search(r"[.!?…]\s*$", between))
                    and len(doc.text[span.start:span.end].split()) >= 3
                    and all(getattr(doc.people.find(n), "name", None) == before.speaker for n in names)):
                span.speaker, span.attribution = before.speaker, "continued"
        carried = spans[-1] if spans and not spans[-1].closed else None


# -- scoring against hand labels (tests/data/quotes, bench/quotes.py) ---------------------------


@dataclass(frozen=True)
class AttributionCheck:
    """One document's predicted quotations checked against its labels ({"quote", "speaker"}).

    A prediction is right when it overlaps a labelled quote whose speaker is the same person
    (`same_speaker`); a label with a speaker is found when a right prediction overlaps it.
    """

    right: tuple[Quotation, ...]
    wrong: tuple[Quotation, ...]
    found: tuple[dict, ...]
    missed: tuple[dict, ...]


def check_attributions(text: str, predicted: list[Quotation], labels: list[dict]) -> AttributionCheck:
    spans = []
    for label in labels:
        start = text.find(label["quote"])
        if start < 0:
            raise ValueError(f"labelled quote not in its text: {label['quote']!r}")
        spans.append((start, start + len(label["quote"]), label))

    def agrees(q: Quotation, start: int, end: int, label: dict) -> bool:
        overlaps = q.start < end and start < q.end
        return overlaps and label["speaker"] is not None and same_speaker(q.speaker, label["speaker"])

    right = tuple(q for q in predicted if any(agrees(q, *span) for span in spans))
    wrong = tuple(q for q in predicted if q not in right)
    with_speaker = [span for span in spans if span[2]["speaker"] is not None]
    found = tuple(span[2] for span in with_speaker if any(agrees(q, *span) for q in right))
    missed = tuple(span[2] for span in with_speaker if span[2] not in found)
    return AttributionCheck(right, wrong, found, missed)
