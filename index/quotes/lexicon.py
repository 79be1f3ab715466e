"""Word lists the quotation extractor needs beyond `index.names`: what makes a capitalised run an
organisation that can speak ("Halvorsen Bank", "Qorix Software"), which organisation "the bank" or
"the company" can be, the places that never speak for themselves (countries and their capitals:
"Japan said" stays unattributed), plural nouns that open sentences ("Officials said"), and the
words that tell a person's gender for "he"/"she".

Lists, not a gazetteer: an organisation is known by a word of its kind in its name, or by how the
text treats it ("said" with no person of that name); a country is known from the short list below.
"""

from __future__ import annotations

# The last word (or any word) of an organisation's name, mapped to what "the ..." calls it.
_KINDS = {
    "bank": "bank lender company", "university": "university", "college": "college", "school": "school",
    "ministry": "ministry", "department": "department", "commission": "commission", "council": "council",
    "committee": "committee", "agency": "agency", "authority": "authority", "bureau": "bureau",
    "union": "union", "federation": "federation", "association": "association", "party": "party",
    "institute": "institute", "foundation": "foundation", "hospital": "hospital", "police": "police force",
    "airways": "airline carrier company", "airlines": "airline carrier company", "motors": "carmaker company",
    "automotive": "carmaker company", "software": "company firm", "technologies": "company firm",
    "systems": "company firm", "group": "group company firm", "inc": "company firm", "inc.": "company firm",
    "corp": "company firm", "corp.": "company firm", "ltd": "company firm", "ltd.": "company firm",
    "plc": "company firm", "asa": "company firm", "gmbh": "company firm", "ag": "company firm",
    "holdings": "company group", "industries": "company group", "labs": "company firm", "studios": "studio company",
    "pharmaceuticals": "drugmaker company", "energy": "company", "electric": "company", "insurance": "insurer company",
    "telecom": "company", "communications": "company", "club": "club", "fc": "club", "court": "court",
    "parliament": "parliament", "senate": "senate", "congress": "congress", "organization": "organisation",
    "organisation": "organisation", "league": "league", "board": "board", "office": "office",
    "service": "service agency",
    "museum": "museum", "trust": "trust", "fund": "fund", "reserve": "bank", "coalition": "coalition",
    "news": "newspaper broadcaster company", "times": "newspaper company", "post": "newspaper company",
    "journal": "newspaper company", "press": "agency company", "media": "company",
    "network": "network broadcaster company",
    "directorate": "directorate agency", "foods": "company firm", "brands": "company firm",
    "enterprises": "company firm", "solutions": "company firm", "electronics": "company firm",
    "entertainment": "company studio", "productions": "company studio", "pictures": "studio company",
    "records": "label company", "publishing": "publisher company", "partners": "company firm",
    "ventures": "company firm", "securities": "company firm", "financial": "company firm",
    "pharma": "drugmaker company", "therapeutics": "drugmaker company", "biosciences": "company firm",
    "mining": "miner company", "resources": "company firm", "logistics": "company firm",
    "shipping": "company firm", "railways": "operator company", "petroleum": "company firm",
    "chemicals": "company firm", "robotics": "company firm", "semiconductor": "chipmaker company",
    "semiconductors": "chipmaker company", "networks": "network company firm", "alliance": "alliance party",
    "society": "society", "homes": "developer builder company firm", "freight": "carrier company firm",
    "tankers": "company firm", "cargo": "carrier company firm", "confederation": "confederation agency",
    "administration": "administration agency", "corps": "corps service", "transit": "agency operator company",
    "events": "organiser company", "electrical": "company firm", "railroad": "railroad operator company",
    "co-operative": "co-operative co-op cooperative company", "cooperative": "cooperative co-op company",
    "co-op": "co-op co-operative company", "zoo": "zoo", "aquarium": "aquarium", "division": "division authority",
    "district": "district authority", "opera": "opera house company", "orchestra": "orchestra",
    "capital": "firm company", "company": "company firm", "inspectorate": "inspectorate agency",
    "airport": "airport operator", "corporation": "corporation company firm", "unit": "unit agency",
    "commodities": "company firm", "library": "library", "festival": "festival", "gallery": "gallery",
    "centre": "centre center", "center": "center centre", "observatory": "observatory", "archives": "archives",
    "academy": "academy", "clinic": "clinic", "laboratory": "laboratory lab", "theatre": "theatre",
    "theater": "theater", "forum": "forum group", "movement": "movement party group", "films": "studio company",
    "wines": "winery company", "chancellery": "chancellery office", "services": "company firm",
    "partnership": "partnership", "ferries": "operator company", "buses": "operator company",
    "terminal": "terminal operator company", "terminals": "terminal operator company",
    "engineering": "company firm", "afc": "club", "defence": "agency service",
    "co.": "company firm", "chamber": "chamber", "as": "company firm", "ab": "company firm", "nv": "company firm",
    "bv": "company firm", "oyj": "company firm", "spa": "company firm", "srl": "company firm", "llc": "company firm",
    "sa": "company firm", "jsc": "company firm", "pjsc": "company firm", "llp": "company firm", "pte": "company firm",
    "bhd": "company firm", "tbk": "company firm", "pty": "company firm", "sarl": "company firm", "kft": "company firm",
    "works": "company firm", "army": "army military", "navy": "navy military",
    "squadron": "club squadron", "municipality": "municipality council", "coastguard": "coastguard service",
    "guard": "guard service", "brigade": "brigade service", "tribunal": "tribunal court", "exchange": "exchange",
    "watch": "group organisation", "international": "group organisation", "programme": "programme agency",
    "church": "church", "secretariat": "secretariat",
}
# Kinds that open a name in Spanish, Portuguese, French or Italian, before the rest of it ("Esporte
# Clube Vila Serrana", "Banco Andino", "Universidad de Chile"): the name runs on after them.
ROMANCE_KINDS = {
    "clube": "club", "banco": "bank lender company", "universidad": "university", "universidade": "university",
    "université": "university", "università": "university", "instituto": "institute", "fundación": "foundation",
    "fundação": "foundation", "asociación": "association", "associação": "association", "sindicato": "union",
    "partido": "party", "ministerio": "ministry", "ministério": "ministry", "federación": "federation",
    "federação": "federation", "confederación": "confederation", "compañía": "company", "companhia": "company",
    "empresa": "company", "grupo": "group company", "sociedad": "company society", "sociedade": "company society",
    "cámara": "chamber", "câmara": "chamber council", "tribunal": "tribunal court", "corte": "court",
    "consejo": "council", "conselho": "council", "secretaría": "secretariat ministry", "policía": "police",
    "polícia": "police", "municipalidad": "municipality council", "prefeitura": "city hall council",
    "fk": "club", "nk": "club", "hnk": "club", "sk": "club", "cf": "club", "cd": "club", "fc": "club",
}
_KINDS.update(ROMANCE_KINDS)
# Kinds only as a name's last word: "Arunika Air" (not "Air Force One"). Not "power": Samantha Power.
LAST_WORD_KINDS = {"air": "airline carrier company"}
_KINDS.update(LAST_WORD_KINDS)
ORGANISATION_WORDS = frozenset(_KINDS)
# What "the company", "the bank" may stand for: kind -> words of a name that make it that kind.
KIND_OF_WORD = {word: frozenset(kinds.split()) for word, kinds in _KINDS.items()}
# Nouns of "the <kind> said" that stand for an organisation, not a person.
ORGANISATION_NOUNS = frozenset(k for kinds in KIND_OF_WORD.values() for k in kinds) | {
    "firm", "company", "regulator", "watchdog"}
