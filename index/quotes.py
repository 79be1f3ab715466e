"""Who said what: rule-based extraction of quotations and their speakers from news-style text.

Direct quotes ("...", “...”, and '...' outside double quotes) are attributed by a speech verb next
to them ("...," Budrys said / said Budrys / Budrys said: "..."), by "according to X", by a dash
("...” - Doug Bowser"), or, when they carry no attribution of their own, by the quote before them
in the same paragraph. Reported speech: "X said (that) ...", "X ..., stating that ...", "..., X
said". Pure regular expressions and string work, linear in the text: it runs at ingest.

Deliberate simplifications, all on the side of precision (a quote given to the wrong person is
worse than none):
- Speakers are people: a capitalised name of 1-4 words. A lone word ("Budrys") counts only as the
  last word of a fuller name in the same document, or after a title ("President Biden"), so
  "Lithuania said" and "Facebook says" give nothing. Organisations, joint and unnamed speakers
  ("the ministry said", "a spokesman for Budrys said") are dropped, with their quotes.
- No grammar, no gender: "he"/"she" resolves only to the one person named in this or the previous
  paragraph, or, with several, to the most recent one who spoke.
- A quote never crosses a paragraph (a line break); an unclosed quote runs to the paragraph's end.
- One Quotation per contiguous quote span (not per sentence); a direct quote's text excludes the
  quote marks and a trailing comma, a reported one is the clause up to the end of its sentence.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
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
    countered
""".split()
_PARTICIPLES = """
    saying stating adding telling warning arguing noting explaining emphasizing emphasising insisting
    announcing declaring claiming writing articulating replying acknowledging admitting stressing
    urging cautioning predicting confirming concluding tweeting
""".split()
# Verbs whose object is the statement itself, so "X said the EU ..." is reported speech without "that".
_PLAIN_REPORT_VERBS = "said says added argued warned insisted claimed stated noted wrote explained stressed emphasized emphasised".split()
# Participles that introduce a statement without "that" (", saying the EU ...").
_PLAIN_PARTICIPLES = {"saying", "adding", "stating"}

# Capitalised words that name a role; before a name they are its title, never part of it.
_TITLE_WORDS = {w.casefold() for w in """
    President Vice Prime Minister Secretary Chancellor Senator Sen. Representative Rep. Governor Gov.
    Mayor Dr. Doctor Professor Prof. General Gen. Admiral Adm. Colonel Col. Lieutenant Lt. Sergeant
    Sgt. Captain Capt. CEO CFO COO Chief Executive Officer Chairman Chairwoman Chair Chairperson
    Director Judge Justice Ambassador Commissioner Spokesperson Spokesman Spokeswoman King Queen
    Prince Princess Pope Cardinal Bishop Archbishop Rabbi Imam Sheikh Mr. Mrs. Ms. Miss Mx. Sir Dame
    Lord Lady Rev. Reverend Father Sister Coach Deputy Head Leader Speaker Premier Founder Co-founder
    Manager Attorney Councillor Councilman Councilwoman Inspector Superintendent Commander Marshal
    Economist Analyst Editor Correspondent Author Novelist Actor Actress Singer Rapper Filmmaker
    Producer Minister-President Foreign Defence Defense Finance Interior Health Economy Trade
    Education Justice Energy Environment Culture Labour Labor Agriculture Transport Presidential
    Former Acting Senior Junior Assistant Associate Managing Executive Party Opposition Sen Rep
""".split()}
# Lower-case role nouns: "director James Cameron", "filmmaker Nolan" name a person.
_ROLE_NOUNS = set("""
    director filmmaker minister president spokesman spokeswoman spokesperson chief executive ceo
    chairman chairwoman founder co-founder author novelist writer actor actress singer rapper star
    senator lawmaker official analyst economist professor researcher scientist coach manager player
    striker captain governor mayor ambassador secretary leader chancellor premier producer editor
    journalist reporter commentator designer artist poet historian lawyer attorney judge
""".split())
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
    Daily Weekly Magazine Television Radio Broadcasting Channel App Security Defense Defence
    Affairs Treaty Agreement Act Bill Plan Report Index Street Avenue Road Airport Station Market
    North South East West Northern Southern Eastern Western Central United New Saint San Los Las
    Hong Kong Saudi Korea Europe European America American Africa African Asia Asian
