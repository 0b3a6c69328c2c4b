"""Article *texts* for the build benchmark (``python -m bench.build``), in the seeds' format.

``bench.generate`` makes records, which skip the extractor; the build benchmark measures
``coopld build`` as a user runs it, so it needs what a user has: a folder of ``*.txt`` news
reports. Each text here is a date line with a photo caption, a blank line and a body of
paragraphs (``coopld.articles``), reporting one cooperation event between two countries —
talks, a reception, a working session, a phone call, a visit, a security dialogue, a training
course, the signing of a memorandum or of a cooperation programme, an extradition, a joint
operation against drug trafficking — with officials introduced by rank and post as news copy
writes them, what each side said about a few areas of crime, and now and then an earlier or
a planned event and a second meeting the same day.

Every sentence is a template written for this module (no news text is copied or adapted).
Countries, cities, agencies, ranks and roles come from ``mappings/gazetteer/`` and
``mappings/titles.toml``; officials are invented, one roster per seed, so one person appears
in many articles with the same post, as in a real corpus. Article ``i`` depends only on the
seed and ``i`` (its own ``random.Random``), so the first 1,000 articles of a 10,000-article
folder are the 1,000-article folder, and article ``N`` is a new article for a folder of ``N``.

The texts keep clear of what would make two articles' records clash on one IRI, which stops
a build (``coopld.build.find_conflicts``): no numbered events ("the third dialogue", and no
"First Deputy Minister", whose "First" the extractor takes for a number), no collective or
unnamed agreements ("the agreements signed by the two sides"), and the parties
of an agreement are a function of what its IRI is made from (kind, countries, period or
signing day), so two articles that name one agreement give it the same parties.

    .venv/bin/python -m bench.articles --count 20 --out /tmp/articles
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.generate import MONTHS, NAMES, ROOT

#: Bump when the texts this module writes change.
GENERATOR_VERSION = "1"
DEFAULT_SEED = 20261203

#: Article 0 is dated LATEST, each next article a day earlier; after DATE_CYCLE days (40 years)
#: the dates start again, so every article of a corpus of up to 14,600 has a date of its own.
LATEST = date(2025, 12, 31)
DATE_CYCLE = 14_600

# How often a country takes part, and the capital written where the gazetteer has no city.
COUNTRY_WEIGHTS = {"vietnam": 30, "russia": 10, "china": 10, "laos": 9, "cambodia": 9, "thailand": 6, "myanmar": 3,
                   "malaysia": 4, "singapore": 3, "indonesia": 5, "philippines": 4, "brunei": 1, "japan": 5,
                   "south-korea": 5, "north-korea": 1, "mongolia": 2, "india": 4, "australia": 4, "new-zealand": 1,
                   "united-states": 4, "united-kingdom": 3, "france": 3, "germany": 2, "belarus": 2, "kazakhstan": 3,
                   "cuba": 2, "czech-republic": 1, "hungary": 2, "italy": 1, "canada": 1}
CAPITALS = {"singapore": "Singapore", "brunei": "Bandar Seri Begawan", "north-korea": "Pyongyang",
            "new-zealand": "Wellington", "united-states": "Washington", "united-kingdom": "London", "france": "Paris",
            "germany": "Berlin", "cuba": "Havana", "czech-republic": "Prague", "hungary": "Budapest", "italy": "Rome",
            "canada": "Ottawa"}
WITH_ARTICLE = {"united-states", "united-kingdom", "philippines", "czech-republic"}

# The agency that leads a country's security cooperation (by function), where it is not the
# interior ministry, and how its interior ministry is named and its minister's post written.
LEADS = {"vietnam": "public-security-ministry", "china": "public-security-ministry", "laos": "public-security-ministry",
         "japan": "national-police", "south-korea": "national-police", "thailand": "national-police",
         "philippines": "national-police", "indonesia": "national-police", "australia": "national-police",
         "new-zealand": "national-police", "canada": "national-police", "united-states": "national-crime-agency"}
INTERIOR_NAMES = {"home": ("Ministry of Home Affairs", "Home Affairs"), "interior": ("Ministry of the Interior", "the Interior"),
                  "internal": ("Ministry of Internal Affairs", "Internal Affairs")}
INTERIOR_STYLE = {"india": "home", "malaysia": "home", "singapore": "home", "brunei": "home", "france": "interior",
                  "germany": "interior", "italy": "interior", "czech-republic": "interior", "hungary": "interior",
                  "cuba": "interior", "cambodia": "interior", "myanmar": "home"}

# Ranks by the style of a country's forces (keys of titles.toml), most senior first; countries
# not listed, and ministers of the "commonwealth" style, get none.
RANK_STYLES = {
    "army": ["general", "senior-lieutenant-general", "lieutenant-general", "lieutenant-general", "major-general",
             "major-general", "senior-colonel", "colonel"],
    "police-colonel": ["police-colonel-general", "police-lieutenant-general", "police-major-general", "lieutenant-general",
                       "major-general"],
    "police": ["police-general", "police-lieutenant-general", "police-major-general", "police-brigadier-general",
               "police-colonel"],
    "commonwealth": ["assistant-commissioner", "chief-superintendent", "superintendent"],
}
RANK_STYLE = {"vietnam": "army", "laos": "army", "china": "army", "cambodia": "army", "cuba": "army", "myanmar": "army",
              "north-korea": "army", "russia": "police-colonel", "belarus": "police-colonel", "kazakhstan": "police-colonel",
              "thailand": "police", "philippines": "police", "indonesia": "police", "malaysia": "commonwealth",
              "singapore": "commonwealth", "australia": "commonwealth", "new-zealand": "commonwealth",
              "india": "commonwealth", "brunei": "commonwealth"}

# The agencies an article may be about: a function of organizations.toml and who heads it;
# which agencies an article on a topic (an area of crime, AREAS) may bring together.
# A ministry's officials are written "Minister of <domain>"; an agency's "<role> of <agency>".
# No "First Deputy Minister": the extractor reads the "First" of "First Deputy Minister X held
# talks" as the talks' number ("the first talks"), and numbered events of one pair of countries
# reported on different days clash on their date.
MINISTRY_ROLES = ["Minister", "Deputy Minister", "Deputy Minister", "Deputy Minister", "Deputy Minister"]
AGENCY_ROLES = ["Director General", "Deputy Director General", "Deputy Director General", "Commissioner General",
                "Deputy Commissioner", "Chief", "Head"]
RANKED = {"public-security-ministry", "interior-ministry", "national-police", "border-guard", "drug-control-agency"}
FUNCTIONS_BY_TOPIC = {
    "drugs": ["drug-control-agency", "national-police", "customs", "border-guard"],
    "cyber": ["national-police", "cybersecurity-agency"],
    "trafficking": ["border-guard", "immigration-department", "national-police"],
    "money": ["financial-intelligence-unit", "national-police"],
}

# What an article reports, with weights.
KINDS = {"talks": 14, "reception": 10, "working-session": 8, "meeting": 6, "phone-call": 5, "visit": 6, "dialogue": 6,
         "training": 5, "mou": 10, "programme": 8, "extradition": 7, "joint-operation": 7}

# Areas of crime, as the sides speak of them; the topic each belongs to picks the agencies.
# (Legal cooperation is what the sides ask of each other, not a crime to fight: LEGAL.)
AREAS = {
    "drugs": ["drug trafficking", "the smuggling of synthetic drugs across the border", "drug-related crime",
              "the trade in precursor chemicals used to make methamphetamine", "heroin and cannabis trafficking routes",
              "narcotics hidden in express parcels"],
    "cyber": ["cybercrime", "high-tech crime", "online fraud", "ransomware attacks on public services",
              "online scams run from rented compounds", "the illegal trade in bank accounts and SIM cards",
              "cyber attacks on banks and hospitals"],
    "terrorism": ["terrorism and violent extremism", "the financing of terrorism",
                  "the recruitment of young people by extremist groups", "the return of foreign terrorist fighters"],
    "trafficking": ["human trafficking", "the smuggling of migrants", "illegal migration", "the exploitation of migrant workers",
                    "the trafficking of women and children"],
    "money": ["money laundering", "the laundering of criminal assets", "illegal cross-border money transfers",
              "money laundering through cryptocurrencies"],
    "organised": ["transnational organised crime", "organised crime groups", "smuggling and trade fraud",
                  "illegal gambling run across the border"],
}
LEGAL = ["mutual legal assistance in criminal matters", "the extradition of fugitives", "the search for wanted persons",
         "the transfer of sentenced persons", "evidence held by banks and telecom operators"]
TOPIC_OF_KIND = {"extradition": "organised", "joint-operation": "drugs"}
GENERAL = ["the exchange of information", "personnel training", "the exchange of delegations at all levels",
           "the protection of each other's citizens", "the security of major events", "border management",
           "the sharing of experience in crime prevention"]

# Officials' names by naming tradition: (given names, family names, family name first?). The
# server benchmark's tables (bench.generate.NAMES) where they fit, and more where one table
# would be shared by so many countries that their rosters run out of names.
PEOPLE: dict[str, tuple[list[str], list[str], bool]] = {
    **{style: NAMES[style] for style in ("vietnamese", "russian", "chinese", "lao", "khmer", "thai")},
    "kazakh": (["Nurlan", "Yerlan", "Askar", "Daniyar", "Bakhyt", "Serik", "Marat", "Azamat", "Timur", "Ruslan", "Aidos",
                "Zhanibek"],
               ["Abenov", "Zhumabekov", "Nurpeisov", "Sarsenbayev", "Tokayev", "Omarov", "Seitkali", "Iskakov", "Baimukhanov",
                "Kassymov", "Dzhaksybekov", "Utegenov"], False),
    "burmese": (["Aung", "Min", "Kyaw", "Zaw", "Thein", "Soe", "Tun", "Win", "Myint", "Htun"],
                ["Naing", "Oo", "Lwin", "Hlaing", "Aung", "Thu", "Zaw", "Kyaw", "Maung", "Htwe"], False),
    "malay": (["Ahmad", "Mohd", "Hafiz", "Rizal", "Azman", "Faizal", "Kamarul", "Zulkifli", "Shahrul", "Amirul", "Hisham",
               "Roslan"],
              ["Hassan", "Ibrahim", "Ismail", "Rahman", "Abdullah", "Osman", "Yusof", "Salleh", "Hamid", "Karim", "Latif",
               "Aziz"], False),
    "indonesian": (["Budi", "Agus", "Hendra", "Joko", "Rudi", "Dedi", "Eko", "Bambang", "Wahyu", "Slamet", "Iwan", "Teguh"],
                   ["Santoso", "Wijaya", "Kusuma", "Hidayat", "Prasetyo", "Setiawan", "Nugroho", "Saputra", "Gunawan",
                    "Susanto", "Purnomo", "Hartono"], False),
    "filipino": (["Jose", "Ramon", "Eduardo", "Antonio", "Rodrigo", "Manuel", "Ernesto", "Benjamin", "Rolando", "Fernando",
                  "Danilo", "Romeo"],
                 ["Reyes", "Santos", "Cruz", "Garcia", "Mendoza", "Bautista", "Villanueva", "Ramos", "Aquino", "Navarro",
                  "Castillo", "Dela Rosa"], False),
    "japanese": (["Hiroshi", "Takeshi", "Kenji", "Satoshi", "Masaru", "Yoshio", "Kazuo", "Tetsuya", "Naoki", "Shinji",
                  "Makoto", "Daisuke"],
                 ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
                  "Yoshida", "Yamada"], False),
    "korean": (["Minho", "Jaewon", "Seungho", "Dongjin", "Sungmin", "Hyunwoo", "Jongsu", "Kwangho", "Youngsoo", "Taeyang",
                "Jinwoo", "Sangwoo"],
               ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Shin"], False),
    "mongolian": (["Batbayar", "Ganbold", "Enkhbayar", "Tsogtbaatar", "Purevdorj", "Otgonbayar", "Battulga", "Erdenebat"],
                  ["Bat-Erdene", "Enkhbold", "Dorj", "Sukhbaatar", "Gansukh", "Munkhbat", "Tumur", "Altangerel"], False),
    "indian": (["Rajesh", "Sanjay", "Anil", "Vikram", "Suresh", "Arvind", "Pradeep", "Rakesh", "Manoj", "Ashok", "Deepak",
                "Alok"],
               ["Sharma", "Singh", "Kumar", "Verma", "Gupta", "Mehta", "Rao", "Nair", "Iyer", "Chopra", "Joshi", "Reddy"], False),
    "english": (["John", "David", "Michael", "Peter", "James", "Thomas", "Mark", "Andrew", "Richard", "Paul", "Robert",
                 "Simon", "Stephen", "Daniel", "Matthew", "Christopher", "Anthony", "Graham", "Neil", "Kevin"],
                ["Smith", "Brown", "Wilson", "Taylor", "Walker", "Clarke", "Hughes", "Wright", "Turner", "Mitchell", "Baker",
                 "Harris", "Cooper", "Morgan", "Bennett", "Foster", "Reid", "Campbell", "Stewart", "Murray"], False),
    "french": (["Pierre", "Jean", "Laurent", "Nicolas", "Olivier", "Philippe", "Thierry", "Julien", "Christophe", "Franck"],
               ["Bernard", "Dubois", "Moreau", "Laurent", "Lefebvre", "Girard", "Fournier", "Mercier", "Rousseau", "Lambert"],
               False),
    "german": (["Klaus", "Stefan", "Thomas", "Jürgen", "Andreas", "Matthias", "Holger", "Uwe", "Frank", "Dirk"],
               ["Muller", "Schmidt", "Weber", "Fischer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter"], False),
    "italian": (["Marco", "Luca", "Giuseppe", "Paolo", "Franco", "Stefano", "Alessandro", "Roberto"],
                ["Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti"], False),
    "hungarian": (["Laszlo", "Istvan", "Zoltan", "Gabor", "Peter", "Tamas", "Attila", "Sandor"],
                  ["Nagy", "Kovacs", "Toth", "Szabo", "Horvath", "Varga", "Kiss", "Molnar"], False),
    "czech": (["Jan", "Petr", "Jiri", "Pavel", "Martin", "Tomas", "Josef", "Vaclav"],
              ["Novak", "Svoboda", "Dvorak", "Cerny", "Prochazka", "Kucera", "Vesely", "Horak"], False),
    "spanish": (["Carlos", "Jorge", "Luis", "Miguel", "Raul", "Alberto", "Ernesto", "Armando"],
                ["Rodriguez", "Gonzalez", "Hernandez", "Perez", "Diaz", "Fernandez", "Alvarez", "Suarez"], False),
}
NAME_STYLE = {"vietnam": "vietnamese", "russia": "russian", "belarus": "russian", "kazakhstan": "kazakh", "china": "chinese",
              "singapore": "chinese", "laos": "lao", "cambodia": "khmer", "thailand": "thai", "myanmar": "burmese",
              "malaysia": "malay", "brunei": "malay", "indonesia": "indonesian", "philippines": "filipino",
              "japan": "japanese", "south-korea": "korean", "north-korea": "korean", "mongolia": "mongolian",
              "india": "indian", "france": "french", "germany": "german", "italy": "italian", "hungary": "hungarian",
              "czech-republic": "czech", "cuba": "spanish"}

CREDITS = ["VNA", "Security Desk", "Regional Wire", "Interior News", "Mekong Post", "Asia Police Review"]


_CODE = re.compile(r"[A-Z][a-z]*[A-Z]")  # two capitals in one word: a code, not a written rank


def published(index: int) -> date:
    """The date line of article ``index``: a date of its own within each cycle of DATE_CYCLE."""
    return LATEST - timedelta(days=index % DATE_CYCLE)


def _stable(text: str) -> int:
    """A number from a text that is the same in every process and run (``hash()`` is salted)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@dataclass(frozen=True)
