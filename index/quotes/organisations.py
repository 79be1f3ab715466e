"""Where a document names its organisations, for the quotation extractor's `People`: by a word of
their kind ("Halvorsen Bank", "Department for Education", "Food and Drug Administration"), by what the
text calls them ("the battery start-up Cellique", "consumer group Fair Power", "shares in Norsk
Hydro"), or by how they speak ("Apiculture New Zealand said it would ...")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..names import (
    COMPOUND_ADJECTIVE,
    NAME_RUN,
    NON_PERSON_WORDS,
    NOT_NAME_WORDS,
    ROLE_NOUNS,
    UPPER,
    is_title_word,
    normalise_speaker,
    split_title,
)
from . import lexicon

if TYPE_CHECKING:
    from .people import People

# A run of capitalised words that may join with "of", "for": "Department for Education" ("and"
# would join two names: "Pell Motors and Ardent Motors").
_ORG_RUN = re.compile(  # also "Universidad de Chile"
    rf"[{UPPER}][\w'’.&\-]*(?:[ \t]+(?:(?:of|for|de|del|da|do|dos|das|di|della)[ \t]+(?:the[ \t]+)?)?"
    rf"[{UPPER}][\w'’.&\-]*)*")
_SHARES_IN = re.compile(rf"\b[Ss]hares\s+(?:in|of)\s+(?P<run>[{UPPER}][\w'’\-]*(?:\s+[{UPPER}][\w'’\-]*){{0,3}})")
# "the battery start-up Cellique", "rival carmaker Pell": a company named by what it is.
_COMPANY_BEFORE = re.compile(
    rf"\b(?:start-up|startup|company|firm|retailer|lender|insurer|airline|carrier|supplier|manufacturer|"
    rf"conglomerate|subsidiary|(?:car|auto|chip|drug|plane|steel|toy|truck|phone|tyre|tire|shoe|game|handset|aircraft|"
    rf"engine|battery|furniture|beer|wine)maker|(?!(?:film|policy|law|peace|decision|match|money|trouble)\s)[a-z]+\s+maker)"
    rf"\s+(?P<run>[{UPPER}][\w'’\-]*(?:\s+[{UPPER}][\w'’\-]*){{0,2}})"
)
# "Consumer group Fair Power", "the regulator Ofgrid": an organisation named after its kind.
_KIND_BEFORE = re.compile(  # also "an analyst at Munich-based consultancy Ostrand Mobility"
    rf"(?:^|(?<=[.!?]\s)|(?<=\n)|(?<=\s[-–—]\s)|\b[Tt]he\s+|\b(?:at|of|from|with)\s+(?=[\w.]+-(?:based|listed)\s))(?:[{UPPER}][\w\-]*(?:['’]s)?\s+)?(?:[a-z][\w'’\-]*\s+){{0,3}}?"
    rf"(?P<kind>{lexicon.LEAD_ALTERNATIVES})\s+(?P<run>[{UPPER}][\w'’\-]*(?:\s+[{UPPER}][\w'’\-]*){{0,2}})"
)
# "The developer, Helios Iberia,", "The mine's operator, Minera Cerro Dorado,": an organisation.
_KIND_APPOSITION = re.compile(  # also "A guards' union, the Asociación Nacional de Funcionarios,"
    rf"\b(?:[Tt]he|[Aa]n?)\s+(?:[\w'’\-]+\s+){{0,2}}?(?P<kind>{lexicon.LEAD_ALTERNATIVES}),\s+(?:the\s+)?"
    rf"(?P<run>[{UPPER}][\w'’\-]*(?:\s+(?:(?:de|del|de\s+la|des|du|di|do|da|dos|das|of|for)\s+)?[{UPPER}][\w'’\-]*){{0,5}}),")
# "Shelter Without Borders, an aid group,": its name, then what it is (the kind last before the comma
# or what it does: not "Tom Hale, a bank manager,").
_NAME_THEN_KIND = re.compile(  # (the words before the kind describe it: no role, no "of": "a director of the company")
    rf"(?<![\w'’.\-])(?P<run>[{UPPER}][\w'’\-]*(?:\s+[{UPPER}][\w'’\-]*){{1,4}}),\s+(?:an?|the)\s+"
    rf"(?:(?!(?:{'|'.join(sorted(ROLE_NOUNS))}|of|at|for|with|in|on|from|to|by)\b)[\w'’\-]+\s+){{0,3}}?"
    rf"(?P<kind>{lexicon.LEAD_ALTERNATIVES})(?:\s+(?:that|which|based|in|from|of)\b[^,;“”\"]{{0,80}})?,")
# "Food and Drug Administration", "Alpine and Speleological Rescue Corps of South Tyrol": "and" inside
# a name that ends with a word of an organisation's kind (and maybe "of ..."); see _find_organisations.
_CAPS = rf"[{UPPER}][\w'’.\-]*(?:[ \t]+[{UPPER}][\w'’.\-]*){{0,3}}"
_AND_ORGANISATION = re.compile(
    rf"(?<![\w'’.\-]){_CAPS}[ \t]+and[ \t]+(?P<tail>{_CAPS})(?:[ \t]+of[ \t]+(?:the[ \t]+)?{_CAPS})?")
# "Philippine Institute of Volcanology and Seismology", "Department of Health and Social Care".
_WORD = rf"[{UPPER}][\w'’.\-]*"
_OF_AND_ORGANISATION = re.compile(  # also "Organization for Security and Co-operation in Europe"
    rf"(?<![\w'’.\-]){_CAPS}[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?(?:{_CAPS}[ \t]+and[ \t]+{_CAPS}"
    # and "Department of Agriculture, Food and the Marine": fields of one word each
    rf"|{_WORD}(?:,[ \t]+{_WORD}){{1,3}},?[ \t]+and[ \t]+(?:the[ \t]+)?{_WORD}(?![ \t]+[{UPPER}]))"
    rf"(?:[ \t]+in[ \t]+{_CAPS})?")
# After a list of names, what says they are several: "..., Unicef and Oxfam said in a joint statement".
_SEVERAL = re.compile(r"[^.;]{0,60}?\b(?:joint|jointly|they|their|both|together)\b")
# "Apiculture New Zealand said it would ...": who says "it" of themself is an organisation.
_SAID_IT = re.compile(
    rf"(?<![\w'’.\-])(?P<run>{NAME_RUN})\s+(?:also\s+)?(?:said|says)\s+(?:on\s+\w+day\s+|in\s+a\s+statement\s+)?"
    rf"(?:that\s+)?it\s")  # "New Zealand Rugby said in a statement that it", "Sotheby’s said it"
# The verbs an organisation's name speaks with, where only its subject tells what it is.
_SPOKE = "(?:said|says|told|announced|confirmed|warned|added|reported|stated)"
# "The Nepal Army said", "The City of Rotterdam said": a capitalised name after "the", opening its
# sentence as the subject of a speech verb, is an organisation (a person's name takes no article).
_THE_NAME_SAID = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n)|(?<=[—–-]\s))The\s+(?P<run>{NAME_RUN}(?:\s+(?:of|for)\s+(?:the\s+)?{NAME_RUN})?)"
    rf"(?:\s+\([A-Z]{{2,8}}\))?(?:,\s+(?:which|whose)\b[^,;“”\"]{{1,120}},)?\s+(?:also\s+)?"
    rf"{_SPOKE}\b")
# What a person says of themself after "said": "The Dalai Lama said he hoped to live to 130".
_SELF_A_PERSON = re.compile(r"(?:\s+on\s+\w+day)?\s+(?:that\s+)?(?:he|she)\b")
# "Health New Zealand said", "..., Maritime New Zealand said": who speaks under a name with a place
# inside it, not first ("Jordan Henderson" is a person), is an organisation.
# Also "Maritime Power, the province's main utility, said", "Terminal Costa Central, which runs the
# quay, said": a name no person has ("Power", "Valley" are no one's name), see _no_person.
_SPEAKING_RUN = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n)|(?<=,\s)|(?<=[—–-]\s)|(?<=\bthe\s))(?P<run>{NAME_RUN})"
    rf"(?P<appos>,\s+(?:which|whose|the|a|an|one\s+of)\s[^,;“”\"]{{1,120}},)?\s+(?:also\s+)?"
    rf"{_SPOKE}\b")
# "The Solidarity trade union said", "The opposition Civic Future party said": a name before its kind.
_THE_NAME_KIND = re.compile(
    rf"\b[Tt]he\s+(?:[a-z][\w\-]*\s+)?(?P<run>{NAME_RUN})\s+(?:[a-z][\w\-]*\s+)?(?P<kind>{lexicon.LEAD_ALTERNATIVES})"
    rf"(?:,[^,;“”\"]{{1,120}},)?\s+(?:also\s+)?(?:said|says|told|announced|warned|added|called|urged)\b")
# "The Valais cantonal police", "the Bavarian state police": a police force named by its place.
_PLACE_POLICE = re.compile(rf"\b[Tt]he\s+(?P<run>[{UPPER}][\w\-]*(?:\s+[{UPPER}][\w\-]*)?(?:\s+[a-z]+)?\s+police)\b")
_SENTENCE_BREAK = re.compile(r"(?<=[a-z]{3})\.\s+")
_CONNECTORS = frozenset({"of", "for", "and", "&", "the"})


def _complement_word(word: str) -> bool:
    """A word of an organisation's "of ..." complement: capitalised, no role or honorific
    ("University of Oslo President" stops at President; "Office of Civil Defense" does not)."""
    return word[:1].isupper() and word.casefold() not in ROLE_NOUNS | NOT_NAME_WORDS and not (
        is_title_word(word) and word.casefold() not in lexicon.FIELD_WORDS)


def _definite(text: str, start: int, run: str) -> bool:
    """Whether a name is introduced as one institution: "the Food and Drug Administration",
    "Germany's Federal Waterways and Shipping Administration" (not "Nordea and Danske Bank")."""
    return bool(re.search(r"\b[Tt]he\s+$", text[max(0, start - 8):start]) or re.match(r"(?:The|[\w.]+['’]s)\s", run))


def _without_owner(words: list[str]) -> list[str]:
    """A name's words without the place whose it is: "Papua New Guinea's Pacific Highlands Airways"."""
    for i, w in enumerate(words[:4]):
        if w.endswith(("'s", "’s")) and i + 1 < len(words):
            place = " ".join([*words[:i], w[:-2]]).casefold()
            return words[i + 1:] if place in lexicon.PLACES else words
    return words


