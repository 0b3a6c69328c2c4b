"""The extractor's knowledge, loaded from ``mappings/``: gazetteers, titles, event and agreement
patterns, topic triggers. Everything a user may extend lives in those files; this module only
reads them, checks that every key they use exists, and compiles their patterns once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.namespace import SKOS

from coopld.errors import MappingError
from coopld.vocab import KIND, RANK, ROLE, TOPIC

ORG_TYPES = ("GovernmentAgency", "PoliticalOrganization", "InternationalOrganization", "NewsAgency", "State")


@dataclass(frozen=True)
class Country:
    key: str
    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    state: str
    code: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class City:
    key: str
    name: str
    aliases: tuple[str, ...]
    country: str


@dataclass(frozen=True)
class Function:
    key: str
    type: str
    names: tuple[str, ...]
    domains: tuple[str, ...]
    collective: tuple[str, ...]


@dataclass(frozen=True)
class OrgEntry:
    key: str
    name: str
    type: str
    country: str | None
    function: str | None
    parent: str | None
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]
    credits: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class PersonEntry:
    key: str
    name: str
    aliases: tuple[str, ...]
    country: str | None


@dataclass(frozen=True)
class Title:
    key: str
    forms: tuple[str, ...]
    state_post: bool = False


@dataclass(frozen=True)
class EventKindDef:
    key: str
    triggers: tuple[re.Pattern[str], ...]
    principal: int
    lemmas: tuple[re.Pattern[str], ...] = ()  # patterns over the sentence's lemmas


@dataclass(frozen=True)
class AgreementKindDef:
    key: str
    cls: str
    label: str
    triggers: tuple[re.Pattern[str], ...]
    plural: re.Pattern[str]


def literal_pattern(forms: list[str] | tuple[str, ...], *, dots_optional: bool = False) -> str:
    """An alternation of literal forms, longest first, so that the longest form wins."""
    parts = []
    for form in sorted(set(forms), key=lambda f: (-len(f), f)):
        escaped = re.escape(form)
        if dots_optional:
            escaped = escaped.replace(r"\.", r"\.?")
        parts.append(re.sub("['’]", "['’]", escaped.replace(r"\ ", r"\s+")))
    return "|".join(parts) if parts else r"(?!x)x"


@dataclass
class Lexicon:
    """Everything in ``mappings/``, checked and compiled."""

    countries: dict[str, Country]
    cities: dict[str, City]
    functions: dict[str, Function]
    organizations: dict[str, OrgEntry]
    persons: dict[str, PersonEntry]
    ranks: dict[str, Title]
    roles: dict[str, Title]
    event_kinds: dict[str, EventKindDef]
    agreement_kinds: dict[str, AgreementKindDef]
    topics: dict[str, tuple[re.Pattern[str], ...]]
    cues: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    honorifics: tuple[str, ...] = ()
    topic_lemmas: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)

    # Lookups derived once from the tables above.

    @cached_property
    def country_by_name(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for c in self.countries.values():
            for name in (c.name, *c.aliases, c.state):
                table[_norm(name)] = c.key
        return table

    @cached_property
    def country_in_name_re(self) -> re.Pattern[str]:
        """Any country's name or alias as whole words, in any case."""
        forms = [f for c in self.countries.values() for f in (c.name, *c.aliases)]
        return re.compile(rf"(?<!\w)(?:{literal_pattern(forms)})(?!\w)", re.IGNORECASE)

    @cached_property
    def country_by_code(self) -> dict[str, str]:
        """Country keys by ISO 3166-1 alpha-2 code."""
        return {c.code: c.key for c in self.countries.values() if c.code}

    @cached_property
    def country_by_demonym(self) -> dict[str, str]:
        return {_norm(d): c.key for c in self.countries.values() for d in c.demonyms}

    @cached_property
    def city_by_name(self) -> dict[str, str]:
        return {_norm(n): c.key for c in self.cities.values() for n in (c.name, *c.aliases)}

    @cached_property
    def org_by_alias(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for o in self.organizations.values():
            for alias in (o.name, *o.aliases, *o.acronyms):
                table[_norm(alias)] = o.key
        return table

    @cached_property
    def org_by_function(self) -> dict[tuple[str, str], str]:
        return {(o.function, o.country): o.key for o in self.organizations.values() if o.function and o.country}

    @cached_property
    def function_by_name(self) -> dict[str, str]:
        return {_norm(n): f.key for f in self.functions.values() for n in f.names}

    @cached_property
    def function_by_domain(self) -> dict[str, str]:
        return {_norm(d): f.key for f in self.functions.values() for d in f.domains}

    @cached_property
    def function_by_collective(self) -> dict[str, str]:
        return {_norm(n): f.key for f in self.functions.values() for n in f.collective}

    @cached_property
    def person_by_alias(self) -> dict[str, str]:
        return {_norm(a): p.key for p in self.persons.values() for a in (p.name, *p.aliases)}

    @cached_property
    def rank_by_form(self) -> dict[str, str]:
        return {_norm(f).replace(".", ""): r.key for r in self.ranks.values() for f in r.forms}

    @cached_property
    def role_by_form(self) -> dict[str, str]:
        return {_norm(f).replace(".", ""): r.key for r in self.roles.values() for f in r.forms}

    # Compiled recognisers.

    @cached_property
    def demonym_re(self) -> str:
        return literal_pattern([d for c in self.countries.values() for d in c.demonyms])

    @cached_property
    def country_name_re(self) -> str:
        return literal_pattern([n for c in self.countries.values() for n in (c.name, *c.aliases, c.state)])

    def cue(self, name: str) -> tuple[re.Pattern[str], ...]:
        return self.cues.get(name, ())


def _norm(text: str) -> str:
    """The comparison form of a name: case, spacing and apostrophes do not matter."""
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


norm = _norm


def _lemma_bounded(pattern: str) -> str:
    """A pattern over a lemma view (lower-case lemmas joined by spaces) that matches whole words."""
    return rf"(?<![\w-])(?:{pattern})(?![\w-])"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError("the mapping file is missing", path=path) from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"cannot read the mapping file: {exc}", path=path) from exc


