"""The attribution rules of the quotation extractor: each a named regular expression, tried in the
order of its list, saying whether the name it finds must be its sentence's subject.

A rule's groups say what it found: `run` (or `run2`, `colon`) a capitalised run that may name a
person, `pron` "he"/"she", `role` "the minister", `appos` an apposition after the name
(", the foreign minister,"), `clause` the reported statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..names import NAME_RUN, ROLE_NOUNS, TITLE_WORDS, UPPER
from ..terms import SPEECH_PARTICIPLES, SPEECH_VERBS
from .lexicon import GROUP_NOUNS, ORGANISATION_LEADS, ORGANISATION_NOUNS


@dataclass(frozen=True)
class Rule:
    """One way of attributing speech. `subject_only`: the rule is searched anywhere in a sentence,
    so its name counts only in the subject's position ("A spokesman for Budrys said" is not Budrys)."""

    name: str
    pattern: re.Pattern[str]
    subject_only: bool = False


def _rule(name: str, pattern: str, subject_only: bool = False) -> Rule:
    return Rule(name, re.compile(pattern), subject_only)


# -- building blocks -------------------------------------------------------------------------------

# Verbs that quote a phrase as someone's words: "what he described as "hypocrisy"".
# And verbs of judgement, whose quoted word is the judge's: "Leckie praised the "fearless" lead".
_NAMING_VERBS = (
    r"(?:described|describes)\s+(?:(?:the|a|an|his|her|its|their)\s+)?(?:[\w'’\-]+\s+){0,2}?as|calls|called(?!\s+for\b)|dubbed|termed|praised|praises|criticised|criticized|"
    r"criticises|criticizes|condemned|condemns|hailed|hails|dismissed|dismisses|denounced|denounces"
)
# Verbs whose object is the statement itself, so "X said the EU ..." is reported speech without "that".
_PLAIN_VERBS = "said says added argued warned insisted stated noted explained stressed emphasized emphasised"
# Participles that introduce a statement without "that" (", saying the EU ...").
PLAIN_PARTICIPLES = frozenset({"saying", "adding", "stating"})
# Words that open a clause: "The company said it would cut jobs." has a clause after its verb.
CLAUSE_OPENERS = frozenset("that it he she they we i you the a an this there his her their its".split())
# Prepositions and conjunctions no name, description or verb begins with.
PREPOSITIONS = "of|for|to|by|with|from|and|or|at|in|on"
_FUNCTION_WORDS = PREPOSITIONS + "|as|that|than|about|after|before|his|her|their|its|our|my"
_PREPOSITIONS = (
    "in on at during to after before when while for of about with from by over since against into through up "
    "yesterday today last that outside inside near across beside behind following ahead via within around "
    "as amid despite until because"  # "said as she read the verdict": a circumstance
)
_RUN = NAME_RUN
VERB = "(?:" + "|".join(SPEECH_VERBS) + ")"
PARTICIPLE = "(?:" + "|".join(SPEECH_PARTICIPLES) + ")"
_AUX = r"(?:(?:has|had|have|also|later|then|once|again|further|\w+ly)\s+){0,2}"
# ", the foreign minister," / ", who"
_APPOS_WORDS = r"(?:[^,;:“”\"]|,(?=\d{3})|:(?=\d)|[“\"][^“”\",]{1,40}[”\"]){1,150}?,"
_APPOS = (  # also ", 38, who lost her mother and two nephews,"
    rf"(?P<appos>,\s+(?:who\b|{_APPOS_WORDS}(?:\s+(?=(?:who|whose|which|a|an|the)\s){_APPOS_WORDS})?))?,?")
