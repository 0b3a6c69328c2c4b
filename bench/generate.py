"""A larger dataset for the benchmark: synthetic articles' records, built like a real build.

Records are made here (not extracted from text), in exactly the shape the extractor writes
(``data/records/*.json``): an article with its text, the events it reports and mentions, the
people taking part with rank and post, the organizations, places and agreements they refer to,
every statement with the text span that supports it. Places, organizations, the kinds of
national agency (named as the extractor names unlisted ones) and rank forms come from the
gazetteers and ``mappings/titles.toml``; event kinds, ranks, roles and topics from the
vocabularies in ``ontology/vocab/``. Officials get generated names, keyed as the extractor
keys officials no gazetteer lists (the gazetteer's own people are left out, their keys unused).

From the records on, the build is coopld's own: ``coopld.mapping.record_to_graph`` maps each
record to its article graph, ``coopld.infer.Reasoner`` closes the data under OWL RL,
``coopld.spool.Spool`` gathers the articles' statements, and ``coopld.build.publish_dataset``
adds the ontology, vocabulary, links, series and report graphs and writes the store, the dumps
and ``build.json`` as a generation.
Three shortcuts keep a 10,000-event dataset to minutes:

* inference runs over batches of articles (``--batch``) rather than article by article; the
  closure is the same (the build's own tests show per-article and whole-dataset closures
  agree), but a triple one article infers and another in its batch asserts is left out of the
  ``inferred`` graph, as the whole-dataset closure would do;
* SHACL validation runs only on the first few articles (``--check``), to prove the records
  are well-formed; the other articles add nothing to the validation report;
* by default only the dumps the server needs are written (``coopld.nq``, which the SPARQL
  baseline loads and whose checksum versions the pages, and ``validation-report.ttl``);
  ``--dumps all`` writes every dump through ``coopld.dumps.write_dumps``.

The output is deterministic: the same parameters give the same records, dumps and store.

    .venv/bin/python -m bench.generate --events 10000 --out /tmp/coopld-bench-10k
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import signal
import sys
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import SKOS
from slugify import slugify

from coopld import iris
from coopld.extract.dates import PartialDate
from coopld.records import META, body_digest

#: Bump when the records this module writes change, so cached datasets are rebuilt.
GENERATOR_VERSION = "1"

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Params:
    """Everything the generated dataset depends on (with the project's inputs, see ``cache_key``)."""

    events: int = 10_000
    seed: int = 20261123
    base_iri: str = "https://w3id.org/coopld/"
    batch: int = 25     # articles per inference batch
    check: int = 3      # articles validated against the shapes
    infer: bool = True
    dumps: str = "minimal"  # "minimal": coopld.nq and the report, what the server needs; "all": every dump


def params_key(params: Params) -> str:
    """``<events>ev-<digest of the parameters and the generator version>``."""
    text = json.dumps({**asdict(params), "generator": GENERATOR_VERSION}, sort_keys=True)
    return f"{params.events}ev-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def cache_key(params: Params) -> str:
    """A name for the dataset these parameters give with this checkout's ontology, mappings,
    shapes, build code and library versions: the benchmark rebuilds when any of them changes."""
    import pyoxigraph
    import rdflib

    digest = hashlib.sha256()
    digest.update(json.dumps({"rdflib": rdflib.__version__, "pyoxigraph": pyoxigraph.__version__}).encode())
    inputs = [path for folder in ("ontology", "mappings", "shapes") for path in sorted((ROOT / folder).rglob("*"))
              if path.is_file()]
    inputs += _build_code()
    inputs.append(Path(__file__))
    for path in inputs:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return f"{params_key(params)}-{digest.hexdigest()[:12]}"


def _build_code() -> list[Path]:
    """The coopld modules the build imports and the files beside them (``coopld/queries/``),
    except the web app and the extractor (records are made here, not extracted)."""
    import coopld.build
    import coopld.dumps
    import coopld.store.embedded  # noqa: F401 - imported for the modules they pull in

    package = ROOT / "coopld"
    modules = {Path(str(module.__file__)).resolve() for name, module in list(sys.modules.items())
               if (name == "coopld" or name.startswith("coopld.")) and getattr(module, "__file__", None)}
    data = {path for path in package.rglob("*") if path.is_file() and path.suffix not in (".py", ".pyc")}
    return sorted(path for path in modules | data if path.is_relative_to(package)
                  and path.relative_to(package).parts[0] not in ("web", "extract", "__pycache__"))


# --- what the world holds: read from the gazetteers and vocabularies ---------------------------

# Partner countries of the news source's country and how often articles feature them.
PARTNERS = {"russia": 14, "china": 14, "laos": 12, "cambodia": 12, "thailand": 5, "myanmar": 4, "malaysia": 3,
            "singapore": 3, "indonesia": 4, "philippines": 3, "brunei": 1, "japan": 5, "south-korea": 5,
            "north-korea": 1, "mongolia": 2, "india": 3, "australia": 4, "new-zealand": 1, "united-states": 5,
            "united-kingdom": 4, "france": 3, "germany": 2, "belarus": 3, "kazakhstan": 2, "cuba": 2, "israel": 1,
            "czech-republic": 1, "hungary": 2, "italy": 1, "canada": 1}
HOME = "vietnam"

# Which national agency leads security cooperation for a country (the rest use the interior ministry).
PUBLIC_SECURITY_COUNTRIES = {"vietnam", "china", "laos", "cuba"}

# People's names, by naming tradition: (given names, family names, family name first?)
NAMES: dict[str, tuple[list[str], list[str], bool]] = {
    "vietnamese": (["Van Nam", "Quoc Hung", "Minh Tuan", "Duc Long", "Hai Son", "Thanh Binh", "Van Cuong", "Quang Vinh",
                    "Xuan Truong", "Ngoc Anh", "Huu Thang", "Dinh Dung", "Tien Dat", "Manh Hung", "Van Thanh",
                    "Trong Nghia", "Kim Hoa", "Cong Minh", "Anh Tuan", "Hoang Long"],
                   ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do", "Ho", "Ngo", "Duong", "Ly", "Dinh",
                    "Luong", "Truong", "Phan", "Mai", "Cao", "Ta"], True),
    "russian": (["Aleksandr", "Sergei", "Dmitry", "Vladimir", "Igor", "Andrei", "Mikhail", "Nikolai", "Oleg", "Yuri",
                 "Pavel", "Viktor", "Alexei", "Ivan", "Konstantin", "Yevgeny", "Anatoly", "Boris", "Roman", "Gennady"],
                ["Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Volkov", "Morozov", "Zaitsev", "Pavlov",
                 "Lebedev", "Kozlov", "Novikov", "Fyodorov", "Orlov", "Makarov", "Nikitin", "Zakharov", "Belov",
                 "Tarasov"], False),
    "chinese": (["Wei", "Fang", "Jun", "Lei", "Ming", "Hua", "Jian", "Qiang", "Xiaodong", "Guoqing", "Haitao", "Yong",
                 "Zhiwei", "Jianguo", "Chunlei", "Xin", "Bo", "Tao", "Peng", "Hongwei"],
                ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Hu", "Zhu",
                 "Gao", "Lin", "He", "Guo", "Ma", "Luo"], True),
    "lao": (["Somsak", "Vilay", "Khamphao", "Sisouk", "Bounmy", "Phouvong", "Thongsay", "Viengthong", "Souksavanh",
             "Khamla", "Chanthavong", "Sengphet"],
            ["Phommavong", "Sayavong", "Keobounphan", "Vongsa", "Sisavath", "Inthavong", "Luangrath", "Chanthala",
             "Douangchak", "Phimmasone"], False),
    "khmer": (["Sok", "Chea", "Heng", "Kim", "Sar", "Neth", "Pol", "Mao", "Chhay", "Kong", "Sam", "Touch"],
              ["Sopheak", "Dara", "Vuthy", "Rithy", "Sokha", "Vannak", "Sothea", "Pisey", "Chanthou", "Savoeun"], True),
    "thai": (["Somchai", "Anan", "Kittipong", "Prasert", "Surachai", "Wichai", "Thanakorn", "Chatchai", "Narong",
              "Suthep"],
             ["Srisuk", "Chaiyaporn", "Wongsawat", "Rattanakorn", "Phromma", "Sukhum", "Boonyarat", "Kaewkla",
              "Thongdee", "Saengthong"], False),
    "malay": (["Ahmad", "Mohd", "Hafiz", "Rizal", "Azman", "Budi", "Agus", "Hendra", "Joko", "Rudi", "Jose", "Ramon",
               "Eduardo", "Antonio"],
              ["Hassan", "Ibrahim", "Ismail", "Rahman", "Santoso", "Wijaya", "Kusuma", "Hidayat", "Reyes", "Santos",
               "Cruz", "Garcia"], False),
    "east-asian": (["Hiroshi", "Takeshi", "Kenji", "Satoshi", "Minho", "Jaewon", "Seungho", "Dongjin", "Batbayar",
                    "Ganbold", "Rajesh", "Sanjay"],
                   ["Sato", "Suzuki", "Takahashi", "Tanaka", "Kim", "Lee", "Park", "Choi", "Bat-Erdene", "Enkhbold",
                    "Sharma", "Singh"], False),
    "western": (["John", "David", "Michael", "Peter", "James", "Thomas", "Mark", "Andrew", "Pierre", "Jean", "Klaus",
                 "Stefan", "Marco", "Luca", "Laszlo", "Jan", "Carlos", "Yosef"],
                ["Smith", "Brown", "Wilson", "Taylor", "Martin", "Bernard", "Dubois", "Muller", "Schmidt", "Weber",
                 "Rossi", "Bianchi", "Nagy", "Novak", "Rodriguez", "Cohen", "Walker", "Clarke"], False),
}
NAME_STYLE = {"vietnam": "vietnamese", "russia": "russian", "belarus": "russian", "kazakhstan": "russian",
              "china": "chinese", "laos": "lao", "cambodia": "khmer", "thailand": "thai", "myanmar": "thai",
              "malaysia": "malay", "indonesia": "malay", "philippines": "malay", "brunei": "malay", "singapore": "chinese",
              "japan": "east-asian", "south-korea": "east-asian", "north-korea": "east-asian", "mongolia": "east-asian",
              "india": "east-asian"}