_TOWN_HALLS = frozenset("city town county borough municipality village shire".split())
_ROMANCE_PARTICLES = frozenset("de del da do dos das di della la le des du y e".split())


def organisation_name(run: str) -> str:
    """The organisation a capitalised run names, or "": from its first word of an organisation's
    kind, with the words of that kind after it and an "of ..."/"for ..." complement.

    >>> organisation_name("The Department for Education"), organisation_name("European Commission President Ursula")
    ('Department for Education', 'European Commission')
    >>> organisation_name("Halvorsen Bank"), organisation_name("Lindell Reservoir"), organisation_name("Bank")
    ('Halvorsen Bank', '', '')
    >>> organisation_name("Ingrid Solberg of the University of Oslo"), organisation_name("Financial Conduct Authority")
    ('University of Oslo', 'Financial Conduct Authority')
    """
    words = run.split()
    while words and words[0].casefold() in NOT_NAME_WORDS:
        words = words[1:]  # "The", "In"
    words = _without_owner(words)
    if len(words) >= 3 and words[0].casefold() in _TOWN_HALLS and words[1] == "of" and words[2][:1].isupper():
        return " ".join(words[:3])  # "City of Kamloops", "Town of Oakville": its council
    while len(words) > 2 and (words[0].casefold() in lexicon.KIND_ONLY_LEADS or words[0].endswith(("'s", "’s"))
                              or COMPOUND_ADJECTIVE.fullmatch(words[0])):
        words = words[1:]  # "Developer Brightline Homes", "Switzerland's Federal Supreme Court", "Singapore-based X"
    if words and words[-1].endswith(".") and words[-1].casefold() not in lexicon.ORGANISATION_WORDS:
        words[-1] = words[-1][:-1]  # the sentence's full stop
    if words and words[-1].endswith(("'s", "’s")):
        words[-1] = words[-1][:-2]  # "the Rwanda Space Agency’s ground station"
    kinds = [i for i, w in enumerate(words) if w.casefold() in lexicon.ORGANISATION_WORDS
             and (w.casefold() not in lexicon.LAST_WORD_KINDS or i == len(words) - 1)]
    if not kinds:
        return ""
    connectors = [i for i in range(kinds[0]) if words[i] in _CONNECTORS]
    if connectors:  # "Ingrid Solberg of the University of Tromsø": the name starts after "of the"
        words, kinds = words[connectors[-1] + 1:], [k - connectors[-1] - 1 for k in kinds]
    end = kinds[0] + 1
    if kinds[0] <= 1 and words[kinds[0]].casefold() in lexicon.ROMANCE_KINDS:  # "Esporte Clube Vila Serrana"
        while end < len(words) and (words[end][:1].isupper() and not is_title_word(words[end])
                                    or words[end] in _ROMANCE_PARTICLES and end + 1 < len(words)):
            end += 1
            if words[end - 1].endswith(("'s", "’s")):  # "Banco Andino's Pedro Gómez": the bank ends there
                words[end - 1] = words[end - 1][:-2]
                break
        return " ".join(words[:end]) if end >= 2 else ""
    later = [k for k in kinds if k >= end and all(w[:1].isupper() and not is_title_word(w) for w in words[end:k])]
    end = max(end, later[-1] + 1) if later else end  # "Financial Conduct Authority": to its last kind word
    while end < len(words) and words[end].casefold() in lexicon.ORGANISATION_WORDS:
        end += 1  # "Goldman Sachs Group Inc."
    if end + 1 < len(words) and words[end] in ("of", "for"):
        end += 2 + (words[end + 1] == "the" and end + 2 < len(words))  # "Bank of England"
        while end < len(words) and end < kinds[0] + 6 and _complement_word(words[end]):
            end += 1  # "Museum of Maritime History", "Office of Civil Defense"
    name = words[:end]
    if len(name) < 2 or name[0] in _CONNECTORS:
        return ""
    return " ".join(name)



