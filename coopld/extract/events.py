"""Events: which the article reports as its news, which it mentions as earlier or planned,
and for each its date, place, officials and organizations.

Every trigger phrase (mappings/events.toml) is a candidate. A candidate is a *mentioned*
event when its own phrase ("the 8th ministerial conference ... held in September", "the
upcoming official visit to Vietnam by ...") carries a date other than the main news's, or a
cue that it is still to come, or when it happened during such an event; every other candidate
is main news, and main candidates of one kind are one event however often the article returns
to it ("At the talks, ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from coopld.extract.dates import DateMention, PartialDate, find_dates, resolve, resolve_until
from coopld.extract.entities import Mention
from coopld.extract.lexicon import Lexicon
from coopld.extract.nlp import Parse
from coopld.extract.text import Sentence

_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                  "eighth": 8, "ninth": 9, "tenth": 10}
_ORDINAL = re.compile(r"\b(?:(?P<num>\d{1,3})(?:st|nd|rd|th)|(?P<word>" + "|".join(_ORDINAL_WORDS) + r"))\s+[\w\s-]{0,30}$",
                      re.IGNORECASE)
_DETERMINERS = {"the", "a", "an", "this", "his", "her", "their", "its"}
_POSSESSIVE = re.compile(r"['’]s\s+(?:[\w-]+\s+){0,2}$")
_NAMED_EVENT = re.compile(r"(?:[A-Z][\w’'-]*\s+){1,6}(?:Meeting|Summit|Conference|Forum|Congress|Assembly|Dialogue|Games)\b")
#: the kinds of event that are a gathering of the parties (a visit, a raid or a signing is not)
GATHERING_KINDS = frozenset({"talks", "meeting", "reception", "working-session", "phone-call", "conference"})
_INTENT = re.compile(r"(?:\b(?:agree[sd]?|plan(?:s|ned)?|expect(?:s|ed)?|hope[sd]?|aim(?:s|ed)?|intend(?:s|ed)?|ready|"
                     r"wish(?:es|ed)?|propose[sd]?|prepar(?:e|es|ed|ing)|scheduled|set|due|decided)\s+to|\bwill|\bwould|"
                     r"\bto be|\bcould|\bmay|\bshould)\s+(?:\w+ly\s+|soon\s+|later\s+|also\s+|jointly\s+)?$", re.IGNORECASE)
_VISIT_VERB = re.compile(r"^(?:visit|visited|visits)$", re.IGNORECASE)


@dataclass
class Candidate:
    """One trigger phrase in one sentence."""

    kind: str
    sentence: Sentence
    start: int
    end: int
    phrase_start: int
    phrase_end: int
    anaphoric: bool = False
    part_of: bool = False
    planned: bool = False
    same_day: bool = False
    ordinal: int | None = None
    date: DateMention | None = None
    resolved: PartialDate | None = None
    until: PartialDate | None = None
    context_date: DateMention | None = None
    mentioned: bool = False
    within: Candidate | None = None

    @property
    def phrase(self) -> tuple[int, int]:
        return (self.phrase_start, self.phrase_end)


@dataclass
class Event:
    """An event as the article tells it, gathered from all its candidates."""

    kind: str
    main: bool
    planned: bool
    candidates: list[Candidate] = field(default_factory=list)
    date: PartialDate | None = None
    date_until: PartialDate | None = None
    date_stated: str | None = None
    place: str | None = None
    ordinal: int | None = None
    persons: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    topics: set[str] = field(default_factory=set)
    parent: Event | None = None

    @property
    def sentences(self) -> list[Sentence]:
        seen: dict[int, Sentence] = {}
        for c in self.candidates:
            seen.setdefault(c.sentence.index, c.sentence)
        return [seen[i] for i in sorted(seen)]

    def phrases(self) -> list[tuple[int, int]]:
        return [c.phrase for c in self.candidates]


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _after(value: PartialDate, published: date) -> bool:
    """Is a (partial) date certainly later than the publication day?"""
    if value.year is None:
        return False
    known = (value.year, value.month or 0, value.day or 0)
    pub = (published.year, published.month if value.month else 0, published.day if value.day else 0)
    return known > pub


class EventFinder:
    """Finds event candidates and groups them into events."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self._dates_of: dict[int, tuple[Sentence, list[DateMention]]] = {}
        #: the span of a wire dateline's date ("MANILA, March 14 (...)"): the day the report was
        #: filed, not the day of any event
        self.skip_dates: tuple[int, int] | None = None

    def candidates(self, sentence: Sentence, mentions: list[Mention], parse: Parse | None = None) -> list[Candidate]:
        text = sentence.text
        raw: list[tuple[str, int, int]] = []
        for spec in self.lex.event_kinds.values():
            for pattern in spec.triggers:
                for m in pattern.finditer(text):
                    if not self._proper_name(text, m.start()):
                        raw.append((spec.key, m.start(), m.end()))
        if parse is not None:  # "co-chaired", "extradited", "phoned": any inflection
            lemma_raw = [(spec.key, a - sentence.start, b - sentence.start) for spec in self.lex.event_kinds.values()
                         for pattern in spec.lemmas for a, b in parse.find_lemmas(pattern)
                         if not self._proper_name(text, a - sentence.start)]
            # a trigger over lemmas stands for an event the phrases do not name; where the sentence
            # names a gathering ("the meeting ..., co-chaired by ..."), the verb tells of that one
            named = {kind for kind, _, _ in raw}
            raw += [r for r in lemma_raw if r[0] not in ("conference", "meeting") or not named & GATHERING_KINDS]
        raw.sort(key=lambda r: (-(r[2] - r[1]), r[1]))
        kept: list[tuple[str, int, int]] = []
        for r in raw:
            if all(r[2] <= k[1] or r[1] >= k[2] for k in kept):
                kept.append(r)
        kept.sort(key=lambda r: r[1])
        spans = [(m.start - sentence.start, m.end - sentence.start) for m in mentions]
        # a signing still to come ("agreed to soon sign", "will sign") is an agreement's plan, not
        # an event: the agreement says it is planned
        kept = [k for k in kept if not (k[0] == "signing-ceremony" and _INTENT.search(text[:k[1]]))]
        out = []
        same_day = any(p.search(text) for p in self.lex.cue("same_day"))
        for i, (kind, s, e) in enumerate(kept):
            if _inside(s, e, spans):
                continue  # a trigger inside a name ("Main Directorate") is part of the name
            next_start = kept[i + 1][1] if i + 1 < len(kept) else len(text)
            cand = self._candidate(kind, sentence, s, e, next_start, mentions)
            cand.same_day = same_day
            out.append(cand)
        return out

    @staticmethod
    def _proper_name(text: str, start: int) -> bool:
        """"the APEC Economic Leaders' Meeting" names an event; "Meeting" in it is no trigger."""
        if start == 0 or not text[start].isupper():
            return False
        prev = re.search(r"([\w’']+)$", text[:start].rstrip())
        return bool(prev and prev.group(1)[0].isupper())

    def _candidate(self, kind: str, sentence: Sentence, s: int, e: int, limit: int,
                   mentions: list[Mention]) -> Candidate:
        text = sentence.text
        before = text[:s]
        cand = Candidate(kind, sentence, sentence.start + s, sentence.start + e, sentence.start + s, sentence.start + e)
        cand.anaphoric = any(p.search(before) for p in self.lex.cue("anaphora"))
        cand.part_of = any(p.search(before) for p in self.lex.cue("part_of"))
        verb = bool(re.search(r"\bto\s+$", before)) or text[s:e].lower() in ("visited", "received", "receives")
        start = s if verb else self._determiner(before, s)
        if _POSSESSIVE.search(before) and not verb:
            owner = [m for m in mentions if m.end - sentence.start <= s and m.type == "person"]
            if owner:
                start = self._with_titles(text, min(start, owner[-1].start - sentence.start), mentions, sentence)
        elif start == s and _VISIT_VERB.match(text[s:e]):
            start = self._clause_start(before)  # "Gen. Hendra accepted an invitation ... to visit Thailand"
        ordinal = _ORDINAL.search(before[start:] if start < s else before[max(0, s - 40):])
        if ordinal:
            cand.ordinal = int(ordinal.group("num")) if ordinal.group("num") else _ORDINAL_WORDS[ordinal.group("word").lower()]
        end = self._phrase_end(text, e, limit, mentions, sentence)
        cand.phrase_start, cand.phrase_end = sentence.start + start, sentence.start + end
        window = text[max(0, start - 40):e]
        cand.planned = any(p.search(window) for p in self.lex.cue("planned"))
        # dates read over the whole sentence, so that one the phrase's end cuts ("on May 5,
        # 2021, ..." ends the phrase at the comma) keeps its year
        dates = [d for d in self.sentence_dates(sentence) if sentence.start + start <= d.start < sentence.start + end]
        cand.date = dates[0] if dates else None
        return cand

    def sentence_dates(self, sentence: Sentence) -> list[DateMention]:
        cached = self._dates_of.get(sentence.index)
        if cached is None or cached[0] is not sentence:
            found = [d for d in find_dates(sentence.text, sentence.start)
                     if self.skip_dates is None or not self.skip_dates[0] <= d.start < self.skip_dates[1]]
            cached = self._dates_of[sentence.index] = (sentence, found)
        return cached[1]

    @staticmethod
    def _determiner(before: str, s: int) -> int:
        """The nearest determiner within six words before the trigger, within the clause."""
        for w in reversed(list(re.finditer(r"[\w’'-]+|[,;:]", before))[-6:]):
            if w.group(0) in ",;:":
                break
            if w.group(0).lower() in _DETERMINERS:
                return w.start()
        return s

    @staticmethod
    def _clause_start(before: str) -> int:
        marks = [m.end() for m in re.finditer(r"[;:]|,\s(?=[a-z])", before)]
        return marks[-1] if marks else 0

    @staticmethod
    def named_events(sentence: Sentence) -> list[tuple[int, int]]:
        """Spans of named gatherings ("the APEC Economic Leaders' Meeting"): the organizations
        in such a name are not parties to the event that mentions it."""
        return [(sentence.start + m.start(), sentence.start + m.end()) for m in _NAMED_EVENT.finditer(sentence.text)]

    @staticmethod
    def _with_titles(text: str, start: int, mentions: list[Mention], sentence: Sentence) -> int:
        """Extend a phrase over the titles right before its owner's name ("President ...")."""
        for m in sorted(mentions, key=lambda m: -m.start):
            rel_end = m.end - sentence.start
            if m.type in ("role", "rank", "demonym") and rel_end <= start and not text[rel_end:start].strip():
                start = m.start - sentence.start
        return start

    def _phrase_end(self, text: str, e: int, limit: int, mentions: list[Mention], sentence: Sentence) -> int:
        """Where the event's own phrase stops: the first clause break that is not inside a
        name ("V. Putin") or a list of capitalised title words ("Political, Legal and ...")."""
        spans = [(m.start - sentence.start, m.end - sentence.start) for m in mentions]
        end = limit
        for pattern in self.lex.cue("phrase_end"):
            for m in pattern.finditer(text, e, limit):
                if any(a <= m.start() < b for a, b in spans):
                    continue
                if m.group(0) == "," and re.search(r"[A-Z][\w-]*$", text[:m.start()]) and re.match(
                        r",\s+[A-Z][a-z]+(?:,|\s+and\s+|\s+[A-Z])", text[m.start():]):
                    continue
                end = min(end, m.start())
                break
        return end

    @staticmethod
    def _refer_back(events: list[Event], owner: dict[int, Event]) -> list[Event]:
        """A main event of a general kind that the article only refers back to ("After the
        meeting, ...", "At the talks, ...") with no phrase of its own is the gathering it already
        reported ("received a delegation"), not a second one."""
        out: list[Event] = []
        for e in events:
            target = (_refer_back_target(events, e) if e.main and e.kind in ("talks", "meeting")
                      and e.date is None and all(c.anaphoric for c in e.candidates) else None)
            if target is None:
                out.append(e)
                continue
            for c in e.candidates:
                target.candidates.append(c)
                owner[id(c)] = target
            target.candidates.sort(key=lambda c: c.start)
        return out

    def group(self, cands: list[Candidate], pub: date | None) -> list[Event]:
        """Split candidates into main and mentioned events and merge each group."""
        for c in cands:
            if c.date is not None:
                c.resolved = resolve(c.date, pub, planned=c.planned)
                c.until = resolve_until(c.date, c.resolved)
                if c.resolved is not None and pub is not None and _after(c.resolved, pub) and c.until is None:
                    c.planned = True
        # the main news's date: the first event phrase or sentence that gives one
        main_date: PartialDate | None = None
        for c in cands:
            if c.planned:
                continue
            main_date = c.resolved or (resolve(c.context_date, pub) if c.context_date else None)
            if main_date is not None:
                break
        for c in cands:
            c.mentioned = c.planned or (c.resolved is not None and main_date is not None
                                        and not _same_day(c.resolved, main_date, c.until))
        in_sentence: dict[int, list[Candidate]] = {}
        for c in cands:
            in_sentence.setdefault(c.sentence.index, []).append(c)
        for c in cands:  # "signed a MoU during the visit ... in October 2019"
            if c.mentioned:
                continue
            host = next((r for r in in_sentence[c.sentence.index] if r is not c and r.part_of
                         and r.mentioned and r.kind != c.kind), None)
            if host is not None:
                c.mentioned, c.planned, c.within = True, host.planned, host
        events: list[Event] = []
        owner: dict[int, Event] = {}
        # the events made so far, looked up by kind (main) and by kind and day (mentioned): a
        # scan of every event for every candidate is quadratic in a long article
        main_of_kind: dict[str, list[Event]] = {}
        mentioned_on: dict[tuple[str, int | None, int | None], list[Event]] = {}
        for c in cands:
            if not c.mentioned:
                target = next((ev for ev in main_of_kind.get(c.kind, [])
                               if ev.ordinal is None or c.ordinal is None or ev.ordinal == c.ordinal), None)
            elif c.resolved is not None:
                day = (c.kind, c.resolved.month, c.resolved.day)
                target = next((ev for ev in mentioned_on.get(day, [])
                               if ev.date is not None and _same_day(ev.date, c.resolved)), None)
            else:
                target = None
            if target is None:
                target = Event(c.kind, main=not c.mentioned, planned=c.planned)
                events.append(target)
                if target.main:
                    main_of_kind.setdefault(c.kind, []).append(target)
                elif c.resolved is not None:  # a mentioned event's date is its first candidate's
                    mentioned_on.setdefault((c.kind, c.resolved.month, c.resolved.day), []).append(target)
            target.candidates.append(c)
            owner[id(c)] = target
            if c.ordinal and target.ordinal is None:
                target.ordinal = c.ordinal
            if c.resolved and target.date is None:
                target.date, target.date_until = c.resolved, c.until
                target.date_stated = c.date.text if c.date else None
        events = self._refer_back(events, owner)
        for c in cands:
            if c.within is not None:
                child, host_event = owner[id(c)], owner[id(c.within)]
                child.parent = host_event
                if child.date is None:
                    child.date, child.date_stated = host_event.date, host_event.date_stated
        return events


def _refer_back_target(events: list[Event], e: Event) -> Event | None:
    """The gathering an event told only by reference ("after the meeting", "at the talks") is:
    the first main gathering the article reports in its own words, whatever kind it is."""
    for other in events:
        if other is e:
            return None
        if other.main and other.kind in GATHERING_KINDS and any(not c.anaphoric for c in other.candidates):
            return other
    return None



def _same_day(a: PartialDate, b: PartialDate, until: PartialDate | None = None) -> bool:
    """Do two partial dates name the same day (or does a range include the other)?"""
    if until is not None:
        return a.sort_key() <= b.sort_key() <= until.sort_key() or _same_day(a, b)
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    return (a.month, a.day) == (b.month, b.day)