def _compile(pattern: str, path: Path, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise MappingError(f"{where}: invalid pattern {pattern!r}: {exc}", path=path) from exc


def _strs(value: Any, path: Path, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MappingError(f"{where}: expected a list of strings", path=path)
    return tuple(value)


def _req(table: dict[str, Any], key: str, path: Path, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise MappingError(f"{where}: '{key}' is required and must be a string", path=path)
    return value


def _concept_keys(vocab_file: Path, namespace: str) -> dict[str, str]:
    """Keys and labels of a vocabulary's concepts, so that mappings cannot name a missing one."""
    graph = Graph()
    try:
        graph.parse(vocab_file, format="turtle")
    except Exception as exc:  # rdflib raises many parser types; all mean the same here
        raise MappingError(f"cannot parse the vocabulary: {exc}", path=vocab_file) from exc
    keys: dict[str, str] = {}
    for concept, label in graph.subject_objects(SKOS.prefLabel):
        iri = str(concept)
        if iri.startswith(namespace):
            keys[iri[len(namespace):]] = str(label)
    return keys


def load_lexicon(mappings_dir: Path, vocab_dir: Path) -> Lexicon:
    """Read every mapping file and check it against the vocabularies."""
    places_path = mappings_dir / "gazetteer" / "places.toml"
    orgs_path = mappings_dir / "gazetteer" / "organizations.toml"
    persons_path = mappings_dir / "gazetteer" / "persons.toml"
    titles_path = mappings_dir / "titles.toml"
    events_path = mappings_dir / "events.toml"
    agreements_path = mappings_dir / "agreements.toml"
    topics_path = mappings_dir / "topics.toml"

    places = _read_toml(places_path)
    countries = {
        key: Country(key, _req(t, "name", places_path, f"countries.{key}"),
                     _strs(t.get("aliases"), places_path, f"countries.{key}.aliases"),
                     _strs(t.get("demonyms"), places_path, f"countries.{key}.demonyms"),
                     t.get("state") or t["name"])
        for key, t in places.get("countries", {}).items()
    }
    from coopld.extract.countries import with_world  # it builds on this module's Country

    countries = with_world(countries)
    cities = {}
    for key, t in places.get("cities", {}).items():
        country = _req(t, "country", places_path, f"cities.{key}")
        if country not in countries:
            raise MappingError(f"cities.{key}: unknown country {country!r}", path=places_path)
        cities[key] = City(key, _req(t, "name", places_path, f"cities.{key}"),
                           _strs(t.get("aliases"), places_path, f"cities.{key}.aliases"), country)

    orgs_toml = _read_toml(orgs_path)
    functions = {}
    for key, t in orgs_toml.get("functions", {}).items():
        ftype = t.get("type", "GovernmentAgency")
        if ftype not in ORG_TYPES:
            raise MappingError(f"functions.{key}: unknown type {ftype!r}", path=orgs_path)
        functions[key] = Function(key, ftype, _strs(t.get("names"), orgs_path, f"functions.{key}.names"),
                                  _strs(t.get("domains"), orgs_path, f"functions.{key}.domains"),
                                  _strs(t.get("collective"), orgs_path, f"functions.{key}.collective"))
    organizations = {}
    for key, t in orgs_toml.get("organizations", {}).items():
        where = f"organizations.{key}"
        otype = _req(t, "type", orgs_path, where)
        if otype not in ORG_TYPES:
            raise MappingError(f"{where}: unknown type {otype!r}; use one of {', '.join(ORG_TYPES)}", path=orgs_path)
        country = t.get("country")
        if country is not None and country not in countries:
            raise MappingError(f"{where}: unknown country {country!r}", path=orgs_path)
        function = t.get("function")
        if function is not None and function not in functions:
            raise MappingError(f"{where}: unknown function {function!r}", path=orgs_path)
        organizations[key] = OrgEntry(key, _req(t, "name", orgs_path, where), otype, country, function,
                                      t.get("parent"), _strs(t.get("aliases"), orgs_path, f"{where}.aliases"),
                                      _strs(t.get("acronyms"), orgs_path, f"{where}.acronyms"),
                                      tuple(_compile(p, orgs_path, f"{where}.credits", re.MULTILINE)
                                            for p in _strs(t.get("credits"), orgs_path, f"{where}.credits")))
    for org in organizations.values():
        if org.parent is not None and org.parent not in organizations:
            raise MappingError(f"organizations.{org.key}: unknown parent {org.parent!r}", path=orgs_path)

    persons_toml = _read_toml(persons_path)
    persons = {}
    for key, t in persons_toml.get("persons", {}).items():
        country = t.get("country")
        if country is not None and country not in countries:
            raise MappingError(f"persons.{key}: unknown country {country!r}", path=persons_path)
        persons[key] = PersonEntry(key, _req(t, "name", persons_path, f"persons.{key}"),
                                   _strs(t.get("aliases"), persons_path, f"persons.{key}.aliases"), country)

    vocab_labels: dict[str, str] = {}
    rank_keys = _concept_keys(vocab_dir / "ranks.ttl", str(RANK))
    role_keys = _concept_keys(vocab_dir / "roles.ttl", str(ROLE))
    kind_keys = _concept_keys(vocab_dir / "event-kinds.ttl", str(KIND))
    topic_keys = _concept_keys(vocab_dir / "topics.ttl", str(TOPIC))
    for prefix, keys in (("rank", rank_keys), ("role", role_keys), ("kind", kind_keys), ("topic", topic_keys)):
        vocab_labels.update({f"{prefix}:{k}": v for k, v in keys.items()})

    titles = _read_toml(titles_path)

    def _titles(section: str, known: dict[str, str]) -> dict[str, Title]:
        out = {}
        for key, t in titles.get(section, {}).items():
            if key not in known:
                raise MappingError(f"{section}.{key}: not a concept of the {section} vocabulary", path=titles_path)
            out[key] = Title(key, _strs(t.get("forms"), titles_path, f"{section}.{key}.forms"), bool(t.get("state_post")))
        return out

    ranks = _titles("ranks", rank_keys)
    roles = _titles("roles", role_keys)

    events_toml = _read_toml(events_path)
    event_kinds = {}
    for key, t in events_toml.get("kinds", {}).items():
        if key not in kind_keys:
            raise MappingError(f"kinds.{key}: not a concept of the event-kind vocabulary", path=events_path)
        triggers = tuple(_compile(p, events_path, f"kinds.{key}") for p in _strs(t.get("triggers"), events_path, key))
        lemmas = tuple(_compile(_lemma_bounded(p), events_path, f"kinds.{key}.lemmas")
                       for p in _strs(t.get("lemmas"), events_path, f"{key}.lemmas"))
        event_kinds[key] = EventKindDef(key, triggers, int(t.get("principal", 9)), lemmas)
    cues = {name: tuple(_compile(p, events_path, f"cues.{name}") for p in _strs(v, events_path, name))
            for name, v in events_toml.get("cues", {}).items()}

    agreements_toml = _read_toml(agreements_path)
    agreement_kinds = {}
    for key, t in agreements_toml.get("kinds", {}).items():
        where = f"kinds.{key}"
        agreement_kinds[key] = AgreementKindDef(
            key, _req(t, "class", agreements_path, where), _req(t, "label", agreements_path, where),
            tuple(_compile(p, agreements_path, where) for p in _strs(t.get("triggers"), agreements_path, where)),
            _compile(t.get("plural", r"(?!x)x"), agreements_path, where))
    for section in ("periods", "parties", "status", "subjects"):
        for name, patterns in agreements_toml.get(section, {}).items():
            cues[f"{section}.{name}"] = tuple(
                _compile(p, agreements_path, f"{section}.{name}", re.IGNORECASE | re.MULTILINE)
                for p in _strs(patterns, agreements_path, f"{section}.{name}"))

    topics_toml = _read_toml(topics_path)
    topics = {}
    topic_lemmas = {}
    for key, t in topics_toml.get("topics", {}).items():
        if key not in topic_keys:
            raise MappingError(f"topics.{key}: not a concept of the topic vocabulary", path=topics_path)
        topic_lemmas[key] = tuple(_compile(_lemma_bounded(p), topics_path, f"topics.{key}.lemmas")
                                  for p in _strs(t.get("lemmas"), topics_path, f"topics.{key}.lemmas"))
        topics[key] = tuple(_compile(rf"(?<!\w)(?:{p})(?!\w)", topics_path, f"topics.{key}")
                            for p in _strs(t.get("patterns"), topics_path, f"topics.{key}"))

    honorifics = _strs(titles.get("honorifics", {}).get("forms"), titles_path, "honorifics.forms")
    return Lexicon(countries, cities, functions, organizations, persons, ranks, roles,
                   event_kinds, agreement_kinds, topics, cues, vocab_labels, honorifics, topic_lemmas)