# Roles by the kind of body a post is in, with weights; ranks for officials of security bodies.
ROLES_BY_KIND = {
    "security": {"minister": 3, "first-deputy-minister": 2, "deputy-minister": 8, "director-general": 4, "director": 5,
                 "deputy-director": 3, "chief": 2, "head": 2, "deputy-head": 2, "commissioner": 1},
    "department": {"director": 5, "deputy-director": 4, "head": 2, "chief": 2, "deputy-chief": 1, "commander": 1},
    "ministry": {"minister": 2, "deputy-minister": 4, "permanent-secretary": 1, "director-general": 2},
    "state": {"president": 3, "prime-minister": 2},
    "party": {"general-secretary": 1, "secretary": 2, "deputy-secretary": 2, "chairman": 1, "vice-chairman": 1},
    "international": {"head": 2, "director": 2, "liaison-officer": 1},
}
RANKED_KINDS = {"security", "department"}
POLICE_RANKS = ["police-general", "police-lieutenant-general", "police-major-general", "police-colonel",
                "police-colonel-general", "commissioner"]
ARMY_RANKS = ["general", "senior-lieutenant-general", "lieutenant-general", "major-general", "senior-colonel",
              "colonel", "lieutenant-colonel", "colonel-general", "brigadier-general"]

# Kinds of the main event an article reports, with weights; the kinds an article also mentions.
MAIN_KINDS = {"talks": 25, "reception": 18, "working-session": 12, "meeting": 12, "conference": 6, "phone-call": 5,
              "visit": 8, "training": 4, "negotiation": 3, "welcome-ceremony": 2, "consultation": 2}