_ROLE_ALTERNATIVES = "(?:co-|vice-|deputy-)?(?:" + "|".join(sorted(ROLE_NOUNS)) + ")"  # also "co-leader"
# "film director ", "chief executive, "
_ROLE_LEAD = (  # also "co-founder and chief executive "
    rf"(?:(?:(?:[a-z][\w'’\-]*\s+){{0,2}}?(?:{_ROLE_ALTERNATIVES})\s+(?:and|&)\s+)?"
    rf"(?:[a-z][\w'’\-]*\s+){{0,3}}?(?:{_ROLE_ALTERNATIVES}),?\s+)?"  # "coast guard duty officer "
)
# "Nordvik chief executive ", "Halvorsen Bank's chief economist ": an organisation's role.
_ORG_ROLE_LEAD = (
    rf"(?:[{UPPER}][\w'’\-]*\s+){{1,3}}(?:(?:of|for)\s+(?:the\s+)?(?:[{UPPER}][\w'’\-]*\s+){{1,3}})?"
    rf"(?:(?!(?:and|or|with|of|for)\b)[a-z][\w'’\-]*\s+){{0,2}}?(?:{_ROLE_ALTERNATIVES})\s+"
)
# "grid operator ", "state broadcaster ": what the organisation named next is.
_ORG_KIND_LEAD = rf"(?:[a-z][\w\-]*\s+){{0,2}}?(?:{'|'.join(sorted(ORGANISATION_LEADS))})\s+"
# Lower-case words saying what someone is, before their name: "former national champion", "senior
# primate keeper": no function word or preposition, no verb form, no plural at the end ("Lawyers
# representing", "residents near", "doctors treating", "prosecutors investigating" are others).
_NOT_DESCRIPTIVE = (
    _FUNCTION_WORDS + "|the|a|an|"
    "said|says|told|who|which|when|while|but|except|around|near|across|under|against|between|inside|along|over|"
    "behind|beyond|within|among|outside|toward|towards|through|into|without|data|figures|report|study"
)
_DESCRIPTIVE_WORD = rf"(?!(?:{_NOT_DESCRIPTIVE})\b|[a-z]+(?:ing|ed)\b)[a-z][\w\-]*"
_PERSON_WORD = rf"(?!(?:{_NOT_DESCRIPTIVE})\b|[a-z]+(?:ing|ed|[^s]s)\b)[a-z][\w\-]*"
_DESCRIBED = rf"(?:{_DESCRIPTIVE_WORD}\s+){{0,2}}{_PERSON_WORD}\s+"
# The same opening a sentence: "Former national champion ", "Former Olympic champion ", "British
# tourist ", not "The woman ".
DESCRIPTION = re.compile(  # also "Year 6 student ", "Father of two "
    rf"(?:(?!(?:The|A|An)\b)[{UPPER}][\w\-]*\s+(?:\d+\s+)?){{0,2}}(?:{_DESCRIPTIVE_WORD}\s+){{0,2}}{_PERSON_WORD}"
    rf"|(?:[Ff]ather|[Mm]other|[Gg]randfather|[Gg]randmother)\s+of\s+(?:one|two|three|four|five|six|\d+)")
_ROLE = (  # "the minister", "the foreign minister", "The Nairobi-based firm"
    rf"(?P<role>\b[Tt]he(?:\s+[{UPPER}][\w]*(?:-(?:based|owned|run|led|backed))?(?=\s+[a-z]))?"
    rf"(?:\s+(?!(?:and|but|or)\b)[a-z][\w\-]*){{1,3}}?"
    r"|(?<![\w'’])[Pp]olice(?=\s+(?:also\s+|later\s+)?(?:said|say|says|told)\b))")  # "..., police said": the police
_PRON = r"(?P<pron>\b[Hh]e|\b[Ss]he)"
# A capitalised title: "the Governor of the Bank of England said" is a person, not the bank.
TITLE_WORD = "(?:" + "|".join(sorted(w.capitalize() for w in TITLE_WORDS if w.isalpha())) + ")"
_GAP = r"(?:\s+[^\s,.;:!?“”\"]+){0,8}"  # "told reporters on Monday"
_END = r"\s*[:,]?\s*$"
_SAY = rf"{_AUX}(?:{VERB}|{_NAMING_VERBS})"