class Country:
    key: str
    name: str
    demonym: str
    cities: tuple[str, ...]
    lead: str  # the function of the agency that leads its security cooperation

    @property
    def prose(self) -> str:
        """The name as a sentence writes it: "the United States", "the Philippines"."""
        return f"the {self.name}" if self.key in WITH_ARTICLE else self.name


@dataclass(frozen=True)
class Agency:
    country: Country
    function: str
    generic: str         # the function's name ("National Police"), qualified by the country when written
    known: str | None    # the gazetteer's name for it, which says whose it is ("Royal Thai Police")
    domain: str | None   # a ministry's: its minister is "Minister of <domain>"
    #: whether the function's name may be written for it: not when it is another organization's
    #: own name ("National Crime Agency" is the United Kingdom's, whatever country is named with it)
    generic_ok: bool = True

    def mention(self, rng: random.Random) -> str:
        """The agency as a report names it, in one of the ways the extractor knows to place it."""
        if self.known and (not self.generic_ok or rng.random() < 0.6):
            return f"the {self.known}"
        c = self.country
        forms = [f"the {self.generic} of {c.prose}", f"the {c.demonym} {self.generic}"]
        if not c.prose.endswith("s"):  # no "the Philippines's"
            forms.append(f"{c.prose}'s {self.generic}")
        return rng.choice(forms)


