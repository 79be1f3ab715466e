"""Words as the assistant compares them: folded (case, accents), stemmed (Snowball English), and
sorted into numbers, names and content words; and the word lists every part uses (stopwords, speech verbs).

One place for these rules, so that "Ruginiene" finds "Ruginienė" and "restrictions" finds
"restricted" the same way wherever text is compared. Name detection is in `index.names`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# Words too common to help lexical search; dropping them keeps FTS queries small and fast.
STOPWORDS = frozenset(
    """a an the and or but if then of to in on at by for with from as is are was were be been being
    do does did done doing have has had having what which who whom whose when where why how that this
    these those it its it's he she they them his her their we you i me my our your there here not no
    so than too very can could should would will shall may might must about into over after before
    any all some such each other more most own same just also only up down out off again further""".split()
)
# Verbs that attribute speech ("...," Budrys said), as the quotation extractor reads them.
SPEECH_VERBS: tuple[str, ...] = tuple("""
    said says stated states added adds told tells warned warns argued argues noted notes explained
    explains emphasized emphasised emphasizes emphasises insisted insists announced announces
    declared declares claimed claims wrote writes articulated asked asks replied replies responded
    recalled recalls acknowledged acknowledges admitted admits conceded remarked commented stressed
    stresses maintained urged cautioned predicted confirmed concluded joked quipped tweeted testified
    countered interrupted retorted exclaimed answered shouted objected protested observed continued
    estimated estimates revealed reveals disclosed discloses informed signalled signaled posted posts pledged vowed
""".split())
# Their participles that open a statement (", stating that ...").
SPEECH_PARTICIPLES: tuple[str, ...] = tuple("""
    saying stating adding telling warning arguing noting explaining emphasizing emphasising insisting
    announcing declaring claiming writing articulating replying acknowledging admitting stressing
    urging cautioning predicting confirming concluding tweeting
""".split())
# Words that are always about speech (unlike "notes" or "adds", as often a noun or another verb):
# a question's "say" meets a passage's "stated".
SAYING_WORDS = frozenset("""
    say says said saying speak speaks spoke spoken speaking stated stating statement statements tell
    tells told telling remarked remarks explained declared commented replied insisted argued emphasized
    emphasised stressed warned announced
""".split())
# Past forms the Snowball stemmer leaves apart from their verb ("won" and "win").
IRREGULAR_VERBS = {
    "said": "say", "says": "say", "told": "tell", "spoke": "speak", "spoken": "speak", "wrote": "write",
    "written": "write", "won": "win", "began": "begin", "begun": "begin", "built": "build", "bought": "buy",
    "sold": "sell", "led": "lead", "held": "hold", "made": "make", "took": "take", "taken": "take",
    "gave": "give", "given": "give", "became": "become", "left": "leave", "met": "meet", "ran": "run",
    "found": "find", "thought": "think", "brought": "bring", "chose": "choose", "chosen": "choose",
}
_TOKEN = re.compile(r"\w+", re.UNICODE)
# A number with a decimal point or grouped thousands first ("£1.8bn" is 1.8 and "bn", "1,000" one
# number), then words (which take "21st" whole), then the symbols.
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:[’'][^\W_]+)*|[$€£¥%]", re.UNICODE)
# Symbols read as the words they stand for: "$2 per day" is two dollars a day.
_SYMBOLS = {"$": "dollar", "€": "euro", "£": "pound", "¥": "yen", "%": "percent"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000", "million": "1000000",
    "billion": "1000000000", "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5",
}
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_STEMMER = Stemmer.Stemmer("english")


def lexical_terms(text: str) -> list[str]:
    """Lower-cased word tokens without stopwords.

    >>> lexical_terms("What did Budrys say?")
    ['budrys', 'say']
    """
    return [t for t in (m.group().lower() for m in _TOKEN.finditer(text)) if t not in STOPWORDS]


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """Lower case without accents.

    >>> fold("Ruginienė")
    'ruginiene'
    """
    decomposed = unicodedata.normalize("NFKD", word.replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The folded word's Snowball stem.

    >>> [stem(w) for w in ["Restrictions", "restricted", "signed", "pursuing"]]
    ['restrict', 'restrict', 'sign', 'pursu']
    """
    return _STEMMER.stemWord(fold(word).removesuffix("'s"))


def number_value(token: str) -> str | None:
    """A number's canonical form ("1,000" -> "1000", "two" -> "2", "21st" -> "21"), or None.

    >>> [number_value(t) for t in ["1,000", "2.5", "two", "21st", "Budrys"]]
    ['1000', '2.5', '2', '21', None]
    """
    word = fold(token)
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    ordinal = _ORDINAL.match(word)
    if ordinal:
        return ordinal.group(1)
    if _NUMBER.fullmatch(word):
        # "1,000" is a thousand; "2,5" stays a decimal written the European way only if not grouped by 3.
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", word):
            word = word.replace(",", "")
        return word.replace(",", ".").rstrip(".")
    return None


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written
    start: int  # offset in the text it came from
    stem: str
    number: str | None  # canonical value when the token is a number
    capitalised: bool
    first: bool  # the first word of its sentence (capitalised by grammar, not because it is a name)

    @property
    def is_stopword(self) -> bool:
        return fold(self.text) in STOPWORDS