# Where a speaker is from: "Lena Dahl of Capital Economics said", "Ole Lund at the Bank of Norway said".
_AFFILIATION = rf"(?:\s+(?:of|at|from)\s+(?:the\s+)?{_RUN}(?:\s+(?:of|for)\s+(?:the\s+)?{_RUN})?)?"
# "a spokesperson for Meridian Airways": an organisation's statement.
_SPOKES_NOUN = r"(?:spokes(?:person|man|woman)|representative)\s+(?:for|of)\s+"
_SPOKESPERSON = r"(?:a|an|the)\s+" + _SPOKES_NOUN
_SPOKESPERSON_FOR = _SPOKESPERSON + r"(?:the\s+)?"
# "the boy’s mother", "the company’s chief executive": who a name in apposition is.
_KIN = "mother|father|wife|husband|son|daughter|brother|sister|friend|neighbour|neighbor|partner|opponent|rival"
_RELATION = rf"(?:the|a|an)\s+(?:[\w'’\-]+\s+){{0,3}}?(?:{_ROLE_ALTERNATIVES}|{_KIN})"
# Whose role it is: "Kallvik's", "Andalusia's", "its", "his".
_WHOSE = rf"(?:[{UPPER}][\w\-]*(?:\s+[{UPPER}][\w\-]*){{0,2}}['’]s?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)"

# -- right after a quote's closing mark ------------------------------------------------------------

# Tried in order; "speech verb, no person": a speaker who is no person we can name, which also
# stops the quote passing its speaker on.
AFTER = (
    _rule("pronoun says", rf"\s*,?\s*{_PRON}\s+{_AUX}{VERB}\b"),
    _rule("says pronoun", rf"\s*,?\s*{VERB}\s+(?P<pron>he|she)\b"),
    _rule(
        "name says",
        rf"\s*[,–—-]?\s*(?:{_ORG_ROLE_LEAD}|{_ROLE_LEAD}|(?:{_DESCRIPTIVE_WORD}\s+){{1,2}}(?={TITLE_WORD}\b))(?P<run>{_RUN})"
        rf"{_AFFILIATION}{_APPOS}\s+{_AUX}{VERB}\b",  # also "“...,” company President Hiroshi Tanabe told"
    ),
    _rule(
        "says name",
        rf"\s*,?\s*{VERB}\s+(?:(?:the|a|an|his|her|their)\s+)?"  # also "said her friend Emeka Obi"
        rf"(?:{_ORG_ROLE_LEAD}|(?:(?!(?:{_FUNCTION_WORDS})\b)[a-z][\w'’\-]*\s+){{0,3}})"  # "works council chairman"
        rf"(?P<run>{_RUN})",  # also "said Tasmania Fire Service chief officer Darren Hollis"
    ),
    _rule("role says", rf"\s*,?\s*{_ROLE}\s+{_AUX}{VERB}\b"),
    _rule("spokesperson for organisation says", rf"\s*,?\s*{_SPOKESPERSON_FOR}(?P<org>{_RUN})\s+{_AUX}{VERB}\b"),
    _rule(  # "a spokesperson for the council said": the one council named
        "spokesperson for the organisation says", rf"\s*,?\s*{_SPOKESPERSON}{_ROLE}\s+{_AUX}{VERB}\b"
    ),
    _rule("says relation, name", rf"\s*,?\s*{VERB}\s+{_RELATION},\s+(?P<run>{_RUN})"),
    _rule("relation, name, says", rf"\s*,?\s*{_RELATION},\s+(?P<run>{_RUN}),\s+{_AUX}{VERB}\b"),
    _rule(  # "..., Andalusia's environment minister, Rocío Benítez, told a news conference"
        "whose role, name, says", rf"\s*,?\s*{_WHOSE}\s+(?:[\w'’\-]+\s+){{0,3}}?(?:{_ROLE_ALTERNATIVES}|{_KIN}),\s+"
        rf"(?P<run>{_RUN}),\s+{_AUX}{VERB}\b",
    ),
    _rule("says role", rf"\s*,?\s*{VERB}\s+{_ROLE}\b(?!\s+[{UPPER}])"),
    _rule("according to name", rf"\s*,?\s*(?:[^\s“”\"]+\s+){{0,4}}?according\s+to\s+{_ROLE_LEAD}(?P<run>{_RUN})"),
    _rule("dash name", rf"\s*[-–—]\s*(?P<run>{_RUN})"),
    _rule(  # not a new clause: "she said there had been “no movement,” while he told local radio ..."
        "speech verb, no person",
        rf"\s*[,–—-]?\s*(?!(?:while|whereas|although|though)\b)(?:[^\s“”\"]+\s+){{0,5}}?{_AUX}{VERB}\b|\s*,?\s*according\s+to\b",
    ),
)
# After a quote, an attribution followed by this introduces the next quote ("Budrys said: ").
INTRODUCES_NEXT = re.compile(rf"{_GAP}\s*:\s*")