def find_organisations(people: People, text: str) -> None:
    """Record in `people.organisations` every organisation the text names, with what "the ..." may call it."""
    joined = []
    for m in _OF_AND_ORGANISATION.finditer(text):  # "Institute of Volcanology and Seismology"
        if "," in m.group() and _SEVERAL.match(text, m.end()):
            continue  # "The Ministry of Health, Unicef and Oxfam said in a joint statement"
        words = m.group().split()
        while words and words[0].casefold() in NOT_NAME_WORDS:
            words = words[1:]
        if len(words) > 1 and words[0].casefold() in _DEMONYMS and words[1].casefold() in lexicon.ORGANISATION_WORDS:
            words = words[1:]  # "the Dutch Ministry of Education, Culture and Science"
        words = _without_owner(words)  # "Senegal's Ministry of Fisheries and Maritime Economy"
        tail = " ".join(words[words.index("and") + 1:]).split(" in ")[0]
        if organisation_name(" ".join(words[:words.index("and")])) and tail.split()[0].casefold() not in (
                lexicon.GIVEN_NAMES):
            joined.append(" ".join(words))  # not "Ana Ruiz of the Bank of England and Tom Hale"
    for m in _AND_ORGANISATION.finditer(text):  # "Food and Drug Administration": one name with "and"
        words = m.group().split()
        while words and (words[0].casefold() in NOT_NAME_WORDS or words[0].endswith(("'s", "’s"))):
            words = words[1:]  # "Germany's Federal Waterways and Shipping Administration"
        head = words[:words.index("and")] if "and" in words else []
        named = " ".join(words)
        last = m.group("tail").split()[-1].casefold()
        if (head and last in lexicon.ORGANISATION_WORDS
                and (last in _PUBLIC_BODIES or not any(w.casefold() in lexicon.ORGANISATION_WORDS for w in head))
                and _definite(text, m.start(), m.group())  # "the Food and ...", "Germany's Federal ..."
                and " ".join(head) not in text.replace(named, "")):  # "Nordea and Danske Bank ... Nordea said"
            joined.append(" ".join(words))
    for m in _ORG_RUN.finditer(text):
        for run in _SENTENCE_BREAK.split(m.group()):  # "... by Qorix Software. Qorix said"
            name = organisation_name(run)
            if name:
                people.organisations.setdefault(name, _kinds(name))
    for m in _COMPANY_BEFORE.finditer(text):  # "the battery start-up Cellique": a company
        name = m.group("run")  # one word, or more not opening with a given name ("drugmaker Mekong Biologicals")
        alone = " " not in name and split_title(name)[1] == name
        if ((alone or " " in name and name.split()[0].casefold() not in lexicon.GIVEN_NAMES
             and not any(map(is_title_word, name.split())))  # not "company President Hiroshi Tanabe"
                and name.casefold() not in lexicon.PLACES
                and not people.by_last_word.get(normalise_speaker(name)) and not people.organisation(name)):
            people.organisations[name] = frozenset({"company", "firm"})
    for m in _KIND_BEFORE.finditer(text):  # "Consumer group Fair Power": its kind says so
        name, first = m.group("run"), m.group("run").split()[0].casefold()
        if (name.casefold() not in lexicon.PLACES and first not in lexicon.GIVEN_NAMES
                and first not in NOT_NAME_WORDS and not people.organisation(name) and split_title(name)[0] == ""
                and not {n for n in people.by_last_word.get(normalise_speaker(name).split()[-1], ())
                         if not n.endswith(name)}  # (but "Operator Minera Atacama Norte", glued)
                and not (m.group("kind").casefold() in lexicon.JOB_LEADS and " " in name
                         and split_title(name)[1] == name and not organisation_name(name)
                         and (first in lexicon.GIVEN_NAMES or name.count(" ") < 2))):
            # ("Property developer Nick Candy" is a person: a job that is also a kind of company; but
            # "Operator Minera Atacama Norte", three words and no given name, is a company)
            kind = m.group("kind").casefold()
            company = frozenset({"company", "firm"} if kind in lexicon.COMPANY_LEADS else ())
            people.organisations[name] = frozenset({kind}) | lexicon.KIND_OF_WORD.get(kind, company) | company
    for m in [*_KIND_APPOSITION.finditer(text), *_NAME_THEN_KIND.finditer(text)]:  # "The developer, Helios Iberia,"
        name = m.group("run")
        if (name.casefold() not in lexicon.PLACES and not people.organisation(name) and split_title(name)[0] == ""
                and name.split()[0].casefold() not in lexicon.GIVEN_NAMES | NOT_NAME_WORDS):
            kind = m.group("kind").casefold()
            people.organisations[name] = frozenset({kind}) | lexicon.KIND_OF_WORD.get(kind, frozenset()) | (
                frozenset({"company", "firm"}) if kind in lexicon.COMPANY_LEADS else frozenset())
    for m in _SHARES_IN.finditer(text):  # "Shares in Norsk Hydro fell": a listed company
        name = " ".join(w for w in m.group("run").split() if w.casefold() not in NOT_NAME_WORDS)
        if any(o.startswith(name + " ") for o in people.organisations):
            continue  # "shares in Halvorsen": Halvorsen Pharma, named already
        if name and name.casefold() not in lexicon.PLACES:
            people.organisations[name] = people.organisations.get(name, frozenset()) | {"company", "firm"}
    for m in _SAID_IT.finditer(text):  # "Apiculture New Zealand said it would": no person's name
        if not re.search(r"(?:^|[.!?]\s+|\n|\b[Tt]he\s+|[—–-]\s+|[A-Z][\w\-]*['’]s\s+(?:[a-z][\w\-]*\s+){0,2})$",
                         text[max(0, m.start() - 40):m.start()]):  # also "Zambia's opposition X said it"
            continue  # the sentence's subject only, not "Johnson and Johnson Services said it"
        run = " ".join(w for w in m.group("run").split() if w.casefold() not in NOT_NAME_WORDS
                       and not COMPOUND_ADJECTIVE.fullmatch(w))  # not "London-listed"
        run = " ".join(_without_owner(run.split()))  # "Russia’s Defence Ministry said it": the Defence Ministry
        title, name = split_title(run) if run else ("", "")
        if (run and (" " in run or run.endswith(("'s", "’s"))) and not title and name != run
                and run.casefold() not in lexicon.PLACES and not lexicon.a_described_place(run)
                and not all(is_title_word(w) for w in run.split())  # "The Prime Minister said it"
                and not people.organisation(run) and not any(o.endswith(" " + run) for o in people.organisations)):
            people.organisations[run] = frozenset({"organisation"})
    for m in _THE_NAME_SAID.finditer(text):  # "The Nepal Army said": no person's name
        run = m.group("run")
        words = run.split()
        if _SELF_A_PERSON.match(text, m.end()):
            continue  # "The Dalai Lama said he hoped ...": a person with a title
        if (not any(is_title_word(w) or w.casefold() in NOT_NAME_WORDS | ROLE_NOUNS for w in words)
                and not (run.isupper() and len(run) <= 3)  # "The PM said": a role's initials
                and words[0].casefold() not in lexicon.GIVEN_NAMES and run.casefold() not in lexicon.PLACES
                and not people.organisation(run) and not any(o.endswith(" " + run) for o in people.organisations)):
            people.organisations[run] = _kinds(run) | {"organisation"}
    for m in _SPEAKING_RUN.finditer(text):
        words = m.group("run").split()
        while len(words) > 2 and (COMPOUND_ADJECTIVE.fullmatch(words[0]) or words[0].endswith(("'s", "’s"))
                                  or words[0].casefold() in lexicon.KIND_ONLY_LEADS):
            words = words[1:]  # "London-listed Kalahari Stones", "Ecuador's National ...", "Operator Tohoku Electric"
        run = " ".join(words)
        titled = any(is_title_word(w) and w.casefold() not in lexicon.FIELD_WORDS or w.casefold() in NOT_NAME_WORDS
                     for w in words)
        place_inside = (len(words) > 1 and not people.organisation(run) and not titled
                        and words[0].casefold() not in lexicon.GIVEN_NAMES and _place_inside(words))
        if (place_inside or _no_person(people, run)) and not lexicon.a_described_place(run):
            people.organisations[run] = _kinds(run) | {"organisation"}
    for m in _THE_NAME_KIND.finditer(text):
        run, kind = m.group("run"), m.group("kind").casefold()
        if (kind not in _NAMED_AFTER_A_PERSON and split_title(run)[0] == ""  # "the Valais cantonal police": its place
                and not COMPOUND_ADJECTIVE.fullmatch(run)  # "the Stuttgart-based company said": no name
                and run.split()[0].casefold() not in NOT_NAME_WORDS | lexicon.GIVEN_NAMES
                and run.casefold() not in lexicon.PLACES and not people.organisation(run)
                and not any(is_title_word(w) for w in run.split())):
            people.organisations[run] = frozenset({kind}) | lexicon.KIND_OF_WORD.get(kind, frozenset())
    for m in _PLACE_POLICE.finditer(text):
        run = m.group("run")
        if run.split()[0].casefold() not in NOT_NAME_WORDS | lexicon.GIVEN_NAMES and not people.organisation(run):
            people.organisations[run] = frozenset({"police", "force"})
    for name in joined:  # and not the part after its "and" ("Drug Administration")
        for part in [o for o in people.organisations if name.endswith(" " + o) or name.startswith(o + ",")
                     or name.startswith(o + " and ") and o not in text.replace(name, "")]:
            del people.organisations[part]
        people.organisations.setdefault(name, _kinds(name))
    for m in _ACRONYM.finditer(text):  # "the Nigeria Centre for Disease Control and Prevention (NCDC)"
        before = text[max(0, m.start() - 120):m.start()].rstrip()
        written = [o for o in people.organisations if before.endswith(o)]
        if written:
            people.acronyms.setdefault(m.group("acronym"), max(written, key=len))


