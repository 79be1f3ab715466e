"""People's names in running text: the capitalised run that may be a name, its title ("Prime
Minister"), and how two names are compared ("Budrys" is "Kestutis Budrys").

Word lists, not a gazetteer, tell names from roles, organisations and places; see `index.quotes`
for who said what, which is built on these.
"""

from __future__ import annotations

import re
import unicodedata

# Roles, lower case: "film director James Cameron", "said education chief Nadia Rahman".
ROLE_NOUNS = frozenset("""
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
    principal headteacher headmaster headmistress rector provost mp mep legislator congressman
    congresswoman assemblyman assemblywoman friend neighbour neighbor colleague coordinator convener chairperson
    secretary-general director-general
    psychiatrist strategist lobbyist publicist feminist industrialist evangelist superintendent
    commander provost vice-president broadcaster presenter curator conservator photographer pilot
    chef comedian dancer drummer cellist conductor sculptor painter playwright screenwriter vocalist
    midwife paramedic pharmacist dentist veterinarian ranger skipper forecaster meteorologist auditor
    member owner teammate grandmaster survivor commuter shopper motorist hiker climber
""".split())
# Capitalised words that name a role: before a name they are its title, never part of it.
TITLE_WORDS = ROLE_NOUNS | {w.casefold() for w in """
    Vice Prime Sen. Representative Rep. Gov. Dr. Prof. Gen. Adm. Col. Lt. Sgt. Capt. CFO COO Officer
    Justice King Queen Prince Princess Pope Cardinal Archbishop Sheikh Mr. Mrs. Ms. Miss Mx. Sir Dame
    Lord Lady Rev. Reverend Father Sister Deputy Head Speaker Superintendent Commander Marshal
    Correspondent Forward Foreign Defence Defense Finance Interior Health Economy Trade Education
    Energy Environment Culture Labour Labor Agriculture Transport Presidential Former Acting Senior
    Junior Assistant Associate Managing Executive Party Opposition Housing Tourism Science Technology
    Fisheries Industry Infrastructure Communications Welfare Planning Commerce Treasury Youth Climate
    Forestry Mines Mining Sport Sports Transportation Immigration
    Dr Mr Mrs Ms Mx Prof Cr Cllr Fr Rev Sen Gov Gen Col Lt Sgt Capt Insp Det Supt Co-author Co-founder
    Director-General Secretary-General Attorney-General Solicitor-General Governor-General Inspector-General
    Magistrate Registrar Coroner Ombudsman
""".split()}
# Words that make a capitalised run an organisation, a place or an event, not a person.
NON_PERSON_WORDS = frozenset(w.casefold() for w in """
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
    Agreement Act Plan Report Index Avenue Road Airport Station Market North South East West
    Northern Southern Eastern Western Central United New Saint San Los Las Hong Kong Saudi Korea
    Europe European America American Africa African Asia Asian Earth Communications Electric Energy
    Oil Airways Entertainment Productions Telecom Insurance Financial Securities Brands Foods
    Industries Enterprises Solutions Software Digital Electronics Publishing Books Code SpA GmbH AG
    plc PLC KG Glacier Mount Mountain Bay Gulf Strait Canal Peninsula Highway Cathedral Harbour Harbor Volcano
    Reservoir Fjord Desert Open Australian British French German Italian Spanish Chinese Japanese Russian Indian
    Canadian Mexican Brazilian Dutch Swedish Norwegian Danish Scottish Polish Turkish Greek Korean
""".split())
# Capitalised words that open sentences or are dates: never part of a name.
NOT_NAME_WORDS = frozenset(w.casefold() for w in """
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
    Otherwise Overall Instead Citing Quoting Among Like Unlike Under Via
""".split())
# After a name, part of it: "Martin Luther King Jr.", "Pope Leo X".
NAME_SUFFIXES = frozenset({"jr.", "sr.", *"ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi".split()})
_ABBREVIATED_TITLES = "Dr|Mr|Mrs|Ms|Mx|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Adm|Rev|Jr|Sr|St"
PARTICLES = r"(?:de|da|del|della|der|den|di|du|dos|das|van|von|bin|ibn|al|la|le|ter|y)"
# Words a surname of two words may start with: "De Wilde" is Joris De Wilde, "Ní Riain" Aoife Ní Riain.
SURNAME_PARTICLES = frozenset(
    "de da del della der den di du dos das van von bin ibn al el la le ter ní nic mac ó te".split())