""".split()}
# Capitalised words that open sentences or are dates, never part of a name.
_STOP_WORDS = {w.casefold() for w in """
    The A An This That These Those It Its He She We They I You His Her Their Our My Your Who What
    When Where Why How In On At By For From With As After Before While Since Until During Under Over
    But And Or So Yet Also Then Meanwhile However Still Later Earlier Today Yesterday Tomorrow Last
    Next Speaking Asked According Both Neither Either Former Many Some Several Other Others Each Every
    If Although Though Because Despite Instead Indeed Moreover Furthermore Nevertheless Thus
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept.
    Oct. Nov. Dec. Breaking Update Watch Read Photo Video Sources Source Here There Now Not No Yes
    Dear Please Thanks Thank Well Oh Mr Mrs Ms
""".split()}
_NAME_SUFFIXES = {"jr.", "sr.", "ii", "iii", "iv"}
_PARTICLES = r"(?:de|da|del|della|der|den|di|du|dos|das|van|von|bin|ibn|al|la|le|ter|y)"
_PREPOSITIONS = "in on at during to after before when while for of about with from by over since yesterday today last".split()

_UPPER = "".join(ch for ch in map(chr, range(0x250)) if ch.isupper())
_CAP = rf"[{_UPPER}][\w'’\-]*\.?"  # "Budrys", "Abu-Manneh", "O'Brien", "Dr.", "Jr.", "J."
_RUN = rf"{_CAP}(?:[ \t]+(?:{_PARTICLES}[ \t]+)?{_CAP}){{0,7}}"  # title and name, one line
_VERB = "(?:" + "|".join(_SPEECH_VERBS) + ")"
_PARTICIPLE = "(?:" + "|".join(_PARTICIPLES) + ")"
_AUX = r"(?:(?:has|had|have|also|later|then|once|again|further|\w+ly)\s+){0,2}"
_APPOS = r"(?P<appos>,\s+(?:who\b|[^,;:“”\"]{1,90}?,))?"  # ", the foreign minister," or ", who"
_PRONOUN = r"(?P<pron>\b[Hh]e|\b[Ss]he)"
_GAP = r"(?:\s+[^\s,.;:!?“”\"]+){0,8}"  # "told reporters on Monday"

_OPEN_MARKS, _CLOSE_MARKS = "“«„", "”»"
_DOUBLE_MARKS = re.compile(r"[“”«»„\"]")
_SINGLE_OPEN = re.compile(r"(?<![\w'’])['‘](?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?…])['’](?!\w)")

# Attribution right after a quote's closing mark, then right before its opening mark.
_AFTER = [
    ("name", re.compile(rf"\s*[,–—-]?\s*(?P<run>{_RUN}){_APPOS}\s+{_AUX}{_VERB}\b")),
    ("name", re.compile(rf"\s*,?\s*{_VERB}\s+(?P<run>{_RUN})")),
    ("pronoun", re.compile(rf"\s*,?\s*(?:{_PRONOUN}\s+{_AUX}{_VERB}\b|{_VERB}\s+(?P<pron2>he|she)\b)")),
    ("name", re.compile(rf"\s*,?\s*(?:[^\s“”\"]+\s+){{0,4}}?according\s+to\s+(?:[a-z][\w'’]*\s+){{0,3}}(?P<run>{_RUN})")),
    ("name", re.compile(rf"\s*[-–—]\s*(?P<run>{_RUN})")),
    ("other", re.compile(rf"\s*[,–—-]?\s*(?:[^\s“”\"]+\s+){{0,5}}?{_AUX}{_VERB}\b|\s*,?\s*according\s+to\b")),
]
_BEFORE = [
    ("name", re.compile(rf"(?P<run>{_RUN}){_APPOS}\s+{_AUX}{_VERB}{_GAP}\s*[:,]?\s*$")),
    ("pronoun", re.compile(rf"{_PRONOUN}\s+{_AUX}{_VERB}{_GAP}\s*[:,]?\s*$")),
    ("name", re.compile(rf"[Aa]ccording\s+to\s+(?:[a-z][\w'’]*\s+){{0,3}}(?P<run>{_RUN})\s*,?\s*$")),
    ("colon", re.compile(rf"(?P<run>{_RUN})\s*:\s*$")),
    ("other", re.compile(rf"\b{_VERB}{_GAP}\s*[:,]?\s*$|\baccording\s+to\b[^.]*$")),
]
_BELONGS_TO_NEXT = re.compile(rf"{_GAP}\s*:\s*$")  # "Budrys said: " introduces the next quote

# Reported speech within one sentence.
_SUBJECT = rf"(?:(?P<run>{_RUN}){_APPOS}|{_PRONOUN})\s+{_AUX}"
_REPORTED = [
    re.compile(rf"{_SUBJECT}(?P<verb>{_VERB}){_GAP}?\s+that\s+(?P<clause>\S.*)"),
    re.compile(
        rf"{_SUBJECT}(?P<verb>{'|'.join(_PLAIN_REPORT_VERBS)})\s+"
        rf"(?P<clause>(?!(?:{'|'.join(_PREPOSITIONS)}|that)\b)[a-z][^\s,]*(?:\s+\S+){{2,}})"
    ),
]
_PARTICIPLE_CLAUSE = re.compile(rf",\s+(?P<verb>{_PARTICIPLE})\s+(?P<that>that\s+)?(?P<clause>\S.*)")
_FIRST_RUN = re.compile(_RUN)
_INVERTED = re.compile(
    rf"(?P<clause>[^“”\"]+?),\s+(?:{_VERB}\s+(?P<run>{_RUN})|(?P<run2>{_RUN})\s+{_AUX}{_VERB}|"
    rf"(?P<pron>he|she)\s+{_AUX}{_VERB})\s*(?:[.!?]?\s*$|,\s+(?:the|a|an|who|according)\b)"
)
_TRAILING = re.compile(r"[\s,;:.!?…]+$")
_MAX_SENTENCE = 1500  # longer "sentences" are lists or tables: no reported speech in them


# -- names -------------------------------------------------------------------------------------


def _is_name_token(token: str) -> bool:
    word = token.casefold()
    if word in _NAME_SUFFIXES or re.fullmatch(rf"[{_UPPER}]\.", token):  # "Jr.", an initial "J."
        return True
    return (
        token[:1].isupper() and any(c.islower() for c in token)  # not an acronym like "NATO"
        and word not in _TITLE_WORDS and word not in _STOP_WORDS and word not in _NON_PERSON_WORDS
        and not word.endswith(("'s", "’s", "'", "’")) and not (word.endswith(".") and len(word) > 3)
    )


def split_title(run: str) -> tuple[str, str]:
    """(title, name) of a capitalised run; name is "" when the run does not end in a person's name.

    >>> split_title("Lithuanian Foreign Minister Kestutis Budrys")
    ('Lithuanian Foreign Minister', 'Kestutis Budrys')
    >>> split_title("The U.S. National Defense Strategy")
    ('', '')
    """
    tokens = run.split()
    if tokens and tokens[-1].endswith(".") and tokens[-1].casefold() not in _NAME_SUFFIXES and len(tokens[-1]) > 2:
        tokens[-1] = tokens[-1][:-1]  # a full stop, not an initial
    i = len(tokens)
    while i > 0 and len(tokens) - i < 4 and (_is_name_token(tokens[i - 1]) or (
            i < len(tokens) and re.fullmatch(_PARTICLES, tokens[i - 1]))):
        i -= 1
    name_tokens = tokens[i:]
    while name_tokens and re.fullmatch(_PARTICLES, name_tokens[0]):
        name_tokens.pop(0)
    if not name_tokens or name_tokens[-1].casefold() in _NAME_SUFFIXES and len(name_tokens) == 1:
        return "", ""
    if i > 0 and tokens[i - 1].casefold() in _NON_PERSON_WORDS and len(name_tokens) == 1:
        return "", ""  # "Ministry Vilnius": a place or an organisation, not a titled person
    j = i
    while j > 0 and tokens[j - 1].casefold() not in _STOP_WORDS:
        j -= 1
    title_tokens = tokens[j:i]
    has_title = any(t.casefold() in _TITLE_WORDS for t in title_tokens)
    return (" ".join(title_tokens) if has_title else ""), " ".join(name_tokens)


# -- quote spans -------------------------------------------------------------------------------


@dataclass
class _Span:
    start: int  # of the quoted words, inside the marks
    end: int
    open_mark: int  # position of the opening mark (== start at a paragraph start without one)
    close_mark: int  # position just after the closing mark (== end when unclosed)
    closed: bool
    speaker: str | None = None
    attribution: str = ""  # "name", "pronoun", "inherited", "other" (someone who is not a person)
    run_at: int = -1  # where the attributing name starts, for pronoun resolution


def _double_quote_spans(text: str, lo: int, hi: int) -> list[_Span]:
    """Top-level double-quoted spans of text[lo:hi] (one paragraph); nested ones stay inside."""
    marks = []
    for m in _DOUBLE_MARKS.finditer(text, lo, hi):
        ch, i = m.group(), m.start()
        if ch in _OPEN_MARKS:
            marks.append((i, True))
        elif ch in _CLOSE_MARKS:
            marks.append((i, False))
        else:  # a straight mark opens after a space or bracket, closes after a word or punctuation
            before = text[i - 1] if i > lo else " "
            after = text[i + 1] if i + 1 < hi else " "
            if before.isspace() and after.isspace():
                continue
            marks.append((i, before.isspace() or before in "([{—–-“‘'"))
    spans, depth, start = [], 0, lo
    curly = [opens for i, opens in marks if text[i] != '"']
    straight = [(i, opens) for i, opens in marks if text[i] == '"']
    # A snippet cut mid-quote starts with a closing mark: the quote began before the paragraph.
    if (curly and not curly[0]) or (not curly and straight and not straight[0][1]
                                    and not text[straight[0][0] - 1].isdigit()):
        depth = 1
    for i, opens in marks:
        if opens:
            if depth == 0:
                start = i
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append(_make_span(text, start, i + 1, lo, closed=True))
    if depth:
        spans.append(_make_span(text, start, hi, lo, closed=False))
    return [s for s in spans if s.end > s.start]


def _single_quote_spans(text: str, lo: int, hi: int, taken: list[_Span]) -> list[_Span]:
    """'...' spans of text[lo:hi] outside the double-quoted ones (apostrophes never pair up)."""
    spans, pos = [], lo
    gaps = [(s.close_mark, t.open_mark) for s, t in zip(taken, taken[1:])]
    for a, b in [(lo, taken[0].open_mark if taken else hi), *gaps, (taken[-1].close_mark if taken else hi, hi)]:
        pos = a
        while (m := _SINGLE_OPEN.search(text, pos, b)):
            close = _SINGLE_CLOSE.search(text, m.end(), b)
            if not close:
                break
            spans.append(_make_span(text, m.start(), close.end(), lo, closed=True))
            pos = close.end()
    return spans


def _make_span(text: str, open_mark: int, close_mark: int, lo: int, closed: bool) -> _Span:
    start = open_mark + 1 if text[open_mark] in "“”«»„\"'‘’" else open_mark
    end = close_mark - 1 if closed else close_mark
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return _Span(start, end, open_mark, close_mark, closed)


# -- extraction --------------------------------------------------------------------------------


@dataclass
class _Person:
    name: str
    title: str = ""
    forms: list[str] = field(default_factory=list)


class _Registry:
    """The people of one document: full names seen with a title or a speech verb, and the
    capitalised runs a lone surname may stand for."""

    def __init__(self, text: str):
        self.people: dict[str, _Person] = {}
        self.full_names: set[str] = set()  # every name-like run of two words or more
        titled = []
        for m in _FIRST_RUN.finditer(text):
            title, name = split_title(m.group())
            if len(name.split()) >= 2:
                self.full_names.add(name)
            if name and title:
                titled.append(m.group())
        for run in titled:  # "Prime Minister Inga Ruginienė", "President Biden": people
            self.resolve(run)

    def add(self, name: str, title: str = "") -> _Person:
        person = self.people.setdefault(name, _Person(name))
        person.title = person.title or title
        if name not in person.forms:
            person.forms.insert(0, name)
        return person

    def resolve(self, run: str) -> _Person | None:
        """The person a run like "Ruginienė" or "Prime Minister Inga Ruginienė" names, or None."""
        title, name = split_title(run)
        if not name:
            return None
        tokens = name.split()
        key = [normalise_speaker(t) for t in tokens]
        fuller = {
            full for full in self.full_names | set(self.people)
            if len(full.split()) > len(tokens) and [normalise_speaker(t) for t in full.split()][-len(tokens):] == key
        }
        if len(fuller) > 1:
            return None  # "Russo" with "Anthony Russo" and "Joe Russo": ambiguous
        if fuller:
            full = fuller.pop()
            person = self.add(full, self.people[full].title if full in self.people else "")
            person.title = person.title or title
        elif len(tokens) >= 2 or title:
            person = self.add(name, title)
        else:
            return None  # a lone capitalised word: a country or a company as often as a surname
        if name not in person.forms:
            person.forms.append(name)
        return person


def extract_quotations(text: str) -> list[Quotation]:
    """Direct and reported quotations of `text` with their speakers, sorted by start.

    >>> [(q.text, q.speaker, q.kind) for q in extract_quotations('"We will win," coach Ana Diaz said.')]
    [('We will win', 'Ana Diaz', 'direct')]
    """
    registry = _Registry(text)
    paragraphs = _paragraphs(text)
    spans_by_paragraph = []
    for lo, hi in paragraphs:
        doubles = _double_quote_spans(text, lo, hi)
        spans_by_paragraph.append(sorted(doubles + _single_quote_spans(text, lo, hi, doubles), key=lambda s: s.start))
    all_spans = [s for spans in spans_by_paragraph for s in spans]
    sentence_starts = [s.start for lo, hi in paragraphs for s in split_sentences(text[lo:hi], lo)]

    pronouns: list[tuple[int, _Span | _Reported]] = []
    for p, (lo, hi) in enumerate(paragraphs):
        spans = spans_by_paragraph[p]
        for k, span in enumerate(spans):
            prev_end = spans[k - 1].close_mark if k else lo
            next_start = spans[k + 1].open_mark if k + 1 < len(spans) else hi
            sentence_start = sentence_starts[max(0, bisect_right(sentence_starts, span.open_mark) - 1)]
            before_lo = max(prev_end, sentence_start, lo, span.open_mark - 300)
            _attribute(text, span, before_lo, min(next_start, span.close_mark + 300), registry, pronouns)
    reported = _reported(text, paragraphs, all_spans, registry, pronouns)

    mentions = _mentions(text, registry, all_spans, [*all_spans, *reported])
    for at, item in sorted(pronouns, key=lambda x: x[0]):
        person = _resolve_pronoun(at, paragraphs, mentions)
        item.speaker = person.name if person else None
        if person:
            mentions.append((at, person.name, True))
            mentions.sort(key=lambda m: m[0])
    _inherit(text, spans_by_paragraph, registry)

    quotations = []
    for item in [*all_spans, *reported]:
        if item.speaker is None or item.end <= item.start:
            continue
        if isinstance(item, _Reported) and any(
                s.speaker and s.start < item.end and item.start < s.end for s in all_spans):
            continue  # the direct quote inside says it better
        person = registry.people[item.speaker]
        quotations.append(Quotation(
            text[item.start:item.end], item.start, item.end, person.name, tuple(person.forms),
            "reported" if isinstance(item, _Reported) else "direct", person.title,
        ))
    return sorted(quotations, key=lambda q: (q.start, q.end))


def _paragraphs(text: str) -> list[tuple[int, int]]:
    bounds, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            bounds.append((pos, pos + len(line)))
        pos += len(line) + 1
    return bounds


def _subject_position_ok(prefix: str, appos: str | None) -> bool:
    """Whether a name after `prefix` (its sentence so far) is the subject: at the start, after an
    opening phrase ("On Monday, "), after a role noun ("film director "), or with ", who"."""
    prefix = prefix.rstrip()
    words = prefix.split()
    return (
        not prefix or prefix.endswith((",", ";", ":", "—", "–", "-", "...", "…", "”", '"', "’"))
        or words[-1].casefold() in _ROLE_NOUNS or bool(appos and appos.strip(", ").startswith("who"))
    )


def _attribute(text, span: _Span, before_lo: int, after_hi: int, registry: _Registry, pronouns) -> None:
    quoted = text[span.start:span.end].rstrip()
    after = text[span.close_mark:after_hi] if span.closed else ""
    before = text[before_lo:span.open_mark]
    # "...," Budrys said: after first; "Budrys said: ...." before first.
    ends_open = quoted.endswith((",", "?", "!", "—", "–", "-", "…")) or text[span.end:span.close_mark].startswith(",")
    for where in (("after", "before") if ends_open else ("before", "after")):
        found = _match_after(after) if where == "after" else _match_before(before)
        if not found:
            continue
        kind, match = found
        span.attribution = kind
        if kind == "pronoun":
            pronouns.append((span.open_mark, span))
        elif kind in ("name", "colon"):
            base = span.close_mark if where == "after" else before_lo
            if kind == "colon" and len(split_title(match.group("run"))[1].split()) < 2:
                span.attribution = "other"
                return
            person = registry.resolve(match.group("run"))
            span.speaker = person.name if person else None
            span.run_at = base + match.start("run")
            if person is None:
                span.attribution = "other"
        return


def _match_after(after: str):
    for kind, pattern in _AFTER:
        m = pattern.match(after)
        if m and not (kind != "other" and _BELONGS_TO_NEXT.match(after, m.end()) and after.rstrip().endswith(":")):
            return kind, m
    return None


def _match_before(before: str):
    for kind, pattern in _BEFORE:
        m = pattern.search(before)
        if not m:
            continue
        if kind in ("name", "colon") and "according" not in m.group()[:12].casefold() and not _subject_position_ok(
                before[:m.start()], m.groupdict().get("appos")):
            return "other", m  # "a spokesman for Budrys said": someone else speaks
        return kind, m
    return None


@dataclass
class _Reported:
    start: int
    end: int
    speaker: str | None = None
    run_at: int = -1


def _reported(text, paragraphs, spans: list[_Span], registry: _Registry, pronouns) -> list[_Reported]:
    inside = sorted((s.open_mark, s.close_mark) for s in spans)
    opens = [a for a, _ in inside]

    def in_quote(pos: int) -> bool:
        i = bisect_right(opens, pos) - 1
        return i >= 0 and inside[i][0] <= pos < inside[i][1]

    found = []
    for lo, hi in paragraphs:
        for sentence in split_sentences(text[lo:hi], lo):
            s = text[sentence.start:sentence.end]
            if len(s) > _MAX_SENTENCE or not re.search(rf"\b(?:{_VERB}|{_PARTICIPLE})\b", s):
                continue
            item = _reported_in_sentence(s, sentence.start, registry, in_quote, pronouns)
            if item:
                found.append(item)
    return found


def _reported_in_sentence(s: str, offset: int, registry: _Registry, in_quote, pronouns) -> _Reported | None:
    """The reported statement of one sentence, if any: its clause, and who made it."""
    end = len(s) - len(_TRAILING.search(s).group()) if _TRAILING.search(s) else len(s)
    for pattern in _REPORTED:  # "Budrys said (that) ...", "He told reporters that ..."
        m = pattern.search(s)
        if m and not in_quote(offset + m.start()) and _subject_position_ok(s[:m.start()], m.group("appos")):
            return _reported_item(m, "run", m.start("clause"), end, offset, registry, pronouns)
    m = _PARTICIPLE_CLAUSE.search(s)  # "Budrys articulated the position, stating that ..."
    if m and (m.group("that") or m.group("verb") in _PLAIN_PARTICIPLES):
        for run in _FIRST_RUN.finditer(s, 0, m.start()):
            if split_title(run.group())[1] and not in_quote(offset + run.start()):
                if _subject_position_ok(s[:run.start()], None):
                    return _reported_item(run, 0, m.start("clause"), end, offset, registry, pronouns)
                break
    m = _INVERTED.match(s)  # "Zuckerberg should step down, said Frances Haugen"
    if m and len(m.group("clause").split()) >= 4 and not in_quote(offset):
        group = "run" if m.group("run") else "run2"
        return _reported_item(m, group, 0, m.end("clause"), offset, registry, pronouns)
    return None


def _reported_item(m: re.Match, group, start: int, end: int, offset: int, registry, pronouns) -> _Reported | None:
    if end <= start:
        return None
    item = _Reported(offset + start, offset + end)
    run = m.group(group)
    if run:
        person = registry.resolve(run)
        item.speaker = person.name if person else None
        item.run_at = offset + m.start(group)
    elif m.re.groupindex.get("pron") and m.group("pron"):
        pronouns.append((offset + m.start("pron"), item))
    return item


def _mentions(text: str, registry: _Registry, spans: list[_Span], attributed) -> list[tuple[int, str, bool]]:
    """(position, person, is a speech attribution) for each mention of a known person outside quotes."""
    forms = {normalise_speaker(f): p.name for p in registry.people.values() for f in p.forms}
    mentions = [(item.run_at, item.speaker, True) for item in attributed if item.speaker and item.run_at >= 0]
    if forms:
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(
            {f for p in registry.people.values() for f in p.forms}, key=len, reverse=True))) + r")\b")
        for m in pattern.finditer(text):
            if not any(s.open_mark <= m.start() < s.close_mark for s in spans):
                mentions.append((m.start(), forms[normalise_speaker(m.group())], False))
    return sorted(mentions, key=lambda m: m[0])


def _resolve_pronoun(at: int, paragraphs, mentions) -> _Person | None:
    starts = [lo for lo, _ in paragraphs]
    p = max(0, bisect_right(starts, at) - 1)
    window_lo = starts[max(0, p - 1)]
    recent = [m for m in mentions if window_lo <= m[0] < at]
    if not recent:
        return None
    people = {name for _, name, _ in recent}
    latest = recent[-1]
    if len(people) == 1 or latest[2]:
        return _Person(latest[1])
    return None


def _inherit(text: str, spans_by_paragraph: list[list[_Span]], registry: _Registry) -> None:
    """A quote with no attribution of its own that opens a sentence continues the speaker of the
    quote before it in the paragraph (or of the previous paragraph's unclosed quote), unless
    someone else is named in between."""
    carried: _Span | None = None  # an unclosed quote ending the previous paragraph
    for spans in spans_by_paragraph:
        for before, span in zip([carried, *spans], spans):
            if span.attribution or before is None or before.speaker is None:
                continue
            between = text[before.close_mark:span.open_mark]
            opens_sentence = not between.strip() or re.search(r"[.!?…]\s*$", between)
            others = [f for p in registry.people.values() if p.name != before.speaker for f in p.forms]
            if (opens_sentence and len(text[span.start:span.end].split()) >= 3
                    and not any(re.search(rf"\b{re.escape(f)}\b", between) for f in others)):
                span.speaker, span.attribution = before.speaker, "inherited"
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
        return q.start < end and start < q.end and label["speaker"] is not None and same_speaker(q.speaker, label["speaker"])

    right = tuple(q for q in predicted if any(agrees(q, *span) for span in spans))
    wrong = tuple(q for q in predicted if q not in right)
    with_speaker = [span for span in spans if span[2]["speaker"] is not None]
    found = tuple(span[2] for span in with_speaker if any(agrees(q, *span) for q in right))
    missed = tuple(span[2] for span in with_speaker if span[2] not in found)
    return AttributionCheck(right, wrong, found, missed)