# -- right before a quote's opening mark, within its sentence ---------------------------------------

BEFORE = (
    _rule("pronoun says", rf"{_PRON}\s+{_SAY}{_GAP}{_END}"),
    _rule("name says", rf"(?P<run>{_RUN}){_APPOS}\s+{_SAY}{_GAP}{_END}", subject_only=True),
    _rule("role says", rf"{_ROLE}\s+{_SAY}{_GAP}{_END}", subject_only=True),
    _rule("according to name", rf"[Aa]ccording\s+to\s+{_ROLE_LEAD}(?P<run>{_RUN})\s*,?\s*$"),
    _rule("name colon", rf"(?P<colon>{_RUN})\s*:\s*$"),  # "New Vanguard CEO Tim Buckley: "
    _rule("name verbed colon", rf"(?P<run>{_RUN}){_APPOS}\s+{_AUX}[a-z]+(?:ed|s)\s*:\s*$", subject_only=True),
    _rule(  # "Jonas Berg presented the budget on Monday, promising “...”": the sentence's subject
        "subject ..., saying",
        rf"^\s*{_ROLE_LEAD}(?P<run>{_RUN}){_APPOS}\s+[a-z][^“”\".;:!?]*,\s+(?:{PARTICIPLE}|promising|vowing)\s*$",
    ),
    _rule(  # "Agriculture Minister Andrés Felipe Rojas promised credit and called the outbreak “...”"
        "subject ... and called",
        rf"^\s*(?:{_ORG_ROLE_LEAD}|{_ROLE_LEAD})(?P<run>{_RUN}){_APPOS}\s+"
        rf"(?!(?:{PREPOSITIONS}|was|were|is|are|been|being|got)\b)"
        rf"[a-z][^“”\".;:!?]*\s(?:and|but)\s+(?:{_NAMING_VERBS})(?:\s+[^“”\".;:!?\s]+){{0,4}}\s*$",
        subject_only=True,
    ),
    _rule("speech verb, no person", rf"\b(?:{VERB}|{_NAMING_VERBS}){_GAP}{_END}|\baccording\s+to\b[^.]*$"),
)

# -- reported speech, one sentence at a time -------------------------------------------------------

# "Student body president Jordan Wilkes said": the name after an organisation's role, not "Student".
# Also "The General Confederation of Labour (CGT), the country's largest union federation, said".
_SUBJECT = (  # also "The opposition Civic Future party said": the organisation named before its kind
    rf"(?:{_PRON}|{_ROLE}|(?:{_ORG_ROLE_LEAD})?(?P<run>{_RUN})(?:\s+\([A-Z]{{2,8}}\))?"
    rf"(?P<kind_after>\s+(?:trade\s+)?(?:party|union|group|movement|alliance|coalition))?{_APPOS})\s+{_AUX}")
