"""The things one article speaks of, each under one key however the article writes it.

Keys come from the gazetteers when an entity is known there; otherwise they are made from the
entity's name (and country, for national agencies), so that the same unknown agency gets the
same key in every article that names it the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from slugify import slugify

from coopld.extract.entities import Mention
from coopld.extract.lexicon import Lexicon, norm


@dataclass
class OrgInfo:
    key: str
    name: str
    type: str
    country: str | None = None
    parent: str | None = None
    function: str | None = None
    stated: set[str] = field(default_factory=set)
    mentioned: bool = True


@dataclass
class PersonInfo:
    key: str
    name: str
    country: str | None = None
    stated: set[str] = field(default_factory=set)
    known: bool = False


@dataclass
class PlaceInfo:
    key: str
    name: str
    type: str  # "City" or "Country"
    country: str | None = None
    mentioned: bool = True


class Registry:
    """Resolves mentions to entity keys and remembers every entity the article needs."""

    def __init__(self, lexicon: Lexicon, home_country: str | None) -> None:
        self.lex = lexicon
        self.home_country = home_country
        self.orgs: dict[str, OrgInfo] = {}
        self.persons: dict[str, PersonInfo] = {}
        self.places: dict[str, PlaceInfo] = {}
        # countries in which the article explicitly names an agency of each function
        self.function_countries: dict[str, set[str]] = {}
        # every mention resolved so far, by span, so that a name resolves the same way twice
        self._resolved: dict[tuple[int, int], str | None] = {}
        # organization keys by each tail after a "-" ("vn-police" under "police"), and persons by
        # each word of their names: lookups that would otherwise scan every entity per mention
        self._org_tails: dict[str, list[str]] = {}
        self._org_order: dict[str, int] = {}
        self._person_words: dict[str, set[str]] = {}

    # Places

    def country(self, key: str, *, mentioned: bool = True) -> str:
        entry = self.lex.countries[key]
        info = self.places.setdefault(key, PlaceInfo(key, entry.name, "Country", mentioned=mentioned))
        info.mentioned = info.mentioned or mentioned
        return key

    def city(self, key: str, *, mentioned: bool = True) -> str:
        entry = self.lex.cities[key]
        self.country(entry.country, mentioned=False)
        info = self.places.setdefault(key, PlaceInfo(key, entry.name, "City", entry.country, mentioned=mentioned))
        info.mentioned = info.mentioned or mentioned
        return key

    def place(self, mention: Mention) -> str | None:
        if mention.type == "city" and mention.key:
            return self.city(mention.key)
        if mention.type == "country" and mention.key:
            return self.country(mention.key)
        if mention.type == "city" and mention.name:
            return self.new_city(mention.name, mention.qualifier)
        return None

    def new_city(self, name: str, country: str | None) -> str:
        """A city or province no gazetteer lists, found by the model ("Nusa Dua"), keyed by its
        name and country so that the same name in two countries is two places."""
        slug = slugify(name)
        key = f"{country}-{slug}" if country and not slug.startswith(country) else slug
        if country:
            self.country(country, mentioned=False)
        info = self.places.setdefault(key, PlaceInfo(key, name, "City", country))
        info.mentioned = True
        return key

    # Organizations

    def known_org(self, key: str, *, stated: str | None = None, mentioned: bool = True) -> str:
        entry = self.lex.organizations[key]
        if entry.parent:
            self.known_org(entry.parent, mentioned=False)
        if entry.country:
            self.country(entry.country, mentioned=False)
        info = self._org_info(key) or self._new_org(OrgInfo(key, entry.name, entry.type, entry.country, entry.parent,
                                                        entry.function, mentioned=mentioned))
        info.mentioned = info.mentioned or mentioned
        if stated:
            info.stated.add(stated)
        return key

    def function_org(self, function: str, country: str, *, stated: str | None = None,
                     name: str | None = None) -> str:
        """A country's agency of a kind: the gazetteer's, or a new one keyed by country and kind
        (so "Cambodia's Ministry of Interior" and "the Cambodian Interior Ministry" are one) and
        named as the article first names it."""
        known = self.lex.org_by_function.get((function, country))
        if known:
            return self.known_org(known, stated=stated)
        spec = self.lex.functions[function]
        key = f"{country}-{function}"
        self.country(country, mentioned=False)
        entry = self.lex.countries[country]
        label = name or spec.names[0]
        if stated and not label.startswith("Ministry") and any(stated.startswith(d + " ") for d in entry.demonyms):
            label = stated  # "Australian Federal Police" is the agency's own name
        elif not any(w.lower() in label.lower() for w in (entry.name, *entry.aliases, *entry.demonyms)):
            label = f"{label} of {entry.name}"
        info = self._org_info(key) or self._new_org(OrgInfo(key, label, spec.type, country, function=function))
        if name and info.name == f"{spec.names[0]} of {entry.name}" and name != spec.names[0] and not known:
            info.name = name if any(w.lower() in name.lower() for w in (entry.name, *entry.demonyms)) \
                else f"{name} of {entry.name}"  # first met by post ("Minister of the Interior"), now by name
        if stated and info.name.endswith(f" of {entry.name}") and any(
                stated.startswith(d + " ") for d in entry.demonyms) and "Ministry" not in stated:
            info.name = stated  # first met as an acronym ("PNP"), then by its own name
        if stated:
            info.stated.add(stated)
        return key

    def state_org(self, country: str) -> str:
        """The state as a body, for posts such as "President of China"."""
        key = f"state-{country}"
        self.country(country, mentioned=False)
        if key not in self.orgs:
            self._new_org(OrgInfo(key, self.lex.countries[country].state, "State", country, mentioned=False))
        return key

    def default_country(self, function: str | None) -> str | None:
        """Whose agency an unqualified "Ministry of Public Security" is: the one country whose
        agency of that kind the article names explicitly, else the publisher's country."""
        countries = self.function_countries.get(function or "", set())
        if len(countries) == 1:
            return next(iter(countries))
        return self.home_country

    def note_function(self, mention: Mention) -> None:
        if mention.type == "function" and mention.function and mention.qualifier:
            self.function_countries.setdefault(mention.function, set()).add(mention.qualifier)
        if mention.type == "org" and mention.key:
            entry = self.lex.organizations[mention.key]
            if entry.function and entry.country:
                self.function_countries.setdefault(entry.function, set()).add(entry.country)

    def org(self, mention: Mention, country_hint: str | None = None) -> str | None:
        """The key of the organization a mention names, registering it."""
        span = (mention.start, mention.end)
        if span not in self._resolved:
            self._resolved[span] = self._org(mention, country_hint)
        return self._resolved[span]

    def _org(self, mention: Mention, country_hint: str | None) -> str | None:
        stated = mention.text
        if mention.type == "org" and mention.key:
            return self.known_org(mention.key, stated=stated)
        if mention.type == "function" and mention.function:
            country = mention.qualifier or country_hint or self.default_country(mention.function)
            if country:
                return self.function_org(mention.function, country, stated=stated, name=mention.name)
            # whose agency it is the article does not say: kept under its name, country unknown
            return self._generic(mention.name or stated, None, stated)
        if mention.type == "orgref" and mention.name:
            return self.referred_org(mention.name, mention.qualifier)
        if mention.type == "generic" and mention.inner is not None:
            parent = self._registered(mention.inner)
            if parent is not None:
                child_name = re.sub(r"\s+(?:of|for)(?:\s+the)?\s*$", "",
                                    mention.text[: mention.inner.start - mention.start])
                if child_name and child_name != mention.text:
                    country = self.orgs[parent].country
                    key = self._generic(child_name, country, stated)
                    self.set_parent(key, parent)
                    return key
        if mention.type == "generic" and mention.name:
            name = mention.name.strip()
            return self._generic(name, mention.qualifier or self._country_in(name) or country_hint, stated)
        return None

    def _org_info(self, key: str) -> OrgInfo | None:
        return self.orgs.get(key)

    def _new_org(self, info: OrgInfo) -> OrgInfo:
        """Register an organization, and index its key by every tail after a "-"."""
        self._org_order[info.key] = len(self._org_order)
        self.orgs[info.key] = info
        for i, char in enumerate(info.key):
            if char == "-":
                self._org_tails.setdefault(info.key[i + 1:], []).append(info.key)
        return info

    def _registered(self, mention: Mention) -> str | None:
        """The key of an agency the article has already named on its own, else None."""
        key = None
        if mention.type == "org" and mention.key:
            key = mention.key
        elif mention.type == "function" and mention.function and mention.qualifier:
            key = self.lex.org_by_function.get((mention.function, mention.qualifier),
                                               f"{mention.qualifier}-{mention.function}")
        elif mention.type == "generic" and mention.name:
            slug = slugify(mention.name)
            found = [*([slug] if slug in self.orgs else []), *self._org_tails.get(slug, [])]
            key = min(found, key=self._org_order.__getitem__) if found else None
        return key if key in self.orgs and self.orgs[key].mentioned else None

    def _generic(self, name: str, country: str | None, stated: str) -> str:
        slug = slugify(name)
        if country is None:  # the same name met before with its country known
            country = next((o.country for k in self._org_tails.get(slug, []) if (o := self.orgs[k]).country), None)
        key = slug if country is None or country in slug else f"{country}-{slug}"
        if country:
            self.country(country, mentioned=False)
        info = self._org_info(key) or self._new_org(OrgInfo(key, name, "GovernmentAgency", country))
        info.stated.add(stated)
        return key

    def referred_org(self, noun: str, country: str | None) -> str | None:
        """"the ministry", "the Lao ministry": the one agency of that kind named so far."""
        word = {"ministry": "ministry", "police": "police", "agency": "agency", "department": "department"}[noun.lower()]
        found = [o.key for o in self.orgs.values() if o.mentioned and word in o.name.lower()
                 and (country is None or o.country == country)]
        return found[0] if len(found) == 1 else None

    def set_parent(self, child: str, parent: str) -> None:
        """"X under the Y": X belongs to Y, and to Y's country."""
        info = self.orgs[child]
        if info.parent is None and child != parent:
            info.parent = parent
            if info.country is None:
                info.country = self.orgs[parent].country

    def _country_in(self, name: str) -> str | None:
        m = self.lex.country_in_name_re.search(name)  # whole words: not "Oman" in "Bomana"
        return self.lex.country_by_name.get(norm(m.group(0))) if m else None

    # Persons

    def person(self, name: str, key: str | None, country: str | None) -> str:
        """A person by gazetteer key, or a new one keyed by the name as first written."""
        if key is not None:
            entry = self.lex.persons[key]
            info = self._person(PersonInfo(key, entry.name, entry.country, known=True))
            if entry.country:
                self.country(entry.country, mentioned=False)
        else:
            key = slugify(name)
            info = self._person(PersonInfo(key, name, country))
        if info.country is None and country is not None:
            info.country = country
            self.country(country, mentioned=False)
        info.stated.add(name)
        self._index_words(key, name)
        return key

    def _person(self, info: PersonInfo) -> PersonInfo:
        """The person under this key, registered (and its name indexed) when new."""
        known = self.persons.get(info.key)
        if known is not None:
            return known
        self.persons[info.key] = info
        self._index_words(info.key, info.name)
        return info

    def _index_words(self, key: str, name: str) -> None:
        for word in name.replace(".", " ").split():
            self._person_words.setdefault(word, set()).add(key)

    def person_by_part(self, part: str) -> str | None:
        """The one person of this article one of whose written names has this word."""
        found = self._person_words.get(part, set())
        return next(iter(found)) if len(found) == 1 else None
