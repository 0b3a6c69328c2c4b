"""Officials: a name with the titles around it.

A sentence's mentions and words are turned into a string of one-letter symbols, and the shapes
officials are written in are regular expressions over that string:

    D demonym   R role    K rank     O organization   M ministry domain ("of Public Security")
    C country   Y city    P known person   n run of capitalised words (an unknown name)
    o "of"      t "the"   a "and"    , comma   p parenthesis ("(L)")   s possessive   x other

so "Vietnamese Deputy Minister of Public Security Bui Van Nam (L)" is ``DRoMPp`` and
"Lieut. Gen. Nguyen Hai Trung, Director of the Hanoi Department of Public Security" ``KP,RotO``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coopld.extract.entities import Mention
from coopld.extract.lexicon import norm
from coopld.extract.registry import Registry
from coopld.extract.text import Sentence

_SYMBOL = {"person": "P", "org": "O", "function": "O", "generic": "O", "orgref": "O", "collective": "Q",
           "city": "Y", "country": "C", "demonym": "D", "rank": "K", "role": "R", "domain": "M"}
_WORDS = {"of": "o", "the": "t", "and": "a", "for": "f", "under": "u", "its": "t", "his": "t", "her": "t",
          "to": "z"}  # "Ambassador to Vietnam": where the post is, not whose
_NOT_NAME = {"The", "A", "An", "At", "In", "On", "For", "During", "Following", "Upon", "After", "By", "With",
             "From", "To", "Both", "Its", "His", "Her", "Their", "He", "She", "They", "It", "This", "That",
             "These", "Those", "Accordingly", "However", "Meanwhile", "Also", "Partnership", "Talks"}
_TOKEN = re.compile(r"\s+|['’]s\b|\([^()]{1,24}\)|[^\W\d_][\w-]*(?:(?<=\b[A-Z])\.)?|\d[\w.,-]*|[^\w\s]")

# a role, what it is of ("of the X", "of the X's Y", "of the Y under the X"), and an agency
# written before it ("Royal Thai Police Deputy Commissioner-General")
_TITLE = r"O?D?R(?:[ofz]t?[OCMY]p?(?:sO)?(?:ut?O)?)*"
_PERSON = re.compile(rf"(?:(?P<chain>{_TITLE}(?:a{_TITLE})*),?)?(?P<rank>K)?(?P<name>[Pn])(?P<par>p)?"
                     rf"(?:(?P<ofc>ot?C)|(?P<ofo>ot?Op?))?(?P<app>,{_TITLE})?")
# "the Lao Minister of Public Security": an official the article does not name
_UNNAMED = re.compile(r"tD?R(?:ot?[OCMY]p?)+(?![KPn])")


@dataclass(frozen=True)
class Item:
    symbol: str
    start: int
    end: int
    text: str
    mention: Mention | None = None


@dataclass
class Post:
    role: str
    org: str | None
    stated: str


@dataclass
class Unnamed:
    """An official the article refers to only by title; what matters is whom they represent."""

    sentence: int
    start: int
    end: int
    posts: list[Post]


@dataclass
class PersonMention:
    """One place where the article names an official, with what it says of them there."""

    key: str
    sentence: int
    start: int
    end: int
    name_start: int
    name_end: int
    rank: str | None = None
    rank_stated: str | None = None
    posts: list[Post] = field(default_factory=list)
    country: str | None = None


def items(sentence: Sentence, mentions: list[Mention]) -> list[Item]:
    """The sentence as mentions and words, with capitalised runs merged into candidate names."""
    out: list[Item] = []
    text = sentence.text
    queue = sorted(mentions, key=lambda m: m.start)
    pos = 0
    while pos < len(text):
        if queue and queue[0].start - sentence.start <= pos:
            m = queue.pop(0)
            if m.end - sentence.start > pos:
                out.append(Item(_SYMBOL[m.type], m.start, m.end, m.text, m))
                pos = m.end - sentence.start
            continue
        limit = queue[0].start - sentence.start if queue else len(text)
        tok = _TOKEN.match(text, pos, limit) or re.compile(r".", re.S).match(text, pos)
        assert tok is not None
        word = tok.group(0)
        pos = tok.end()
        if word.isspace():
            continue
        start = sentence.start + tok.start()
        if word in _WORDS:
            sym = _WORDS[word]
        elif word.startswith("(") and len(word) > 2:
            sym = "p"
        elif word in ("'s", "’s"):
            sym = "s"
        elif word == ",":
            sym = ","
        elif word[0].isupper() and word not in _NOT_NAME:
            sym = "X"
        else:
            sym = "x"
        if sym == "X" and out and out[-1].symbol == "n" and len(out[-1].text.split()) < 4:
            prev = out.pop()
            out.append(Item("n", prev.start, start + len(word), f"{prev.text} {word}"))
        else:
            out.append(Item("n" if sym == "X" else sym, start, start + len(word), word))
    return out


class PeopleFinder:
    """Finds officials sentence by sentence, registering each person once per article."""

    def __init__(self, registry: Registry) -> None:
        self.reg = registry
        self.lex = registry.lex

    def find(self, sentence: Sentence, mentions: list[Mention]) -> list[PersonMention]:
        seq = items(sentence, mentions)
        symbols = "".join(i.symbol for i in seq)
        found: list[PersonMention] = []
        for m in _PERSON.finditer(symbols):
            name_item = seq[m.start("name")]
            if name_item.symbol == "n" and not (m.group("chain") or m.group("rank")):
                continue
            chain = seq[m.start("chain"):m.end("chain")] if m.group("chain") else []
            of_org = seq[m.start("ofo"):m.end("ofo")] if m.group("ofo") else []
            appositive = seq[m.start("app") + 1:m.end("app")] if m.group("app") else []
            country = self._country(chain + of_org + appositive,
                                    seq[m.start("ofc"):m.end("ofc")] if m.group("ofc") else [], name_item)
            country = country or self._side(sentence, seq[m.start()].start)
            key = self._person(name_item, country)
            if key is None:
                continue
            country = country or self.reg.persons[key].country
            rank_item = seq[m.start("rank")] if m.group("rank") else None
            posts = self._posts(sentence, chain, country)
            org_item = next((i for i in of_org if i.symbol == "O" and i.mention is not None), None)
            if org_item is not None and org_item.mention is not None and posts and posts[-1].org is None:
                # "Commissioner General Kang Tae-seop of the Korean National Police Agency"
                posts[-1].org = self.reg.org(org_item.mention, country)
                posts[-1].stated += " " + sentence.text[of_org[0].start - sentence.start:of_org[-1].end - sentence.start]
            posts += self._posts(sentence, appositive, country)
            person = self.reg.persons[key]
            if person.country is None:
                person.country = next((c for p in posts if p.org and (c := self.reg.orgs[p.org].country)), None)
                country = country or person.country
            found.append(PersonMention(
                key, sentence.index, seq[m.start()].start, seq[m.end() - 1].end, name_item.start, name_item.end,
                rank_item.mention.key if rank_item and rank_item.mention else None,
                rank_item.text if rank_item else None, posts, country))
        return found

    def unnamed(self, sentence: Sentence, mentions: list[Mention]) -> list[Unnamed]:
        seq = items(sentence, mentions)
        symbols = "".join(i.symbol for i in seq)
        out = []
        for m in _UNNAMED.finditer(symbols):
            chain = seq[m.start():m.end()]
            country = self._country(chain, [], chain[0])
            out.append(Unnamed(sentence.index, chain[0].start, chain[-1].end, self._posts(sentence, chain, country)))
        return out

    def _side(self, sentence: Sentence, start: int) -> str | None:
        """"while the Chinese side was headed by Vice Minister ...": the side named earlier in
        the same clause says whose official this is."""
        before = sentence.text[:start - sentence.start]
        clause = re.split(r"[,;:]|\bwhile\b|\bwhereas\b", before)[-1]
        found = re.findall(rf"\b[Tt]he ({self.lex.demonym_re}) (?:side|delegation|party|team)\b", clause)
        return self.lex.country_by_demonym.get(norm(found[-1])) if found else None

    def _person(self, item: Item, country: str | None) -> str | None:
        if item.symbol == "P" and item.mention is not None and item.mention.key is not None:
            return self.reg.person(item.text, item.mention.key, country)
        words = item.text.split()
        if words[-1] in ("City", "Province", "District", "Region", "Island", "Islands", "Capital"):
            return None  # "General Santos City" is a place, not General Santos
        if len(words) == 1:
            # "Gen. Hendra", "Minister Luong": the one person already named with that word
            return self.reg.person_by_part(words[0].rstrip("."))
        return self.reg.person(item.text, None, country)

    def _country(self, chain: list[Item], ofc: list[Item], name: Item) -> str | None:
        for item in ofc:
            if item.symbol == "C" and item.mention:
                return item.mention.key
        for item in chain:
            if item.symbol == "D" and item.mention:
                return item.mention.key
        if name.symbol == "P" and name.mention and name.mention.key:
            person = self.lex.persons[name.mention.key]
            if person.country:
                return person.country
        for item in chain:
            if item.symbol == "O" and item.mention:
                mention = item.mention
                if mention.type == "org" and mention.key:
                    return self.lex.organizations[mention.key].country
                if mention.qualifier:
                    return mention.qualifier
        for item in chain:
            if item.symbol == "O" and item.mention and item.mention.type == "function":
                return self.reg.default_country(item.mention.function)
            if item.symbol == "O" and item.mention and item.mention.type == "orgref":
                key = self.reg.org(item.mention)
                if key is not None:
                    return self.reg.orgs[key].country
        return None

    def _posts(self, sentence: Sentence, chain: list[Item], country: str | None) -> list[Post]:
        posts: list[Post] = []
        i = 0
        while i < len(chain):
            item = chain[i]
            if item.symbol != "R" or item.mention is None or item.mention.key is None:
                i += 1
                continue
            role = item.mention.key
            org: str | None = None
            end = item.end
            j = i + 1
            previous = ""
            while j < len(chain) and chain[j].symbol in "oftzOCMYpsu":
                nxt = chain[j]
                if nxt.symbol in "CY" and previous.startswith("z"):
                    pass  # "Cambodian Ambassador to Vietnam": posted there, Cambodia's ambassador
                elif nxt.symbol in "OCMY" and nxt.mention is not None:
                    key = self._complement(role, nxt.mention, country)
                    if key and org and previous == "s":
                        self.reg.set_parent(key, org)  # "the KNPA's International Cooperation Bureau"
                        org = key
                    elif key and org and "u" in previous:
                        self.reg.set_parent(org, key)  # "... Department under the Ministry of ..."
                    elif org is None:
                        org = key
                if nxt.symbol in "OCMYp":
                    end = nxt.end
                previous = previous + nxt.symbol if nxt.symbol in "tu" else nxt.symbol
                j += 1
            premodifier = chain[i - 1].mention if i > 0 and chain[i - 1].symbol == "O" else None
            if org is None and premodifier is not None:
                org = self.reg.org(premodifier, country)  # "KNPA Commissioner General Kang"
            if org is None and self.lex.roles[role].state_post and country:
                org = self.reg.state_org(country)
            stated = re.sub(r"\s+", " ", sentence.text[item.start - sentence.start:end - sentence.start])
            posts.append(Post(role, org, stated))
            i = j
        return posts

    def _complement(self, role: str, mention: Mention, country: str | None) -> str | None:
        if mention.type == "domain" and mention.function:
            target = country or self.reg.default_country(mention.function)
            return self.reg.function_org(mention.function, target) if target else None
        if mention.type == "country" and mention.key:
            return self.reg.state_org(mention.key) if self.lex.roles[role].state_post else None
        if mention.type in ("org", "function", "generic"):
            return self.reg.org(mention, country)
        return None


def demonym_references(sentence: Sentence, demonym_re: str, nouns: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Spans such as "the Russian official": (start, end, demonym) — to be matched to the one
    person of that country in the article."""
    pattern = re.compile(rf"\b[Tt]he (?P<dem>{demonym_re}) (?:{'|'.join(nouns)})\b")
    return [(sentence.start + m.start(), sentence.start + m.end(), m.group("dem"))
            for m in pattern.finditer(sentence.text)]
