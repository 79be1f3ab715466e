"""Names that stand for one another in the news: a country, its capital as its government's
metonym ("Beijing's export restrictions" for China's, "Vilnius is signalling" for Lithuania), and
its other usual names ("the U.S.", "America", "Washington"). The support check reads a claim's
"China" as met by a span's "Beijing" through this table; nothing else is inferred from it (a
neighbouring country, or another city, stays a different place).

    >>> stands_for("China's", ["Beijing’s"]), stands_for("France", ["Berlin"]), stands_for("France", ["Paris Hilton"])
    (True, False, False)
    >>> stands_for("United States", ["Latin America"]), stands_for("United States", ["U S"])
    (False, True)
    >>> stands_for("United States", ["us"]), stands_for("United States", ["US"])
    (False, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from index.terms import fold

# One group a line: names that stand for the same state, separated by "|".
_GROUPS = """
Afghanistan|Kabul
Albania|Tirana
Algeria|Algiers
Argentina|Buenos Aires
Armenia|Yerevan
Australia|Canberra
Austria|Vienna
Azerbaijan|Baku
Bangladesh|Dhaka
Belarus|Minsk
Belgium|Brussels
Bolivia|La Paz|Sucre
Bosnia|Sarajevo
Brazil|Brasilia|Brasília
Bulgaria|Sofia
Cambodia|Phnom Penh
Canada|Ottawa
Chile|Santiago
China|Beijing|PRC|People's Republic of China
Colombia|Bogota|Bogotá
Croatia|Zagreb
Cuba|Havana
Cyprus|Nicosia
Czech Republic|Czechia|Prague
Denmark|Copenhagen
Egypt|Cairo
Estonia|Tallinn
Ethiopia|Addis Ababa
European Union|EU|Brussels
Finland|Helsinki
France|Paris|Elysee|Élysée
Georgia|Tbilisi
Germany|Berlin
Ghana|Accra
Greece|Athens
Hungary|Budapest
Iceland|Reykjavik
India|New Delhi|Delhi
Indonesia|Jakarta
Iran|Tehran
Iraq|Baghdad
Ireland|Dublin
Israel|Jerusalem
Italy|Rome
Japan|Tokyo
Jordan|Amman
Kazakhstan|Astana
Kenya|Nairobi
Kosovo|Pristina
Latvia|Riga
Lebanon|Beirut
Libya|Tripoli
Lithuania|Vilnius
Luxembourg
Malaysia|Kuala Lumpur
Mexico|Mexico City
Moldova|Chisinau
Mongolia|Ulaanbaatar
Morocco|Rabat
Myanmar|Burma|Naypyidaw
Nepal|Kathmandu
Netherlands|Holland|Amsterdam|The Hague
New Zealand|Wellington
Nigeria|Abuja
North Korea|Pyongyang|DPRK
North Macedonia|Skopje
Norway|Oslo
Pakistan|Islamabad
Peru|Lima
Philippines|Manila
Poland|Warsaw
Portugal|Lisbon
Qatar|Doha
Romania|Bucharest
Russia|Moscow|Kremlin|Russian Federation
Saudi Arabia|Riyadh
Serbia|Belgrade
Singapore
Slovakia|Bratislava
Slovenia|Ljubljana
South Africa|Pretoria
South Korea|Seoul|Republic of Korea
Spain|Madrid
Sri Lanka|Colombo
Sweden|Stockholm
Switzerland|Bern|Berne
Syria|Damascus
Taiwan|Taipei
Thailand|Bangkok
Tunisia|Tunis
Turkey|Türkiye|Ankara
Ukraine|Kyiv|Kiev
United Arab Emirates|UAE|Abu Dhabi
United Kingdom|UK|U.K.|Britain|Great Britain|London|Downing Street|Westminster
United States|US|U.S.|USA|U.S.A.|America|Washington|White House
Vatican|Holy See
Venezuela|Caracas
Vietnam|Viet Nam|Hanoi
"""


@cache
def _groups() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for line in _GROUPS.strip().splitlines():
        names = tuple(_key(n) for n in line.split("|"))
        for name in names:
            out[name] = tuple(dict.fromkeys(out.get(name, ()) + names))
    return out


@cache
def _written_in_capitals() -> frozenset[str]:
    """Aliases that are a common word when not in capitals ("US" and "us")."""
    return frozenset(_key(n) for n in re.split(r"[|\n]", _GROUPS) if n.isupper() and n.isalpha())


def _key(name: str) -> str:
    name = re.sub(r"[’']s$", "", name.strip())
    return " ".join(re.findall(r"\w+", fold(name)))


def equivalents(name: str) -> tuple[str, ...]:
    """The names that stand for the same state as `name` (folded; itself first), or () when the table lacks it."""
    return _groups().get(_key(name), ())


def stands_for(name: str, names: Iterable[str]) -> bool:
    """Whether one of `names` (an evidence's names, each whole, as written) names the state `name`
    names under another of its names ("Latin America" and "Paris Hilton" name no state)."""
    others = [n for n in equivalents(name) if n != _key(name)]
    if not others:
        return False
    capitals = _written_in_capitals()
    for written in names:
        key = _key(written)
        if key in others and (key not in capitals or written.replace(" ", "").replace(".", "").isupper()):
            return True
    return False
