"""Who said what: the seed article's quotations, each attribution pattern on a small text, and
precision on the hand-labelled set in tests/data/quotes (the figure bench/quotes.py reports)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from index.quotes import Quotation, check_attributions, extract_quotations, normalise_speaker, same_speaker

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "lithuania-critical-minerals.txt"
LABELS = ROOT / "tests" / "data" / "quotes" / "articles.jsonl"
HELD_OUT = LABELS.with_name("heldout.jsonl")
GAPS = LABELS.with_name("gaps.jsonl")


def said(text: str) -> list[tuple[str, str, str]]:
    """(speaker, kind, quoted text) of each quotation, checking offsets on the way."""
    quotations = extract_quotations(text)
    for q in quotations:
        assert text[q.start:q.end] == q.text
    return [(q.speaker, q.kind, q.text) for q in quotations]


def labelled_records() -> list[dict]:
    records = [json.loads(line) for path in (LABELS, HELD_OUT)
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for record in records:
        if "text" not in record:  # the seed article, read from its file
            record["text"] = (ROOT / record["origin"]).read_text(encoding="utf-8")
    return records


# -- the seed article --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[Quotation]]:
    text = SEED.read_text(encoding="utf-8")
    return text, extract_quotations(text)


def test_seed_budrys_has_his_quoted_sentences_and_the_reported_statement(seed):
    text, quotations = seed
    budrys = [q for q in quotations if q.speaker == "Kestutis Budrys"]
    sentences = [
        "We have the intention to go forward at the European level",
        "But it’s time sensitive.",
        "We demand everyone’s interest within the European Union.",
        "If not, then the way forward is bilaterally.",
    ]
    for sentence in sentences:
        assert any(q.kind == "direct" and sentence in q.text for q in budrys), sentence
    reported = [q for q in budrys if q.kind == "reported"]
    assert [q.text for q in reported] == [
        "while a European-level agreement remains the preferred outcome, time is of the essence"
    ]
    assert all("Budrys" in q.forms and q.title == "Lithuanian Foreign Minister" for q in budrys)


def test_seed_ruginiene_has_her_two_quotes(seed):
    _, quotations = seed
    direct = [q.text for q in quotations if q.speaker == "Inga Ruginienė" and q.kind == "direct"]
    assert direct == [
        "We need the armed forces of European countries and U.S. Troops",
        "But you never know what can happen. That is why the absolute top priority should be to strengthen the "
        "European Union.",
    ]
    assert {q.title for q in quotations if q.speaker == "Inga Ruginienė"} == {"Prime Minister"}


def test_seed_scare_quotes_belong_to_nobody(seed):
    text, quotations = seed
    assert not [q for q in quotations if "Trump" in q.speaker or "Strategy" in q.speaker or "U.S." in q.speaker]
    for phrase in ("primary responsibility", "critical but more limited"):
        start = text.index(phrase)
        assert not [q for q in quotations if q.start < start + len(phrase) and start < q.end], phrase
    assert {q.speaker for q in quotations} == {"Kestutis Budrys", "Inga Ruginienė"}


def test_seed_offsets_are_exact(seed):
    text, quotations = seed
    assert quotations == sorted(quotations, key=lambda q: q.start)
    assert all(text[q.start:q.end] == q.text for q in quotations)


# -- one pattern at a time ---------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ('"We will win," said Ana Diaz, the coach.', [("Ana Diaz", "direct", "We will win")]),
    ("“We will win,” Ana Diaz stated.", [("Ana Diaz", "direct", "We will win")]),
    ("Coach Ana Diaz said: “We will win.”", [("Ana Diaz", "direct", "We will win.")]),
    ("“We will win,” according to Ana Diaz.", [("Ana Diaz", "direct", "We will win")]),
    ("“It is over.” Ana Diaz said.", [("Ana Diaz", "direct", "It is over.")]),
    ("'We will rebuild every school', says education chief Nadia Rahman",
     [("Nadia Rahman", "direct", "We will rebuild every school")]),
    ("“Cities are gardens.” — Jane Holloway, urban planner", [("Jane Holloway", "direct", "Cities are gardens.")]),
], ids=[
    "straight-said-X", "curly-X-stated", "before-colon", "according-to", "after-full-stop", "single-quotes", "dash",
])
def test_direct_attribution(text, expected):
    assert said(text) == expected


def test_interrupted_quote_has_one_speaker_for_both_halves():
    text = "“We need allies,” Prime Minister Inga Ruginienė stated, “but you never know what can happen.”"
    assert said(text) == [
        ("Inga Ruginienė", "direct", "We need allies"),
        ("Inga Ruginienė", "direct", "but you never know what can happen."),
    ]


def test_a_quote_without_attribution_continues_the_previous_speaker():
    text = "“We will act,” Ana Diaz said. “It is time sensitive. We demand results.”"
    assert [s for s, _, _ in said(text)] == ["Ana Diaz", "Ana Diaz"]


def test_continuation_stops_at_another_name():
    text = "“We will act,” Ana Diaz said. Tomas Vering laughed. “It is all talk and no action.”"
    assert said(text) == [("Ana Diaz", "direct", "We will act")]


def test_surname_resolves_to_the_full_name_and_title_is_kept_apart():
    text = "Lithuanian Foreign Minister Kestutis Budrys spoke in Munich. “Time is short,” Budrys said."
    [q] = extract_quotations(text)
    expected = ("Kestutis Budrys", ("Kestutis Budrys", "Budrys"), "Lithuanian Foreign Minister")
    assert (q.speaker, q.forms, q.title) == expected


def test_a_country_is_not_a_speaker_but_a_lone_company_name_is():
    # Organisations that speak are speakers (the labels' convention); countries and capitals are not.
    assert said("“We will expel them,” Lithuania said. “No comment,” Facebook said.") == [
        ("Facebook", "direct", "No comment")]
    assert said("Japan said on Tuesday it would appeal. Officials said talks could resume.") == []


def test_title_and_surname_is_a_speaker():
    assert said("“Taxes will fall,” President Biden said.") == [("Biden", "direct", "Taxes will fall")]


def test_pronoun_resolves_to_the_only_person_before_it():
    text = "Harbour chief Marta Kowalczyk defended the tolls.\n“We cannot run the port on goodwill,” she said."
    assert said(text) == [("Marta Kowalczyk", "direct", "We cannot run the port on goodwill")]


@pytest.mark.parametrize("text", [
    "Police chief Victor Hale and prosecutor Dmitri Sokolov spoke. “This network moved drugs,” he said.",
    "Defence Minister Jonas Petraitis met Arturs Kalnins in Riga. “We agreed on radar data,” he said.",
    "“We are doing everything we can,” he said.",
], ids=["two-people", "unknown-name-last", "no-antecedent"])
def test_ambiguous_pronoun_is_left_out(text):
    assert said(text) == []


def test_two_speakers_in_one_paragraph_each_get_their_own_quote():
    text = ("“The bridge will be ready by spring,” Mayor Elena Brandt said. Councillor Tomas Vering disagreed: "
            "“Not one invoice has been paid.” “This is a tax on fishermen,” Vering said.")
    assert [s for s, _, _ in said(text)] == ["Elena Brandt", "Tomas Vering", "Tomas Vering"]


def test_the_role_resolves_to_the_one_person_with_that_title():
    text = "Health Minister Carla Jiménez spoke to parliament. “We delivered results,” the minister said."
    assert said(text) == [("Carla Jiménez", "direct", "We delivered results")]


def test_nested_quotes_stay_inside_the_outer_quote():
    text = "“When the hero shouts ‘Never again!’ you stop believing him,” critic Ana Ferreira wrote."
    assert said(text) == [("Ana Ferreira", "direct", "When the hero shouts ‘Never again!’ you stop believing him")]


@pytest.mark.parametrize("text", [
    "The strategy expects allies to take “primary responsibility” for defence.",
    "Critics have called the plan a “stealth tax”.",
    "“It was like the sky fell in,” one resident recalled.",
    "A spokesman for Prime Minister Inga Ruginienė said: “The talks are over.”",
    "“We will appeal,” Budrys and Ruginienė said.",
    "The ministry said the rules would bring clarity to the market.",
    "Tavora Labs has announced the date Season 3 of the “Long Night” will debut.",
], ids=["scare-quote", "called", "unnamed", "spokesman-for", "joint", "ministry-reported", "a-title"])
def test_no_person_no_quotation(text):
    assert said(text) == []


# -- organisations ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("In a statement, the Finance Ministry said: “The changes are revenue-neutral.”",
     [("Finance Ministry", "direct", "The changes are revenue-neutral.")]),
    ("Brandvik Bank said on Monday it would close twelve branches.",
     [("Brandvik Bank", "reported", "it would close twelve branches")]),
    ("The Office for Rail said it had opened an inquiry into the delays.",
     [("Office for Rail", "reported", "it had opened an inquiry into the delays")]),
    ("Tavora Labs opened a plant in Porto. Tavora said it would hire 300 people.",
     [("Tavora Labs", "reported", "it would hire 300 people")]),
    ("Crestline Airways cancelled 40 flights. The airline said the storm had closed two airports.",
     [("Crestline Airways", "reported", "the storm had closed two airports")]),
    ("“We are sorry,” a spokesperson for Crestline Airways said.", [("Crestline Airways", "direct", "We are sorry")]),
    ("A statement from Brandvik Bank called the fine “unjust”.", [("Brandvik Bank", "direct", "unjust")]),
], ids=[
    "ministry-colon", "said-on-a-day", "of-complement", "short-form", "the-airline", "spokesperson-for",
    "statement-from",
])
def test_organisations_speak(text, expected):
    assert said(text) == expected


def test_the_company_is_the_one_named_or_the_subject_before():
    text = "Shares in Orvane fell 5%. The company said it would cut 200 jobs."
    assert said(text) == [("Orvane", "reported", "it would cut 200 jobs")]
    two = ("Pell Motors and Ardent Motors both export. Pell Motors said it would delay a plant. "
           "The company also said profits would fall.")
    assert [s for s, _, _ in said(two)] == ["Pell Motors", "Pell Motors"]
    assert said("Pell Motors and Ardent Motors both export. The company said profits would fall.") == []


@pytest.mark.parametrize("text", [
    "Michael Bloomberg founded Bloomberg News. “We grew fast,” Bloomberg said.",
    "The foreign ministry said the envoy had been recalled.",
    "Officials in Rome said the talks would resume.",
    "“We will respond,” Beijing said.",
    "Visitors packed Lindell Reservoir on Sunday, said the park ranger.",
], ids=["person-or-organisation", "unnamed-ministry", "officials", "capital", "place"])
def test_unnamed_bodies_places_and_countries_do_not_speak(text):
    assert said(text) == []


# -- surnames, shared surnames and labels ------------------------------------------------------


def test_a_surname_only_ever_given_alone_is_the_speaker():
    text = "Officer Brandt reached the car first. “It was still running,” Brandt said."
    assert said(text) == [("Brandt", "direct", "It was still running")]
    text = "Calloway founded the firm in 1998. “We never borrowed,” Calloway told the audience."
    assert said(text) == [("Calloway", "direct", "We never borrowed")]


def test_a_shared_surname_is_the_person_introduced_with_a_title():
    text = ("President Alan Marsh met the troops. “You are the best,” Marsh said.\n"
            "Helen Marsh joined the call from home.")
    assert said(text) == [("Alan Marsh", "direct", "You are the best")]
    text = "Senator Alan Marsh and Senator Helen Marsh spoke. “We agree,” Marsh said."
    assert said(text) == []


def test_a_role_label_before_the_name_is_its_title():
    [q] = extract_quotations("“I am innocent,” Defendant Paul R. Kane said.")
    assert (q.speaker, q.title) == ("Paul R. Kane", "Defendant")
    [q] = extract_quotations("“Day one will be busy,” President-elect Ada Novak told reporters.")
    assert (q.speaker, q.title) == ("Ada Novak", "President-elect")


@pytest.mark.parametrize("text", [
    "“It was a great meeting,” Ada Novak said aboard the presidential plane.",
    "“You are going to hell,” Ada Novak told the assembled leaders, speaking about migration.",
], ids=["said-aboard", "told-leaders"])
def test_the_circumstance_after_a_quotes_attribution_is_no_statement(text):
    assert [kind for _, kind, _ in said(text)] == ["direct"]


def test_a_place_in_an_attribution_does_not_block_the_pronoun():
    text = ("President Ada Novak spoke on Monday.\n“This is our day,” Novak said in the Rose Garden.\n"
            "“Factories will come back,” she said.")
    assert [s for s, _, _ in said(text)] == ["Ada Novak", "Ada Novak"]


# -- gendered pronouns -------------------------------------------------------------------------


@pytest.mark.parametrize("text, speaker", [
    ("“I saw it first,” Maria Lenz said. Peter Holm said he had doubts. “It was a blur,” he said. "
     "She said the two would share the prize.", "Maria Lenz"),
    ("Mrs. Orton and Mr. Dale Finch spoke. “We want answers,” Mrs. Orton said. "
     "“The plant is safe,” Finch said. “It is not,” she said.", "Orton"),
    ("Police spokeswoman Robin Tate and club chairman Alex Moor spoke. “We found the tools,” Tate said. "
     "“We lost a lot,” Moor said. “The inquiry goes on,” she said.", "Robin Tate"),
], ids=["given-names", "mrs", "spokeswoman"])
def test_she_after_a_man_and_a_woman_is_the_woman(text, speaker):
    assert said(text)[-1][0] == speaker


def test_she_after_a_woman_and_someone_of_unknown_gender_is_left_out():
    text = ("Mrs. Orton and Councillor Dale Finch spoke. “We want answers,” Mrs. Orton said. "
            "“The plant is safe,” Finch said. “It is not,” she said.")
    assert "It is not" not in [q for _, _, q in said(text)]


def test_he_after_two_men_stays_unresolved():
    text = ("Anna Kerr proposed a market; Daniel Price and Owen Marsh proposed a bridge. "
            "Price and Marsh said it could be built in a year. “It is cheap,” he said.")
    assert "It is cheap" not in [q for _, _, q in said(text)]


def test_a_quote_after_a_participle_is_the_sentence_subjects():
    text = "Finance Minister Ola Brekke presented the budget on Monday, promising “no new taxes”."
    assert said(text) == [("Ola Brekke", "direct", "no new taxes")]


def test_a_second_statement_after_a_quote_in_a_reported_clause():
    text = "Governor Ana Ruiz said inflation had “turned the corner” but warned against cutting rates too soon."
    assert said(text) == [("Ana Ruiz", "direct", "turned the corner"),
                          ("Ana Ruiz", "reported", "against cutting rates too soon")]


@pytest.mark.parametrize("text, speaker, clause", [
    ("Kestutis Budrys said that the EU was too slow.", "Kestutis Budrys", "the EU was too slow"),
    ("Lithuanian Foreign Minister Kestutis Budrys set out the position, stating that time is of the essence.",
     "Kestutis Budrys", "time is of the essence"),
    ("The ceasefire will hold through the winter, said Hanna Lindqvist, the UN envoy.", "Hanna Lindqvist",
     "The ceasefire will hold through the winter"),
    ("Health Minister Carla Jiménez told parliament that waiting lists had fallen.", "Carla Jiménez",
     "waiting lists had fallen"),
    ("According to Professor Lina Okafor, the drought is the worst in sixty years.", "Lina Okafor",
     "the drought is the worst in sixty years"),
    ("Tesla CEO Elon Musk said during the call in January that production is on hold.", "Elon Musk",
     "production is on hold"),
], ids=["said-that", "stating-that", "inverted", "told-listener-that", "according-to", "circumstance"])
def test_reported_speech(text, speaker, clause):
    assert said(text) == [(speaker, "reported", clause)]


@pytest.mark.parametrize("text", [
    "Ashleigh Barty claimed her first Wimbledon title on Saturday.",
    "Poet Percy Shelley wrote the poem The Mask of Anarchy later that year, that begins with images.",
], ids=["claimed-a-title", "wrote-an-object"])
def test_verbs_with_an_object_are_not_reported_speech(text):
    assert said(text) == []


def test_an_unclosed_quote_runs_to_the_end_of_its_paragraph():
    text = 'Dr. Bashir Abu-Manneh said: "It is right that Gurnah is awarded the prize ...\nNext paragraph.'
    assert said(text) == [("Bashir Abu-Manneh", "direct", "It is right that Gurnah is awarded the prize ...")]


def test_speaker_names_match_without_accents_or_case():
    assert normalise_speaker("Ruginienė") == normalise_speaker("ruginiene")
    assert same_speaker("Ruginiene", "Inga Ruginienė") and not same_speaker("Budrys", "Inga Ruginienė")


# -- robustness and speed ----------------------------------------------------------------------


def test_offsets_are_exact_on_every_labelled_text_and_on_noise():
    texts = [record["text"] for record in labelled_records()]
    rng = random.Random(7)
    pieces = [
        '"', "“", "”", "'", "‘", "’", " said ", " Budrys", " Inga Ruginienė", ", ", ". ", "\n", " he ", "that ", "word",
    ]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 80))) for _ in range(300)]
    for text in texts:
        for q in extract_quotations(text):
            assert text[q.start:q.end] == q.text and q.start < q.end and q.kind in ("direct", "reported")


def test_a_long_document_is_processed_quickly():
    text = "\n".join([SEED.read_text(encoding="utf-8")] * 100)  # about half a megabyte
    began = time.perf_counter()
    quotations = extract_quotations(text)
    assert time.perf_counter() - began < 10  # linear: about a second on one shared core
    assert len(quotations) == 100 * len(extract_quotations(SEED.read_text(encoding="utf-8")))


# -- the labelled set --------------------------------------------------------------------------


def test_labelled_set_precision_is_at_least_0_9():
    checks = [check_attributions(r["text"], extract_quotations(r["text"]), r["quotes"]) for r in labelled_records()]
    right, wrong = sum(len(c.right) for c in checks), sum(len(c.wrong) for c in checks)
    found, missed = sum(len(c.found) for c in checks), sum(len(c.missed) for c in checks)
    assert right + wrong >= 40 and found + missed >= 50  # the set is still there
    assert right / (right + wrong) >= 0.97, [q for c in checks for q in c.wrong]
    assert found / (found + missed) >= 0.85  # recall matters less, but must not collapse


def test_gap_articles_precision_and_recall():
    # Development data for the known weaknesses (organisations, lone surnames, he/she, time).
    records = [json.loads(line) for line in GAPS.read_text(encoding="utf-8").splitlines() if line.strip()]
    checks = [check_attributions(r["text"], extract_quotations(r["text"]), r["quotes"]) for r in records]
    right, wrong = sum(len(c.right) for c in checks), sum(len(c.wrong) for c in checks)
    found, missed = sum(len(c.found) for c in checks), sum(len(c.missed) for c in checks)
    assert len(records) == 16 and found + missed >= 70
    assert right / (right + wrong) >= 0.97, [q for c in checks for q in c.wrong]
    assert found / (found + missed) >= 0.9, [label for c in checks for label in c.missed]


def test_labels_are_exact_and_unique_substrings():
    for record in labelled_records():
        for label in record["quotes"]:
            assert record["text"].count(label["quote"]) == 1, (record["id"], label["quote"])


# -- rules added after the second held-out batch -----------------------------------------------


def test_initials_of_a_country_stay_in_the_title():
    assert said("“We will win,” said U.S. Senator Mary Jones.") == [("Mary Jones", "direct", "We will win")]


def test_an_organisation_known_by_a_business_word_speaks():
    text = "Harrow Foods said on Monday it would cut 50 jobs. The company said costs had doubled."
    assert said(text) == [("Harrow Foods", "reported", "it would cut 50 jobs"),
                          ("Harrow Foods", "reported", "costs had doubled")]


@pytest.mark.parametrize("text, expected", [
    ("Lead author Lena Dahl of the University of Bergen said the ice was thinning.",
     [("Lena Dahl", "reported", "the ice was thinning")]),
    ("“Rates will stay high,” Ole Lund of Capital Economics said.", [("Ole Lund", "direct", "Rates will stay high")]),
    ("Tom Ruud of the Herald praised the “bold” design.", [("Tom Ruud", "direct", "bold")]),
    ("The daughter of Mark Ellis of Leeds said the family was grateful.", []),
    ("Students at the University of Bergen said the fees were too high.", []),
    ("Newton's First Law of Motion states that objects keep moving unless a force acts on them.", []),
], ids=["of-the-university", "after-the-quote", "praised", "daughter-of", "students-at", "possessive"])
def test_a_person_of_an_organisation_is_the_speaker(text, expected):
    assert said(text) == expected


def test_a_spokesperson_for_the_named_council_is_the_council():
    text = "Ashby Town Council closed the road. A spokesperson for the council said it would reopen on Friday."
    assert said(text) == [("Ashby Town Council", "reported", "it would reopen on Friday")]
    assert said("Ana Diaz met the minister. A spokesperson for the minister said talks went well.") == []
    text = "Ashby Town Council shut the road. “We are sorry,” a spokesperson for the council said."
    assert said(text) == [("Ashby Town Council", "direct", "We are sorry")]


def test_the_attribution_nearest_a_quote_names_its_speaker():
    text = ("Mara Quist spoke at the memorial. Quist recalled that Olaf Brenn once told her the job was "
            "“mostly paperwork.”")
    assert said(text) == [("Olaf Brenn", "direct", "mostly paperwork.")]


@pytest.mark.parametrize("text, expected", [
    ("The bridge will close for a month, Ashby Town Council said on Friday.",
     [("Ashby Town Council", "reported", "The bridge will close for a month")]),
    ("Crews had cleared the road by noon, according to fire chief Mark Olsen.",
     [("Mark Olsen", "reported", "Crews had cleared the road by noon")]),
    ("Ashby Town Council shut the road. It will reopen in May, the council said on Thursday.",
     [("Ashby Town Council", "reported", "It will reopen in May")]),
    ("Cod have moved north in two decades, according to a study published on Monday.", []),
    ("The talks will resume in June, according to diplomats.", []),
], ids=["said-on-a-day", "according-to-at-the-end", "the-council-said", "a-study", "unnamed"])
def test_a_statement_before_its_attribution(text, expected):
    assert said(text) == expected


def test_the_company_is_nobody_when_a_second_company_is_named_by_what_it_is():
    text = "Norvik Energy agreed to buy the solar start-up Lumora. The company said the deal would close in May."
    assert said(text) == []


@pytest.mark.parametrize("text, expected", [
    ("Mark Ellis, who chairs the trust, was asked about the plan. “It is too early,” he said.", "Mark Ellis"),
    ("Ruth Adeyemi, an energy analyst, was sceptical. “It is a gamble,” she said.", "Ruth Adeyemi"),
    ("Marta Lind, a researcher at the University of Bergen, led the survey. “The ice is thinning,” she said.",
     "Marta Lind"),
], ids=["who", "role", "organisation-named"])
def test_a_name_with_a_persons_apposition_is_a_pronouns_antecedent(text, expected):
    assert said(text) == [(expected, "direct", text.split("“")[1].split(",”")[0])]


def test_she_after_a_man_is_the_one_person_of_unknown_gender():
    text = ("Board chair Dana Kerr and Mr. Paul Voss spoke. “We are solvent,” Kerr said. Voss said the reserves "
            "would last a year. “It will be tight,” he said. She added that fees would not rise.")
    assert said(text)[-1] == ("Dana Kerr", "reported", "fees would not rise")
    text = ("Captain Lee Park and Mr. Tom Baxter spoke. Baxter said the team had lost. His mother was proud. "
            "“He did well,” she said.")
    assert "He did well" not in [q for _, _, q in said(text)]


@pytest.mark.parametrize("text, expected", [
    ("“It is painful,” Nordvik chief executive Ola Berg told Reuters.", [("Ola Berg", "direct", "It is painful")]),
    ("“We agree,” Budrys and foreign minister Jonas Petraitis said.", []),
    ("The ruling was deeply flawed, Mara Quist, a lawyer for the family, said.",
     [("Mara Quist", "reported", "The ruling was deeply flawed")]),
], ids=["organisation-role-name", "joint", "inverted-apposition"])
def test_an_organisations_role_or_an_apposition_around_the_name(text, expected):
    assert said(text) == expected


# -- round three: general fixes found on heldout3 ---------------------------------------------------

def test_told_the_audience_is_no_statement_after_a_nested_quote():
    text = "“My coach kept saying, ‘Run faster and we can win,’” Aino Laht told the crowd after the race."
    assert [q for _, kind, q in said(text) if kind == "reported"] == []
    text = "Aino Laht told the crowd after the race."
    assert said(text) == []


@pytest.mark.parametrize("text, expected", [
    ("“We have fixed the fault,” co-founder and chief executive Pia Halme wrote in a blog post.", "Pia Halme"),
    ("“Fees will not rise,” provost Omar Lindgren said.", "Omar Lindgren"),
    ("“Fees will not rise,” Dean Holt said.", "Dean Holt"),
], ids=["two-roles", "provost", "dean-is-a-given-name"])
def test_more_role_leads_before_a_name(text, expected):
    assert said(text) == [(expected, "direct", text.split("“")[1].split(",”")[0])]


@pytest.mark.parametrize("text, speaker, clause", [
    ("The Green Farmers Alliance said in a statement it would appeal the ruling.", "Green Farmers Alliance",
     "it would appeal the ruling"),
    ("The Royal Botanic Society said on Friday it would close the gardens for a month.", "Royal Botanic Society",
     "it would close the gardens for a month"),
], ids=["alliance-in-a-statement", "society"])
def test_alliances_and_societies_speak_and_a_statement_is_a_circumstance(text, speaker, clause):
    assert said(text) == [(speaker, "reported", clause)]


def test_a_second_verb_after_a_partial_quote_reports_the_subjects_statement():
    text = ("Ines Morel, a geologist at the University of Lyon, called the findings “striking” but said the "
            "sample was far too small to be sure.")
    assert said(text) == [("Ines Morel", "direct", "striking"),
                          ("Ines Morel", "reported", "the sample was far too small to be sure")]
    text = "Ines Morel visited the site and added that the sample was small."
    assert said(text) == [("Ines Morel", "reported", "the sample was small")]


def test_a_spokesperson_for_a_company_that_spoke_alone_before_is_the_company():
    text = ("Quillo said on Monday that its app had been down for six hours. A spokesperson for Quillo said "
            "the outage had been caused by a faulty update.")
    assert said(text)[-1] == ("Quillo", "reported", "the outage had been caused by a faulty update")
    text = ("Senator Ana Ruiz said the bill would pass. A spokesperson for Ruiz said the vote had been delayed "
            "by a week.")
    assert [s for s, _, q in said(text) if q.startswith("the vote")] == []  # a person's spokesperson


@pytest.mark.parametrize("text, speaker, clause", [
    ("Norvale Bank will cut 200 jobs in its branches, the bank said on Tuesday, as more customers move online.",
     "Norvale Bank", "Norvale Bank will cut 200 jobs in its branches"),
    ("Brookmere College will scrap its evening courses, the college said on Friday, two weeks after a strike "
     "began.", "Brookmere College", "Brookmere College will scrap its evening courses"),
    ("Trains on the northern line will run again by Sunday, according to the rail operator Nordbane.", "Nordbane",
     "Trains on the northern line will run again by Sunday"),
], ids=["as", "weeks-after", "according-to-operator"])
def test_an_inverted_attribution_may_trail_a_circumstance_or_name_an_organisations_kind(text, speaker, clause):
    assert said(text) == [(speaker, "reported", clause)]


def test_a_bare_role_apposition_makes_a_name_a_person_for_he_or_she():
    text = ("Tomas Rinne, head of the Northern Timber Society, which speaks for 300 sawmills, expects prices to "
            "fall. “We are ready for a hard winter,” he said.")
    assert said(text) == [("Tomas Rinne", "direct", "We are ready for a hard winter")]


def test_the_company_is_not_an_organisation_first_named_later_in_its_own_sentence():
    text = ("Online retailer Pillbox said on Monday that its warehouse had flooded. The company said it had "
            "asked the logistics firm Carrow Systems to move its stock.")
    assert said(text)[-1] == ("Pillbox", "reported", "it had asked the logistics firm Carrow Systems to move its stock")
    text = "The company said it had hired the consultancy Varden Systems to review its accounts."
    assert [s for s, _, _ in said(text) if s] == []  # only the firm it hired is named: nobody


@pytest.mark.parametrize("text, speaker, clause", [
    ("Online retailer Boxwell said that deliveries would be late this week.", "Boxwell",
     "deliveries would be late this week"),
    ("Patients group Care First called the cuts “reckless” in a letter to ministers.", "Care First", "reckless"),
    ("Water bills will rise by 4% in May, the regulator Aquaris said on Tuesday, citing repair costs.", "Aquaris",
     "Water bills will rise by 4% in May"),
], ids=["retailer", "group-naming-verb", "inverted-regulator"])
def test_an_organisation_named_after_its_kind_speaks(text, speaker, clause):
    assert said(text) == [(speaker, "reported" if clause != "reckless" else "direct", clause)]


def test_the_name_after_an_organisations_role_is_the_subject_not_the_organisations_first_word():
    text = "Tenants union chair Paula Brandt welcomed the plan but said it came too late."
    assert said(text) == [("Paula Brandt", "reported", "it came too late")]


def test_a_capitalised_compound_adjective_is_no_name_for_he_or_she():
    text = ("Panel chair Tomas Varga, the Brazilian-born economist, was asked about the vote. "
            "“It was close,” he said.")
    assert said(text) == [("Tomas Varga", "direct", "It was close")]


def test_she_after_a_woman_and_men_of_common_given_names_is_the_woman():
    text = ("Club secretary Francesca Lind and treasurer Patrick Moor both praised the volunteers. Moor said the "
            "books were balanced. She said the club would repaint the stands.")
    assert said(text)[-1] == ("Francesca Lind", "reported", "the club would repaint the stands")


def test_a_man_named_in_an_earlier_paragraph_does_not_make_he_ambiguous():
    text = ("The winner came from defender Henry Cole. “It was luck,” Cole said.\n"
            "Coach Varga praised his side. Asked about the referee, he said only: “Ask him.”")
    assert said(text)[-1] == ("Varga", "direct", "Ask him.")


def test_an_inverted_attribution_may_trail_an_infinitive():
    text = "Mayor Ola Brekke visited the site. The repairs will take a year, he said, to be paid for by the city."
    assert said(text)[-1] == ("Ola Brekke", "reported", "The repairs will take a year")


def test_a_place_in_the_attribution_of_the_quote_before_does_not_stop_the_next_continuing():
    text = ("“The road just vanished,” said Petra Lund, 64, who was rescued from her farm near Oxhagen. "
            "“We lost everything we had.”")
    assert said(text) == [("Petra Lund", "direct", "The road just vanished"),
                          ("Petra Lund", "direct", "We lost everything we had.")]  # continued


def test_an_attribution_inside_its_statement_reports_the_rest():
    text = "The new dam, chief engineer Marta Olsen said, would hold back the spring floods for decades."
    assert said(text) == [("Marta Olsen", "reported", text[:-1])]  # the head is part of the statement
    text = "No homes had been destroyed, Abarca said, but several barns had burned."
    assert said(text) == [("Abarca", "reported", text[:-1])]
    text = "The old bridge, Marta Olsen said, and the new one were closed."
    assert said(text) == []  # no statement after the attribution


def test_it_said_after_a_statement_about_the_company_is_the_company_named_before():
    text = ("OSLO (Reuters) - Shipping group Nordhav Linjer cut its outlook on Tuesday.\n"
            "The group now expects freight volumes to fall by 5% this year, it said in a statement.\n"
            "Analyst Eva Moe at Fjord Bank said the cut was expected.")
    assert said(text)[0] == ("Nordhav Linjer", "reported",
                             "The group now expects freight volumes to fall by 5% this year")
    text = ("The bank now expects growth to slow this year, it said.\n"
            "Analyst Eva Moe at Fjord Bank said the cut was expected.")
    assert [s for s, _, q in said(text) if q.startswith("The bank")] == []  # a bank only named after it


@pytest.mark.parametrize("text, expected", [
    ("Its salvage master, Piet Janssen, was more cautious. “If we miss both, we start again,” he told the AP.",
     "Piet Janssen"),
    ("The Marigold Vans’ singer, Josh Tenant, took the loss in good humour. “She deserved it,” he said.",
     "Josh Tenant"),
    ("“I was not at my best,” Katarina Vesely said.\nLucía Ferrante, 19 and playing in her second major, "
     "had served for the match. “I was nervous, I admit it,” she said.", "Lucía Ferrante"),
    ("Carla Mendes and Alan Reyes met for an hour. She said there had been no movement at all.", "Carla Mendes"),
    ("Finance Minister Rui Albuquerque presented the budget.\nTeresa Gouveia Matos, who leads the opposition, "
     "was unmoved by the minister's arguments.\n“The minister talks about prudence,” she said.",
     "Teresa Gouveia Matos"),
], ids=["possessive-role", "organisation-in-the-lead", "own-paragraph-first", "the-one-of-its-gender",
        "a-paragraph-opening-with-the-quote"])
def test_he_or_she_is_the_subject_of_the_sentence_before(text, expected):
    assert [s for s, _, _ in said(text)][-1] == expected


@pytest.mark.parametrize("text", [
    "Tom Becker praised Peter Lund for his work. “It was a team effort,” he said.",
    "One Meridian employee, who asked not to be named, spoke to us. “Nobody listened,” she said.",
    "After meeting Jane Doe, Sam Becker spoke to reporters. “It went well,” she said.",
], ids=["two-men", "no-verb-after-the-name", "a-woman-in-the-lead"])
def test_the_subject_before_is_no_antecedent_when_another_could_be_meant(text):
    assert said(text) == []


def test_she_after_a_man_and_one_person_of_unknown_gender_in_the_paragraph_before():
    text = ("Council member Dana Whitcombe, who represents the area, said she shared the worries. "
            "Graham Oduya, the developer, also spoke.\n"
            "“We are against a tower that blocks the sun,” she said.")
    assert said(text)[-1] == ("Dana Whitcombe", "direct", "We are against a tower that blocks the sun")


@pytest.mark.parametrize("text, speaker, clause", [
    ("Vesely’s coach, Marek Dusek, told the Associated Press that his player would rest on Thursday.",
     "Marek Dusek", "his player would rest on Thursday"),
    ("According to the Marlow County Finance Department, property taxes will rise by 1.8%.",
     "Marlow County Finance Department", "property taxes will rise by 1.8%"),
    ("Developer Brightline Homes says the project would ease a housing shortage; many neighbours disagree.",
     "Brightline Homes", "the project would ease a housing shortage"),
    ("Halvorsen agreed to buy rival Corvane Freight. Corvane said its board would back the offer.",
     "Corvane Freight", "its board would back the offer"),
    ("The Harbour Museum of Maritime History reopened. More than 4,000 visitors came, the museum said.",
     "Harbour Museum of Maritime History", "More than 4,000 visitors came"),
], ids=["told-the-agency-that", "according-to-the", "kind-lead-and-semicolon", "first-word-of-a-company",
        "museum-of-two-words"])
def test_round_five_reported_speech(text, speaker, clause):
    assert (speaker, "reported", clause) in said(text)


def test_circumstances_and_exhortations_are_no_statements():
    text = "“He is innocent,” his lawyer, Priya Ramkissoon, told reporters outside the courthouse."
    assert said(text) == [("Priya Ramkissoon", "direct", "He is innocent")]
    text = "Denise Okonjo said the rise was “the smallest in a decade” and urged residents to attend a hearing."
    assert said(text) == [("Denise Okonjo", "direct", "the smallest in a decade")]


def test_described_as_and_a_quote_before_a_new_clause():
    text = "Broadcaster Neil Ferguson, who chaired the panel, described the record as “a quiet album.”"
    assert said(text) == [("Neil Ferguson", "direct", "a quiet album.")]
    text = "Carla Mendes said there had been “no movement at all,” while Alan Reyes told radio it was close."
    assert said(text)[0] == ("Carla Mendes", "direct", "no movement at all")


@pytest.mark.parametrize("text, words", [
    ("“We will appeal,” said defence lawyer Cruz. Judge Okonkwo rejected the motion on Friday. "
     "“This is not over,” she said.", "This is not over"),
    ("Rescuers pulled Elena Marsh, 71, from the rubble on Wednesday.\nFire chief Brandt said the search would "
     "continue. Mayor John Ellis thanked the volunteers.\n“I thought I was going to die,” she said.", "going to die"),
    ("Property developer Nick Candy bought the site in 2019. Architect Tom Reed designed the tower. "
     "“It will change the skyline,” he said.", "change the skyline"),
    ("Yuki Tsunoda finished ninth for RB. Teammate Liam Lawson retired on lap 12.\n“The car felt good today,” he said.",
     "The car felt good"),
    ("Yuki Tsunoda collided with Lawson on lap 3.\n“He just turned in on me,” he said.", "turned in on me"),
    ("Andrea Orcel, UniCredit's chief executive, said the offer was fair. Analyst Peter Grant said it was too low.\n"
     "“We will look at every option,” she said.", "every option"),
    ("According to the Constitution, the president may serve two terms.", "may serve two terms"),
    ("According to the Hendersons, the fence was built in 1990.", "the fence was built"),
    ("The vote was fair, Hale said, but opposition leaders say thousands were turned away.", "turned away"),
    ("Friends described Moss as “a gentle giant.”", "a gentle giant"),
], ids=["a-speaker-earlier-in-the-paragraph", "elimination-stays-in-its-paragraph", "a-developer-who-is-a-person",
        "a-person-in-the-paragraph-before", "an-object-is-no-modifier", "a-given-name-of-both-genders",
        "according-to-a-document", "according-to-a-family", "but-someone-elses-view", "friends-are-nobody"])
def test_round_five_rules_leave_other_readings_alone(text, words):
    assert [s for s, _, q in said(text) if words in q] == []


@pytest.mark.parametrize("text, speaker, words", [
    ("“This is a structural shortage,” Andalusia's environment minister, Rocío Benítez, told a news conference.",
     "Rocío Benítez", "structural shortage"),
    ("The Food and Drug Administration said the drug had produced “clinically meaningful” results.",
     "Food and Drug Administration", "clinically meaningful"),
    ("The rescue was led by the Alpine and Speleological Rescue Corps of South Tyrol, which said in a statement "
     "that winds had grounded two flights.", "Alpine and Speleological Rescue Corps of South Tyrol",
     "winds had grounded two flights"),
    ("Germany's Federal Waterways and Shipping Administration closed a lock. The administration said in a statement "
     "that only small vessels could pass.", "Federal Waterways and Shipping Administration", "only small vessels"),
    ("Riverton Area Transit raised fares. The agency said the increase was “unavoidable” and would raise $18 million.",
     "Riverton Area Transit", "would raise $18 million"),
    ("The riders' group Fair Fares Riverton called the decision “a slap in the face” and said it would ask "
     "lawmakers to intervene.", "Fair Fares Riverton", "it would ask lawmakers to intervene"),
    ("Apiculture New Zealand said it would ask the government for help.", "Apiculture New Zealand",
     "it would ask the government for help"),
    ("Drugmaker Halvorsen Pharma is recalling its syrup. “Safety comes first,” Halvorsen said. "
     "Shares in Halvorsen fell 3 percent.", "Halvorsen Pharma", "Safety comes first"),
    ("A spokeswoman for Huaxin Electrical said in an emailed response that the company had followed every "
     "specification.", "Huaxin Electrical", "the company had followed every specification"),
    ("“It was fast and it was professional,” said Inspector Pieter Aalders of the Amsterdam police, adding that "
     "the thieves had disabled an alarm.", "Pieter Aalders", "the thieves had disabled an alarm"),
    ("Paediatrician James Okafor of Lakeshore Children's Hospital in Toronto said parents should not panic.",
     "James Okafor", "parents should not panic"),
    ("Reservoirs fell to 18 percent of capacity, the Guadalquivir Hydrographic Confederation said on Tuesday.",
     "Guadalquivir Hydrographic Confederation", "Reservoirs fell to 18 percent of capacity"),
], ids=["whose-role-name-says", "and-in-an-organisation", "which-said-that",
        "a-countrys-organisation", "the-clause-goes-on", "a-kind-lead-with-an-apostrophe", "said-it-is-an-organisation",
        "its-fullest-name", "spokeswoman-in-a-response-that", "adding-that-after-an-inverted-attribution",
        "of-a-hospital-in-a-city", "the-organisation-said-inverted"])
def test_round_six_attributions(text, speaker, words):
    assert [s for s, _, q in said(text) if words in q] == [speaker]


@pytest.mark.parametrize("text, speaker", [
    ("At Piccadilly station, one commuter said the strike cost her a day's wages. Transport Secretary Helen Marsh "
     "spoke later.\nA nurse said she was tired. “I can't afford it,” she said.", None),
    ("Chef Armand Roux, 68, spoke to AFP.\nThe chef, whose cookbook “Sunday” sold a million copies, said he planned "
     "to teach. “Not at my age,” he said.", "Armand Roux"),
    ("Overall leader Julien Carrère of France kept the yellow jersey. “It was a hard day,” he said.", "Julien Carrère"),
    ("His wife and business partner, Claudine Roux, said the decision was hard. She said they had turned down offers.",
     "Claudine Roux"),
], ids=["someone-unnamed-before", "the-chef", "a-role-and-an-affiliation", "his-wife"])
def test_round_six_pronouns(text, speaker):
    quotations = said(text)
    last = quotations[-1] if quotations else (None, None, None)
    assert last[0] == speaker


def test_a_quote_continues_past_the_agency_it_was_told_to():
    text = ("Historian Eluned Vaughan welcomed the news. “My grandmother was born in the cottage,” she told Reuters. "
            "“People here never stopped thinking of it as ours.”")
    assert [s for s, _, _ in said(text)] == ["Eluned Vaughan", "Eluned Vaughan"]


@pytest.mark.parametrize("text, words, speaker", [
    ("Protesters chanted “Out, out, out” outside the embassy, according to witness Maria Lopez.", "Out, out", None),
    ("“Get out,” protesters shouted at the minister, according to witness Ana Ruiz.", "Get out", None),
    ("Nordea and Danske Bank both raised rates on Monday. Nordea said it expected more increases.",
     "expected more increases", "Nordea"),
    ("The study was led by Tom Hale and Wellcome Trust scientist Ana Ruiz. “The results are striking,” Tom Hale said.",
     "striking", "Tom Hale"),
    ("The Metropolitan Police said the march had been peaceful. The Metropolitan Police Federation, which represents "
     "officers, said its members were exhausted.", "march had been peaceful", "Metropolitan Police"),
    ("Interest rates will stay at 5% until next year, the Governor of the Bank of England said.",
     "Interest rates will stay", None),
    ("Prime Minister Tom Hale visited the flood zone. The Prime Minister said it would take months to rebuild.",
     "take months to rebuild", None),
    ("Tom Hale said the proposal was “dead on arrival” and was booed by supporters as he left the stage.",
     "booed by supporters", None),
    ("Ruiz said the ruling was “a victory for workers” and was carried shoulder-high by supporters.",
     "carried shoulder-high", None),
    ("Hale said the tax was “unfair,” and that prompted Ruiz to resign from the cabinet.", "prompted Ruiz", None),
    ("Chef Armand Roux hired Paul Grant last year. The chef sent Grant to train in Lyon. "
     "“I learned everything there,” he said.", "learned everything there", None),
    ("“We will appeal,” Hale said on Monday. His lawyer told Reuters the verdict ignored key evidence. "
     "“The judge simply did not listen to us.”", "did not listen", None),
    ("“You will pay for this,” Hale told Ruiz during the hearing. “I am not afraid of you at all.”",
     "not afraid of you", None),
    ("Johnson and Johnson Services said it would appeal the verdict. Johnson said he was disappointed.",
     "he was disappointed", "Johnson"),
], ids=["chanted-according-to", "shouted-according-to", "two-banks-joined-by-and", "a-person-and-an-organisation",
        "an-exact-name-over-a-longer-one", "the-governor-of-a-bank", "a-title-said-it", "narration-after-a-quote",
        "a-passive-after-a-quote", "that-as-a-subject", "the-chef-and-another-man", "his-lawyer-told-reuters",
        "a-person-told-answers", "a-conjunct-is-no-subject"])
def test_round_six_rules_leave_other_readings_alone(text, words, speaker):
    assert [s for s, _, q in said(text) if words in q] == ([speaker] if speaker else [])


@pytest.mark.parametrize("text, speaker, words", [
    ("Airport operator SEA said 212 departures had been cancelled by midday.", "SEA", "212 departures"),
    ("In the crowded hall, British tourist Amanda Hale said she had waited for nine hours.", "Amanda Hale",
     "she had waited"),
    ("Former national champion Dirk Peeters said the case was a blow to the sport.", "Dirk Peeters", "a blow"),
    ("The Philippine Institute of Volcanology and Seismology said an eruption was possible within days.",
     "Philippine Institute of Volcanology and Seismology", "an eruption was possible"),
    ("Munster Milk Co-operative cut its price. The co-operative said markets had softened since December.",
     "Munster Milk Co-operative", "markets had softened"),
    ("Rabat-Salé Tramway Company, which operates the network, said trains would run every six minutes.",
     "Rabat-Salé Tramway Company", "trains would run"),
    ("New Zealand Rugby said in a statement that it respected the player's choice.", "New Zealand Rugby",
     "it respected the player's choice"),
    ("The book was sold on Thursday. Sotheby’s said it was one of 20 complete copies.", "Sotheby’s",
     "one of 20 complete copies"),
    ("Cattle Council of Australia chief executive Mark Heffernan welcomed the decision but said farmers wanted "
     "answers.", "Mark Heffernan", "farmers wanted answers"),
    ("Geologist Erik Haugland told broadcaster NRK that the slope had shown signs of instability.", "Erik Haugland",
     "the slope had shown signs"),
    ("Analyst Brian Otieno of Nairobi research firm Savannah Insights said the round showed investors had changed.",
     "Brian Otieno", "the round showed"),
    ("The Elementary Teachers' Federation of Ontario said the deal caps class sizes. The Ontario Public School "
     "Boards' Association said boards needed funding.", "Elementary Teachers' Federation of Ontario",
     "the deal caps class sizes"),
    ("The female infant appears healthy, according to senior primate keeper Olivia Brennan.", "Olivia Brennan",
     "The female infant appears healthy"),
    ("Conservation group Orangutan Rescue Network welcomed the birth but said palm oil remained the biggest threat.",
     "Orangutan Rescue Network", "palm oil remained"),
    ("The co-op's chief executive, Declan Morrissey, spoke to RTE. He said Munster Milk had drawn on its reserves.",
     "Declan Morrissey", "Munster Milk had drawn"),
], ids=["an-acronym-after-its-kind", "a-description-after-a-comma", "a-description-opens-the-sentence",
        "of-and-in-an-organisation", "the-co-operative", "a-company", "said-in-a-statement-that-it",
        "a-possessive-name", "an-organisations-role-with-of", "told-a-broadcaster-that", "of-a-research-firm",
        "the-organisation-written-here",
        "according-to-a-description", "a-kind-lead-is-no-speaker", "a-statement-opening-with-a-name"])
def test_round_seven_attributions(text, speaker, words):
    assert [s for s, _, q in said(text) if words in q] == [speaker]


@pytest.mark.parametrize("text, speaker", [
    ("Transport Minister Karim Bennani rode the first train from Bab Chellah station. “This line is for the people,” "
     "he told reporters.", "Karim Bennani"),
    ("Retired bus driver Tom Gallacher, 68, from Paisley, has waited 19 months. “Some nights I sleep in the chair,” "
     "he said.", "Tom Gallacher"),
    ("Head coach Ana Tuilagi was blunter. Asked whether the country was losing players to Europe, she told Radio "
     "New Zealand: “Yes.”", "Ana Tuilagi"),
    ("“It is rare,” said lead archaeologist Walter Quispe of the National University of Trujillo. “We think the walls "
     "were buried.”", "Walter Quispe"),
], ids=["a-station-is-no-one", "a-town-in-the-apposition", "a-continent-in-the-pronouns-sentence",
        "an-affiliation-does-not-stop-a-quote-continuing"])
def test_round_seven_pronouns_and_continuations(text, speaker):
    assert said(text)[-1][0] == speaker


@pytest.mark.parametrize("text, words", [
    ("Lawyers representing Tom Hale said on Monday that their client would appeal.", "their client would appeal"),
    ("Residents near Lake Tahoe said the smoke was thick.", "the smoke was thick"),
    ("The family of musician Tom Hale said he died peacefully.", "he died peacefully"),
    ("The fire spread overnight, according to prosecutors investigating Tom Hale.", "The fire spread overnight"),
    ("Nikola Jokic added 14 rebounds and 11 assists as Denver beat Phoenix.", "14 rebounds"),
    ("Tom Hale lost the final to Eliud Kipchoge on Sunday. “I felt unbeatable today,” he said.", "unbeatable"),
    ("Tom Hale of the committee investigating Peter Olsen was blunt. “I did nothing wrong,” he said.",
     "did nothing wrong"),
    ("“We will appeal,” Tom Hale said. A reply came from Peter Olsen within an hour. “Nothing has been signed yet.”",
     "Nothing has been signed"),
    ("Ana Ruiz of the Bank of England and Tom Hale said in a joint letter that rates would have to rise.",
     "rates would have to rise"),
], ids=["a-participle-is-no-description", "a-preposition-is-no-description", "of-a-musician",
        "according-to-people-doing-something", "added-a-number", "a-full-name-after-to-is-someone",
        "an-affiliation-naming-someone-else", "a-full-name-after-from-stops-a-quote", "a-joint-letter"])
def test_round_seven_rules_leave_other_readings_alone(text, words):
    assert [s for s, _, q in said(text) if words in q] == []


def test_a_title_after_an_organisations_word_leaves_the_person_a_name_for_he():
    text = ("Peter Olsen was sentenced to 10 years on Friday by U.S. District Judge Tom Hale. "
            "“You betrayed the public trust,” he said.")
    assert "Peter Olsen" not in [s for s, _, _ in said(text)]
    text = ("Disney chief executive Bob Iger defended the plan. Activist investor Nelson Peltz, who owns a stake, "
            "disagreed. “The board has failed shareholders,” he said.")
    assert "Bob Iger" not in [s for s, _, _ in said(text)]  # "investor" is no organisation's kind


@pytest.mark.parametrize("text, speaker, words", [
    ("De Wilde's client was arrested in 2024. Defence lawyer Joris De Wilde said the case rested on one fingerprint. "
     "“My client is a mechanic,” De Wilde said.", "Joris De Wilde", "a mechanic"),
    ("Nina Baumgartner announced her retirement on Thursday, saying her body could no longer “take the weeks on the "
     "road”.", "Nina Baumgartner", "her body could no longer"),
    ("Agriculture Minister Andrés Felipe Rojas promised emergency credit and called the outbreak “a slow disaster.”",
     "Andrés Felipe Rojas", "a slow disaster"),
    ("The federation cut its forecast to 10.2 million bags and said exports would probably fall by a fifth.",
     None, "exports would probably fall"),
    ("Portuguese club Vitória Atlântico is being sold for about 95 million euros, the club said in a filing to the "
     "securities regulator on Tuesday.", "Vitória Atlântico", "is being sold"),
    ("Observers from the Organization for Security and Co-operation in Europe said the vote had been well run.",
     "Organization for Security and Co-operation in Europe", "the vote had been well run"),
    ("“One spark can do what this fire has done,” said Tasmania Fire Service chief officer Darren Hollis.",
     "Darren Hollis", "One spark"),
    ("STOCKHOLM, Sweden - Stockholm's public transport company SL will double the number of ticket inspectors, it "
     "said on Wednesday.", "SL", "will double the number"),
    ("BOGOTA, Feb 4 (Reuters) - Colombia's Ministry of Transport ordered the app Rodar to stop operating, saying the "
     "company had ignored two court rulings.", "Ministry of Transport", "the company had ignored"),
    ("Kiprotich, who won in 2:04:11, told Kyodo News that the headwind had made a fast time impossible.",
     "Kiprotich", "the headwind"),
], ids=["a-surname-with-a-particle", "a-clause-with-its-quote-kept-whole", "and-called", "a-decimal-in-the-clause",
        "in-a-filing-to-a-regulator", "observers-from", "says-an-organisations-role-name", "it-said-after-its-name",
        "a-dateline-and-an-organisation-saying", "a-time-in-an-apposition"])
def test_round_eight_attributions(text, speaker, words):
    assert [s for s, _, q in said(text) if words in q] == ([speaker] if speaker else [])


@pytest.mark.parametrize("text, words", [
    ("The regulator fined Halvorsen Bank $5 million on Tuesday, saying it had misled investors about fees.",
     "misled investors"),
    ("The judge ordered Acme Corp to pay $40 million in damages, saying the company had acted in bad faith.",
     "acted in bad faith"),
    ("Tom Hale was mocked online and called “a traitor” by his former supporters.", "a traitor"),
    ("Coach Tom Hale was sacked on Sunday and described as “a failure” by the club's owner.", "a failure"),
    ("“The plan is sound,” Tom Hale said. His wife disagreed; she told Reuters it was reckless. "
     "“He never listens to anyone.”", "never listens"),
    ("“We will appeal,” Ana Ruiz said. Her rival was unmoved and he told Reuters the case was closed. "
     "“It is over for her now.”", "over for her now"),
], ids=["an-object-organisation", "ordered-an-organisation", "a-passive-called", "a-passive-described",
        "someone-else-told-reuters", "her-rival-told-reuters"])
def test_round_eight_rules_leave_other_readings_alone(text, words):
    assert [s for s, _, q in said(text) if words in q] == []


@pytest.mark.parametrize("text, speaker, words", [
    ("Nordfjord Havbruk AS said about 48,000 fish had escaped from its site.", "Nordfjord Havbruk AS", "48,000 fish"),
    ("The International Cricket Council banned him. The ICC said Nuwan Dissanayake, 31, had accepted three charges.",
     "International Cricket Council", "had accepted three charges"),
    ("The federal Health Ministry said it would send 1.2 million doses.", "Health Ministry", "1.2 million doses"),
    ("Mines and Energy Minister Andrés Villamizar said the government would present a new bill.",
     "Andrés Villamizar", "present a new bill"),
    ("The developer, Helios Iberia, plans a solar farm. A spokeswoman for the company said only 12 percent of the land "
     "was used for olives.", "Helios Iberia", "only 12 percent"),
    ("The regional energy councillor for Extremadura, Mercedes Galán, told Reuters that a permit would come by "
     "October.", "Mercedes Galán", "a permit would come"),
    ("No one was hurt, according to Kenya Railways Corporation, which gave no date.", "Kenya Railways Corporation",
     "No one was hurt"),
    ("The General Confederation of Labour (CGT), the country’s largest union federation, said more than 80% of "
     "workers had stayed at home.", "General Confederation of Labour", "80% of workers"),
    ("The mine’s operator, Minera Cerro Dorado, said heavy rain had caused the overflow. It said it was supplying "
     "water to three villages.", "Minera Cerro Dorado", "supplying water"),
    ("Joseph Banda, a fisherman, said by phone from Chirundu that the river had risen.", "Joseph Banda",
     "the river had risen"),
], ids=["an-as-company", "an-acronym", "the-federal-ministry", "mines-and-energy-minister",
        "spokeswoman-for-the-company",
        "the-name-in-the-apposition", "according-to-which", "an-acronym-in-brackets", "it-said", "said-by-phone"])
def test_round_nine_attributions(text, speaker, words):
    assert [s for s, _, q in said(text) if words in q] == [speaker]


@pytest.mark.parametrize("text, words", [
    ("A senior official at the Treasury, who spoke on condition of anonymity, said the money had been moved.",
     "the money had been moved"),
    ("In a joint statement, the family and his employer, Northern Ridge Mining, said they were “deeply grateful”.",
     "deeply grateful"),
    ("Price and Marsh said it could be built in a year.", "it could be built"),
], ids=["an-official-of-an-organisation", "a-joint-statement", "two-people"])
def test_round_nine_rules_leave_other_readings_alone(text, words):
    assert [s for s, _, q in said(text) if words in q] == []


@pytest.mark.parametrize("text, words", [
    ("He and President Lula said the two countries would deepen trade ties.", "deepen trade ties"),
    ("Scholz and Prime Minister Giorgia Meloni said the summit had been productive.", "productive"),
    ("The mayor of Paris, Texas, said the town had never seen such flooding.", "such flooding"),
    ("Shares in Pacific Minerals fell 4 percent on Monday. The PM said the government would not bail out the miner.",
     "would not bail out"),
    ("Acme Corp said a court in Texas had ruled against it. It said the company must pay $10 million.",
     "must pay $10 million"),
    ("Shares in Halvorsen Bank added 4 percent on Tuesday after the central bank cut rates. It said inflation was "
     "easing.", "inflation was easing"),
], ids=["two-people-joined", "a-leader-and-a-prime-minister", "a-town-in-a-state", "a-role-abbreviation",
        "it-may-be-the-court", "it-after-shares-added"])
def test_round_nine_review_leaves_other_readings_alone(text, words):
    assert [s for s, _, q in said(text) if words in q] == []


def test_it_said_after_a_person_of_the_organisation_does_not_fail():
    text = "Tom Hale, who chairs Acme Corp, said the board would meet on Friday. It said the dividend would be cut."
    assert ("Tom Hale", "reported", "the board would meet on Friday") in said(text)  # once a KeyError


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "data" / "quotes").glob("*.jsonl")), ids=lambda p: p.name)
def test_every_labelled_text_extracts_with_exact_offsets(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if "text" in record:
            said(record["text"])  # raises nothing, and every quotation is its text's slice


@pytest.mark.parametrize("text, speaker, words", [
    ("A manuscript has been found in an attic in County Clare, the National Library of Ireland said on Friday.",
     "National Library of Ireland", "A manuscript has been found"),
    ("“Safety comes before everything,” company President Hiroshi Tanabe told reporters.", "Hiroshi Tanabe",
     "Safety comes"),
    ("Fire chief Luca Pedrini told Swiss broadcaster RSI that temperatures had exceeded 1,000 degrees.",
     "Luca Pedrini", "temperatures had exceeded"),
    ("Survivor Amina Juma, 24, said the findings had come too late.", "Amina Juma", "come too late"),
    ("Rourke, whose novel “The Salt Road” sold 100,000 copies, said he had been treated unfairly.", "Rourke",
     "treated unfairly"),
    ("The race director, Ilse Maes, defended the course. “Every metre was checked this morning,” she said.",
     "Ilse Maes", "Every metre"),
], ids=["a-library", "a-lower-case-word-before-a-title", "told-a-countrys-broadcaster", "a-survivor",
        "a-title-inside-an-apposition", "a-role-with-a-named-apposition"])
def test_round_ten_attributions(text, speaker, words):
    assert [s for s, _, q in said(text) if words in q] == [speaker]


def test_a_letter_signed_by_many_including_one_is_not_hers():
    text = ("An open letter signed by the writers, including the poet Aoife Brennan, said the festival should not "
            "offer a platform to hate.")
    assert said(text) == []


@pytest.mark.parametrize("text, words", [
    ("“The deal is off,” rivals like Ferrari said.", "The deal is off"),
    ("“The season is over,” players like Lionel Messi said.", "The season is over"),
    ("“We cannot accept this,” clubs like Barcelona told UEFA.", "We cannot accept"),
], ids=["rivals-like", "players-like", "clubs-like"])
def test_an_example_after_a_group_is_not_its_speaker(text, words):
    assert [s for s, _, q in said(text) if words in q] == []


@pytest.mark.parametrize("text, speaker", [
    ("Challenger Katarzyna Nowicka said she would accept the outcome of the recount.", "Katarzyna Nowicka"),
    ("Rower Hamish Te Rangi denied doping. “I will fight this,” Te Rangi said.", "Hamish Te Rangi"),
    ("The National Aquaculture Chamber said shipments to China were continuing.", "National Aquaculture Chamber"),
], ids=["a-descriptor-before-a-given-name", "a-maori-surname", "a-chamber"])
def test_round_ten_names(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


# -- round eleven: general fixes found on heldout18 and heldout19 ------------------------------------

@pytest.mark.parametrize("text, speaker, words", [
    ("The Chilean Navy said two patrol boats had reached the stranded trawler before dawn.",
     "Chilean Navy", "two patrol boats"),
    ("The City of Gdynia said the pier would stay closed until engineers had inspected it.",
     "City of Gdynia", "the pier would stay closed"),
    ("Transport Scotland said on Friday that the bridge would reopen to lorries next week.",
     "Transport Scotland", "the bridge would reopen"),
    ("Three hikers were airlifted from the ridge on Saturday, the Tyrol state police said.",
     "Tyrol state police", "Three hikers were airlifted"),
    ("Two men were arrested at the port on Sunday, police said. The Ligurian regional police said the men had "
     "hidden the cash in a spare tyre.", "Ligurian regional police", "Two men were arrested"),
    ("The trial will resume in May, Brightmoor Steel Works said in a regulatory filing.",
     "Brightmoor Steel Works", "The trial will resume"),
    ("Prices for copper cable rose by a third last year, according to estimates by the Nordic Metals Institute.",
     "Nordic Metals Institute", "Prices for copper cable"),
    ("Four lorries were stopped at the border, according to the Ministry of Forestry.",
     "Ministry of Forestry", "Four lorries were stopped"),
    ("Ewa Malik, 61, who lost her shop in the flood, said the town had been warned for years.",
     "Ewa Malik", "the town had been warned"),
    ("Former Olympic champion Lars Vik said the selection rules should be published.",
     "Lars Vik", "the selection rules"),
    ("Mayor Tomas Berg told the newspaper Dagbladet that the tram line would be finished by 2028.",
     "Tomas Berg", "the tram line would be finished"),
    ("Coach Ana Costa defended the decision, telling reporters the younger player had trained better.",
     "Ana Costa", "the younger player"),
    ("The Harbour Authority said 40 cranes, six tugs and a pilot boat had been moved out of the storm's path.",
     "Harbour Authority", "40 cranes, six tugs"),
    ("The medal went to a newcomer, but World Rowing said the result would be reviewed on Monday.",
     "World Rowing", "the result would be reviewed"),
    ("Swedish paper group Lindqvist Paper will shut its mill in Kemi by June, cutting 300 jobs, the company said on "
     "Monday, blaming weak demand.", "Lindqvist Paper", "will shut its mill"),
], ids=["the-navy", "the-city-of", "a-place-inside-a-name", "a-place-police", "police-then-the-force",
        "a-regulatory-filing", "according-to-estimates-by", "according-to-a-ministry-of", "two-appositions",
        "two-capitalised-words-before-a-role", "told-the-newspaper-x", "telling-reporters", "a-long-number-phrase",
        "but-then-the-subject", "an-afterthought-participle"])
def test_round_eleven_attributions(text, speaker, words):
    assert [s for s, _, q in said(text) if words in q] == [speaker]


def test_a_quote_continues_past_its_own_attributions_lead():
    text = "“We lost a leader,” Rovers coach Piet de Jong said. “He will be back next season.”"
    assert [s for s, _, _ in said(text)] == ["Piet de Jong", "Piet de Jong"]


def test_adding_that_after_a_quote_is_its_speakers():
    text = ("Marta Quispe denied the charges. “This is a witch hunt,” she said in a video posted online, adding that "
            "she would appeal.")
    assert [s for s, _, q in said(text) if "she would appeal" in q] == ["Marta Quispe"]


def test_an_organisation_named_with_a_list():
    text = ("Growers are racing to save their crops, the Department of Fisheries, Forests and the Coast said on "
            "Tuesday. The department said the blight had reached 14 farms.")
    assert {s for s, _, _ in said(text)} == {"Department of Fisheries, Forests and the Coast"}


def test_a_job_before_a_name_is_a_title():
    text = "Herder Tsetseg Batbayar said she had lost 40 goats in the storm."
    assert [(q.speaker, q.title) for q in extract_quotations(text)] == [("Tsetseg Batbayar", "Herder")]


@pytest.mark.parametrize("text, words, speakers", [
    ("Kevin Jordan said the club would appeal the ban.", "the club would appeal", ["Kevin Jordan"]),
    ("Two men were arrested at the port on Sunday, police said.", "Two men were arrested", []),
    ("Two men were arrested on Sunday, police said. The Tyrol state police and the Bavarian border police have "
     "opened inquiries.", "Two men were arrested", []),
    ("Ana Ruiz, 38, and Tom Hale, 40, said the school had to be moved.", "the school had to be moved", []),
    ("The PM said the government would not bail out the miner.", "would not bail out", []),
], ids=["a-surname-that-is-a-country", "police-with-no-force-named", "police-with-two-forces", "two-people-aged",
        "a-roles-initials"])
def test_round_eleven_leaves_other_readings_alone(text, words, speakers):
    assert [s for s, _, q in said(text) if words in q] == speakers


@pytest.mark.parametrize("text, speaker", [
    ("Attorney Tom Hale said he would ask the judge for a delay. “Without it, the state has no case,” he said.",
     "Tom Hale"),
    ("Minister Ousmane Diallo told Radio Sahel Info on Monday that the fare would stay. “The old fare was a "
     "fiction,” he said.", "Ousmane Diallo"),
    ("Its chairwoman, Anne Virtanen, told public broadcaster Yle that the union was not consulted. “We read "
     "about it on the news,” she said.", "Anne Virtanen"),
], ids=["the-judge-in-the-clause", "told-radio-x", "told-a-broadcaster"])
def test_round_eleven_pronouns(text, speaker):
    assert [s for s, kind, _ in said(text) if kind == "direct"] == [speaker]


def test_a_named_listener_still_leaves_the_pronoun_open():
    text = "Tom Ruiz told Ian Hale that the deal was dead. “It is over,” he said."
    assert [s for s, kind, _ in said(text) if kind == "direct"] == []


@pytest.mark.parametrize("text, speaker, words", [
    ("Not everyone was pleased. The Jednota trade union said in a statement that it wanted guarantees for the "
     "jobs.", "Jednota", "it wanted guarantees"),
    ("The opposition Civic Renewal party said it would table a no-confidence motion.", "Civic Renewal",
     "table a no-confidence motion"),
    ("More than 90 ships were waiting outside the port, according to the Mongla Port Authority, which said "
     "average waiting times had risen to eight days.", "Mongla Port Authority", "average waiting times"),
    ("Rice exports will be suspended, the Ministry of Farming and Trade said. The ministry said fragrant "
     "varieties would be exempt.", "Ministry of Farming and Trade", "fragrant varieties"),
], ids=["the-name-trade-union", "the-opposition-name-party", "organisation-which-said", "a-ministry-of-and"])
def test_round_eleven_organisations(text, speaker, words):
    assert [s for s, _, q in said(text) if words in q] == [speaker]


def test_a_pronoun_after_a_paragraph_break_takes_the_only_person_named():
    text = ("Foreign Minister Einar Thorsson said the incident would be raised with allies.\n"
            "“Our cables are our lifeline,” he said.")
    assert [s for s, kind, _ in said(text) if kind == "direct"] == ["Einar Thorsson"]


def test_a_pronoun_after_a_paragraph_break_with_two_people_named_stays_open():
    text = ("Kenta Morishita finished second behind Daniel Kiprotich.\n"
            "“Second place feels like a victory,” he said.")
    assert [s for s, kind, _ in said(text) if kind == "direct"] == []


@pytest.mark.parametrize("text, speaker", [
    ("A sprinter has been suspended after testing positive for EPO, the sport's governing body said on Tuesday. "
     "The World Sprint Federation said the sample was taken in April.", "World Sprint Federation"),
    ("An old lighthouse will shine again after a restoration, its owners said on Friday. The Coastline Heritage "
     "Trust, which bought it in 2019, said the lamp had been rebuilt.", "Coastline Heritage Trust"),
], ids=["the-sports-governing-body", "its-owners"])
def test_an_organisation_described_then_named_next(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


def test_a_description_with_a_person_next_is_nobody():
    text = "A lighthouse will shine again, its owners said on Friday. Ana Ruiz said the lamp had been rotting."
    assert [s for s, _, q in said(text) if "shine again" in q] == []


@pytest.mark.parametrize("text, speaker", [
    ("Revenue will fall by 5 percent this year, Norvik Shipping chief executive Lars Dahl said.", "Lars Dahl"),
    ("Revenue will fall by 5 percent this year, said Lars Dahl, chief executive of Norvik Shipping.", "Lars Dahl"),
    ("Revenue would fall sharply next year, Lars Dahl told analysts on a call.", "Lars Dahl"),
    ("Per Dahl said the plan would fail.", "Per Dahl"),
], ids=["organisation-role-name-said", "said-name-role-of", "told-analysts", "a-given-name-per"])
def test_round_eleven_inverted(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


# -- after heldout20 and heldout21 (run once, then development data) ---------------------------------

def test_a_plural_noun_opening_a_sentence_is_nobody():
    text = "Prices fell again. Importers said buyers in Spain were offering less than half the usual price."
    assert said(text) == []


def test_the_company_is_not_a_ministry_of_energy():
    text = ("The Ministry of Energy raised gas tariffs. Indus Textile Group said it would shut two factories. "
            "The closures will affect about 2,400 workers, the company said in a filing.")
    assert {s for s, _, q in said(text) if "closures" in q} == {"Indus Textile Group"}


def test_said_as_is_no_statement():
    text = "“The damage is impossible to calculate,” judge Amra Halilovic said as she read the verdict."
    assert said(text) == [("Amra Halilovic", "direct", "The damage is impossible to calculate")]


# -- round twelve (from the errors of heldout20 and heldout21) ---------------------------------------

def test_a_second_quote_continues_past_the_speakers_description():
    text = ("“Cherries do not wait,” said Carla Ibarra, head of the exporters' group Frutas del Sur. "
            "“Every day the containers sit in the sun, we lose quality.”")
    assert {s for s, _, _ in said(text)} == {"Carla Ibarra"}
    assert len(said(text)) == 2


def test_someone_named_after_the_description_still_stops_the_continuation():
    text = ("“Cherries do not wait,” said Carla Ibarra, head of the exporters' group Frutas del Sur. Tomas Rey "
            "disagreed. “Every day the containers sit in the sun, we lose quality.”")
    assert [q for s, _, q in said(text) if s == "Carla Ibarra"] == ["Cherries do not wait"]


@pytest.mark.parametrize("text, speaker", [
    ("Martín Olivera Sosa was freed on Tuesday. “Today the truth has been recognized,” Olivera told reporters.",
     "Martín Olivera Sosa"),
    ("Federation leader Julián Quispe Mamani called the strike. Quispe said porters earn about 60 soles a day.",
     "Julián Quispe Mamani"),
], ids=["direct", "reported"])
def test_a_first_surname_alone_is_the_person_of_two_surnames(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


def test_a_first_surname_of_two_people_is_nobody():
    text = ("Martín Olivera Sosa and Ana Olivera Ruiz were freed. “Today the truth has been recognized,” Olivera said.")
    assert said(text) == []


@pytest.mark.parametrize("text, speaker", [
    ("Peru's Culture Ministry, which manages the trail, said in a statement that it was monitoring the strike.",
     "Culture Ministry"),
    ("Levan Kipiani, an analyst at Mtkvari Capital, said Asian demand was growing but could cool quickly.",
     "Levan Kipiani"),
    ("Ana Diaz said Tuesday the plan was dead.", "Ana Diaz"),
    ("Maritime Power, the province's main utility, said crews from Maine were on their way.", "Maritime Power"),
    ("Terminal Costa Central, which runs the main container quay, said 14 vessels were waiting.",
     "Terminal Costa Central"),
    ("Kakheti Valley Wines said in a statement that shipments to China rose 41% last year.",
     "Kakheti Valley Wines"),
    ("London-listed Kalahari Stones said it had agreed to sell its diamond mine.", "Kalahari Stones"),
], ids=["a-place-possessive-and-which", "a-capitalised-word-opening-the-clause", "said-tuesday-the",
        "a-name-no-person-has", "a-name-no-person-has-which", "a-name-with-valley", "a-listed-company"])
def test_round_twelve_subjects(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


def test_a_person_with_an_organisation_word_as_surname_is_no_organisation():
    assert {s for s, _, _ in said("Samantha Power, the former ambassador, said crews were on their way. "
                                  "“We will help,” Power said.")} <= {"Samantha Power"}


def test_the_company_looks_back_past_the_lead():
    text = ("Dockworkers walked off the job on Thursday.\n\nTerminal Sur, which runs the quay, said 14 vessels were "
            "waiting.\n\nThe company said it had made “a fair and final offer” and urged workers to return.\n\n"
            "“Cherries do not wait,” said Carla Ibarra, head of the exporters' group Frutas del Sur.")
    assert [s for s, _, q in said(text) if "fair and final" in q] == []


def test_a_company_named_short_of_its_legal_suffix():
    text = ("A former director of developer Son Tra Bay Development JSC was jailed.\n\n"
            "Son Tra Bay Development said in a statement that it had returned the land to the city.")
    assert {s for s, _, _ in said(text)} == {"Son Tra Bay Development JSC"}


@pytest.mark.parametrize("text, speaker", [
    ("Minister of Health Selamawit Girma said the plan would be ready in May.", "Selamawit Girma"),
    ("Premier Scott Chisholm told a briefing that the province would open 40 comfort centers.", "Scott Chisholm"),
    ("Selamawit Girma told lawmakers the government would set aside a quota.", "Selamawit Girma"),
], ids=["minister-of-field", "told-a-briefing", "told-lawmakers"])
def test_round_twelve_titles_and_listeners(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


def test_a_title_of_an_unknown_field_is_not_glued_to_the_name():
    text = "Deputy Minister of State Assets Piotr Lach told the broadcaster TVN24 that the yard was safe."
    assert not any(s.startswith("State") for s, _, _ in said(text))


# -- from the hostile review of round eleven ---------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The pitch was unplayable, the league's organisers said.\nThe Football Club said it would investigate.",
    "The festival will not return in 2026, its organisers said. Glastonbury Festival said it would rest too.",
    "The bridge was closed.\n\nThe toll will rise, its operator said.\n\nHalvorsen Bridge Company said it hired staff.",
], ids=["another-kind", "too", "past-the-lead"])
def test_a_described_body_is_not_just_any_organisation_named_next(text):
    assert [s for s, _, q in said(text) if "unplayable" in q or "return" in q or "toll" in q] == []


@pytest.mark.parametrize("text", [
    "The Metropolitan Police said two men had been arrested in London. In Athens, police said a third was held.",
    "The Metropolitan Police said two men had been arrested. A third was held in Spain, where police said he had "
    "lived under a false name.",
], ids=["in-a-place", "where"])
def test_police_elsewhere_are_not_the_force_named(text):
    assert {s for s, _, q in said(text) if "third" in q or "false name" in q} == set()


def test_bare_police_after_the_place_in_their_statement_are_the_force():
    text = ("Thieves broke into a gallery in central Amsterdam overnight, police said.\n\n"
            "The Amsterdam police said two men were seen leaving.")
    assert {s for s, _, _ in said(text)} == {"Amsterdam police"}


@pytest.mark.parametrize("text", [
    "The Ministry of Health, Unicef and the Red Cross said in a joint statement that 2,000 children were vaccinated.",
    "The University of Oxford, Cambridge and Imperial College said they would cut fees.",
    "The Department of Health said the hospital would reopen. The Department of Health and the Treasury said "
    "funding was agreed.",
], ids=["joint-statement", "they", "and-the-treasury"])
def test_a_list_of_bodies_is_no_one_organisation(text):
    assert not any("," in s or " and the " in s for s, _, _ in said(text))
    assert [s for s, _, q in said(text) if "children" in q or "fees" in q or "funding" in q] == []


def test_a_body_of_fields_is_one_organisation():
    text = "The Department of Agriculture, Food and the Marine said the ban would be lifted in May."
    assert {s for s, _, _ in said(text)} == {"Department of Agriculture, Food and the Marine"}


@pytest.mark.parametrize("text, speaker", [
    ("The Biden administration said on Monday it would send more air defence systems. "
     "“We will not abandon our friends,” Biden said.", "Biden"),
    ("The Netanyahu coalition said it would not back the bill.", None),
], ids=["administration", "coalition"])
def test_a_body_named_after_a_person_is_neither_the_person_nor_an_organisation(text, speaker):
    assert {s for s, _, _ in said(text)} == ({speaker} if speaker else set())


@pytest.mark.parametrize("text", [
    "Prosecutor Ana Ruiz questioned the witness for three hours on Tuesday. “I don't remember that night,” she said.",
    "Senator Ana Ruiz questioned the central bank governor for two hours. “Inflation is falling,” she said.",
], ids=["the-witness", "the-governor"])
def test_someone_unnamed_after_the_verb_may_be_who_answers(text):
    assert said(text) == []


def test_someone_unnamed_in_the_subjects_own_words_answers_nothing():
    text = ("Club president Eleni Stavrou told reporters that the board had given the coach every chance. "
            "She said the club hoped to name a new coach before Saturday.")
    assert {s for s, _, _ in said(text)} == {"Eleni Stavrou"}
    assert len(said(text)) == 2


def test_telling_after_another_clause_is_not_the_quotes_speaker():
    text = ("“I ran outside in my pyjamas,” Mark Ellis said, describing how his neighbour phoned, "
            "telling him the roof was on fire.")
    assert said(text) == [("Mark Ellis", "direct", "I ran outside in my pyjamas")]


def test_according_to_a_person_of_a_company_is_the_person():
    text = "The port handled a record 3 million containers last year, according to Lars Dahl of Norvik Shipping."
    assert {s for s, _, _ in said(text)} == {"Lars Dahl"}


def test_a_titled_person_after_the_is_no_organisation():
    text = "The Dalai Lama said he hoped to live to 130. “I have clear indications,” he told followers."
    assert {s for s, _, _ in said(text)} == {"Dalai Lama"}
    assert len(said(text)) == 2


@pytest.mark.parametrize("text, speaker", [
    ("Dockworkers walked off the job on Thursday, the port operator said.\n\n"
     "Terminal Costa Central, which runs the main quay, said 14 vessels were waiting.", "Terminal Costa Central"),
    ("A restored wool mill will close in August, the charity that runs it said Wednesday.\n\n"
     "The Akroyd Mill Trust said in a statement that the centre would shut.", "Akroyd Mill Trust"),
], ids=["the-port-operator", "the-charity-that-runs-it"])
def test_a_leads_body_is_the_organisation_named_next(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}
    assert len(said(text)) == 2


def test_a_body_after_the_lead_is_not_the_organisation_named_next():
    text = ("Dockworkers walked off the job.\n\nShips are waiting, the port operator said.\n\n"
            "Terminal Costa Central said 14 vessels were waiting.")
    assert [s for s, _, q in said(text) if "Ships" in q] == []


@pytest.mark.parametrize("text", [
    "The Attorney General's Office said it would study the decision. In a statement, it said the ruling was wrong.",
    "The Attorney General's Office said it would study the decision. It said the ruling was wrong.",
], ids=["in-a-statement-it-said", "it-said-after-would-study"])
def test_it_said_after_an_organisation_spoke(text):
    assert [s for s, _, q in said(text) if "ruling" in q] == ["Attorney General's Office"]


def test_it_said_after_a_court_is_nobody():
    text = "Acme said a court had ruled against it. It said the ruling was wrong."
    assert [s for s, _, q in said(text) if "ruling was wrong" in q] == []


def test_a_statement_may_open_with_at_least():
    text = "“These animals learned to live here,” said Tom Hale. He said at least nine lions had been shot."
    assert said(text)[-1] == ("Tom Hale", "reported", "at least nine lions had been shot")


def test_someone_unnamed_asking_not_to_be_named_at_a_place_is_nobody():
    text = ("A veterinarian at a private clinic in Mandaue, who asked not to be named, said many owners skipped "
            "the campaign.")
    assert said(text) == []


@pytest.mark.parametrize("text, speaker", [
    ("Chugai Electric Power Co. said the No. 2 reactor at its Shiraiso plant reached criticality shortly after 10 a.m.",
     "Chugai Electric Power Co."),
    ("The Norwegian Water Resources and Energy Directorate said more than 120 millimetres of rain had fallen.",
     "Norwegian Water Resources and Energy Directorate"),
    ("The Dutch Ministry of Education, Culture and Science said in a statement that further requests were examined.",
     "Ministry of Education, Culture and Science"),
], ids=["co-and-no", "a-public-body-with-and", "the-dutch-ministry"])
def test_round_twelve_organisation_names(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


def test_two_companies_joined_by_and_are_not_one():
    text = "Nordea Resources and Danske Bank said they would merge their card units."
    assert not any(" and " in s for s, _, _ in said(text))


@pytest.mark.parametrize("text, speaker", [
    ("Tran Van Hieu, who runs an export house in the delta city of Can Tho, said buyers had begun calling.\n\n"
     "“Some of them will go to Thailand and never come back,” he said.", "Tran Van Hieu"),
    ("Fire chief Luca Pedrini told Swiss broadcaster RSI that temperatures had exceeded 1,000 degrees Celsius. "
     "“The ventilation system did exactly what it was built to do,” he said.", "Luca Pedrini"),
    ("Eleni Marinaki, the mayor of Amorgos, said residents paid more than tourists flying in from Berlin. "
     "“For us the ferry is not a holiday,” she said.", "Eleni Marinaki"),
], ids=["a-city-of", "a-lone-word-in-their-words", "another"])
def test_he_or_she_after_a_subject_whose_words_name_places(text, speaker):
    assert [s for s, k, _ in said(text) if k == "direct"] == [speaker]


def test_a_person_named_in_the_subjects_words_still_leaves_he_open():
    text = "Ana Ruiz said Tom Hale had lied to the court. “I never lied,” he said."
    assert [s for s, k, _ in said(text) if k == "direct"] == []


@pytest.mark.parametrize("text, speaker", [
    ("The Hungarian minority party UDMR, one of the two that abstained, said in a statement that it had received "
     "guarantees.", "UDMR"),
    ("A guards' union, the Asociación Nacional de Funcionarios Penitenciarios, said in a statement that staff "
     "shortages had left some watchtowers unmanned.", "Asociación Nacional de Funcionarios Penitenciarios"),
], ids=["a-country-adjective-and-a-kind-before-the-name", "a-kind-then-its-name-with-particles"])
def test_organisations_named_after_their_kind(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


# -- from dev1 and dev2 (development data from their first run) -------------------------------------

@pytest.mark.parametrize("text, speaker", [
    ("Independent MP Fiifi Mensah, the only member to vote against the bill, said it had been unfair.", "Fiifi Mensah"),
    ("Announcing the scheme, Minister for Housing Aoife Brennan said the grant would be available from June.",
     "Aoife Brennan"),
    ("Principal Sandra McAllister said the oval was the only green space for the school's students.",
     "Sandra McAllister"),
    ("Operator Minera Atacama Norte said production had been suspended.", "Minera Atacama Norte"),
    ("Lim Hui Min, the chief executive, said sales rose. Ms. Lim said the company would fund the purchase with cash.",
     "Lim Hui Min"),
    ("Egypt's environment minister, Nadia el-Sayed, said the final text would keep the door open.", "Nadia el-Sayed"),
    ("Esporte Clube Vila Serrana fired its coach on Monday. Vila Serrana said in a statement that an assistant "
     "would take charge.", "Esporte Clube Vila Serrana"),
    ("Russia’s Defence Ministry said it had struck energy facilities.", "Defence Ministry"),
], ids=["independent-mp", "minister-for-housing", "principal", "operator-company", "ms-family-name-first",
        "el-sayed", "a-romance-club-and-its-short-name", "a-countrys-ministry"])
def test_dev_batches_names(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


@pytest.mark.parametrize("text", [
    "Neighbouring Togo has said it will introduce a similar ban next year.",
    "Neighbouring Malawi said it was sending two military helicopters.",
    "Kessler now expects a margin of 3.5% to 4% in 2026, the Stuttgart-based company said.",
], ids=["has-said", "said-it", "the-x-based-company"])
def test_dev_batches_nobody(text):
    assert said(text) == []


def test_a_glued_job_with_a_given_name_is_still_a_person():
    assert {s for s, _, _ in said("Property developer Nick Candy said the plan would fail.")} == {"Nick Candy"}


@pytest.mark.parametrize("text, speaker", [
    ("“When our first engine pulled up, people were hanging out of windows,” Kessler told NewsChannel 7. "
     "“Our guys did a great job getting everybody down safely.”", "Kessler"),
    ("“Monterrey voted for change,” Ibarra told cheering supporters in the Macroplaza. “I will be the mayor of all.”",
     "Ibarra"),
    ("Tobias Ehrlich, an analyst at Munich-based consultancy Ostrand Mobility, said the price was ambitious. "
     "“The real test is service,” he said.", "Tobias Ehrlich"),
], ids=["told-a-channel", "told-supporters-in-the-square", "an-analyst-at-a-consultancy"])
def test_dev_batches_two_quotes_one_speaker(text, speaker):
    assert [s for s, _, _ in said(text)] == [speaker, speaker]


@pytest.mark.parametrize("text, speaker", [
    ("The National Progress Movement later wrote on X that it would defend the will of the people.",
     "National Progress Movement"),
    ("Ernesto Garza, president of the State Electoral Institute, said turnout was 54%. An official count is due "
     "to begin on Wednesday, according to the institute.", "State Electoral Institute"),
    ("The Nigeria Centre for Disease Control and Prevention (NCDC) was set up in 2011. The NCDC said households "
     "should store grain in sealed containers.", "Nigeria Centre for Disease Control and Prevention"),
    ("ABUJA, Nigeria -- Nigeria has recorded 74 deaths this year, the Nigeria Centre for Disease Control and "
     "Prevention (NCDC) said on Monday, as health workers warned that hospitals were short.",
     "Nigeria Centre for Disease Control and Prevention"),
    ("Amara Diallo works for the Climate Justice Africa Network. The network said in a statement that the summit "
     "had been a failure.", "Climate Justice Africa Network"),
    ("Arunika Air flies to Bali. The airline said it was cooperating fully with investigators.", "Arunika Air"),
    ("The Western Canada Shippers' Alliance estimated that the strike would disrupt $800 million in trade a day.",
     "Western Canada Shippers' Alliance"),
], ids=["a-movement", "according-to-the-institute", "an-acronym-in-brackets", "inverted-as-others-warned",
        "the-network", "the-airline", "estimated-that"])
def test_dev_batches_organisations(text, speaker):
    assert [s for s, _, _ in said(text)][-1:] == [speaker]


def test_air_inside_a_name_is_no_airline():
    text = "The Ukrainian Air Force said 74 drones were shot down. The airline said it was cooperating."
    assert [s for s, _, q in said(text) if "cooperating" in q] == []


@pytest.mark.parametrize("text, speaker", [
    ("Year 6 student Ruby Tran, 11, presented a petition. “Where are we supposed to go?” she asked.", "Ruby Tran"),
    ("Father of two Mick O'Donnell said the council had given families only three weeks' notice.", "Mick O'Donnell"),
    ("The measure replaces the old scheme. According to the Department of Housing, fewer than 300 homes were built.",
     "Department of Housing"),
    ("The Irish Property Owners’ Forum welcomed the plan but said the grant would not cover fire-safety works.",
     "Irish Property Owners’ Forum"),
    ("Inspector Gowda of the Indiranagar police station said the protest had been peaceful.", "Gowda"),
    ("Oliver Brandt of Hanse Equity Research, who has a “sell” rating on the stock, said Kessler might need to "
     "divest its brake unit.", "Oliver Brandt"),
], ids=["year-6-student", "father-of-two", "according-to-a-department-of", "welcomed-but-said",
        "a-titled-surname-of-a-station", "said-a-name-might"])
def test_dev_batches_subjects(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


@pytest.mark.parametrize("text, speaker", [
    ("Shelter Without Borders, an aid group, said it had flown in tarpaulins. Its country director, Helena Moreira, "
     "warned of disease. “Every time the water stays this long, cholera follows,” she said.", "Helena Moreira"),
    ("Detective Warrant Officer Khumalo, who leads the investigation, told the Soweto Herald that a pistol would "
     "be tested. “We believe this group is linked to other robberies,” he said.", "Khumalo"),
], ids=["its-director-after-an-organisation-spoke", "told-the-herald"])
def test_dev_batches_he_or_she(text, speaker):
    assert [s for s, k, _ in said(text) if k == "direct"] == [speaker]


def test_a_person_described_by_a_job_at_an_organisation_is_no_organisation():
    assert {s for s, _, _ in said("Tom Hale, a bank manager, said the plan would fail.")} == {"Tom Hale"}


def test_she_after_a_paragraph_whose_subject_was_first_named_there():
    text = ("Fumiko Arai, 71, has run the brewery her family founded in 1871.\n\n"
            "“When I started, some of the old workers would not drink what I made,” she says.")
    assert [s for s, _, _ in said(text)] == ["Fumiko Arai"]


@pytest.mark.parametrize("text, speaker", [
    ("Shipping lines have begun re-routing, according to Henrik Sørensen, an analyst at Nordlys Maritime. "
     "“Every day of closure adds a day and a half,” he said.", "Henrik Sørensen"),
    ("Polish baritone Tomasz Wójcik, who sings Mahler, said the score was hard. He told Reuters that he had lost "
     "six kilograms.", "Tomasz Wójcik"),
    ("Culture minister Ruwan Jayasekara called the decision fair. He said the objects would go on display in "
     "Colombo.\n\n“My grandfather's generation asked for them,” he told AFP.", "Ruwan Jayasekara"),
], ids=["after-according-to-an-analyst-at", "past-a-who-clause", "after-a-sentence-the-same-he-opened"])
def test_round_twelve_he_after(text, speaker):
    assert [s for s, _, _ in said(text)][-1] == speaker
    assert len(said(text)) >= 2


def test_another_man_named_after_the_same_he_leaves_he_open():
    text = ("Culture minister Ruwan Jayasekara called the decision fair. He said Tom Hale had agreed.\n\n"
            "“My grandfather's generation asked for them,” he told AFP.")
    assert [s for s, k, _ in said(text) if k == "direct"] == []


def test_he_or_she_after_an_apposition_with_a_number():
    text = ("Van Dalen, who won the 1,000 meters on Saturday, said the air made the sprint a lottery. "
            "“She skated a perfect inner curve,” she said.")
    assert [s for s, _, _ in said(text)] == ["Van Dalen", "Van Dalen"]


# -- from dev3 and dev4 (development data from their first run) -------------------------------------

@pytest.mark.parametrize("text, speaker", [
    ("Mayor Greg Tolhurst spoke first. “Nobody wants that,” Cr Tolhurst said.", "Greg Tolhurst"),
    ("“A deficit at ten can follow you,” said Dr Anuradha Kulkarni. Dr Kulkarni said the effect was strongest "
     "in winter.", "Anuradha Kulkarni"),
    ("Co-author Rohan Deshpande, a doctoral student, said the team had been surprised.", "Rohan Deshpande"),
    ("Fr Declan Hartigan, who chairs the board, said he was proud of staff and students.", "Declan Hartigan"),
    ("Minister for Public Works, Water Resources and Ports Ellis Laville told this newspaper that the road was "
     "blocked. “Our crews were out early,” Laville said.", "Ellis Laville"),
    ("The initiative was accepted by 50.8% of voters, according to the State Chancellery of Valais.",
     "State Chancellery of Valais"),
], ids=["cr", "dr-without-a-stop", "co-author", "fr", "a-long-title-ending-in-a-list", "a-chancellery-of"])
def test_dev3_and_dev4_names(text, speaker):
    assert {s for s, _, _ in said(text)} == {speaker}


def test_an_apposition_title_is_no_glued_title():
    text = "Senegal’s Minister of Culture, Ousmane Ndiaye Diallo, wrote on social media that the prize was a victory."
    assert {s for s, _, _ in said(text)} == {"Ousmane Ndiaye Diallo"}


def test_a_capitalised_adjective_before_a_plural_noun_is_nobody():
    assert said("Anti-corruption campaigners welcomed the conviction but said the sentence was lenient.") == []


def test_the_role_after_someone_else_opened_the_sentence_before_is_nobody():
    text = ("Striker Romario Blagrove scored twice.\n\nPinnock, for his part, refused to blame the officials. "
            "“We had chances to kill the game,” the striker said.")
    assert [s for s, _, q in said(text) if "chances" in q] == []


def test_the_role_after_the_same_person_is_that_person():
    text = ("Striker Romario Blagrove scored twice.\n\nBlagrove, for his part, refused to blame the officials. "
            "“We had chances to kill the game,” the striker said.")
    assert [s for s, _, q in said(text) if "chances" in q] == ["Romario Blagrove"]


@pytest.mark.parametrize("text, speaker", [
    ("Retired electrician Bill Nugent, who has lived opposite the park for 40 years, said he had counted dead bats.",
     "Bill Nugent"),
    ("The Council of State, the cantonal government, which had recommended a no vote, said it would respect the "
     "result.", "Council of State"),
    ("The Central Bank of Uzbekistan held rates. According to the central bank, the tariff rise could add a point "
     "to inflation.", "Central Bank of Uzbekistan"),
    ("Flemish Sports Minister Tom Verlinden was blunter. “Doping is cheating, full stop,” he posted on X.",
     "Tom Verlinden"),
    ("Argyll Island Ferries said yesterday that a replacement part had been sourced from Norway.",
     "Argyll Island Ferries"),
    ("Kavera Systems cut 1,200 jobs. A Kavera spokesperson said all separations were in full compliance with "
     "labour laws.", "Kavera Systems"),
    ("Straits Harmony is operated by Singapore-based Merak Feeder Services, which said in a statement that the "
     "ship had been inbound from Belawan.", "Merak Feeder Services"),
    ("The North Pennines Transport Partnership met. A spokesperson for the partnership added that its budget had "
     "been cut.", "North Pennines Transport Partnership"),
], ids=["bill-is-a-given-name", "two-appositions-the-second-which", "according-to-the-central-bank",
        "posted-on-x", "said-yesterday-that", "an-organisations-spokesperson", "a-based-company-which",
        "the-partnership"])
def test_dev3_and_dev4_subjects(text, speaker):
    assert [s for s, _, _ in said(text)][-1:] == [speaker]


@pytest.mark.parametrize("text, speaker", [
    ("“This board reads the guidelines literally,” said Jakob Winther, a partner at law firm Winther & Holm. He said "
     "the companies had underestimated the authority.", "Jakob Winther"),
    ("“Collisions here are not rare,” said Kenneth Lim, a marine surveyor at Lim & Quah Marine. He said the repair "
     "bill could exceed $3m.", "Kenneth Lim"),
], ids=["said-x-a-partner-at", "said-x-a-surveyor-at"])
def test_he_after_a_sentence_opening_with_the_speakers_quote(text, speaker):
    assert [s for s, _, _ in said(text)] == [speaker, speaker]


def test_he_after_a_quote_whose_sentence_names_another_man_stays_open():
    text = "“This is wrong,” said Jakob Winther, who sat beside Tom Hale. He said the companies had erred."
    assert [s for s, k, _ in said(text) if k == "reported"] == []


@pytest.mark.parametrize("text, speaker", [
    ("“I am going to be driving an hour in labor,” said Ruhl, 29, a dental hygienist from nearby Oberlin. "
     "“That's not a plan. That's a gamble.”", "Ruhl"),
    ("“The grandma moment finished me,” said her friend Emeka Obi. “I was not ready.”", "Emeka Obi"),
], ids=["after-an-age-and-a-job-from-a-town", "said-her-friend"])
def test_dev4_two_quotes(text, speaker):
    assert [s for s, _, _ in said(text)] == [speaker, speaker]


def test_the_regulator_is_the_one_board_named():
    text = ("The Competition Board said on Wednesday that the merger would hurt shops. The regulator said remedies "
            "offered by the two companies were insufficient.")
    assert [s for s, _, _ in said(text)] == ["Competition Board", "Competition Board"]


def test_he_past_unknown_words_in_the_subjects_apposition():
    text = ("Dr Euan Blackwood, one of two GPs on the island, said patients had been forced to fly. “I have a man in "
            "his eighties who has now missed two scans,” he said.")
    assert [s for s, _, _ in said(text)] == ["Euan Blackwood", "Euan Blackwood"]


def test_a_man_named_in_the_subjects_apposition_still_leaves_he_open():
    text = ("Dr Ana Ruiz, who works with Tom Hale, said patients had been forced to fly. “I have a man who has "
            "missed two scans,” he said.")
    assert [s for s, k, _ in said(text) if k == "direct"] == []


def test_the_city_of_a_place_speaks_as_its_council():
    text = "In a news release Wednesday, the City of Kamloops said staff would report back in September."
    assert {s for s, _, _ in said(text)} == {"City of Kamloops"}
    assert "City" not in {s for s, _, _ in said("Mexico City said it would ban cars.")}


def test_a_straight_quote_closing_after_a_nested_single_one():
    text = ('"He put a cornet in my hands and told me, \'Breathe from your belly,\'" Azzopardi wrote. '
            '"I still hear him every time I walk on stage."')
    assert [s for s, _, _ in said(text)] == ["Azzopardi", "Azzopardi"]


# -- from the hostile review of round twelve ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Profits at Kauri Timber fell. Wiremu Parata, a director of the company, said demand had collapsed. "
     "The company said it would cut 200 jobs.", ["Wiremu Parata"]),
    ("Wiremu Parata, a director of the company, said profits had fallen. “We had a terrible year,” he said.",
     ["Wiremu Parata", "Wiremu Parata"]),
    ("Electricity prices will rise, the company said.\n\nSamantha Power, the consumer affairs minister, said the "
     "rise was unjustified.", ["Samantha Power"]),
    ("Senator Ioana Power said the bill would pass. “It is a good bill,” she said.", ["Ioana Power", "Ioana Power"]),
    ("Banco Andino's Pedro Gómez said rates would fall.", ["Pedro Gómez"]),
    ("Rafael del Pino spoke at the Fundación Rafael del Pino in Madrid. Rafael del Pino said the company would "
     "move its listing.", ["Rafael del Pino"]),
    ("Operator Tohoku Electric said the reactor was safe.", ["Tohoku Electric"]),
], ids=["a-director-of-the-company-is-a-person", "and-his-he", "power-is-a-surname", "a-senator-power",
        "a-possessive-ends-a-romance-name", "a-foundation-named-after-a-person", "a-kind-glued-to-two-words"])
def test_round_twelve_review_speakers(text, expected):
    assert [s for s, _, _ in said(text)] == expected


@pytest.mark.parametrize("text", [
    "“We reject this offer,” said union leader Ana Ruiz, but her deputy, Pedro Gómez, disagreed. “We should accept.”",
    "“We will win this,” said coach Tomas Berg, whose captain, Erik Lund, was sent off. “I did nothing wrong.”",
], ids=["but-her-deputy", "whose-captain"])
def test_a_clause_after_the_speakers_name_is_no_apposition(text):
    assert len(said(text)) == 1


@pytest.mark.parametrize("text", [
    "Lim Hui Min, 42, a nurse, was injured in the blast. Her husband, Mr. Lim, said she was stable.",
    "Kim Jong Un inspected the launch. His sister, Kim Yo-jong, issued a statement. Ms. Kim said the drills were "
    "a provocation.",
    "María José García and her husband run a bakery. José said the new tax would ruin them.",
], ids=["not-a-speaker", "another-kim", "a-compound-given-name"])
def test_a_lone_name_is_not_the_three_word_name_when_that_may_be_wrong(text):
    assert not ({s for s, _, _ in said(text)} & {"Lim Hui Min", "Kim Jong Un", "María José García"})


def test_police_after_a_time_are_the_force_named():
    text = "The Metropolitan Police arrested two men. In May, police said they had no other suspects."
    assert [s for s, _, q in said(text) if "suspects" in q] == ["Metropolitan Police"]


# -- round thirteen (from heldout22 and heldout23, run once, then development data) ------------------

@pytest.mark.parametrize("text, speakers", [
    ("The strike hit Baltkon Container Terminal.\n\nBaltkon said in a statement that the demands were unrealistic.",
     ["Baltkon Container Terminal"]),
    ("Hakala held shares in Virtala Engineering. Virtala said it had won the contract in an open tender.",
     ["Virtala Engineering"]),
    ("The board of Nidaros FK met.\n\nNidaros said it hoped to appoint a successor within two weeks.", ["Nidaros FK"]),
    ("“This is the biggest step against malaria,” Director-General Kwame Asante-Boateng told a news conference.",
     ["Kwame Asante-Boateng"]),
    ("“People have given this company thirty years,” said works council chairman Gerhard Pichlmaier. “They deserve "
     "more.”", ["Gerhard Pichlmaier", "Gerhard Pichlmaier"]),
    ("“We saw the sheen from the air,” coast guard duty officer Anders Lindqvist said. “Most of the diesel will "
     "evaporate.”", ["Anders Lindqvist", "Anders Lindqvist"]),
    ("Orvani Industries cut its forecast on Monday.\n\nThe Bergamo-based company said it now expected sales to "
     "fall.", ["Orvani Industries"]),
    ("Transport Minister Karsten Bruun has pledged that the state will cover 40% of the cost.", ["Karsten Bruun"]),
], ids=["terminal", "engineering", "fk", "director-general", "said-three-words-and-a-role",
        "three-words-and-a-role-said", "the-x-based-company", "pledged-that"])
def test_round_thirteen(text, speakers):
    assert [s for s, _, _ in said(text)] == speakers


def test_a_person_of_a_group_named_after_its_kind():
    text = ("Councillor Mette Østergaard of the opposition Liberal group, who voted against, said the budget relied "
            "on heroic assumptions.")
    assert {s for s, _, _ in said(text)} == {"Mette Østergaard"}


@pytest.mark.parametrize("text, expected", [
    ("Ulrike Brandstätter, head of research, examined the score. She added that it could come from a copy by Bach. "
     "“We cannot rule that out,” she said.", ["Ulrike Brandstätter"]),
    ("The Culture Ministry said in a statement that the project was “a model” for collections and that it would "
     "support similar efforts in Fez.", ["Culture Ministry", "Culture Ministry"]),
    ("Canterbury Civil Defence said 340 properties were under evacuation orders.", ["Canterbury Civil Defence"]),
], ids=["she-after-the-same-she-twice-named", "a-second-that-clause-after-a-quote", "civil-defence"])
def test_round_thirteen_more(text, expected):
    assert [s for s, _, _ in said(text)][-len(expected):] == expected


@pytest.mark.parametrize("text, expected", [
    ("Councillor Mette Østergaard of the opposition Liberal group, who voted against, said the budget was wrong. "
     "“We have seen this film before,” she said.", ["Mette Østergaard", "Mette Østergaard"]),
    ("“A suspension is not a victory,” its coordinator Ivo Petkov said.", ["Ivo Petkov"]),
    ("Ghana will give a malaria vaccine, the Ghana Health Service said on Monday. The agency said 1.4 million doses "
     "had arrived.", ["Ghana Health Service", "Ghana Health Service"]),
], ids=["she-after-x-of-the-y-group", "its-coordinator", "the-agency-is-the-service"])
def test_round_thirteen_last(text, expected):
    assert [s for s, _, _ in said(text)] == expected


def test_the_statement_said_is_who_made_it_in_the_sentence_before():
    text = ("In a statement posted on Sunday night, Pulse Athletica said it had “exhausted every option”. “We are "
            "deeply sorry to our members,” the statement said.")
    assert [s for s, _, _ in said(text)] == ["Pulse Athletica", "Pulse Athletica"]


def test_the_statement_said_after_two_speakers_is_nobody():
    text = ("Ana Ruiz said in a statement that she was “shocked”, and Tom Hale called it “a disgrace”. “We will "
            "fight,” the statement said.")
    assert [s for s, _, q in said(text) if "fight" in q] == []


# -- round fourteen (from heldout24 and heldout25, run once, then development data) ------------------

@pytest.mark.parametrize("text, speakers", [
    ("Magistrate Beatrice Wanjiru Odhiambo said the prosecution had proved it.", ["Beatrice Wanjiru Odhiambo"]),
    ("“We deeply apologise,” Dalbit Chief Executive Kim Ji-hoon told a news conference. Kim said the company "
     "would compensate small merchants.", ["Kim Ji-hoon", "Kim Ji-hoon"]),
    ("Serbian club FK Sloga Beograd was sold. Sloga Beograd said on Friday it had agreed to sell its striker.",
     ["FK Sloga Beograd"]),
    ("PORT MORESBY, Sept 2 (Reuters) - Papua New Guinea's Pacific Highlands Airways said on Wednesday it had "
     "grounded three aircraft.", ["Pacific Highlands Airways"]),
    ("DAKAR, Nov 18 (Reuters) - Senegal's Ministry of Fisheries and Maritime Economy said on Wednesday it had "
     "seized two trawlers.", ["Ministry of Fisheries and Maritime Economy"]),
], ids=["magistrate", "a-korean-family-name-alone", "a-club-named-fk-first", "a-possessive-place-of-three-words",
        "a-possessive-place-before-a-ministry-of-and"])
def test_round_fourteen(text, speakers):
    assert [s for s, _, _ in said(text)] == speakers


def test_a_korean_family_name_of_two_people_is_nobody_in_particular():
    text = "Kim Jong Un inspected the launch. His sister, Kim Yo-jong, issued a statement. Kim said it was a ploy."
    assert not {s for s, _, _ in said(text)} & {"Kim Jong Un", "Kim Yo-jong"}


@pytest.mark.parametrize("text, speakers", [
    ("LUSAKA, Aug 14 (Reuters) - Zambia's opposition United Democratic Front said on Friday it had evidence of "
     "vote tampering.", ["United Democratic Front"]),
    ("A dengue vaccine cut infections by 71%, Vietnamese drugmaker Mekong Biologicals said. The company said it would "
     "apply for approval.", ["Mekong Biologicals"]),
    ("“Safety comes before everything,” company President Hiroshi Tanabe told reporters.", ["Hiroshi Tanabe"]),
], ids=["a-countrys-opposition-party", "a-drugmaker-of-two-words", "company-president-is-no-company"])
def test_round_fourteen_organisations(text, speakers):
    assert [s for s, _, _ in said(text)][-1:] == speakers