_ACRONYM = re.compile(rf"\s\((?P<acronym>[{UPPER}][{UPPER}&\-]{{1,9}})\)")


# The kinds of a state's body, whose name may hold another kind: "Water Resources and Energy
# Directorate" is one body ("Nordea and Danske Bank" are two).
_PUBLIC_BODIES = frozenset("directorate ministry department agency authority commission administration institute "
                           "inspectorate bureau office service council board".split())


# A country's adjective before its ministry: "the Dutch Ministry of ...", not part of the name.
_DEMONYMS = frozenset(
    w for w in NON_PERSON_WORDS if w.endswith(("ish", "ch", "ese", "ian", "can", "ek", "ean", "man"))
    and w not in {"european", "christian", "african", "american", "asian", "church", "ocean", "watch"})


def _place_inside(words: list[str]) -> bool:
    """Whether a name's words hold a place after its first word, or a place of two words anywhere
    but as the whole: "Health New Zealand", "New Zealand Rugby", "Tourism Ireland"."""
    folded = [w.casefold() for w in words]
    pairs = {" ".join(folded[i:i + 2]) for i in range(len(folded) - 1)}
    return bool(pairs & lexicon.LONG_PLACES and " ".join(folded) not in lexicon.PLACES
                or any(w in lexicon.PLACES and w not in _SURNAME_PLACES for w in folded[1:]))