# Between a verb and "that": a circumstance ("said on Monday that", "said in a statement that"),
# never an object ("wrote the poem ... that begins"); "told" takes its listener first.
_CIRCUMSTANCE = (
    r"(?:\s+(?:in|on|at|during|to|after|before|when|while|last|this|earlier|later|from|outside|inside|near|by|\w+ly"
    r"|yesterday|today|tonight|overnight)\b"
    r"(?:\s+[^\s,.;:!?“”\"]+){0,10}?)?"
)
# "told reporters", "told the BBC", "told Budrys", "told Liam Carter, 33,"
# What a listener named next may be: "the newspaper Aftenposten", "public broadcaster Yle".
OUTLET = "(?:broadcaster|newspaper|radio|television|daily|agency|channel|station|magazine|website|weekly)"
_LISTENER = (  # "told the Associated Press", "told a briefing"
    rf"\s+(?:the\s+(?:[{UPPER}][\w.’'\-]*(?:\s+[{UPPER}][\w.’'\-]*){{0,3}}|[\w.]+)"
    rf"|(?:this|our)\s+(?:newspaper|paper|reporter|correspondent|station|website|programme|program|magazine)"
    rf"|(?:a|an)\s+(?:[a-z][\w\-]*\s+){{0,2}}?(?:briefing|conference|meeting|hearing|rally|session|committee|"
    rf"panel|gathering|crowd|forum|summit|audience|reporter|journalist|podcast|station|newspaper|broadcaster)"
    rf"|(?!(?:the|a|an)\s)[a-z]+(?:\s+(?:[{UPPER}][\w.’'\-]*(?:\s+[{UPPER}][\w.’'\-]*){{0,3}}|radio|television|tv))?"
    rf"|(?:the\s+)?(?:[{UPPER}][\w\-]*\s+|[a-z]+\s+)?{OUTLET}\s+{_RUN}"  # "the newspaper Aftenposten", "news agency X"
    rf"|{_RUN}(?:\s+(?:newspaper|radio|television|daily))?(?:,\s+\d+,)?)"  # "Swiss broadcaster RSI"
)
_TOLD = r"(?:told|tells|warned|urged|assured|reminded|informed)"
_THAT = r"\s+that\s+(?!(?:year|day|week|month|time|morning|night|evening|season)\b)"
_FINITE = r"(?:had|has|have|was|were|is|are|would|will|could|can|did|may|might|must|should)"
DAY_OR_MONTH = (r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June"
                 r"|July|August|September|October|November|December|Today|Yesterday)")