MENTIONED_KINDS = {"visit": 5, "conference": 4, "signing-ceremony": 3, "talks": 2, "meeting": 2}

VERBS = {"talks": "held talks", "reception": "held a reception", "working-session": "held a working session",
         "meeting": "held a meeting", "conference": "co-chaired a conference", "phone-call": "held phone talks",
         "training": "opened a training course", "negotiation": "held negotiations",
         "welcome-ceremony": "held a welcome ceremony", "consultation": "held consultations",
         "signing-ceremony": "held a signing ceremony", "visit": "met during an official visit"}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _surname(person: Person) -> str:
    family_first = NAMES[NAME_STYLE.get(person.org.country or "", "western")][2]
    return person.name.split()[0 if family_first else -1]


def _day(day: date) -> PartialDate:
    return PartialDate(day.year, day.month, day.day)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else ORDINAL_SUFFIX.get(n % 10, 'th')}"


@dataclass
class Org:
    key: str
    label: str
    type: str
    kind: str                      # a key of ROLES_BY_KIND
    country: str | None = None
    parent: str | None = None
    function: str | None = None
    aliases: list[str] = field(default_factory=list)
    staff: list[Person] = field(default_factory=list)


@dataclass
class Person:
    key: str
    name: str
    org: Org
    role: str
    rank: str | None
    aliases: list[str] = field(default_factory=list)


@dataclass
class Event:
    key: str
    kind: str
    status: str
    date: PartialDate | None
    stated: str | None
    place: str | None
    orgs: list[Org]
    people: list[Person]
    ordinal: int | None = None


class World:
    """Countries, cities, organizations, people and vocabularies to draw articles from."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.rng = rng
        gazetteer = root / "mappings" / "gazetteer"
        places = tomllib.loads((gazetteer / "places.toml").read_text(encoding="utf-8"))
        orgs = tomllib.loads((gazetteer / "organizations.toml").read_text(encoding="utf-8"))
        persons = tomllib.loads((gazetteer / "persons.toml").read_text(encoding="utf-8"))
        titles = tomllib.loads((root / "mappings" / "titles.toml").read_text(encoding="utf-8"))
        self.countries: dict[str, dict[str, Any]] = places["countries"]
        self.cities: dict[str, dict[str, Any]] = places["cities"]
        self.functions: dict[str, dict[str, Any]] = orgs["functions"]
        self.rank_forms = {key: entry["forms"] for key, entry in titles["ranks"].items()}
        vocab = root / "ontology" / "vocab"
        self.kinds = _labels(vocab / "event-kinds.ttl")
        self.ranks = _labels(vocab / "ranks.ttl")
        self.roles = _labels(vocab / "roles.ttl")
        self.topics = _labels(vocab / "topics.ttl")
        self.topic_keys = sorted(self.topics)
        self.topic_weights = [6 if k in ("crime-prevention", "transnational-crime", "experience-sharing",
                                         "information-exchange", "personnel-training") else 1 for k in self.topic_keys]
        self.partners = {c: w for c, w in PARTNERS.items() if c in self.countries}
        self.orgs: dict[str, Org] = {}
        self.persons: dict[str, Person] = {}
        self.cities_of: dict[str, list[str]] = {}
        for key, city in sorted(self.cities.items()):
            self.cities_of.setdefault(city["country"], []).append(key)
        kinds = {"GovernmentAgency": "security", "PoliticalOrganization": "party", "InternationalOrganization":
                 "international", "NewsAgency": "international", "State": "state"}
        for key, entry in orgs["organizations"].items():
            aliases = [*entry.get("aliases", []), *entry.get("acronyms", [])]
            self.orgs[key] = Org(key, entry["name"], entry["type"], kinds.get(entry["type"], "ministry"),
                                 entry.get("country"), entry.get("parent"), entry.get("function"), aliases)
        # the gazetteer's people are taken as known (their keys are not reused); officials are
        # generated, as the extractor mints officials no gazetteer lists
        self.taken = set(persons["persons"])

    # organizations ---------------------------------------------------------------------------

    def national(self, country: str, function: str) -> Org:
        """The country's agency of a kind, from the gazetteer or named as the extractor names
        agencies it does not list ("<name> of <country>", key "<country>-<slug of the name>")."""
        for org in self.orgs.values():
            if org.country == country and org.function == function:
                return org
        name = self.functions[function]["names"][0]
        key = f"{country}-{slugify(name)}"
        kind = "security" if function in ("public-security-ministry", "interior-ministry", "national-police") else "ministry"
        self.orgs[key] = Org(key, f"{name} of {self.countries[country]['name']}", self.functions[function]["type"],
                             kind, country, function=function)
        return self.orgs[key]

    def lead_agency(self, country: str) -> Org:
        return self.national(country, "public-security-ministry" if country in PUBLIC_SECURITY_COUNTRIES
                             else "interior-ministry")

    def state(self, country: str) -> Org:
        key = f"state-{country}"
        if key not in self.orgs:
            self.orgs[key] = Org(key, self.countries[country].get("state", self.countries[country]["name"]), "State",
                                 "state", country)
        return self.orgs[key]

    def department(self, city: str) -> Org:
        """A city's police or public security department, part of the country's lead agency."""
        country = self.cities[city]["country"]
        name = self.cities[city]["name"]
        if country in PUBLIC_SECURITY_COUNTRIES:
            key, label = f"{city}-department-of-public-security", f"{name} Department of Public Security"
        else:
            key, label = f"{city}-police-department", f"{name} Police Department"
        if key not in self.orgs:
            self.orgs[key] = Org(key, label, "GovernmentAgency", "department", country, self.lead_agency(country).key,
                                 aliases=[f"Police of {name}"])
        return self.orgs[key]

    def side(self, country: str) -> Org:
        """The body that represents a country at one event."""
        roll = self.rng.random()
        if roll < 0.62:
            return self.lead_agency(country)
        if roll < 0.75 and self.cities_of.get(country):
            return self.department(self.rng.choice(self.cities_of[country]))
        if roll < 0.85:
            return self.national(country, "national-police")
        if roll < 0.92:
            return self.national(country, self.rng.choice(["justice-ministry", "defence-ministry", "foreign-ministry"]))
        return self.state(country)

    def ancestry(self, org: Org) -> list[Org]:
        chain = [org]
        while chain[-1].parent and chain[-1].parent in self.orgs and len(chain) < 5:
            chain.append(self.orgs[chain[-1].parent])
        return chain

    # people ----------------------------------------------------------------------------------

    def _rank(self, country: str) -> str | None:
        if self.rng.random() < 0.2:
            return None
        pool = POLICE_RANKS if country not in PUBLIC_SECURITY_COUNTRIES else ARMY_RANKS
        return self.rng.choice([r for r in pool if r in self.ranks])

    def _name(self, country: str | None) -> str:
        given, family, family_first = NAMES[NAME_STYLE.get(country or "", "western")]
        first, last = self.rng.choice(given), self.rng.choice(family)
        return f"{last} {first}" if family_first else f"{first} {last}"

    def official(self, org: Org) -> Person:
        """Someone who holds a post in ``org``: mostly people seen before, sometimes someone new."""
        if org.staff and self.rng.random() < min(0.9, 0.55 + 0.05 * len(org.staff)):
            return self.rng.choice(org.staff)
        for _ in range(50):
            name = self._name(org.country)
            key = slugify(name)
            if key not in self.persons and key not in self.taken:
                break
        else:
            name = f"{name} {len(self.persons)}"
            key = slugify(name)
        roles = ROLES_BY_KIND[org.kind]
        role = self.rng.choices(list(roles), weights=list(roles.values()))[0]
        rank = self._rank(org.country or HOME) if org.kind in RANKED_KINDS else None
        aliases = [" ".join(reversed(name.split(" ", 1)))] if self.rng.random() < 0.2 else []
        person = Person(key, name, org, role, rank, aliases)
        self.persons[key] = person
        org.staff.append(person)
        return person

    # vocabularies ----------------------------------------------------------------------------

    def some_topics(self, low: int, high: int) -> list[str]:
        count = self.rng.randint(low, high)
        chosen: set[str] = set()
        while len(chosen) < count:
            chosen.add(self.rng.choices(self.topic_keys, weights=self.topic_weights)[0])
        return sorted(chosen)

    def partner(self) -> str:
        return self.rng.choices(list(self.partners), weights=list(self.partners.values()))[0]


def _labels(path: Path) -> dict[str, str]:
    """Concept key → English preferred label, from a SKOS vocabulary file."""
    graph = Graph().parse(path, format="turtle")
    out = {}
    for concept, label in graph.subject_objects(SKOS.prefLabel):
        if isinstance(label, Literal) and label.language in (None, "en") and "/vocab/" in str(concept):
            key = str(concept).rsplit("/", 1)[1]
            if str(concept).count("/") > 5:
                out[key] = str(label)
    return out


# --- articles -----------------------------------------------------------------------------------

class Text:
    """An article's text, written sentence by sentence, remembering where each sentence is."""

    def __init__(self) -> None:
        self.value = ""

    def add(self, sentence: str, sep: str = " ") -> tuple[int, int]:
        if self.value and not self.value.endswith("\n"):
            self.value += sep
        begin = len(self.value)
        self.value += sentence
        return begin, len(self.value)


