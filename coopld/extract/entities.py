"""Finding the names in a sentence: organizations, places, countries and their adjectives,
known people, ranks and roles. Every mention is a typed span; where spans overlap the longest
wins, so "Ministry of Public Security of the Socialist Republic of Vietnam" is one ministry,
not a ministry and a state, and "General Secretary" is a role, not the rank "General"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from coopld.extract.lexicon import Lexicon, literal_pattern, norm
from coopld.extract.text import Sentence

# Nouns that head an organization's name, for agencies no gazetteer lists.
_ORG_HEADS = (r"Ministry|Department|Directorate|Agency|Police|Commission|Council|Bureau|Office|Committee|"
              r"Service|Force|Authority|Administration|Commissariat|Command|Academy|Secretariat|Guard|"
              r"Inspectorate|Institute|Interpol|Procuracy|Court|Customs|Division|Unit|Section|Branch|"
              r"Centre|Center")
# a capitalised word; a possessive ("KNPA's") ends it
_CAP = r"[A-Z][\w&-]*(?:['’](?!s\b)[A-Za-z][\w-]*)?"
_NOT_NAME = r"(?:The|A|An|At|In|On|For|During|Following|Upon|After|By|With|From|To|Both|Its|His|Her|Their)\b"

# "Coordinating Minister for Political, Legal and Security Affairs": a portfolio no gazetteer
# lists, ending in a word portfolios end with
_DOMAIN_PHRASE = re.compile(
    r"(?:(?<=\bfor )|(?<=\bof ))(?P<name>(?:[A-Z][\w-]*(?:,\s+|\s+and\s+|\s+))*"
    r"(?:Affairs|Security|Defen[cs]e|Justice|Relations|Cooperation|Order|Safety|Intelligence|Investigation))\b")

# Ranking of mention types when two spans of equal length overlap.
_PRIORITY = {"person": 0, "org": 1, "collective": 1, "function": 2, "generic": 3, "role": 4, "rank": 4,
             "domain": 5, "city": 6, "country": 6, "demonym": 7, "orgref": 8}


@dataclass(frozen=True)
class Mention:
    """A typed span of the article text.

    ``key`` is the entity, rank or role it names when that is known from the name alone;
    ``qualifier`` the country a demonym or "of <country>" around an agency's name gives;
    ``function`` the kind of national agency for a function or collective mention.
    """

    type: str
    start: int
    end: int
    text: str
    key: str | None = None
    qualifier: str | None = None
    function: str | None = None
    name: str | None = None
    inner: Mention | None = None


class Recogniser:
    """The compiled patterns of one lexicon, plus the acronyms one article defines."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon

    @cached_property
    def _qualifier(self) -> str:
        return rf"(?:(?P<dem>{self.lex.demonym_re})\s+|(?P<poss>{self.lex.country_name_re})['’]s?\s+)"

    @cached_property
    def named_org_re(self) -> re.Pattern[str]:
        aliases = [a for o in self.lex.organizations.values() for a in (o.name, *o.aliases)]
        return re.compile(rf"(?<![\w-]){self._qualifier}?(?P<name>{literal_pattern(aliases)})(?![\w-])")

    @cached_property
    def acronym_re(self) -> re.Pattern[str]:
        acronyms = [a for o in self.lex.organizations.values() for a in o.acronyms]
        return re.compile(rf"(?<![\w-])(?P<name>{literal_pattern(acronyms)})(?![\w-])")

    @cached_property
    def function_re(self) -> re.Pattern[str]:
        names = [n for f in self.lex.functions.values() for n in f.names]
        return re.compile(rf"(?<![\w-]){self._qualifier}?(?P<name>{literal_pattern(names)})"
                          rf"(?:\s+of\s+(?:the\s+)?(?P<of>{self.lex.country_name_re}))?(?![\w-])")

    @cached_property
    def collective_re(self) -> re.Pattern[str]:
        names = [n for f in self.lex.functions.values() for n in f.collective]
        return re.compile(rf"\b(?:the|both|two) (?:two )?(?P<name>{literal_pattern(names)})\b", re.IGNORECASE)

    @cached_property
    def generic_org_re(self) -> re.Pattern[str]:
        return re.compile(
            rf"(?<![\w-]){self._qualifier}?(?P<name>(?:(?!{_NOT_NAME}){_CAP}\s+){{0,5}}?(?:{_ORG_HEADS})\b"
            rf"(?:\s+(?:{_ORG_HEADS})\b)*"
            rf"(?:\s+(?:of|for)\s+(?:the\s+)?{_CAP}(?:\s+{_CAP}|\s+and\s+(?!(?:{_ORG_HEADS})\b){_CAP}\s+{_CAP}){{0,4}})*)")

    @cached_property
    def person_re(self) -> re.Pattern[str]:
        aliases = [a for p in self.lex.persons.values() for a in (p.name, *p.aliases)]
        return re.compile(rf"(?<![\w-])(?P<name>{literal_pattern(aliases)})(?![\w-])")

    @cached_property
    def place_res(self) -> list[tuple[str, re.Pattern[str]]]:
        cities = [n for c in self.lex.cities.values() for n in (c.name, *c.aliases)]
        countries = [n for c in self.lex.countries.values() for n in (c.name, *c.aliases, c.state)]
        return [("city", re.compile(rf"(?<![\w-])(?P<name>{literal_pattern(cities)})(?![\w-])")),
                ("country", re.compile(rf"(?<![\w-])(?:the\s+)?(?P<name>{literal_pattern(countries)})(?![\w-])")),
                ("demonym", re.compile(rf"(?<![\w-])(?P<name>{self.lex.demonym_re})(?![\w-])"))]

    @cached_property
    def title_res(self) -> list[tuple[str, re.Pattern[str]]]:
        ranks = [f for r in self.lex.ranks.values() for f in r.forms]
        roles = [f for r in self.lex.roles.values() for f in r.forms]
        return [("rank", re.compile(rf"(?<![\w-])(?P<name>{literal_pattern(ranks, dots_optional=True)})(?![\w-])")),
                ("role", re.compile(rf"(?<![\w-])(?P<name>{literal_pattern(roles)})(?![\w-])", re.IGNORECASE))]

    @cached_property
    def domain_re(self) -> re.Pattern[str]:
        domains = [d for f in self.lex.functions.values() for d in f.domains]
        return re.compile(rf"(?<=\bof )(?P<name>{literal_pattern(domains)})(?![\w-])")

    @cached_property
    def orgref_re(self) -> re.Pattern[str]:
        """"the ministry", "the Vietnamese ministry", "the Korean police": an agency named
        earlier, referred to by its kind."""
        return re.compile(rf"\b[Tt]he\s+(?:(?P<dem>{self.lex.demonym_re})\s+)?"
                          r"(?P<name>ministry|police|agency|department)\b(?!\s+(?:of|for)\b)")

    def _qualified(self, m: re.Match[str]) -> str | None:
        groups = m.groupdict()
        if groups.get("dem"):
            return self.lex.country_by_demonym.get(norm(groups["dem"]))
        if groups.get("poss"):
            return self.lex.country_by_name.get(norm(groups["poss"]))
        if groups.get("of"):
            return self.lex.country_by_name.get(norm(groups["of"]))
        return None

    def annotate(self, sentence: Sentence, acronyms: dict[str, Mention],
                 refine: Callable[[list[Mention]], list[Mention]] | None = None) -> list[Mention]:
        """Every mention in the sentence, overlaps resolved. ``refine`` adds what the trained
        model found to what the gazetteer's patterns found, before overlaps are settled."""
        text, base = sentence.text, sentence.start
        found: list[Mention] = []

        def add(kind: str, m: re.Match[str], **extra: Any) -> None:
            start = m.start("dem") if m.groupdict().get("dem") else (
                m.start("poss") if m.groupdict().get("poss") else m.start("name"))
            extra.setdefault("name", m.group("name"))
            found.append(Mention(kind, base + start, base + m.end(), m.group(0)[start - m.start():], **extra))

        for m in self.person_re.finditer(text):
            add("person", m, key=self.lex.person_by_alias[norm(m.group("name"))])
        for m in self.named_org_re.finditer(text):
            add("org", m, key=self.lex.org_by_alias[norm(m.group("name"))], qualifier=self._qualified(m))
        for m in self.acronym_re.finditer(text):
            add("org", m, key=self.lex.org_by_alias[norm(m.group("name"))])
        for acronym, defined in acronyms.items():
            for m in re.finditer(rf"(?<![\w-])(?P<name>{re.escape(acronym)})(?![\w-])", text):
                add(defined.type, m, key=defined.key, qualifier=defined.qualifier, function=defined.function,
                    name=defined.name)
        for m in self.function_re.finditer(text):
            add("function", m, function=self.lex.function_by_name[norm(m.group("name"))], qualifier=self._qualified(m))
        for m in self.collective_re.finditer(text):
            add("collective", m, function=self.lex.function_by_collective[norm(m.group("name"))])
        for m in self.generic_org_re.finditer(text):
            if not self._is_title(m.group("name")):
                add("generic", m, qualifier=self._qualified(m) or self._country_inside(m.group("name")))
        for kind, pattern in self.place_res:
            for m in pattern.finditer(text):
                if kind == "demonym":
                    add(kind, m, key=self.lex.country_by_demonym[norm(m.group("name"))])
                elif kind == "city":
                    add(kind, m, key=self.lex.city_by_name[norm(m.group("name"))])
                else:
                    add(kind, m, key=self.lex.country_by_name[norm(m.group("name"))])
        for kind, pattern in self.title_res:
            table = self.lex.rank_by_form if kind == "rank" else self.lex.role_by_form
            for m in pattern.finditer(text):
                add(kind, m, key=table[norm(m.group("name")).replace(".", "")])
        for m in self.orgref_re.finditer(text):
            add("orgref", m, qualifier=self._qualified(m))
        for m in self.domain_re.finditer(text):
            add("domain", m, function=self.lex.function_by_domain[norm(m.group("name"))])
        for m in _DOMAIN_PHRASE.finditer(text):
            add("domain", m)
        if refine is not None:
            found = refine(found)
        return [self._with_inner(m, found, sentence) if m.type == "generic" else m
                for m in _resolve_overlaps(found)]

    def _with_inner(self, generic: Mention, found: list[Mention], sentence: Sentence) -> Mention:
        """Remember the agency a name ends with ("Division of ... of the Indonesian National
        Police"), which may be the agency this one belongs to."""
        inner = [m for m in found if m.type in ("org", "function", "generic") and m is not generic
                 and generic.start < m.start and m.end == generic.end]
        for of in re.finditer(r"\s(?:of|for)\s+(?:the\s+)?", generic.text):
            start = generic.start - sentence.start + of.end()
            m = self.generic_org_re.match(sentence.text, start)
            if m and sentence.start + m.end() == generic.end:
                inner.append(Mention("generic", sentence.start + start, generic.end, m.group(0),
                                     qualifier=self._qualified(m), name=m.group("name")))
        if not inner:
            return generic
        return replace(generic, inner=max(inner, key=lambda m: m.end - m.start))

    def _is_title(self, name: str) -> bool:
        """A generic organization pattern also matches "Deputy Head" or "Police"; those are titles."""
        bare = norm(name).replace(".", "")
        return bare in self.lex.role_by_form or bare in self.lex.rank_by_form or bare == "police"

    def _country_inside(self, name: str) -> str | None:
        for word_match in re.finditer(rf"{self.lex.country_name_re}|{self.lex.demonym_re}", name):
            word = norm(word_match.group(0))
            return self.lex.country_by_name.get(word) or self.lex.country_by_demonym.get(word)
        return None