# Nouns that say what an organisation named right after them is: "regulator Ofgrid", "consumer group
# Fair Power", "online grocer FreshCart" (general kinds of organisation, not names).
ORGANISATION_LEADS = ORGANISATION_NOUNS | frozenset(
    "grocer retailer regulator watchdog start-up startup supplier manufacturer conglomerate charity "
    "operator utility broadcaster nonprofit non-profit developer builder housebuilder homebuilder organiser "
    "organizer press consultancy brokerage broker".split())
# Of those, the ones that never begin an organisation's name, so capitalised too when they open a
# sentence: "Developer Brightline Homes says" (but "University College London" is a name).
KIND_ONLY_LEADS = ORGANISATION_LEADS - ORGANISATION_WORDS - {"company", "firm", "group"}
LEAD_ALTERNATIVES = "|".join(sorted(ORGANISATION_LEADS | {w.capitalize() for w in KIND_ONLY_LEADS}))
# Of those, the ones that are also people's jobs: "developer Nick Candy" is a person, "developer
# Brightline Homes" (a word of an organisation's kind) or "publisher Penguin" (one word) is not.
JOB_LEADS = frozenset(
    "developer builder housebuilder homebuilder publisher broadcaster operator miner organiser organizer".split())
# Of those, the ones that are companies: "online grocer FreshCart ... The company said".
COMPANY_LEADS = frozenset(
    "grocer retailer start-up startup supplier manufacturer conglomerate utility operator broadcaster carmaker "
    "drugmaker chipmaker lender insurer airline carrier miner publisher firm company developer builder housebuilder "
    "homebuilder".split())