@dataclass(frozen=True)
class Official:
    name: str
    short: str  # the part of the name a report uses again ("Minister Lam")
    role: str
    rank: str | None
    agency: Agency

    def intro(self, rng: random.Random) -> str:
        """Rank, post and name in one of the orders news copy uses."""
        rank = f"{self.rank} " if self.rank else ""
        c, domain = self.agency.country, self.agency.domain
        if domain:
            return rng.choice([f"{c.demonym} {self.role} of {domain} {rank}{self.name}",
                               f"{self.role} of {domain} {rank}{self.name} of {c.prose}",
                               f"{rank}{self.name}, {c.demonym} {self.role} of {domain}"])
        where = self.agency.mention(rng)
        return rng.choice([f"{rank}{self.name}, {self.role} of {where}", f"{self.role} of {where} {rank}{self.name}"])

    def ref(self) -> str:
        """How the report names the official again ("Deputy Minister Lam"): within one article, a
        post followed by one part of a name already given is that person."""
        return f"{self.role} {self.short}"


@dataclass
class GeneratedArticle:
    name: str
    text: str
    published: date
    kind: str
    countries: tuple[str, str]


@dataclass
class _Draft:
    """An article being written: its paragraphs, and what the caption needs."""

    paragraphs: list[str] = field(default_factory=list)
    caption_event: str = "talks"