_STATEMENT = (  # "the EU must ...", "212 flights ...", "Munster Milk had drawn ...", "at least nine ..."
    rf"(?P<clause>(?:(?!(?:{_PREPOSITIONS.replace(' ', '|')})\b(?!\s+\d|\s+(?:least|most)\s))[a-z]"
    rf"|(?=[\d,.]+\s+(?:[^\s.;:!?]+\s+){{0,8}}?(?:had|has|have|was|were|is|are|would|will|could|can|[a-z]+ed)\b)\d"
    rf"|(?=[{UPPER}][\w'’\-]*(?:\s+[{UPPER}][\w'’\-]*){{0,3}}(?:,\s+[^,;]{{1,40}},)?"
    rf"\s+(?:{_FINITE}|[a-z]+ed)\b)[{UPPER}]"
    # or one capitalised word before a noun: "Asian demand was growing", not "said Tuesday the ..."
    rf"|(?!{DAY_OR_MONTH}\b)(?=[{UPPER}][\w'’\-]*\s+(?:[a-z][\w'’\-]*\s+){{1,2}}?{_FINITE}\b)[{UPPER}])"
    rf"\S*(?:\s+\S+){{2,}})"
)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|last\s+(?:week|month|year))"
# "said on Tuesday it would", "said in a statement it would"
_ON_A_DAY = (
    rf"(?:(?:(?:on\s+)?{_DAY}|in\s+a\s+(?:statement|report|filing|letter)(?:\s+on\s+{_DAY})?)\s+"
    rf"(?=(?:it|he|she|they|we|there|the|a|an|its|his|her|their)\s))?"
)
_PLAIN = "(?:" + _PLAIN_VERBS.replace(" ", "|") + ")"
_GROUP_NOUN = "|".join(sorted(GROUP_NOUNS))  # "Anti-corruption campaigners welcomed ... but said": no subject run
REPORTED = (
    _rule(  # "A spokesperson for Parcelink said the breach had been ...": the organisation's statement
        "spokesperson for organisation says statement",
        rf"\b(?:[Aa]n?|[Tt]he)\s+{_SPOKES_NOUN}(?:the\s+)?(?P<org>{_RUN})\s+{_AUX}{_PLAIN}"
        rf"(?:{_CIRCUMSTANCE}{_THAT}|\s+(?:that\s+)?{_ON_A_DAY}){_STATEMENT}",
    ),
    _rule(  # "A Kavera spokesperson said all separations were ...": Kavera Systems' statement
        "organisation's spokesperson says statement",
        rf"\b(?:[Aa]n?|[Tt]he)\s+(?P<org>{_RUN})\s+spokes(?:person|man|woman)\s+{_AUX}{_PLAIN}"
        rf"(?:{_CIRCUMSTANCE}{_THAT}|\s+(?:that\s+)?{_ON_A_DAY}){_STATEMENT}",
    ),
    _rule(  # "A spokeswoman for the company said only 12 percent ...": the one company named
        "spokesperson for the organisation says statement",
        rf"\b(?:[Aa]n?|[Tt]he)\s+{_SPOKES_NOUN}{_ROLE}\s+{_AUX}{_PLAIN}(?:{_CIRCUMSTANCE}{_THAT}|\s+(?:that\s+)?{_ON_A_DAY}){_STATEMENT}",
    ),
    _rule("says that", rf"{_SUBJECT}{VERB}{_CIRCUMSTANCE}{_THAT}(?P<clause>\S.*)", subject_only=True),
    _rule(  # "... the Rescue Corps of South Tyrol, which said in a statement that ...": an organisation
        "organisation, which says that",
        rf"(?P<org>{_RUN}),\s+which\s+{_AUX}{VERB}{_CIRCUMSTANCE}{_THAT}(?P<clause>\S.*)",
    ),
    _rule(  # "..., according to the Chittagong Port Authority, which said average waiting times had risen"
        "organisation, which says statement", rf"(?P<org>{_RUN}),\s+which\s+{_AUX}{_PLAIN}\s+{_ON_A_DAY}{_STATEMENT}",
    ),
    _rule(
        "told someone that", rf"{_SUBJECT}{_TOLD}{_LISTENER}{_CIRCUMSTANCE}{_THAT}(?P<clause>\S.*)", subject_only=True
    ),
    _rule(  # "Budrys said the EU must act", "Halvorsen Bank said on Tuesday it would cut jobs", and
        # "Brandt called the work “careful” but said (that) three years was too short"
        "says statement",
        rf"{_SUBJECT}(?:{_PLAIN}|(?!(?:{PREPOSITIONS}|{_GROUP_NOUN})\b)[a-z]+\b(?:[^.;:!?]|\.(?=\d)){{0,160}}?"
        rf"\s(?:but|and)\s+(?:also\s+)?{_PLAIN}"
        rf"(?:\s+that)?)\s+{_ON_A_DAY}{_STATEMENT}",
        subject_only=True,
    ),
    _rule("told someone statement", rf"{_SUBJECT}(?:told|tells){_LISTENER}\s+{_STATEMENT}", subject_only=True),
    _rule(
        "according to name, statement",
        rf"^[Aa]ccording\s+to\s+(?:{_ROLE_LEAD}(?P<run>{_RUN})|the\s+(?P<org>{_RUN}(?:\s+(?:of|for)\s+(?:the\s+)?{_RUN})?)"
        rf"|(?=the\s+(?:[a-z]+\s+)?(?:{'|'.join(sorted(ORGANISATION_NOUNS))}),){_ROLE}),"  # "... the central bank,"
        rf"\s+(?!{_RUN},)(?P<clause>\S.*)",  # also "According to the Department of Housing, ..."
    ),
)
# "It said it was supplying drinking water": an organisation that spoke in the sentence before.
IT_SAYS = re.compile(  # also "In a statement, it said the ruling ..."
    rf"(?:(?:In|On|Later|Earlier)\b[^,;“”\"]{{0,40}},\s+it|It)\s+(?:also\s+)?{_PLAIN}\s+(?:that\s+)?{_ON_A_DAY}{_STATEMENT}")
# "Budrys articulated the position, stating that ...": the sentence's subject speaks.
PARTICIPLE_CLAUSE = re.compile(rf",\s+(?P<verb>{PARTICIPLE})\s+(?P<that>that\s+)?(?P<clause>\S.*)")
# "..., telling reporters (that) ...": its listener first.
TELLING = re.compile(rf",\s+(?P<verb>telling){_LISTENER}(?P<that>{_THAT}|\s+){_STATEMENT}")
# After an inverted attribution's verb: "said on Thursday", "said in a statement".
# What a statement was made in: "said in a (regulatory) filing".
_DOCUMENT = (r"(?:statement|report|filing|letter|note|interview|post|e-?mail|briefing|speech|message|video|release|"
             r"memo|notice|submission|presentation)")