# News agencies and broadcasters a quote is told to ("she told Reuters."): listeners.
# A word in the name of a paper, a station or a channel: "NewsChannel 7", "the Soweto Herald".
OUTLET_NAME = (r"(?:[\w\-]+[ \t]+){0,2}[\w\-]*(?:News|Channel|TV|Radio|Television|Herald|Times|Gazette|Tribune|"
               r"Telegraph|Chronicle|Journal|Courier|Observer)\b")
NEWS_OUTLETS = frozenset(
    "reuters ap afp bbc cnn bloomberg npr dpa efe ansa xinhua tass kyodo yonhap nhk rte abc nbc cbs pbs itv "
    "sky".split())
# Fields a ministry or department covers, which title words name too: "Ministry of Defence",
# "Office of Civil Defense", "Mines and Energy Minister X" (one person, not two).
FIELD_WORDS = frozenset(
    "foreign defence defense finance interior health economy trade education energy environment culture labour "
    "labor agriculture transport mines mining industry fisheries justice home science technology tourism sport "
    "sports housing water forestry infrastructure communications digital social welfare development planning "
    "commerce treasury youth women family climate".split())
# Countries, their capitals and other names that speak for a state: never a speaker ("China said").
PLACES = frozenset(w.casefold() for w in """
    Afghanistan Albania Algeria Argentina Armenia Australia Austria Azerbaijan Bangladesh Belarus Belgium
    Bolivia Bosnia Brazil Bulgaria Cambodia Canada Chile China Colombia Croatia Cuba Cyprus Czechia Denmark
    Egypt Estonia Ethiopia Finland France Georgia Germany Ghana Greece Hungary Iceland India Indonesia Iran
    Iraq Ireland Israel Italy Japan Jordan Kazakhstan Kenya Kosovo Latvia Lebanon Libya Lithuania Luxembourg
    Malaysia Mexico Moldova Mongolia Montenegro Morocco Myanmar Nepal Netherlands Nigeria Norway Pakistan
    Palestine Panama Peru Philippines Poland Portugal Qatar Romania Russia Rwanda Serbia Singapore Slovakia
    Slovenia Somalia Spain Sudan Sweden Switzerland Syria Taiwan Thailand Tunisia Turkey Ukraine Uganda
    Uruguay Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe Britain England Scotland Wales America
    Kabul Algiers Canberra Vienna Baku Minsk Brussels Ottawa Beijing Bogota Zagreb Havana Copenhagen Cairo
    Tallinn Helsinki Paris Tbilisi Berlin Athens Budapest Delhi Jakarta Tehran Baghdad Dublin Jerusalem Rome
    Tokyo Amman Nairobi Riga Beirut Tripoli Vilnius Oslo Islamabad Warsaw Lisbon Doha Bucharest Moscow Kremlin
    Belgrade Seoul Pyongyang Madrid Stockholm Bern Damascus Taipei Bangkok Ankara Kyiv Kiev London Washington
    Caracas Hanoi Manila Lima Prague Bratislava Ljubljana Sofia Chisinau Yerevan Astana Abuja Pretoria
    Togo Malawi Benin Niger Mali Senegal Mozambique Tanzania Angola Namibia Botswana Cameroon Gabon Congo
    Ecuador Paraguay Guatemala Honduras Nicaragua Bahrain Kuwait Oman Kyrgyzstan Tajikistan Turkmenistan
    Laos Brunei Bhutan Maldives Fiji Samoa Tonga Haiti Jamaica Malta Andorra Liechtenstein Monaco Eritrea
    Djibouti Burundi Liberia Madagascar Mauritius Lesotho Eswatini Zambia Iceland Macedonia Argentina
    Lome Lilongwe Dakar Bamako Maputo Dodoma Luanda Windhoek Gaborone Accra Kinshasa Quito Asuncion Montevideo
    Brasilia Kampala Kigali Harare Lusaka Khartoum Riyadh Muscat Manama Dhaka Kathmandu
""".split()) | frozenset(" ".join(w.split()).casefold() for w in """
    New Zealand|South Africa|South Korea|North Korea|United States|United Kingdom|Sri Lanka|Saudi Arabia|
    Costa Rica|Puerto Rico|North Macedonia|El Salvador|Hong Kong|New York|Czech Republic|Ivory Coast|
    Buenos Aires|Mexico City|Kuala Lumpur|Sao Paulo|Rio de Janeiro|New Delhi|Abu Dhabi|Cape Town|Tel Aviv|
    Papua New Guinea|Port Moresby|Burkina Faso|Sierra Leone|South Sudan|Dominican Republic|Trinidad and Tobago|
    United Arab Emirates|Bosnia and Herzegovina|East Timor|Cabo Verde|Cape Verde|Solomon Islands|Addis Ababa
""".split("|")) - {""}
# The places of more than one word, to find inside a name: "Health New Zealand".
# Words that describe a country before its name: "Neighbouring Togo said" is Togo, no one.
PLACE_ADJECTIVES = frozenset("neighbouring neighboring nearby rival fellow mainland landlocked oil-rich gas-rich "
                             "resource-rich war-torn tiny".split())