class Corpus:
    """The world the texts are drawn from, read once, and the roster of officials for a seed."""

    def __init__(self, seed: int = DEFAULT_SEED, root: Path = ROOT) -> None:
        self.seed = seed
        gazetteer = root / "mappings" / "gazetteer"
        places = tomllib.loads((gazetteer / "places.toml").read_text(encoding="utf-8"))
        orgs = tomllib.loads((gazetteer / "organizations.toml").read_text(encoding="utf-8"))
        titles = tomllib.loads((root / "mappings" / "titles.toml").read_text(encoding="utf-8"))
        persons = tomllib.loads((gazetteer / "persons.toml").read_text(encoding="utf-8"))["persons"]
        cities: dict[str, list[str]] = {}
        for city in places["cities"].values():
            cities.setdefault(city["country"], []).append(city["name"])
        self.countries = {
            key: Country(key, entry["name"], entry["demonyms"][0], tuple(cities.get(key, [CAPITALS.get(key, entry["name"])])),
                         LEADS.get(key, "interior-ministry"))
            for key, entry in places["countries"].items() if key in COUNTRY_WEIGHTS}
        self.functions = {key: entry["names"][0] for key, entry in orgs["functions"].items()}
        self.known = {(entry["country"], entry["function"]): entry["name"] for entry in orgs["organizations"].values()
                      if entry.get("country") and entry.get("function")}
        self.proper = {name.lower() for entry in orgs["organizations"].values()
                       for name in (entry["name"], *entry.get("aliases", []))}
        # written forms of each rank, without the codes ("PGEN", "PMGen.") few reports use
        self.rank_forms = {key: [f for f in entry["forms"] if any(ch.islower() for ch in f) and not _CODE.search(f)]
                           for key, entry in titles["ranks"].items()}
        self.taken = {p["name"] for p in persons.values()} | {a for p in persons.values() for a in p.get("aliases", [])}
        self._roster: dict[tuple[str, str], list[Official]] = {}

    # --- the people -----------------------------------------------------------------------------

    def agency(self, country: str, function: str) -> Agency:
        known = self.known.get((country, function))
        generic, domain = self.functions[function], None
        if function == "interior-ministry":
            generic, domain = INTERIOR_NAMES[INTERIOR_STYLE.get(country, "internal")]
        elif function in ("public-security-ministry", "justice-ministry"):
            domain = {"public-security-ministry": "Public Security", "justice-ministry": "Justice"}[function]
        if known and not known.startswith("Ministry"):  # "Home Office": its officials are no "Minister of ..."
            domain = None
        generic_ok = known is None or generic.lower() not in self.proper
        return Agency(self.countries[country], function, generic, known, domain, generic_ok)

    def officials(self, country: str, function: str) -> list[Official]:
        """The agency's officials: the same people in every article of this seed."""
        key = (country, function)
        if key not in self._roster:
            rng = random.Random(f"coopld-bench-roster:{self.seed}:{country}:{function}")
            agency = self.agency(country, function)
            roles = MINISTRY_ROLES if agency.domain else AGENCY_ROLES
            self._roster[key] = [self._official(rng, agency, role) for role in roles]
        return self._roster[key]

    def _official(self, rng: random.Random, agency: Agency, role: str) -> Official:
        given, family, family_first = PEOPLE[NAME_STYLE.get(agency.country.key, "english")]
        for attempt in range(1000):
            # two given names once one is not enough for a name of its own ("John Peter Smith")
            g = rng.choice(given) if attempt < 50 else f"{rng.choice(given)} {rng.choice(given)}"
            f = rng.choice(family)
            name = f"{f} {g}" if family_first else f"{g} {f}"
            if name not in self.taken:
                break
        else:
            raise RuntimeError(f"no name left for an official of {agency.country.name}")
        self.taken.add(name)
        # Vietnamese reports use the last given name again ("Minister Lam"), others the family name
        short = name.split()[-1] if NAME_STYLE.get(agency.country.key) == "vietnamese" or not family_first else f
        rank = None
        style = RANK_STYLE.get(agency.country.key)
        if style and agency.function in RANKED and rng.random() < 0.85 and not (agency.domain and style == "commonwealth"):
            ranks = RANK_STYLES[style][:3] if agency.domain else RANK_STYLES[style]  # a minister is a general
            rank = rng.choice(self.rank_forms[rng.choice(ranks)])
        return Official(name, short, role, rank, agency)

    # --- the articles ---------------------------------------------------------------------------

    def article(self, index: int) -> GeneratedArticle:
        """Article ``index`` of this seed's corpus, the same text every time."""
        rng = random.Random(f"coopld-bench-article:{self.seed}:{index}")
        day = published(index)
        kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        keys = list(COUNTRY_WEIGHTS)
        host = rng.choices(keys, weights=list(COUNTRY_WEIGHTS.values()))[0]
        guest = host
        while guest == host:
            guest = rng.choices(keys, weights=list(COUNTRY_WEIGHTS.values()))[0]
        writer = _Writer(self, rng, day, kind, self.countries[host], self.countries[guest])
        text = writer.write()
        name = f"{index:06d}_{host}-{guest}-{kind}.txt"
        return GeneratedArticle(name, text, day, kind, (host, guest))