class ArticleWriter:
    """One article's record at a time, in the extractor's shape."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.event_keys: set[str] = set()
        self.agreement_keys: set[str] = set()

    def _unique_agreement(self, key: str) -> str:
        n, unique = 1, key
        while unique in self.agreement_keys:
            n += 1
            unique = f"{key}-{n}"
        self.agreement_keys.add(unique)
        return unique

    def record(self, index: int, seed: int, budget: int) -> tuple[str, dict[str, Any], int]:
        """(file name, record, number of events) for the article ``index``; at most ``budget`` events."""
        w, rng = self.world, self.rng
        stem = f"{index:05d}_{hashlib.sha256(f'{seed}/{index}'.encode()).hexdigest()[:16]}"
        key = slugify(stem)
        art = iris.article(key)
        published = date(2015, 1, 1) + timedelta(days=rng.randrange(11 * 365))
        home = HOME if rng.random() < 0.9 else w.partner()
        guest = w.partner()
        while guest == home:
            guest = w.partner()
        sides = [w.side(home), w.side(guest)]
        if rng.random() < 0.5:
            sides.reverse()
        host = home if rng.random() < 0.7 else guest
        city = rng.choice(w.cities_of[host]) if w.cities_of.get(host) and rng.random() < 0.85 else None
        place = city or host
        place_name = w.cities[city]["name"] if city else w.countries[host]["name"]
        publisher = w.orgs["vietnam-news-agency" if rng.random() < 0.8 else "voice-of-vietnam"]
        credit = "VNA" if publisher.key == "vietnam-news-agency" else "VOV"

        text = Text()
        included: dict[str, dict[str, Any]] = {}
        mentions: list[str] = []

        def span(region: tuple[int, int]) -> dict[str, Any]:
            b, e = region
            return {"@id": iris.span(key, b, e), "@type": "TextSpan", "beginIndex": b, "endIndex": e,
                    "anchorOf": text.value[b:e], "referenceContext": art}

        def mention(iri: str) -> str:
            if iri not in mentions:
                mentions.append(iri)
            return iri

        # the first line: a photo caption with the date, or a headline
        main_kind = rng.choices(list(MAIN_KINDS), weights=list(MAIN_KINDS.values()))[0]
        day = published - timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
        people_main = self._delegations(sides)
        lead_person = people_main[0] if people_main else None
        caption = (f"{self._title(lead_person)} {lead_person.name} and the {w.countries[guest]['name']} delegation "
                   f"at the {w.kinds[main_kind]} (Photo: {credit})" if lead_person
                   else f"At the {w.kinds[main_kind]} in {place_name} (Photo: {credit})")
        headline = None
        if rng.random() < 0.8:
            caption_region = text.add(f" date {published.isoformat()} {caption}", sep="")
            caption_region = (caption_region[0] + len(f" date {published.isoformat()} "), caption_region[1])
        else:
            headline = f"{w.countries[home]['name']}, {w.countries[guest]['name']} step up security cooperation"
            caption_region = text.add(headline, sep="")
        text.value += "\n\n"

        # the main events: one, or talks followed by a signing ceremony
        events: list[tuple[Event, list[tuple[int, int]], list[str]]] = []
        stated = f"on {MONTHS[day.month - 1]} {day.day}"
        main = self._event(main_kind, "held", _day(day), stated, place, sides, people_main,
                           [home, guest] if main_kind != "visit" else [guest])
        verb = VERBS[main_kind]
        lead = text.add(f"{place_name} ({credit}) - The {sides[0].label} and the {sides[1].label} {stated} {verb} "
                        f"in {place_name} to discuss measures to strengthen their cooperation.", sep="")
        main_regions = [caption_region, lead] if headline is None else [lead]
        events.append((main, main_regions, []))
        signing: Event | None = None
        if budget > 1 and rng.random() < 0.3:
            signing = self._event("signing-ceremony", "held", _day(day), stated, place, sides,
                                  people_main[:2], [home, guest])
            sign_region = text.add(f"After the {w.kinds[main_kind]}, the two sides signed a memorandum of "
                                   f"understanding on cooperation in crime prevention.")
            events.append((signing, [lead, sign_region], []))
        text.value += "\n\n"

        # who said what: one sentence per official
        person_regions: dict[str, tuple[int, int]] = {}
        for person in people_main:
            rank = f"{w.rank_forms[person.rank][0]} " if person.rank else ""
            person_regions[person.key] = text.add(
                f"{self._title(person)} {rank}{person.name} {rng.choice(['highly valued', 'welcomed', 'praised'])} "
                f"the results of the cooperation between the two sides in recent years and proposed that they "
                f"continue to share information and experience.")
            if rng.random() < 0.5:
                text.add(f"{_surname(person)} said that the {person.org.label} stands ready to support its partner.")
        text.value += "\n\n"

        # what they discussed
        topics = w.some_topics(3, 15)
        topic_regions = []
        for i in range(0, len(topics), 4):
            chunk = [w.topics[t] for t in topics[i:i + 4]]
            listed = ", ".join(chunk[:-1]) + (" and " if len(chunk) > 1 else "") + chunk[-1]
            topic_regions.append(text.add(f"The two sides agreed to step up cooperation in {listed}."))
        events[0][2].extend(topics)
        events[0][1].extend(topic_regions[:2])
        text.value += "\n\n"

        # agreements: the MoU just signed, the programme they carry out, the agreements of the past
        agreements: list[dict[str, Any]] = []
        refers: list[str] = []
        pair = sorted({home, guest})
        if signing is not None:
            mou: dict[str, Any] = {"@id": mention(self._unique_agreement(
                iris.agreement(iris.agreement_key("mou", False, pair, None, _day(day), key)))),
                   "@type": "MemorandumOfUnderstanding",
                   "title": f"Memorandum of understanding between {sides[0].label} and {sides[1].label}",
                   "label": f"Memorandum of understanding between {sides[0].label} and {sides[1].label}",
                   "party": [f"org/{sides[0].key}", f"org/{sides[1].key}"],
                   "subject": [f"topics:{t}" for t in topics[:rng.randint(1, 4)]],
                   "status": "signed", "signedAt": iris.event(signing.key), "evidence": [span(events[1][1][1])]}
            agreements.append(mou)
            events[1][2].append(mou["@id"])
        if rng.random() < 0.45:
            start = 2013 + 3 * ((published.year - 2013) // 3) + rng.choice([0, 0, 3])
            parties = [w.lead_agency(pair[0]), w.lead_agency(pair[1])]
            region = text.add(f"They reviewed the implementation of the cooperation programme between the two ministries "
                              f"for {start}–{start + 2}.")
            prog: dict[str, Any] = {"@id": mention(iris.agreement(
                iris.agreement_key("programme", False, pair, (start, start + 2), None, key))),
                    "@type": "CooperationProgramme",
                    "title": f"Cooperation programme between {parties[0].label} and {parties[1].label} for "
                             f"{start}–{start + 2}",
                    "label": f"Cooperation programme between {parties[0].label} and {parties[1].label} for "
                             f"{start}–{start + 2}",
                    "party": [f"org/{parties[0].key}", f"org/{parties[1].key}"],
                    "validityPeriod": {"@id": iris.period(start, start + 2), "@type": "Interval",
                                       "label": f"{start}–{start + 2}",
                                       "hasBeginning": {"@id": iris.instant(start), "@type": "Instant", "label": str(start),
                                                        "inXSDgYear": str(start)},
                                       "hasEnd": {"@id": iris.instant(start + 2), "@type": "Instant",
                                                  "label": str(start + 2), "inXSDgYear": str(start + 2)}},
                    "status": "signed" if start <= published.year else "planned", "evidence": [span(region)]}
            agreements.append(prog)
            refers.append(prog["@id"])
            for org in parties:
                self._include_org(org, included, mention)
        if rng.random() < 0.3:
            region = text.add("The two sides will continue to implement the cooperation agreements signed by the "
                              "two ministries, especially those on mutual legal assistance.")
            parties = [w.lead_agency(pair[0]), w.lead_agency(pair[1])]
            aset: dict[str, Any] = {"@id": mention(iris.agreement(iris.agreement_key("agreement", True, pair, None, None, key))),
                                    "@type": "CooperationAgreement",
                    "title": f"Cooperation agreements between {parties[0].label} and {parties[1].label}",
                    "label": f"Cooperation agreements between {parties[0].label} and {parties[1].label}",
                    "party": [f"org/{o.key}" for o in parties], "subject": [f"topics:{t}" for t in topics[:rng.randint(1, 3)]],
                    "status": "signed", "collective": True, "evidence": [span(region)]}
            agreements.append(aset)
            refers.append(aset["@id"])
            for org in parties:
                self._include_org(org, included, mention)
        text.value += "\n\n"

        # events the article mentions besides its news: an earlier conference, a planned visit, a past signing
        mentioned: list[tuple[Event, list[tuple[int, int]], list[str]]] = []
        n_mentioned = min(budget - len(events), rng.choices([0, 1, 2], weights=[3, 4, 3])[0])
        for _ in range(max(0, n_mentioned)):
            kind = rng.choices(list(MENTIONED_KINDS), weights=list(MENTIONED_KINDS.values()))[0]
            item = self._mentioned(kind, published, home, guest, sides, text, agreements, mention, span)
            if item is not None:
                mentioned.append(item)
        text.add("The two sides agreed to hold the next meeting at a convenient time.", sep="\n\n")

        # the record, as the extractor writes it
        def event_json(ev: Event, regions: list[tuple[int, int]], extra: list[str], main_event: bool) -> dict[str, Any]:
            out: dict[str, Any] = {"@id": iris.event(ev.key), "@type": "CooperationEvent",
                                   "label": self._event_label(ev), "eventKind": f"kinds:{ev.kind}", "status": ev.status}
            if ev.date:
                lexical, datatype = ev.date.xsd()
                out["date"] = {"@value": lexical, "@type": f"xsd:{datatype}"}
                out["dateAsStated"] = ev.stated
            if ev.ordinal:
                out["ordinal"] = ev.ordinal
            if ev.place:
                out["place"] = mention(f"place/{ev.place}")
                self._include_place(ev.place, included)
            out["involvesOrganization"] = [mention(f"org/{o.key}") for o in ev.orgs]
            for org in ev.orgs:
                self._include_org(org, included, mention)
            if ev.people:
                out["hasParticipation"] = [self._participation(ev, p, person_regions.get(p.key) or regions[0], included,
                                                               mention, span) for p in ev.people]
            topics_of = [t for t in extra if t in w.topics]
            if topics_of:
                out["topic"] = [f"topics:{t}" for t in topics_of]
            signed = [a for a in extra if a.startswith("agreement/")]
            if signed:
                out["signing"] = signed
            if main_event and refers:
                out["refersTo"] = refers
            if signing is not None and ev is signing:
                out["subEventOf"] = iris.event(main.key)
            out["evidence"] = [span(r) for r in dict.fromkeys(regions)]
            return out

        body_text = text.value
        lead_text = body_text[lead[0]:lead[1]]
        record: dict[str, Any] = {
            META: {"source": f"{stem}.txt", "article_sha256": hashlib.sha256(body_text.encode()).hexdigest(),
                        "extractor": "bench", "generated_sha256": ""},
            "@context": "https://w3id.org/coopld/context.jsonld",
            "@id": art, "@type": "Article",
            "label": lead_text[:117].rstrip() + "…" if len(lead_text) > 118 else lead_text,
            "sourceFile": f"{stem}.txt", "sha256": hashlib.sha256(body_text.encode()).hexdigest(),
            "published": published.isoformat(),
        }
        if headline:
            record["headline"] = headline
        else:
            record["caption"] = caption
        record["publisher"] = f"org/{publisher.key}"
        self._include_org(publisher, included, lambda iri: iri)
        record["text"] = body_text
        record["reportsEvent"] = [event_json(ev, regs, extra, i == 0) for i, (ev, regs, extra) in enumerate(events)]
        if mentioned:
            record["mentionsEvent"] = [event_json(ev, regs, extra, False) for ev, regs, extra in mentioned]
        record["mentions"] = mentions
        record["@included"] = [*agreements, *(included[k] for k in sorted(included))]
        record[META]["generated_sha256"] = body_digest(record)  # as the extractor writes it: not curated
        return stem, record, len(events) + len(mentioned)

    # pieces of a record ----------------------------------------------------------------------

    def _delegations(self, sides: list[Org]) -> list[Person]:
        people: list[Person] = []
        for org in sides:
            for _ in range(self.rng.choices([0, 1, 2], weights=[2, 6, 2])[0]):
                person = self.world.official(org)
                if person not in people:
                    people.append(person)
        return people

    def _title(self, person: Person) -> str:
        return f"{self.world.roles[person.role]} of the {person.org.label}"

    def _event(self, kind: str, status: str, when: PartialDate | None, stated: str | None, place: str | None,
               orgs: list[Org], people: list[Person], countries: list[str], ordinal: int | None = None) -> Event:
        """An event with a key of its own, minted as coopld mints it (``iris.event_key``)."""
        suffix = 1
        while True:
            key = iris.event_key(kind, when, countries, place, ordinal, [p.key for p in people])
            key = ("planned-" if status == "planned" else "") + key + (f"-{suffix}" if suffix > 1 else "")
            if key not in self.event_keys:
                self.event_keys.add(key)
                return Event(key, kind, status, when, stated, place, orgs, people, ordinal)
            # that event exists already (another article's): move this one by a day, or number it
            if when is not None and when.year and when.month and when.day:
                moved = date(when.year, when.month, when.day) - timedelta(days=1)
                when, stated = _day(moved), f"on {MONTHS[moved.month - 1]} {moved.day}"
            elif ordinal:
                ordinal += 1
            else:
                suffix += 1

    def _event_label(self, ev: Event) -> str:
        w = self.world
        when = ev.date.xsd()[0] if ev.date else None
        where = (w.cities[ev.place]["name"] if ev.place in w.cities else w.countries[ev.place]["name"]) if ev.place else None
        paren = ", ".join(x for x in (where, when) if x)
        if ev.kind == "visit" and ev.people:
            return f"Visit of {ev.people[0].name}" + (f" ({paren})" if paren else "")
        kind = w.kinds[ev.kind]
        kind = (f"{_ordinal(ev.ordinal)} {kind}" if ev.ordinal else kind[0].upper() + kind[1:])
        between = " and ".join(o.label for o in ev.orgs)
        return f"{kind} between {between}" + (f" ({paren})" if paren else "")

    def _participation(self, ev: Event, person: Person, region: tuple[int, int], included: dict[str, dict[str, Any]],
                       mention: Any, span: Any) -> dict[str, Any]:
        w = self.world
        post_key = iris.post(person.org.key, person.role)
        stated = f"{w.roles[person.role]} of the {person.org.label}"
        out: dict[str, Any] = {"@id": iris.participation(ev.key, person.key), "@type": "Participation",
                               "label": f"{person.name}, {stated}", "participant": mention(f"person/{person.key}")}
        if person.rank:
            out["rank"] = f"ranks:{person.rank}"
            out["rankAsStated"] = w.rank_forms[person.rank][0]
        out["postAsStated"] = [stated]
        out["post"] = [post_key]
        out["onBehalfOf"] = f"org/{person.org.key}"
        out["evidence"] = [span(region)]
        person_json: dict[str, Any] = {"@id": f"person/{person.key}", "@type": ["Person", "schema:Person"],
                                       "label": person.name, "name": person.name}
        if person.aliases:
            person_json["nameAsStated"] = person.aliases
        included[person_json["@id"]] = person_json
        included[post_key] = {"@id": post_key, "@type": "Post",
                              "label": f"{w.roles[person.role]}, {person.org.label}",
                              "postIn": f"org/{person.org.key}", "role": f"roles:{person.role}"}
        self._include_org(person.org, included, mention)
        return out

    def _include_org(self, org: Org, included: dict[str, dict[str, Any]], mention: Any) -> None:
        for node in self.world.ancestry(org):
            iri = f"org/{node.key}"
            mention(iri)
            if iri in included:
                continue
            entry: dict[str, Any] = {"@id": iri, "@type": [node.type, "Organization"], "label": node.label}
            if node.country:
                entry["country"] = f"place/{node.country}"
                self._include_place(node.country, included)
            if node.parent and node.parent in self.world.orgs:
                entry["subOrganizationOf"] = f"org/{node.parent}"
            if node.aliases and self.rng.random() < 0.5:
                entry["nameAsStated"] = sorted(self.rng.sample(node.aliases, 1))
            included[iri] = entry

    def _include_place(self, key: str, included: dict[str, dict[str, Any]]) -> None:
        w = self.world
        iri = f"place/{key}"
        if iri in included:
            return
        if key in w.cities:
            included[iri] = {"@id": iri, "@type": ["City"], "label": w.cities[key]["name"],
                             "country": f"place/{w.cities[key]['country']}"}
            self._include_place(w.cities[key]["country"], included)
        else:
            included[iri] = {"@id": iri, "@type": ["Country"], "label": w.countries[key]["name"]}

    def _mentioned(self, kind: str, published: date, home: str, guest: str, sides: list[Org], text: Text,
                   agreements: list[dict[str, Any]], mention: Any,
                   span: Any) -> tuple[Event, list[tuple[int, int]], list[str]] | None:
        w, rng = self.world, self.rng
        pair = sorted({home, guest})
        if kind == "visit":
            visitor = guest if rng.random() < 0.5 else home
            host = home if visitor == guest else guest
            head = w.state(visitor)
            person = w.official(head)
            planned = rng.random() < 0.4
            if planned:
                month = (published.month % 12) + 1
                year = published.year + (1 if month == 1 else 0)
                when: PartialDate | None = PartialDate(year, month) if rng.random() < 0.7 else None
                stated = f"in {MONTHS[month - 1]}" if when else None
                region = text.add(f"{person.name} is expected to pay an official visit to "
                                  f"{w.countries[host]['name']}" + (f" {stated}." if stated else " soon."))
            else:
                month = rng.randint(1, 12)
                year = published.year - (1 if month >= published.month else 0)
                when, stated = PartialDate(year, month), f"in {MONTHS[month - 1]} {year}"
                region = text.add(f"The official visit to {w.countries[host]['name']} by {w.roles[person.role]} "
                                  f"{person.name} {stated} gave a new impetus to the relations between the two countries.")
            ev = self._event("visit", "planned" if planned else "held", when, stated, host, [head], [person], [visitor])
            return ev, [region], []
        if kind == "conference":
            ordinal = rng.randint(2, 12)
            month = rng.randint(1, 12)
            year = published.year - (1 if month >= published.month else 0)
            when, stated = PartialDate(year, month), f"in {MONTHS[month - 1]}"
            orgs = [w.lead_agency(pair[0]), w.lead_agency(pair[1])]
            topic = w.some_topics(1, 2)
            region = text.add(f"The {_ordinal(ordinal)} conference between the two ministries on crime prevention, held "
                              f"{stated}, reached important results.")
            ev = self._event("conference", "held", when, stated, None, orgs, [], pair, ordinal=ordinal)
            return ev, [region], topic
        if kind == "signing-ceremony":
            month = rng.randint(1, 12)
            when, stated = PartialDate(month=month), f"in {MONTHS[month - 1]}"
            orgs = [w.lead_agency(pair[0]), w.lead_agency(pair[1])]
            region = text.add(f"The two ministries signed a cooperation agreement {stated}, which is being carried out.")
            ev = self._event("signing-ceremony", "held", when, stated, None, orgs, [], pair)
            iri = mention(self._unique_agreement(iris.agreement(iris.agreement_key("agreement", False, pair, None, when,
                                                                                    ev.key))))
            entry = {"@id": iri, "@type": "CooperationAgreement",
                     "title": f"Cooperation agreement between {orgs[0].label} and {orgs[1].label}",
                     "label": f"Cooperation agreement between {orgs[0].label} and {orgs[1].label}",
                     "party": [f"org/{o.key}" for o in orgs], "status": "signed", "signedAt": iris.event(ev.key),
                     "evidence": [span(region)]}
            agreements.append(entry)
            return ev, [region], [iri]
        # talks or a meeting held some months before
        past = published - timedelta(days=rng.randint(30, 700))
        stated = f"in {MONTHS[past.month - 1]} {past.year}"
        when = PartialDate(past.year, past.month)
        region = text.add(f"The {w.kinds[kind]} between the two sides {stated} opened new prospects for cooperation.")
        ev = self._event(kind, "held", when, stated, None, list(sides), [], pair)
        return ev, [region], []


def records(params: Params, root: Path = ROOT) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file stem, record) of every generated article, until ``params.events`` events exist."""
    rng = random.Random(params.seed)
    world = World(root, rng)
    writer = ArticleWriter(world, rng)
    made, index = 0, 0
    while made < params.events:
        stem, record, count = writer.record(index, params.seed, params.events - made)
        made += count
        index += 1
        yield stem, record