LONG_PLACES = frozenset(p for p in PLACES if " " in p)
# Sentence-opening plural nouns and pronouns that look like a capitalised name: "Officials said",
# "Critics said", "Nobody said".
GROUP_NOUNS = frozenset("""
    officials critics analysts residents prosecutors investigators experts scientists researchers doctors
    witnesses authorities lawyers activists protesters protestors organisers organizers economists observers
    neighbours neighbors parents teachers students employees workers locals fans supporters opponents
    democrats republicans conservatives liberals officers detectives rescuers firefighters voters diplomats
    sources insiders executives shareholders investors traders unions leaders ministers lawmakers
    legislators senators members staff nurses medics paramedics engineers farmers villagers survivors
    relatives families players coaches organizers campaigners economists regulators historians scholars
    police others many some both nobody everyone everybody someone somebody anyone anybody none nothing all
    friends colleagues classmates teammates commentators reviewers viewers readers listeners mourners
    onlookers bystanders passengers commuters customers consumers users visitors tourists volunteers
    guests pupils children women men people citizens taxpayers landlords tenants owners patients
    believers worshippers pilgrims skeptics sceptics environmentalists conservationists
    exporters importers producers growers manufacturers retailers shoppers drivers pilots miners fishermen
    herders ranchers vendors dealers brokers buyers developers builders operators airlines companies firms
    banks agencies hospitals schools universities clubs judges courts inspectors monitors delegates
    negotiators mediators unionists strikers demonstrators marchers rebels militants soldiers troops guards
    prisoners inmates defendants plaintiffs jurors auditors accountants consultants contractors suppliers
    distributors wholesalers hoteliers restaurateurs chefs artists musicians writers authors publishers
    broadcasters journalists reporters editors bloggers
""".split())