class _Writer:
    """One article: the sides, the main event, and the paragraphs around it."""

    def __init__(self, corpus: Corpus, rng: random.Random, day: date, kind: str, host: Country, guest: Country) -> None:
        self.corpus, self.rng, self.day, self.kind = corpus, rng, day, kind
        self.host, self.guest = host, guest
        self.topics = rng.sample(sorted(AREAS), 3)
        if kind in TOPIC_OF_KIND:
            self.topics[0] = TOPIC_OF_KIND[kind]
        self.when = day - timedelta(days=rng.choice([0, 1, 1, 1, 2]))
        self.city = rng.choice(host.cities)
        self.credit = rng.choice(CREDITS)
        self.period: tuple[int, int] | None = None
        if kind == "programme":
            start = day.year + rng.choice([0, 1])
            self.period = (start, start + rng.choice([1, 2, 2, 3, 4]))
        functions = self._functions()
        self.a = self._pick(host.key, functions[0], senior=kind not in ("training", "joint-operation"))
        self.b = self._pick(guest.key, functions[1], senior=kind not in ("training", "joint-operation"))

    def _functions(self) -> tuple[str, str]:
        """Which agencies meet. An agreement's parties follow from what its IRI is made of
        (kind, countries, period or signing day), never from this article's own dice."""
        pair = "-".join(sorted((self.host.key, self.guest.key)))
        topic = self.topics[0] if self.topics[0] in FUNCTIONS_BY_TOPIC else None
        if self.kind in ("mou", "programme"):
            token = f"{self.period[0]}-{self.period[1]}" if self.period else self.when.isoformat()
            pick = _stable(f"{self.kind}|{pair}|{token}")
            if pick % 3:
                return self.host.lead, self.guest.lead
            options = [f for topic in sorted(FUNCTIONS_BY_TOPIC) for f in FUNCTIONS_BY_TOPIC[topic]]
            function = options[(pick // 3) % len(options)]
            return function, function
        if topic and self.rng.random() < 0.35:
            function = self.rng.choice(FUNCTIONS_BY_TOPIC[topic])
            return function, function
        return self.host.lead, self.guest.lead

    def _pick(self, country: str, function: str, senior: bool) -> Official:
        staff = self.corpus.officials(country, function)
        return self.rng.choice(staff[:3] if senior else staff[1:])

    # --- pieces ---------------------------------------------------------------------------------

    def on_day(self) -> str:
        """When the main event took place, as a report says it."""
        gap = (self.day - self.when).days
        roll = self.rng.random()
        if gap == 1 and roll < 0.15:
            return "yesterday"
        if 0 < gap < 6 and roll < 0.3:
            return f"on {self.when.strftime('%A')}"
        return f"on {MONTHS[self.when.month - 1]} {self.when.day}"

    def area(self, topic: str | None = None) -> str:
        return self.rng.choice(AREAS[topic or self.rng.choice(self.topics)])

    def sides(self) -> str:
        a, b = self.host, self.guest
        return self.rng.choice([f"{a.prose} and {b.prose}", "the two countries", f"{a.demonym} and {b.demonym}"])

    def dateline(self) -> str:
        city, credit = self.city, self.credit
        return self.rng.choice([f"{city} ({credit}) - ", f"{city} ({credit}) – ", f"{city.upper()} ({credit}) - ", "– "])

    # --- the article ----------------------------------------------------------------------------

    def write(self) -> str:
        draft = _Draft()
        lead = getattr(self, "_lead_" + self.kind.replace("-", "_"))
        lead(draft)
        self._speeches(draft)
        if self.rng.random() < 0.5:
            self._earlier_or_next(draft)
        if self.rng.random() < 0.3:
            self._same_day(draft)
        if self.rng.random() < 0.4:
            draft.paragraphs.append(self.rng.choice([
                "The two sides agreed to keep in regular contact through their liaison officers.",
                f"Both sides said the talks reflected the good relations between {self.sides()}.",
                "The two sides agreed to set up a hotline between their operational units.",
                f"The delegation of {self.guest.prose} is scheduled to work in {self.host.prose} until the end of the week./.",
            ]))
        return f" date {self.day.isoformat()} {self._caption(draft)}\n\n" + "\n\n".join(draft.paragraphs) + "\n"

    def _caption(self, draft: _Draft) -> str:
        photo = f"(Photo: {self.credit})"
        a, b = self.a, self.b
        return self.rng.choice([
            f"{a.role} {a.name} (R) and {b.role} {b.name} at the {draft.caption_event} in {self.city} {photo}",
            f"At the {draft.caption_event} {photo}",
            f"Delegates of {self.host.prose} and {self.guest.prose} at the {draft.caption_event} in {self.city}. {photo}",
        ])

    def _lead_talks(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        first = r.choice([
            f"{a.intro(r)} held talks with {b.intro(r)} in {self.city} {self.on_day()}.",
            f"Talks were held in {self.city} {self.on_day()} between {a.intro(r)} and {b.intro(r)}.",
        ])
        draft.paragraphs += [self.dateline() + first,
                             f"The two sides reviewed their cooperation in {self.area()} and {self.rng.choice(GENERAL)}, "
                             f"and discussed ways to make it more practical in the coming years."]

    def _lead_reception(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        first = r.choice([
            f"{a.intro(r)} received {b.intro(r)} in {self.city} {self.on_day()}.",
            f"{a.intro(r)} hosted a reception in {self.city} {self.on_day()} for {b.intro(r)}, "
            f"who is on a working trip to {self.host.prose}.",
        ])
        draft.caption_event = "reception"
        draft.paragraphs += [self.dateline() + first,
                             f"Welcoming the guests, {a.ref()} said the visit would help deepen the ties between the "
                             f"law enforcement agencies of {self.sides()}."]

    def _lead_working_session(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        draft.caption_event = "working session"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} had a working session in {self.city} {self.on_day()} with a delegation of "
            f"{b.agency.mention(r)} led by {b.intro(r)}.",
            f"At the working session, the two sides focused on {self.area()} and on {self.rng.choice(GENERAL)}."]

    def _lead_meeting(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        draft.caption_event = "meeting"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} met with {b.intro(r)} in {self.city} {self.on_day()} to review cooperation "
            f"between {self.sides()} in {self.area()}.",
            f"During the meeting, the two officials also exchanged views on {self.area()}."]

    def _lead_phone_call(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        how = r.choice(["held a phone call with", "held talks via video link with", "spoke by telephone with"])
        draft.caption_event = "video conference"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} {how} {b.intro(r)} {self.on_day()}.",
            f"The two officials discussed urgent cases of {self.area()} and agreed to speed up the exchange of evidence."]

    def _lead_visit(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        end = self.when + timedelta(days=r.choice([2, 3, 4]))
        span = (f"from {MONTHS[self.when.month - 1]} {self.when.day} to {end.day}" if end.month == self.when.month
                else f"from {MONTHS[self.when.month - 1]} {self.when.day}")
        draft.caption_event = "talks"
        draft.paragraphs += [
            self.dateline() + f"{b.intro(r)} is paying an official visit to {self.host.prose} {span}, at the invitation of "
            f"{a.intro(r)}.",
            f"During the visit, {b.ref()} and {a.ref()} held talks in {self.city} on cooperation in {self.area()}."]

    def _lead_dialogue(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        draft.caption_event = "dialogue"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} and {b.intro(r)} co-chaired the {self.host.name}-{self.guest.name} security "
            f"dialogue in {self.city} {self.on_day()}.",
            f"The dialogue took stock of joint work against {self.area()} and looked at new risks from {self.area('cyber')}."]

    def _lead_training(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        subject = r.choice(["investigating cryptocurrency fraud", "digital forensics", "tracing the proceeds of crime",
                            "detecting forged travel documents", "countering drug smuggling at airports"])
        officers = r.choice([20, 25, 30, 35, 40, 48, 60])
        draft.caption_event = "opening of the course"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} opened a training course on {subject} for {officers} officers of "
            f"{b.agency.mention(r)} in {self.city} {self.on_day()}, in the presence of {b.intro(r)}.",
            f"The two-week course is taught by instructors of {a.agency.mention(r)} and covers {self.area()}."]

    def _lead_mou(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        subject = self.area()
        draft.caption_event = "signing ceremony"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} and {b.intro(r)} signed a memorandum of understanding on cooperation in "
            f"preventing {subject} between {a.agency.mention(r)} and {b.agency.mention(r)}, in {self.city} {self.on_day()}.",
            f"Under the memorandum, the two agencies will exchange information on {subject}, coordinate the tracing of suspects "
            f"and hold a joint review every year."]

    def _lead_programme(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        assert self.period is not None
        start, end = self.period
        name = r.choice(["a programme of cooperation", "a cooperation programme", "an action plan"])
        draft.caption_event = "signing ceremony"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} and {b.intro(r)} signed {name} between {a.agency.mention(r)} and "
            f"{b.agency.mention(r)} for {start}-{end}, in {self.city} {self.on_day()}.",
            f"The document provides for joint work against {self.area()}, the training of officers and regular meetings "
            f"of the two agencies' working groups."]

    def _lead_extradition(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        crime = r.choice(["drug trafficking", "fraud", "human trafficking", "murder", "money laundering", "armed robbery"])
        where = r.choice(["the international airport", "the international border gate", "the police headquarters"])
        draft.caption_event = "handover"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} handed over to {b.intro(r)} a {self.guest.demonym} citizen wanted for {crime}, "
            f"at {where} in {self.city} {self.on_day()}.",
            f"The man had fled {self.guest.prose} in {self.day.year - r.choice([1, 2, 3, 5])} and was arrested in "
            f"{self.host.prose} on a notice circulated through Interpol."]

    def _lead_joint_operation(self, draft: _Draft) -> None:
        a, b, r = self.a, self.b, self.rng
        kilos = r.choice([42, 57, 85, 120, 210, 360, 500])
        arrests = r.choice([6, 9, 11, 14, 23, 31])
        draft.caption_event = "press briefing"
        draft.paragraphs += [
            self.dateline() + f"{a.intro(r)} and {b.intro(r)} {self.on_day()} reviewed the results of a joint operation "
            f"against a drug trafficking ring, in {self.city}.",
            f"The operation led to the arrest of {arrests} suspects and the seizure of {kilos} kilograms of methamphetamine "
            f"and heroin hidden in lorries crossing the border."]

    def _speeches(self, draft: _Draft) -> None:
        """What each side said: two or three sentences per official, over the article's areas."""
        a, b, r = self.a, self.b, self.rng
        says: list[Callable[[str, Official], str]] = [
            lambda who, o: f"{who} said the two sides had worked closely against {self.area()} in recent years.",
            lambda who, o: f"{who} proposed that the two sides step up the exchange of information on {self.area()}.",
            lambda who, o: f"{who} noted that {self.area()} had become more complex and called for faster answers to "
                           f"requests for {r.choice(LEGAL)}.",
            lambda who, o: f"{who} thanked {o.agency.mention(r)} for its help in cases of {self.area()}.",
            lambda who, o: f"{who} suggested that the two agencies share experience in {r.choice(GENERAL)} "
                           f"and in fighting {self.area()}.",
            lambda who, o: f"{who} asked the {o.agency.country.demonym} side to help trace suspects involved in {self.area()} "
                           f"who had fled abroad.",
            lambda who, o: f"Criminal groups now use encrypted messaging to organise {self.area()}, which no single country "
                           f"can tackle alone, {who} said.",
            lambda who, o: f"{who} stressed the need to protect citizens of {o.agency.country.prose} living and working in "
                           f"{self.host.prose if o is b else self.guest.prose}.",
            lambda who, o: f"{who} called for {r.choice(LEGAL)} to be handled within weeks rather than months.",
        ]
        for speaker, other in ((a, b), (b, a)):
            picked = r.sample(says, r.choice([2, 2, 3]))
            # the official's post and name first, then the name alone or the post again
            subjects = [speaker.ref(), *(r.choice([speaker.short, speaker.ref()]) for _ in picked[1:])]
            draft.paragraphs.append(" ".join(say(who, other) for say, who in zip(picked, subjects, strict=True)))

    def _earlier_or_next(self, draft: _Draft) -> None:
        """An event the article mentions: one held some months before, or one still to come."""
        r, other_city = self.rng, self.rng.choice(self.guest.cities)
        before = self.when - timedelta(days=r.randint(60, 700))
        draft.paragraphs.append(r.choice([
            f"The two sides recalled the talks between their delegations in {other_city} in "
            f"{MONTHS[before.month - 1]} {before.year}, which opened new areas of cooperation.",
            f"The next round of talks will be held in {other_city} in {self.day.year + 1}.",
            f"{self.b.ref()} invited {self.a.ref()} to pay an official visit to {self.guest.prose} next year, and the "
            f"invitation was accepted.",
        ]))

    def _same_day(self, draft: _Draft) -> None:
        """A second event that day: the guest calls on another official of the host country."""
        r = self.rng
        function = r.choice(["national-police", "justice-ministry", "prosecution-service", self.host.lead])
        other = r.choice(self.corpus.officials(self.host.key, function)[:2])
        if other == self.a:
            return
        draft.paragraphs.append(f"On the same day, {self.b.ref()} paid a courtesy call on {other.intro(r)}, who said "
                                f"{self.host.prose} valued {self.guest.prose} as a partner in fighting {self.area()}.")


def write_articles(folder: Path, count: int, *, seed: int = DEFAULT_SEED, start: int = 0,
                   corpus: Corpus | None = None) -> list[Path]:
    """Articles ``start`` to ``start + count - 1`` of the seed's corpus, as files in ``folder``."""
    corpus = corpus or Corpus(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start, start + count):
        article = corpus.article(index)
        path = folder / article.name
        path.write_text(article.text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.articles", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20, help="articles to write")
    parser.add_argument("--start", type=int, default=0, help="index of the first article")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the *.txt files into")
    args = parser.parse_args(argv)
    paths = write_articles(args.out, args.count, seed=args.seed, start=args.start)
    print(f"wrote {len(paths)} articles into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