def tokens(text: str) -> list[Token]:
    """The words and numbers of `text`, in order (remembered for the last texts read: an answer
    reads the same sentences several times).

    >>> [(t.text, t.stem, t.number) for t in tokens("Vilnius signed 2 deals.")]
    [('Vilnius', 'vilnius', None), ('signed', 'sign', None), ('2', '2', '2'), ('deals', 'deal', None)]
    >>> [t.number for t in tokens("£1.8bn, 1,000 people, the 21st")]
    [None, '1.8', None, '1000', None, None, '21']
    """
    return list(_tokens(text))


# Bounded: about 50 KB per passage of 250 words, so at most some 50 MB when all are passages
# (mostly sentences, far less). Ingest reads its chunks uncached (`evidence_words`).
@lru_cache(maxsize=1024)
def _tokens(text: str) -> tuple[Token, ...]:
    out: list[Token] = []
    sentence_start = True
    last_end = 0
    for match in _WORD.finditer(text):
        gap = text[last_end : match.start()]
        if out and re.search(r"[.!?:;]\s*$|[\n]", gap):
            sentence_start = True
        word = _SYMBOLS.get(match.group(), match.group())
        number = number_value(word)
        out.append(Token(
            text=word, start=match.start(), stem=number or stem(word), number=number,
            capitalised=word[:1].isupper(), first=sentence_start,
        ))
        sentence_start = False
        last_end = match.end()
    return tuple(out)


_DEMONYM_ENDINGS = frozenset({"ese", "es", "ian", "an", "i", "ish", "n"})  # as written and as stemmed


# Words that carry no claim of their own in an answer sentence.
META_WORDS = frozenset(
    "according article articles document documents passage passages source sources text report reports reported "
    "reportedly say says said saying stated states state told tell tells added adds noted notes mention mentions "
    "mentioned describe describes described also however moreover meanwhile furthermore additionally already "
    "still currently recently speak speaks spoke spoken speaking talk talks talked talking comment comments "
    "commented remark remarked year years day days time times today people thing things way part".split()
)
# ... and the words that frame an answer rather than name anything ("Based on the information ...").
CONNECTIVE_WORDS = META_WORDS | frozenset(
    "here following summary answer answers based information provided context found below above overall short "
    "brief key points point note question asked what relevant summarised summarized know".split()
)
# Lower-case words inside a name ("Bank of England", "Ursula von der Leyen").
NAME_GLUE = frozenset({"of", "the", "de", "von", "van", "da", "del", "la", "le", "and", "for"})
# Words that open a sentence capitalised without naming anything ("Although the EU ...").
OPENERS = frozenset(
    "although though while whereas because since after before when whenever once unless until despite unlike "
    "like as instead yet thus hence therefore nevertheless nonetheless besides overall following during amid "
    "among within between both either neither each every many several most some".split()
)


def name_runs(words: list[Token]) -> list[list[Token]]:
    """Runs of capitalised words ("Prime Minister Inga Ruginienė", "Bank of England"); a sentence's
    first word only when it is not a common word."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for i, word in enumerate(words):
        is_name = word.capitalised and word.number is None and not word.is_stopword and not (
            word.first and (fold(word.text) in CONNECTIVE_WORDS or fold(word.text) in OPENERS)
        )
        if is_name:
            current.append(word)
        elif current and fold(word.text) in NAME_GLUE and i + 1 < len(words) and words[i + 1].capitalised:
            continue  # "of" inside "Bank of England"
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def evidence_words(text: str) -> list[str]:
    """The words of `text` the support check may compare by the model's word vectors (folded,
    distinct, in order): neither stopwords nor numbers, then its names of several words, as the
    check names them ("Kestutis Budrys", "Munich Security Conference").

    >>> evidence_words("Kestutis Budrys said: the 2 deals, and Budrys's plan in the U.S.")
    ['kestutis', 'budrys', 'said', 'deals', "budrys's", 'plan', 'u', 's', 'kestutis budrys', 'u s']
    """
    words = list(_tokens.__wrapped__(text))  # every chunk once: not worth a place in the cache
    names = (fold(" ".join(w.text for w in run)) for run in name_runs(words) if len(run) > 1)
    single = (fold(t.text) for t in words if t.number is None and not t.is_stopword)
    return list(dict.fromkeys([*single, *names]))


def lemma(word: str) -> str:
    """The word's verb when it is a form of one the stemmer misses, else its Snowball stem; every
    word of speech is "say", so "What did X say?" meets "X stated".

    >>> [lemma(w) for w in ["said", "minerals", "countries", "won", "stated", "restrictions"]]
    ['say', 'miner', 'countri', 'win', 'say', 'restrict']
    """
    folded = fold(word).removesuffix("'s")
    if folded in SAYING_WORDS:
        return "say"
    return IRREGULAR_VERBS.get(folded) or stem(folded)


@lru_cache(maxsize=1 << 18)
def same_word(a: str, b: str) -> bool:
    """Stems that name the same thing: equal, one a long prefix of the other ("lithuanian" and
    "lithuania"; "austria" and "australia" are not), or a place and its people ("china", "chines").

    >>> same_word("lithuanian", "lithuania"), same_word("austria", "australia"), same_word("china", "chines")
    (True, False, True)
    """
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 5 and long.startswith(short) and len(long) - len(short) <= 3:
        return True
    # China -> Chinese, Ghana -> Ghanaian: the place's final vowel gives way to the people's ending.
    root = short[:-1] if short[-1:] in "aeiouy" else short
    return len(root) >= 4 and long.startswith(root) and long[len(root):] in _DEMONYM_ENDINGS