# Words before a name (title, honorific, role noun) that say the person's gender.
FEMALE_WORDS = frozenset("""
    mrs mrs. ms ms. miss madam lady dame queen princess duchess countess baroness empress sister mother
    spokeswoman chairwoman councilwoman congresswoman businesswoman sportswoman actress waitress
    headmistress stewardess heiress widow wife daughter grandmother aunt niece girl woman
""".split())
MALE_WORDS = frozenset("""
    mr mr. sir lord king prince duke count baron emperor brother father spokesman chairman councilman
    congressman businessman sportsman headmaster widower husband son grandfather uncle nephew boy man
""".split())
# Common given names whose gender is not in doubt (unisex ones such as Sam, Jordan, Alex are left out):
# a short list, enough for "she" after "Sofia Reyes" and "Thomas Becker" have both spoken. Widened
# (round four) with very common given names across languages, chosen as common in general, not by batch.
FEMALE_NAMES = frozenset("""
    mary anna ana maria marie sofia sophia sophie emma olivia ava isabella mia charlotte amelia grace lucy
    sarah susan karen nancy linda barbara elizabeth jennifer jessica laura lisa helen ruth margaret julia
    eva elena ella claire clara lucia inga ursula hillary melania jill kamala angela theresa priya
    ayesha fatima aisha hanna hannah ingrid greta femke hilde ilze natalia olga irina svetlana
    marta monica rebecca rachel catherine katherine kate anne jane joan alice emily amy rosa carmen
    giulia francesca chiara isabel sara marina nina ewa katarzyna agnieszka mei priyanka anjali sunita fatma
    zeynep naomi miriam deborah sandra patricia michelle kimberly donna carol sharon cynthia amanda melissa
    stephanie heather nicole samantha victoria diana eleanor harriet lena katrin sabine petra birgit astrid
    sigrid elise louise camille chloe zoe hazel ruby isla freya megan lauren hayley joanna teresa
    carla paula beatriz daniela gabriela mariana fernanda valentina camila lucía lucia sofía
    ines inês marisol pilar dolores rocio alicia veronica silvia cristina patrizia alessandra federica
    elisa valeria ilaria beatrice margot amelie amélie juliette manon léa lea helene hélène ingeborg
    annika johanna kristin karin maren solveig maja agnes ilse gisela renate heike anke magdalena
    zuzana katarina katerina jana lenka tereza dorota aleksandra yulia tatiana anastasia ekaterina
    elif ayse ayşe leila layla yasmin noura amira zainab aaliyah keiko yumiko akiko haruka sakura
    deepa kavita lakshmi meera neha pooja shreya divya ngozi chiamaka adaeze folake wanjiru nomvula
    thandiwe abena akosua brenda denise gloria janet joyce judith julie kathleen marilyn martha pamela
    shirley virginia wendy diane dianne abigail bethany caroline eilidh fiona siobhan aoife niamh ciara mairead
    bridget catriona morag kirsty gemma jodie leanne tracey tanya vanessa yvonne natasha nadia tamara
""".split())
MALE_NAMES = frozenset("""
    paolo giovanni francesco luca alessandro antonio kofi kwame pierre francois henri louis jacques mikhail
    dmitri alexei andrei yuri nikolai kenji hiroshi takeshi rajesh rahul amit arjun ravi sanjay vikram
    mehmet mustafa ibrahim hassan hussein khalid yusuf tariq samuel benjamin henry jack harry christopher
    ryan jacob ethan nathan patrick sean simon frank gary eric scott jeffrey larry dennis walter arthur
    roger albert bruce carl alan philip adam aaron luke ben tom dan ian neil colin graham derek stefan
    john james robert michael william david richard joseph thomas charles daniel matthew mark paul peter
    george donald joe joseph kevin brian edward jonas jonathan liam noah oliver owen raymond martin
    marc marco andrew anthony steven stephen tim timothy hans klaus lars piotr tomas luis carlos
    juan pedro ivan sergei vladimir xi ahmed mohammed muhammad omar ali hugo emmanuel olaf keir justin
    boris rishi novak bas ben frank henry jack harry oscar victor dmitri kestutis elon jeff bill
    josh joshua gareth rhys dafydd owain hamish angus callum ewan fraser alasdair duncan malcolm
    declan ciaran cian eoin padraig seamus niall conor kieran brendan fergus rory dermot gerald
    gerard harold howard keith kenneth lawrence leonard nigel norman ralph ronald russell stanley
    terence trevor vincent wayne barry clive craig darren gavin glenn graeme leon miguel jose josé
    javier alejandro diego pablo sergio raúl raul rodrigo fernando ricardo eduardo jorge manuel
    rafael mateo santiago andrés andres emilio joaquín joaquin ramon ramón giuseppe marcello
    massimo roberto stefano matteo lorenzo riccardo davide enrico vittorio jean-pierre jean-luc
    philippe thierry olivier laurent nicolas sébastien sebastien julien mathieu guillaume étienne
    etienne didier yves bernard gérard jürgen jurgen wolfgang dieter helmut günter gunter uwe horst
    rainer jörg joerg matthias florian tobias lukas felix maximilian sven nils anders henrik magnus
    erik bjorn björn olav ole knut mats pieter piet willem joost bram ruud dirk jeroen wim marek
    tomasz krzysztof pawel paweł jakub ondrej ondřej jiri jiří petr milan dusan dušan
     goran zoran bogdan oleksandr taras vasyl yaroslav igor oleg pavel maxim artem anatoly
    viktor grigory konstantin emre burak cem murat hakan kemal serkan ahmet selim karim rashid
    salim samir walid youssef hamza bilal faisal imran arash reza hossein farhad takashi haruto
    hiroki daisuke kazuo shinji yuto suresh rakesh anil vijay ajay sunil arun deepak manoj ashok
    raj prakash chinedu emeka chukwuemeka oluwaseun tunde kwabena kojo femi sipho thabo tendai
""".split())
# Either list: a word that is someone's given name.
GIVEN_NAMES = FEMALE_NAMES | MALE_NAMES


def a_described_place(name: str) -> bool:
    """ "Neighbouring Togo", "oil-rich Kuwait": a country or a capital after words that describe it."""
    words = name.casefold().split()
    return len(words) >= 2 and " ".join(words[1:]) in PLACES and words[0] in PLACE_ADJECTIVES