_WHEN = (  # "said on Thursday", "said in a filing to the securities regulator on Tuesday"
    rf"(?:\s+(?:on\s+)?{_DAY}|\s+(?:at\s+an?\s+(?:news|press)\s+conference|on\s+(?:its|his|her|their)\s+website"
    rf"|on\s+social\s+media|in\s+an?\s+(?:[a-z][\w\-]*\s+){{0,2}}?{_DOCUMENT})"
    rf"(?:\s+(?:to|with)\s+(?:the\s+)?[^\s,.;:“”\"]+(?:\s+[^\s,.;:“”\"]+){{0,2}}?)?(?:\s+on\s+{_DAY})?)?"
)
# After an inverted attribution's comma, what may follow it: an apposition or a circumstance
# ("..., the company said on Thursday, as demand fell", "..., two weeks after the sit-in began").
_AFTERTHOUGHT = "the|a|an|who|which|according|as|after|before|while|when|amid|despite|because|although|though|citing|to"
# "..., said Lars Dahl, chief executive of Norvik Shipping."
_ROLE_OF = rf"(?:[a-z][\w\-]*\s+){{0,2}}?(?:{_ROLE_ALTERNATIVES})(?:\s+(?:of|at|for)\s+(?:the\s+)?{_RUN})?"
# "..., Dahl told analysts": whom an inverted attribution was told.
_TOLD_WHOM = (r"(?:(?<=told)\s+(?:reporters|analysts|journalists|investors|lawmakers|delegates|parliament|"
              rf"the\s+[a-z]+|{_RUN})(?:\s+on\s+an?\s+(?:conference\s+)?call)?)?")
# "its owners", "the sport's governing body", "the city's water utility": an organisation named next.
_BODY_NOUN = rf"(?:owners?|body|operators?|organi[sz]ers|utility|charity|(?:{'|'.join(sorted(ORGANISATION_NOUNS))}))"
_DESCRIBED_BODY = (  # also "the charity that runs it"
    rf"(?P<body>\b(?:[Ii]ts|[Tt]heir|[Tt]he\s+[a-z]+['’]s?)\s+(?:[a-z][\w\-]*\s+){{0,2}}?{_BODY_NOUN}"
    rf"|\b[Tt]he\s+(?:[a-z][\w\-]*\s+)?{_BODY_NOUN}\s+that\s+(?:runs|owns|operates|manages|organi[sz]es)\s+(?:it|them))"
)
# "according to estimates by the Carlos III Health Institute"
_SOURCE = r"(?:estimates|figures|data|statistics|a\s+(?:report|statement|survey|study|count|tally))\s+(?:by|from)\s+"
INVERTED = _rule(  # "Zuckerberg should step down, said Frances Haugen, the former ...", "..., according to X."
    "statement, says name",
    rf"(?P<clause>[^“”\"]+?),\s+(?:{VERB}\s+{_ROLE_LEAD}(?P<run>{_RUN})(?:,\s+{_ROLE_OF})?|"
    rf"(?:(?:the\s+)?{_ORG_KIND_LEAD}|the\s+|{_ORG_ROLE_LEAD})?(?P<run2>{_RUN}){_APPOS}\s+{_AUX}{VERB}{_TOLD_WHOM}|"
    rf"(?:the|{_WHOSE})\s+(?!{TITLE_WORD}\b)(?P<org>{_RUN}(?:\s+(?:of|for)\s+(?:the\s+)?{_RUN}"
    rf"(?:,\s+{_RUN})+,?\s+and\s+(?:the\s+)?{_RUN}|(?:\s+(?:of|for|and)\s+(?:the\s+)?{_RUN})+))"
    rf"(?:\s+\([{UPPER}]{{2,8}}\))?\s+{_AUX}{VERB}|"  # also "the Nigeria Centre for ... (NCDC) said"
    rf"(?P<pron>he|she)\s+{_AUX}{VERB}|(?P<it>it)\s+{_AUX}{VERB}|according\s+to\s+(?:{_SOURCE})?(?:the\s+)?(?:{_ORG_KIND_LEAD}|{_ROLE_LEAD}|{_DESCRIBED})"
    rf"(?P<run3>{_RUN}(?:\s+(?:of|for)\s+(?:the\s+)?{_RUN})?)|{_ROLE}\s+{_AUX}{VERB}|{_DESCRIBED_BODY}\s+{_AUX}{VERB})"
    rf"{_WHEN}\s*(?:[.!?]?\s*$|,\s+(?:{_AFTERTHOUGHT}|[a-z]+ing)\b|,\s+\w+\s+(?:hours?|days?|weeks?|months?)\s+(?:after|before)\b)",
)
# "..., according to the institute.": the one organisation of that kind.
ACCORDING_TO_THE = re.compile(
    r"(?P<clause>[^“”\"]+?),\s+according\s+to\s+(?P<role>the\s+(?:[a-z][\w\-]*\s+){0,2}?[a-z]+)\s*[.!?]?\s*$")