_LEADING_PARTICLES = "von|van|de|du|da|di|del|della|bin|ibn|al"  # a surname may start with these
_ARTICLE_PREFIXES = "al|el|ul|ad|as|ash|at|az|an|ar|abu|ben|bin|ibn"  # glued with a hyphen: "el-Sayed"

# Upper-case letters of Latin scripts, for character classes.
UPPER = "".join(ch for ch in map(chr, range(0x250)) if ch.isupper())
# A capitalised word: "Budrys", "Abu-Manneh", "O'Brien", an initial "J." (or "U.S."), "Dr.", "Jr."; a full
# stop after any other word ends the sentence, and the run of words with it.
_CAP = (  # also a company's "Co." or "Inc." before a verb or a comma ("Chugai Electric Power Co. said")
    rf"(?:(?:[{UPPER}]\.)+|(?:{_ABBREVIATED_TITLES})\.|(?:Co|Corp|Inc|Ltd|Bros|Cos)\.(?=,|[ \t]+[a-z(])"
    rf"|(?:{_ARTICLE_PREFIXES})-[{UPPER}][\w'’\-]*|[{UPPER}][\w'’\-]*)")  # and "el-Sayed", "al-Hashimi"
# Title and name, on one line: "Prime Minister Inga Ruginienė", "Ursula von der Leyen", "von der Leyen".
NAME_RUN = (
    rf"(?:(?<![\w'’])(?:{_LEADING_PARTICLES})[ \t]+(?:{PARTICLES}[ \t]+)?)?"
    rf"{_CAP}(?:[ \t]+(?:{PARTICLES}[ \t]+){{0,2}}{_CAP}){{0,7}}"
)
NAME_RUN_PATTERN = re.compile(NAME_RUN)


def normalise_speaker(name: str) -> str:
    """The form used to compare names: accents stripped, case folded, spaces collapsed.

    >>> normalise_speaker("Inga  Ruginienė") == normalise_speaker("inga ruginiene")
    True
    """
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


# Words before a name that say what a person is in one story, not who they are: a court's labels,
# "former" and "-elect", honorifics. "Defendant Donald J. Trump" is Donald Trump.
ROLE_LABELS = frozenset("""
    defendant plaintiff petitioner respondent appellant appellee claimant witness former ex acting late
    president-elect vice-president-elect governor-elect mayor-elect senator-elect
    dr dr. mr mr. mrs mrs. ms ms. mx mx. prof prof. sir dame rev rev.
""".split())
# Jobs written like a title before a full name ("Farmer Anna Rigoni"): labels too, but only before a
# person's name, never inside an organisation's ("Student Loans Company", "Trader Joe's").
JOB_LABELS = frozenset("""
    farmer fisherman fisherwoman teacher nurse resident student worker trader vendor shopkeeper pensioner
    commuter activist campaigner herder rancher grower villager volunteer tourist passenger survivor
""".split())


def role_label(name: str) -> tuple[str, str]:
    """(label, name) of a speaker's name that opens with role labels or honorifics (which
    `identity.person_of` drops): the label is their title in that document.

    >>> role_label("Defendant Donald J. Trump"), role_label("Donald Trump")
    (('Defendant', 'Donald J. Trump'), ('', 'Donald Trump'))
    """
    words = name.split()
    i = 0
    while len(words) - i > 2 and (normalise_speaker(words[i]) in ROLE_LABELS or (
            normalise_speaker(words[i]) in JOB_LABELS and all(map(is_name_word, words[i + 1:])))):
        i += 1
    return " ".join(words[:i]), " ".join(words[i:])


FOLDED_PARTICLES = frozenset(normalise_speaker(p) for p in SURNAME_PARTICLES)