# The last words of a place's name: "Kakheti Valley said" is no organisation.
_PLACE_ENDINGS = frozenset("valley county city province region island islands sea ocean river mountains street "
                           "square avenue road north south east west kingdom republic states korea kong".split())


def _no_person(people: People, run: str) -> bool:
    """Whether a speaking run of two words or more can be nobody's name, nor a place's: it holds a
    word no person's name has ("Maritime Power", "Kakheti Valley Wines"), but is not "Kakheti Valley"."""
    words = run.split()
    title, name = split_title(run)
    return (len(words) > 1 and not title and name != run  # and not "Banco Andino's Pedro Gómez", someone's:
            and not any(w.endswith(("'s", "’s")) for w in words[:-1])
            and words[-1].casefold() not in _PLACE_ENDINGS
            and run.casefold() not in lexicon.PLACES and words[0].casefold() not in lexicon.GIVEN_NAMES
            and not any(is_title_word(w) or w.casefold() in NOT_NAME_WORDS | ROLE_NOUNS for w in words)
            and not people.organisation(run) and not any(o.endswith(" " + run) for o in people.organisations))


# Kinds of body named after what they serve, not themselves: a person ("the Biden administration",
# "the Meloni government") or a place ("the Valais cantonal police", see _PLACE_POLICE).
_NAMED_AFTER_A_PERSON = frozenset(
    "police force administration government campaign coalition family camp team cabinet presidency".split())


# Places that are also surnames: "Kevin Jordan", "Jimmy Wales", "Anatole France".
_SURNAME_PLACES = frozenset("jordan israel georgia wales england france india kenya chad paris sofia lima "
                            "washington china cuba".split())


def _kinds(name: str) -> frozenset[str]:
    """What "the ..." may call a name: from its words, but not those of its "of ..." complement
    ("Ministry of Energy" is no company); "the city" for the City of Kamloops."""
    if name.split()[0].casefold() in _TOWN_HALLS and " of " in name:
        return frozenset({name.split()[0].casefold(), "council"})
    head = re.split(r"\s+(?:of|for)\s+", name.casefold(), maxsplit=1)[0].split()
    return frozenset(k for i, w in enumerate(head) for k in lexicon.KIND_OF_WORD.get(w, ())
                     if w not in lexicon.LAST_WORD_KINDS or i == len(head) - 1)