# --- the build ----------------------------------------------------------------------------------

_RESOURCES: Any = None


def _init_worker(settings: Any) -> None:
    global _RESOURCES
    from coopld.build_inputs import load_resources

    # the parent handles Ctrl-C (it cancels the batches); SIGTERM from it ends a worker at once
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    _RESOURCES = load_resources(settings)


def _map_batch(batch: list[tuple[str, dict[str, Any]]], infer: bool) -> tuple[list[str], str]:
    """Map a batch of records to N-Triples (one string per article) and close their union under OWL RL."""
    from coopld.mapping import new_graph, record_to_graph

    res = _RESOURCES
    union = new_graph()
    asserted = []
    for _stem, record in batch:
        graph = record_to_graph(record, res.context, res.settings.id_base)
        asserted.append(graph.serialize(format="nt"))
        union += graph
    inferred = res.reasoner.infer(union).serialize(format="nt") if infer else ""
    return asserted, inferred


def generate(out: Path, params: Params, *, jobs: int = 2, records_dir: Path | None = None,
             log: Any = print) -> dict[str, Any]:
    """Write a build folder for ``params`` into ``out`` (replaced); return its summary."""
    from coopld.build import SPOOL, ArticleResult, BuildResult, map_and_check, publish_dataset
    from coopld.build_inputs import load_resources
    from coopld.config import load_settings
    from coopld.conflicts import agreement_classes
    from coopld.errors import ConflictError
    from coopld.publish import Publisher
    from coopld.spool import Spool

    started = time.monotonic()
    timings: dict[str, float] = {}
    settings = load_settings(out_dir=out, base_iri=params.base_iri)
    res = load_resources(settings)

    items = list(records(params))
    timings["records"] = time.monotonic() - started
    log(f"generated {len(items)} article records with {params.events} events")
    if records_dir is not None:
        records_dir.mkdir(parents=True, exist_ok=True)
        for stem, record in items:
            (records_dir / f"{stem}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                                      encoding="utf-8")

    mark = time.monotonic()
    batches = [items[i:i + params.batch] for i in range(0, len(items), params.batch)]
    results: list[ArticleResult] = []
    step = max(1, len(batches) // 10)
    pool = ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_init_worker, initargs=(settings,))
    try:
        done = 0
        mapped = pool.map(_map_batch, batches, [params.infer] * len(batches))
        for n, (batch, (asserted, inferred)) in enumerate(zip(batches, mapped, strict=True), start=1):
            for i, ((stem, _record), nt) in enumerate(zip(batch, asserted, strict=True)):
                # the batch's inferred triples travel with its first article; the spool pools them all
                results.append(ArticleResult(Path(f"{stem}.txt"), slugify(stem), record_status="generated",
                                             asserted=nt, inferred=inferred if i == 0 else ""))
            done += len(batch)
            if len(batches) > 20 and n % step == 0:
                log(f"  mapped{' and inferred' if params.infer else ''}: {done}/{len(items)} articles")
    finally:  # interrupted: drop the batches not started rather than run them all
        pool.shutdown(wait=True, cancel_futures=True)
    timings["map_and_infer"] = time.monotonic() - mark

    mark = time.monotonic()
    for result, (_stem, record) in islice(zip(results, items, strict=True), params.check):
        _asserted, _inferred, report = map_and_check(record, res)
        if report.violations:
            raise RuntimeError(f"generated record {result.path.stem} breaks a shape:\n" + "\n".join(report.messages))
        result.keep_report(report)
    timings["validate_sample"] = time.monotonic() - mark

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with Publisher(out) as publisher:
        mark = time.monotonic()
        spool = Spool(publisher.staging / SPOOL, settings, agreement_classes(res.ontology))
        for result in results:
            spool.add(result)
        report = spool.close()
        if spool.conflicts.found:
            raise ConflictError(spool.conflicts.found)
        timings["spool"] = time.monotonic() - mark
        mark = time.monotonic()
        outcome = BuildResult(results, report, out)
        publish_dataset(outcome, spool, res, publisher, jobs=jobs,
                        only=None if params.dumps == "all" else {"coopld.nq", "validation-report.ttl"})
    timings["dumps_count_store"] = time.monotonic() - mark
    timings["total"] = time.monotonic() - started
    summary = {"params": asdict(params), "generator": GENERATOR_VERSION, "counts": outcome.counts,
               "seconds": {k: round(v, 1) for k, v in timings.items()}}
    (out / "bench.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=Params.events, help="cooperation events to generate")
    parser.add_argument("--seed", type=int, default=Params.seed)
    parser.add_argument("--out", type=Path, required=True, help="build folder to write (replaced)")
    parser.add_argument("--records", type=Path, help="also write the records here, to read them")
    parser.add_argument("--batch", type=int, default=Params.batch, help="articles per inference batch")
    parser.add_argument("--check", type=int, default=Params.check, help="articles to validate against the shapes")
    parser.add_argument("--no-infer", action="store_true", help="skip OWL RL inference")
    parser.add_argument("--dumps", choices=["minimal", "all"], default=Params.dumps,
                        help="minimal: coopld.nq and the report (what the server needs); all: every dump")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    params = Params(events=args.events, seed=args.seed, batch=args.batch, check=args.check, infer=not args.no_infer,
                    dumps=args.dumps)
    summary = generate(args.out, params, jobs=args.jobs, records_dir=args.records)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