def same_speaker(predicted: str, labelled: str) -> bool:
    """Whether two names denote the same person: equal once normalised, or one is the other's
    surname ("Budrys" and "Kestutis Budrys").

    >>> same_speaker("Budrys", "Kestutis Budrys"), same_speaker("Kestutis Budrys", "Inga Budrys")
    (True, False)
    >>> same_speaker("De Wilde", "Joris De Wilde"), same_speaker("Ann Smith", "Mary Ann Smith")
    (True, False)
    """
    a, b = normalise_speaker(predicted).split(), normalise_speaker(labelled).split()
    if len(a) > len(b):
        a, b = b, a
    return bool(a and b) and (a == b or (len(a) == 1 and a[0] == b[-1]) or (
        a[0] in FOLDED_PARTICLES and b[-len(a):] == a))  # "De Wilde" and "Joris De Wilde"


def split_title(run: str) -> tuple[str, str]:
    """(title, name) of a capitalised run; name is "" when the run does not end in a person's name.

    >>> split_title("Lithuanian Foreign Minister Kestutis Budrys")
    ('Lithuanian Foreign Minister', 'Kestutis Budrys')
    >>> split_title("The U.S. National Defense Strategy")
    ('', '')
    >>> split_title("Defendant Donald J. Trump"), split_title("President-elect Donald Trump")
    (('Defendant', 'Donald J. Trump'), ('President-elect', 'Donald Trump'))
    """
    tokens = run.split()
    if tokens[-1].endswith(".") and len(tokens[-1]) > 2 and tokens[-1].casefold() not in NAME_SUFFIXES:
        tokens[-1] = tokens[-1][:-1]  # a full stop, not an initial
    i = len(tokens)  # the name is the longest tail of name-like words, at most 4
    while i > 0 and len(tokens) - i < 4 and (
            is_name_word(tokens[i - 1]) or (i < len(tokens) and re.fullmatch(PARTICLES, tokens[i - 1]))):
        i -= 1
    name = tokens[i:]
    if not name or (len(name) == 1 and (name[0].casefold() in NAME_SUFFIXES or (
            i > 0 and tokens[i - 1].casefold() in NON_PERSON_WORDS))):
        return "", ""  # "Ministry Vilnius": a place or an organisation, not a titled person
    j = i
    while j > 0 and tokens[j - 1].casefold() not in NOT_NAME_WORDS:
        j -= 1
    title = tokens[j:i] if any(map(is_title_word, tokens[j:i])) else []
    label, rest = role_label(" ".join(name))  # "Defendant Donald J. Trump": labelled Defendant
    return " ".join([*title, *label.split()]), rest


# "London-listed", "Texas-born", "the Nigerian-born actor": an adjective, never part of a name.
COMPOUND_ADJECTIVE = re.compile(
    r"[\w.]+-(?:born|based|backed|led|owned|run|funded|made|listed|trained|style|speaking|bred|raised)")


def is_name_word(token: str) -> bool:
    """A word that may be part of a person's name: capitalised, not an acronym, a role, a
    sentence opener or an organisation's word; an initial ("J.") or a suffix ("Jr.").

    >>> [is_name_word(w) for w in ["Budrys", "NATO", "Minister", "However", "J."]]
    [True, False, False, False, True]
    """
    word = token.casefold()
    if word in NAME_SUFFIXES or re.fullmatch(rf"(?:[{UPPER}]\.){{1,3}}", token):  # "Jr.", initials "J.", "H.W."
        return True
    if re.fullmatch(rf"(?:{_ARTICLE_PREFIXES})-[{UPPER}][\w'’\-]*", token):
        return True  # "el-Sayed"
    return (
        token[:1].isupper() and any(c.islower() for c in token)  # not an acronym like "NATO"
        and not is_title_word(token) and word not in NOT_NAME_WORDS and word not in NON_PERSON_WORDS
        and not word.endswith(("'s", "’s", "'", "’")) and not (word.endswith(".") and len(word) > 3)
        and not COMPOUND_ADJECTIVE.fullmatch(word)
    )


def is_title_word(token: str) -> bool:
    """A role before a name: listed, or shaped like one ("Archaeologist", "Biographer", "Paediatrician")."""
    word = token.casefold()
    return word in TITLE_WORDS or word.endswith(("ologist", "ographer", "ician"))