# After "..., Abarca said, but": not someone else's view ("but critics say", "but Smith had doubts").
_NOT_ANOTHERS = (
    rf"(?!(?:\S+\s+){{0,3}}?(?:[{UPPER}]|(?:{'|'.join(sorted(GROUP_NOUNS))})\b|(?:say|says|said|believe|believes|insist|insists|"
    r"remain|remains|argue|argues|claim|claims|contend|contends|think|thinks|disagree|disagrees|fear|fears|doubt|doubts|"
    r"worry|worries|question|questions|counter|counters|warn|warns)\b))"
)
# "The probe's radar, project scientist Ivan Berg said, could show ...": the attribution inside the
# statement; also "No homes had been destroyed, Abarca said, but several barns had burned".
PARENTHETICAL = _rule(
    "statement, name says, statement",
    rf"^(?P<head>[^,;:“”\"]{{3,80}}?),\s+{_ROLE_LEAD}(?P<run>{_RUN})\s+{_AUX}{_PLAIN}{_WHEN},\s+(?:but\s+{_NOT_ANOTHERS})?"
    rf"(?P<clause>(?!(?:{_AFTERTHOUGHT}|and|but|or)\b)[a-z][^“”\"]*\S)",
)
# A statement opening with the organisation it is about: "The company now expects ..., it said."
ITS_OWN_KIND = re.compile(rf"[Tt]he\s+(?:[a-z][\w\-]*\s+){{0,2}}?(?:{'|'.join(sorted(ORGANISATION_NOUNS))})\b")
# A sentence that may hold reported speech names a speech verb or "according to".
MAY_REPORT = re.compile(rf"\b(?:{VERB}|{PARTICIPLE})\b|\baccording to\b", re.IGNORECASE)
SOMEONE = re.compile(  # "The Doctor", "the foreign minister": someone, maybe a known person
    rf"\b[Tt]he\s+(?:(?P<title>(?:{_ROLE_ALTERNATIVES.title()})\b)"
    rf"|(?P<role>(?:[a-z][\w\-]*\s+){{0,2}}?(?:{_ROLE_ALTERNATIVES})\b))"
)
TRAILING = re.compile(r"[\s,;:.!?…]+$")
# A wire story's dateline before its first sentence: "BOGOTA, Feb 4 (Reuters) - ", "OSLO — ".
DATELINE = re.compile(
    rf"\([^)]{{1,30}}\)\s*(?:--|[-–—])\s+|[{UPPER}]{{2}}[{UPPER}\s.'’\-]*(?:,\s+[{UPPER}][\w.]*(?:\s+[\w.]+){{0,2}}?"
    rf"(?:\s+\d{{1,2}})?){{0,2}}\s*(?:\([^)]{{1,30}}\)\s*)?(?:--|[-–—])\s+")  # also "ABUJA, Nigeria -- "
# The capitalised run opening a sentence as its speaker ("Hoshino Motors said ..."), after "The".
LEADING_RUN = re.compile(rf"\s*(?:The\s+)?(?P<run>{NAME_RUN})\s+{_AUX}{VERB}\b")
