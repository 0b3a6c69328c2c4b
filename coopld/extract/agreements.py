"""Agreements: memoranda, programmes and agreements the article says were signed, are being
carried out or are planned, with their parties, validity period and subjects.

A singular mention without a period ("the MoU") is the agreement of that kind the article has
already named; a plural one ("the cooperation agreements signed by the two ministries") is a
collective reference of its own. Two mentions joined by "and" share what follows them
("MoUs and cooperation agreements signed at the ministerial level, including those on ...").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from coopld.extract.dates import DateMention, find_dates, find_periods
from coopld.extract.entities import Mention
from coopld.extract.lexicon import Lexicon
from coopld.extract.text import Sentence

_ORG_TYPES = ("org", "function", "generic", "collective")


@dataclass
class AgreementMention:
    kind: str
    sentence: Sentence
    start: int
    end: int
    stated: str
    plural: bool
    period: tuple[int, int] | None = None
    parties: list[Mention] = field(default_factory=list)
    main_sides: bool = False
    status: str | None = None
    signed_date: DateMention | None = None
    subjects_text: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Agreement:
    kind: str
    plural: bool
    mentions: list[AgreementMention] = field(default_factory=list)
    period: tuple[int, int] | None = None
    parties: list[str] = field(default_factory=list)
    status: str | None = None
    subjects: set[str] = field(default_factory=set)
    signed_at: object | None = None  # the Event it was signed at, set by the assembler
    signed_date: DateMention | None = None

    @property
    def stated(self) -> str:
        return self.mentions[0].stated


class AgreementFinder:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon

    def find(self, sentence: Sentence, mentions: list[Mention]) -> list[AgreementMention]:
        text = sentence.text
        raw: list[tuple[str, int, int]] = []
        for spec in self.lex.agreement_kinds.values():
            for pattern in spec.triggers:
                raw.extend((spec.key, m.start(), m.end()) for m in pattern.finditer(text))
        raw.sort(key=lambda r: (-(r[2] - r[1]), r[1]))
        kept: list[tuple[str, int, int]] = []
        for r in raw:
            if all(r[2] <= k[1] or r[1] >= k[2] for k in kept):
                kept.append(r)
        kept.sort(key=lambda r: r[1])
        found = []
        for i, (kind, s, e) in enumerate(kept):
            limit = kept[i + 1][1] if i + 1 < len(kept) else len(text)
            found.append(self._mention(kind, sentence, s, e, limit, mentions))
        # "X and Y signed at ..., including those on ...": X shares Y's tail
        for a, b in itertools.pairwise(found):
            gap = text[a.end - sentence.start:b.start - sentence.start]
            if re.fullmatch(r"\s*(?:,|and|,\s*and|,?\s*together with|,?\s*as well as)\s*(?:the\s+|an?\s+)?", gap):
                a.parties = a.parties or b.parties
                a.status = "signed" if "signed" in (a.status, b.status) else a.status or b.status
                a.subjects_text = a.subjects_text or b.subjects_text
                a.main_sides = a.main_sides or b.main_sides
        return found

    def _mention(self, kind: str, sentence: Sentence, s: int, e: int, limit: int,
                 mentions: list[Mention]) -> AgreementMention:
        text = sentence.text
        spec = self.lex.agreement_kinds[kind]
        stated = text[s:e].strip("\"“”’' ")
        found = AgreementMention(kind, sentence, sentence.start + s, sentence.start + e, stated,
                                 bool(spec.plural.search(text[s:e])))
        tail = text[e:limit]
        periods = find_periods(text[s:limit], self.lex.cue("periods.patterns"))
        if periods:
            found.period = (periods[0][2], periods[0][3])
        found.parties = self._explicit_parties(sentence, e, limit, mentions)
        before = text[:s]
        if not found.parties and not any(p.search(text) for p in self.lex.cue("parties.not_main_sides")):
            found.main_sides = any(p.search(before) or p.search(tail) for p in self.lex.cue("parties.main_sides"))
        clause = text[max(0, s - 25):limit]
        if any(p.search(before) or p.search(tail) for p in self.lex.cue("status.planned")):
            found.status = "planned"
        elif any(p.search(clause) for p in self.lex.cue("status.signed")):
            found.status = "signed"
        signed = re.search(r"\bsigned (?:in|on)\s", tail)
        if signed:
            dates = find_dates(tail[signed.start():], sentence.start + e + signed.start())
            found.signed_date = dates[0] if dates else None
        for pattern in self.lex.cue("subjects.after_mention"):
            cue = pattern.search(tail)
            if cue and cue.group(0).strip():
                found.subjects_text.append((sentence.start + e + cue.end(), tail[cue.end():]))
                break
        return found

    def _explicit_parties(self, sentence: Sentence, e: int, limit: int, mentions: list[Mention]) -> list[Mention]:
        """"between X and Y", "signed by X and Y": the two organizations after the cue."""
        text = sentence.text
        orgs = [m for m in mentions if m.type in _ORG_TYPES and e <= m.start - sentence.start < limit]
        for org in orgs:
            before = text[e:org.start - sentence.start]
            before = re.sub(r"\s*(?:the\s*)?$", "", before)
            if any(p.search(before + " ") for p in self.lex.cue("parties.explicit")) or re.search(
                    r"\b(?:between|by)\s*$", before):
                pair = [org]
                for nxt in orgs[orgs.index(org) + 1:]:
                    gap = text[pair[-1].end - sentence.start:nxt.start - sentence.start]
                    if re.fullmatch(r"\s*(?:,|and|,\s*and|,?\s*together with|,?\s*as well as)\s*(?:the\s+|an?\s+)?", gap):
                        pair.append(nxt)
                    else:
                        break
                return pair
        return []

    def continuation(self, sentence: Sentence) -> bool:
        """Does this sentence carry on with the subjects of the agreement just named?"""
        return any(p.search(sentence.text) for p in self.lex.cue("subjects.continuation"))

    @staticmethod
    def merge(found: list[AgreementMention]) -> list[Agreement]:
        """One agreement per instrument the article speaks of."""
        out: list[Agreement] = []
        for m in found:
            target: Agreement | None = None
            if m.plural:
                target = next((a for a in out if a.plural and a.kind == m.kind), None)
            elif m.period is not None:
                target = next((a for a in out if not a.plural and a.kind == m.kind and a.period == m.period), None)
                if target is None:
                    target = next((a for a in reversed(out) if not a.plural and a.kind == m.kind and a.period is None
                                   and not a.parties), None)
            else:
                target = next((a for a in reversed(out) if not a.plural and a.kind == m.kind), None)
            if target is None:
                target = Agreement(m.kind, m.plural)
                out.append(target)
            target.mentions.append(m)
            target.period = target.period or m.period
            if m.status == "signed" or target.status is None:
                target.status = m.status or target.status
            target.signed_date = target.signed_date or m.signed_date
        return out