def _overlaps(a: Mention, b: Mention) -> bool:
    return not (a.end <= b.start or a.start >= b.end)


def _part_of_name(k: Mention, generic: Mention) -> bool:
    """A shorter agency name, or a title word heading the name ("General Commissariat of
    National Police of Cambodia"), inside an unknown agency's name is part of that name."""
    if not (generic.start <= k.start and k.end <= generic.end and (k.end - k.start) < (generic.end - generic.start)):
        return False
    if k.type in ("function", "collective", "org", "domain"):
        return k.type != "org" or k.start > generic.start
    if k.type in ("rank", "role"):
        rest = generic.text[k.end - generic.start:]
        return bool(re.match(rf"\s+(?:{_ORG_HEADS})\b", rest))
    return False


def _resolve_overlaps(found: list[Mention]) -> list[Mention]:
    """Longest first; an unknown agency found only by its shape gives way to anything the
    lexicon knows, except a place or adjective inside its name ("Police Department of
    Vientiane" is one agency)."""
    found.sort(key=lambda m: (-(m.end - m.start), _PRIORITY[m.type], m.start))
    kept: list[Mention] = []
    for mention in (m for m in found if m.type not in ("generic", "orgref")):
        if all(not _overlaps(mention, k) for k in kept):
            kept.append(mention)
    for mention in (m for m in found if m.type == "generic"):
        inside = [k for k in kept if _overlaps(mention, k)]
        if all(k.type in ("city", "country", "demonym") or _part_of_name(k, mention) for k in inside):
            kept = [k for k in kept if k not in inside] + [mention]
    for mention in (m for m in found if m.type == "orgref"):
        if all(not _overlaps(mention, k) for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def acronym_definitions(sentence: Sentence, mentions: list[Mention]) -> dict[str, Mention]:
    """Acronyms an article defines for itself: "the Russian Ministry of Internal Affairs (MVD)"."""
    out: dict[str, Mention] = {}
    for mention in mentions:
        if mention.type not in ("org", "function", "generic"):
            continue
        after = sentence.text[mention.end - sentence.start:]
        m = re.match(r"\s*\((?P<acr>[A-Z][A-Za-z]{1,9})\)", after)
        if m:
            out[m.group("acr")] = mention
    return out
