"""One article, read end to end: who, what, when, where, which agreements and topics.

The finders each look at one thing (names, officials, events, agreements, topics); this
module runs them in order over the article and settles what needs the whole article: which
event is the main news, who took part in what, which date and place each event has.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from coopld.articles import Article
from coopld.extract.agreements import Agreement, AgreementFinder, AgreementMention
from coopld.extract.dates import PartialDate, find_dates, resolve, resolve_until, uncertainty
from coopld.extract.entities import Mention, Recogniser, acronym_definitions
from coopld.extract.events import GATHERING_KINDS, Candidate, Event, EventFinder
from coopld.extract.lexicon import Lexicon, norm
from coopld.extract.names import ModelNames, geonames_country, split_trailing_names, truncate_at_names
from coopld.extract.nlp import DEFAULT_NLP_MODEL, Parse, parse_article
from coopld.extract.people import PeopleFinder, PersonMention, Post, Unnamed, demonym_references
from coopld.extract.registry import Registry
from coopld.extract.spans import SpanIndex
from coopld.extract.text import Sentence, sentences
from coopld.extract.topics import topics_in, topics_in_lemmas

# "Hanoi (VNA) - ", "MANILA, March 14 (Asia Wire) - ", "JAKARTA, 3 June (Reuters) — "
_DATELINE = re.compile(r"\s*(?P<place>[A-Z][\w .'-]{1,40}?)\s*"
                       r"(?:,\s*(?P<date>[A-Z][a-z]{2,9}\.? \d{1,2}|\d{1,2} [A-Z][a-z]{2,9})\s*)?"
                       r"\((?P<credit>[\w. ]{2,20})\)\s*[-–—]")
# the kinds of event a report's lead date can be the day of
_GATHERING_KINDS = GATHERING_KINDS | {"signing-ceremony"}
_REFERENCE_NOUNS = ("official", "guest", "minister", "leader", "delegation head", "side")


@dataclass
class PersonFacts:
    """What the article says of one person: rank, posts, country, where first named."""

    key: str
    rank: str | None = None
    rank_stated: str | None = None
    posts: list[Post] = field(default_factory=list)
    mentions: list[PersonMention] = field(default_factory=list)

    def add(self, mention: PersonMention) -> None:
        self.mentions.append(mention)
        if self.rank is None and mention.rank:
            self.rank, self.rank_stated = mention.rank, mention.rank_stated
        for post in mention.posts:
            same = [p for p in self.posts if p.role == post.role]
            if post.org is None and same:
                continue
            if same and same[0].org is None:
                self.posts[self.posts.index(same[0])] = post
            elif not any(p.role == post.role and p.org == post.org for p in self.posts):
                self.posts.append(post)


@dataclass(frozen=True)
class ReviewNote:
    """Something the extractor could not settle and a curator should check.

    ``about`` is the event, agreement or person (an ``Event``, ``Agreement`` or person key) the
    note is on, or None for the article as a whole; ``fact`` names what is unsure ("party",
    "date", "post", "place"); ``reason`` says in words what the extractor could not find, and
    ``evidence`` is the span of text it read, when there is one."""

    about: object | None
    fact: str
    reason: str
    evidence: tuple[int, int] | None = None


@dataclass
class Extraction:
    article: Article
    sentences: list[Sentence]
    registry: Registry
    publisher: str | None
    people: dict[str, PersonFacts]
    events: list[Event]
    agreements: list[Agreement]
    principal: Event | None
    unnamed: list[Unnamed] = field(default_factory=list)
    notes: list[ReviewNote] = field(default_factory=list)
    parses: dict[int, Parse] = field(default_factory=dict)


class Extractor:
    """Reads articles with one lexicon."""

    def __init__(self, lexicon: Lexicon, nlp_model: str = DEFAULT_NLP_MODEL) -> None:
        self.lex = lexicon
        self.nlp_model = nlp_model
        self.recogniser = Recogniser(lexicon)
        self.model_names = ModelNames(lexicon)
        self.event_finder = EventFinder(lexicon)
        self.agreement_finder = AgreementFinder(lexicon)

    def publisher(self, article: Article) -> str | None:
        for org in self.lex.organizations.values():
            if any(p.search(article.text) for p in org.credits):
                return org.key
        return None

    def dateline(self, article: Article) -> re.Match[str] | None:
        """The wire dateline that opens the body, whose city is where the report was filed."""
        return _DATELINE.match(article.text, article.body.start)

    def dateline_city(self, article: Article, reg: Registry) -> str | None:
        """The dateline's city: the gazetteer's, else one GeoNames knows (with its country);
        only where the body names no place of its own."""
        m = self.dateline(article)
        if m is None:
            return None
        name = m.group("place").strip()
        known = self.lex.city_by_name.get(norm(name))
        if known:
            return reg.city(known, mentioned=False)
        country = self.lex.country_by_name.get(norm(name))
        if country:
            return reg.country(country, mentioned=False)
        city_country = geonames_country(name, self.lex)
        if city_country is None:
            return None
        key = reg.new_city(name.title() if name.isupper() else name, city_country)
        reg.places[key].mentioned = False
        return key

    @staticmethod
    def stated_publication(article: Article) -> date | None:
        """The date a press release or headline-first report puts at its head ("Madrid, 26
        February 2026", "Budapest, 2026-03-18") when the file has no date line: a line of its
        own among the first four of the body, holding a full date and at most a place."""
        if article.published is not None:
            return article.published
        lines = article.text[article.body.start:article.body.end].split("\n")[:4]
        for line in lines:
            line = line.strip()
            if not line or len(line) > 60:
                continue
            found = [d for d in find_dates(line) if d.stated.is_full()]
            rest = line.replace(found[0].text, "") if found else line
            if found and re.fullmatch(r"[\w .'’-]*[,–—-]?\s*(?:on\s*)?[,.]?\s*", rest):
                value = found[0].stated
                assert value.year is not None and value.month is not None and value.day is not None
                try:
                    return date(value.year, value.month, value.day)
                except ValueError:
                    return None
        return None

    def run(self, article: Article) -> Extraction:
        published = self.stated_publication(article)
        if published != article.published:
            article = replace(article, published=published)
        publisher = self.publisher(article)
        home = self.lex.organizations[publisher].country if publisher else None
        reg = Registry(self.lex, home)
        sents = sentences(article)
        parses = dict(zip((s.index for s in sents),
                          parse_article(self.nlp_model, article.text, [(s.start, s.end) for s in sents]), strict=True))

        def refine(s: Sentence) -> Callable[[list[Mention]], list[Mention]]:
            def add_model_names(found: list[Mention]) -> list[Mention]:
                names = self.model_names.mentions(s, parses[s.index], found)
                return split_trailing_names(truncate_at_names(found, names) + names, self.lex)
            return add_model_names

        acronyms: dict[str, Mention] = {}
        annotated: dict[int, list[Mention]] = {}
        for s in sents:
            annotated[s.index] = self.recogniser.annotate(s, {}, refine(s))
            acronyms.update(acronym_definitions(s, annotated[s.index]))
        if acronyms:  # read again only the sentences that use an acronym the article defines
            used = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, acronyms))})(?![\w-])")
            for s in sents:
                if used.search(s.text):
                    annotated[s.index] = self.recogniser.annotate(s, acronyms, refine(s))
        for mentions in annotated.values():
            for m in mentions:
                reg.note_function(m)
        finder = PeopleFinder(reg)
        people: dict[str, PersonFacts] = {}
        unnamed: list[Unnamed] = []
        for s in sents:
            for pm in finder.find(s, annotated[s.index]):
                people.setdefault(pm.key, PersonFacts(pm.key)).add(pm)
            unnamed.extend(finder.unnamed(s, annotated[s.index]))
        org_keys = {(m.start, m.end): k for s in sents for m in annotated[s.index]
                    if m.type in ("org", "function", "generic") and (k := reg.org(m)) is not None}
        for key in org_keys.values():
            if self.lex.organizations.get(key) and self.lex.organizations[key].type == "NewsAgency":
                reg.orgs[key].mentioned = False
        for s in sents:
            for m in annotated[s.index]:
                if m.type in ("city", "country"):
                    reg.place(m)
        if publisher:
            reg.known_org(publisher, mentioned=False)

        dateline = self.dateline(article)
        dated_line = dateline is not None and dateline.group("date") is not None
        self.event_finder.skip_dates = (dateline.start("date"), dateline.end("date")) if dateline and dated_line else None
        cands = [c for s in sents for c in self.event_finder.candidates(s, annotated[s.index], parses[s.index])]
        self._context_dates(cands, annotated, article)
        events = self.event_finder.group(cands, article.published)
        ag_mentions = [a for s in sents for a in self.agreement_finder.find(s, annotated[s.index])]
        self._continuations(sents, ag_mentions)
        agreements = AgreementFinder.merge(ag_mentions)

        ex = Extraction(article, sents, reg, publisher, people, events, agreements, None, unnamed, parses=parses)
        self._settle_events(ex, annotated, org_keys)
        self._settle_agreements(ex, org_keys)
        ex.notes.extend(self._date_notes(ex))
        return ex

    @staticmethod
    def _date_notes(ex: Extraction) -> list[ReviewNote]:
        """A date the extractor read but may have read wrong ("03/04/2024"), or could not place
        for want of a publication date ("on Tuesday" in an undated article)."""
        notes: list[ReviewNote] = []
        for e in ex.events:
            for c in e.candidates:
                mention = c.date or c.context_date
                reason = uncertainty(mention, ex.article.published) if mention is not None else None
                if reason is not None:
                    notes.append(ReviewNote(e, "date", reason, (mention.start, mention.end) if mention else None))
                    break
        return notes

    # --- events -------------------------------------------------------------------------

    def _context_dates(self, cands: list[Candidate], annotated: dict[int, list[Mention]], article: Article) -> None:
        """A date in the sentence but outside every event phrase belongs to the sentence's
        main events ("The X and the Y on April 3 held talks")."""
        by_sentence: dict[int, list[Candidate]] = {}
        for c in cands:
            by_sentence.setdefault(c.sentence.index, []).append(c)
        for group in by_sentence.values():
            s = group[0].sentence
            phrases = [c.phrase for c in group]
            dates = [d for d in self.event_finder.sentence_dates(s)
                     if not any(a <= d.start < b for a, b in phrases)]
            for c in group:
                if c.date is None and dates:
                    c.context_date = dates[0]

    def _lead_date(self, ex: Extraction) -> tuple[PartialDate, str] | None:
        """The day of the news as the lead states it when no event phrase gives one ("Thailand
        and Myanmar agreed on Monday to ..."): the first date of the body's first sentence, when
        the main news has no date at all and that sentence tells of nothing still to come."""
        if any(e.main and e.date is not None and e.kind in _GATHERING_KINDS for e in ex.events):
            return None
        first = next((s for s in ex.sentences if s.part == "body"), None)
        if first is None or any(p.search(first.text) for p in self.lex.cue("planned")):
            return None
        for mention in self.event_finder.sentence_dates(first):
            value = resolve(mention, ex.article.published)
            if value is not None and not value.is_empty():
                return value, mention.text
        return None

    def _principal(self, events: list[Event]) -> Event | None:
        mains = [e for e in events if e.main]
        if not mains:
            return None
        order = {id(e): i for i, e in enumerate(events)}  # not events.index: that is quadratic
        return min(mains, key=lambda e: (self.lex.event_kinds[e.kind].principal, order[id(e)]))

    def _settle_events(self, ex: Extraction, annotated: dict[int, list[Mention]],
                       org_keys: dict[tuple[int, int], str]) -> None:
        art, reg = ex.article, ex.registry
        ex.principal = self._principal(ex.events)
        mentioned_spans = SpanIndex(p for e in ex.events if not e.main for p in e.phrases())
        anaphoric: dict[int, list[tuple[Event, Candidate]]] = {}
        for e in ex.events:
            for c in e.candidates:
                if c.anaphoric:
                    anaphoric.setdefault(c.sentence.index, []).append((e, c))
        dateline = self.dateline_city(art, reg)
        for e in ex.events:
            for c in e.candidates:
                if e.date is None and c.context_date is not None and (e.main or (e.planned and not c.anaphoric)):
                    # "The next meeting will be held in Tachileik, Myanmar, next year"
                    e.date = resolve(c.context_date, art.published, planned=e.planned)
                    e.date_until = resolve_until(c.context_date, e.date)
                    e.date_stated = c.context_date.text if e.date else None
                if e.place is None:
                    e.place = self._place(c, annotated[c.sentence.index], reg, own=True)
        lead = self._lead_date(ex)
        for e in ex.events:
            if lead is not None and e.main and e.date is None and not e.planned and e.kind in _GATHERING_KINDS:
                e.date, e.date_stated = lead[0], lead[1]  # the news's day, given once in the lead
        dated = next((e for e in ex.events if e.main and e.date is not None), None)
        for e in ex.events:
            if e.main and e.date is None and dated is not None and any(c.same_day for c in e.candidates):
                e.date, e.date_stated = dated.date, dated.date_stated
            elif (e.main and e.kind == "visit" and e.date is None and not e.planned and dated is not None
                  and dated.date is not None and dated.date.month is not None):
                # a visit the news happened during: its month is known, not its days
                e.date = PartialDate(dated.date.year, dated.date.month, None)
            if e.ordinal is None:
                e.ordinal = next((c.ordinal for c in e.candidates if c.ordinal), None)
        main_in_sentence = _main_events_by_sentence(ex.events)
        for e in (ev for ev in ex.events if ev.main):
            for c in e.candidates:
                same_sentence = [o for o in main_in_sentence.get(c.sentence.index, []) if o is not e]
                refs = [o for o, oc in anaphoric.get(c.sentence.index, []) if o is not e and o.main]
                for other in same_sentence + refs:
                    if e.date is None and other.date is not None:
                        e.date, e.date_stated = other.date, other.date_stated
                    if e.place is None and other.place is not None:
                        e.place = other.place
                for o, oc in anaphoric.get(c.sentence.index, []):
                    if o is not e and o.main and oc.part_of and o.kind != e.kind and not c.anaphoric:
                        e.parent = o
                if e.place is None:
                    e.place = self._place(c, annotated[c.sentence.index], reg, own=False,
                                          excluded=mentioned_spans)
            if e.place is None and dateline:
                e.place = dateline
        self._people(ex, mentioned_spans, annotated)
        self._orgs(ex, annotated, org_keys, mentioned_spans)
        self._topics(ex, mentioned_spans)

    def _place(self, c: Candidate, mentions: list[Mention], reg: Registry, *, own: bool,
               excluded: SpanIndex | None = None) -> str | None:
        """"in Hanoi" in the event's own phrase (or "visit to Russia"); else in its sentence."""
        s = c.sentence
        lo, hi = (c.phrase_start, c.phrase_end) if own else (s.start, s.end)
        for m in mentions:
            if m.type not in ("city", "country") or not (lo <= m.start and m.end <= hi):
                continue
            if excluded and excluded.covers(m.start):
                continue
            before = s.text[:m.start - s.start]
            if re.search(r"\b(?:in|at)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){0,4}?(?:[A-Z][\w'’-]*,\s*)?$", before) or (
                    c.kind == "visit" and own and re.search(r"\b(?:visit(?:ed|s)?|trip)\s+(?:to\s+)?(?:the\s+)?$", before)):
                return reg.place(m)
        return None

    def _people(self, ex: Extraction, mentioned_spans: SpanIndex,
                annotated: dict[int, list[Mention]]) -> None:
        # sentences that tell of another main event and not of the principal one ("Following
        # the talks, X and Y signed ..."): their officials took part in that event
        other_sentences = {c.sentence.index for e in ex.events if e.main and e is not ex.principal
                           for c in e.candidates if not c.anaphoric}
        if ex.principal is not None:
            other_sentences -= {c.sentence.index for c in ex.principal.candidates if not c.anaphoric}
        named = _NamedPeople(ex.people, mentioned_spans)
        for e in ex.events:
            if not e.main:
                chosen = named.in_spans(e.phrases())
            elif e is ex.principal:
                chosen = named.outside(other_sentences)
            else:
                chosen = named.in_sentences({s.index for s in e.sentences})
            taken = set(chosen)
            for s in e.sentences:
                for start, _end, dem in demonym_references(s, self.lex.demonym_re, _REFERENCE_NOUNS):
                    if not e.main and not any(a <= start < b for a, b in e.phrases()):
                        continue
                    country = self.lex.country_by_demonym.get(norm(dem))
                    matches = [k for k in named.of_country(ex.registry, country) if k not in taken]
                    if len(matches) == 1:
                        chosen.append(matches[0])
                        taken.add(matches[0])
            e.persons = chosen

    def _orgs(self, ex: Extraction, annotated: dict[int, list[Mention]], org_keys: dict[tuple[int, int], str],
              mentioned_spans: SpanIndex) -> None:
        reg = ex.registry
        named = SpanIndex(span for s in ex.sentences for span in EventFinder.named_events(s))
        titles = _titles_by_sentence(ex)
        officials = _UnnamedIndex(ex.unnamed)
        for e in ex.events:
            orgs: list[str] = []
            for key in e.persons:
                represented = next((p.org for p in ex.people[key].posts if p.org), None)
                if represented and represented not in orgs:
                    orgs.append(represented)
            for official in officials.of_event(e, mentioned_spans):
                for post in official.posts:
                    if post.org and post.org not in orgs:
                        orgs.append(post.org)
            for c in e.candidates:
                s = c.sentence
                for m in annotated[s.index]:
                    in_phrase = c.phrase_start <= m.start < c.phrase_end
                    subject = e.main and m.end <= c.start and not mentioned_spans.covers(m.start)
                    if not (in_phrase or (subject and not c.anaphoric)) or named.contains(m.start, m.end):
                        continue
                    if m.type == "collective" and m.function:
                        for member in self._collective(ex, m):
                            if member not in orgs:
                                orgs.append(member)
                        continue
                    found = org_keys.get((m.start, m.end))
                    if found is None:
                        continue
                    if reg.orgs[found].type not in ("NewsAgency",) and found not in orgs and not _in_title(
                            m, titles.get(s.index, [])):
                        orgs.append(found)
            if not orgs and not e.main and not e.persons and any(
                    p.search(c.sentence.text[:c.start - c.sentence.start])
                    for c in e.candidates for p in self.lex.cue("parties.main_sides")):
                orgs = self.sides(ex)  # "The two sides agreed to hold the first ... dialogue"
            e.orgs = orgs

    def sides(self, ex: Extraction, noun: str | None = None) -> list[str]:
        """The two (or more) sides of the main news: for each country of its officials, the
        agency that country's side speaks for — the first whose name has ``noun`` in it
        ("ministry", "police"), else the first."""
        principal = ex.principal
        if principal is None:
            return []
        out: list[str] = []
        for country in self._article_countries(ex):
            candidates = [o for o in principal.orgs if ex.registry.orgs[o].country == country]
            if noun:
                named = [o for o in candidates if noun in ex.registry.orgs[o].name.lower()]
                candidates = named or candidates
            if candidates:
                out.append(candidates[0])
        return out

    def _collective(self, ex: Extraction, m: Mention) -> list[str]:
        """"the two public security ministries", "the two police forces": each side's agency of
        that kind, or the country's agency of that kind when its side is another body."""
        assert m.function is not None
        words = {re.sub(r"(?:ies|s)$", lambda x: "y" if x.group(0) == "ies" else "", w)
                 for w in (m.name or "").lower().split()} - {"public", "security", "two", "the", "both"}
        out = []
        for country in self._article_countries(ex):
            side = [o for o in (ex.principal.orgs if ex.principal else [])
                    if ex.registry.orgs[o].country == country
                    and (ex.registry.orgs[o].function == m.function
                         or any(w in ex.registry.orgs[o].name.lower() for w in words))]
            out.append(side[0] if side else ex.registry.function_org(m.function, country))
        return out

    def _article_countries(self, ex: Extraction) -> list[str]:
        """The two (or more) countries of the main news, for "the two public security ministries"."""
        out: list[str] = []
        principal = ex.principal
        if principal is None:
            return out
        for key in principal.persons:
            country = ex.registry.persons[key].country
            if country and country not in out:
                out.append(country)
        return out

    def _topics(self, ex: Extraction, mentioned_spans: SpanIndex) -> None:
        for e in ex.events:
            if e is ex.principal:
                for s in ex.sentences:
                    e.topics.update(topics_in(self.lex, s.text, s.start, mentioned_spans))
                    e.topics.update(topics_in_lemmas(self.lex, ex.parses[s.index], s.start, s.end, mentioned_spans))
            elif not e.main:
                for c in e.candidates:
                    a, b = c.phrase
                    e.topics.update(topics_in(self.lex, ex.article.text[a:b], a))
                    e.topics.update(topics_in_lemmas(self.lex, ex.parses[c.sentence.index], a, b))

    # --- agreements ---------------------------------------------------------------------

    def _continuations(self, sents: list[Sentence], found: list[AgreementMention]) -> None:
        last_singular: dict[int, AgreementMention] = {}  # by sentence, so the lookup is not a scan
        for a in found:
            if not a.plural:
                last_singular[a.sentence.index] = a
        for s in sents:
            if not self.agreement_finder.continuation(s):
                continue
            previous = last_singular.get(s.index - 1)
            if previous is not None:
                previous.subjects_text.append((s.start, s.text))

    def _settle_agreements(self, ex: Extraction, org_keys: dict[tuple[int, int], str]) -> None:
        reg = ex.registry
        signings = _Signings([e for e in ex.events if e.kind == "signing-ceremony"])
        for ag in ex.agreements:
            for m in ag.mentions:
                for party in m.parties:
                    keys = (self._collective(ex, party) if party.type == "collective"
                            else [org_keys.get((party.start, party.end)) or reg.org(party)])
                    ag.parties.extend(k for k in keys if k and k not in ag.parties)
                for start, text in m.subjects_text:
                    ag.subjects.update(topics_in(self.lex, text, start))
            if ag.status != "planned" and not ag.plural:
                ag.signed_at = signings.first_signing(ag)
            signed_here = isinstance(ag.signed_at, Event) and ag.signed_at.main
            if not ag.parties and not ag.plural and (signed_here or any(m.main_sides for m in ag.mentions)):
                ag.parties = self.sides(ex)
            if isinstance(ag.signed_at, Event):
                ag.signed_at.orgs.extend(k for k in ag.parties if k not in ag.signed_at.orgs)
            if ag.signed_at is None and ag.signed_date is not None:
                when = resolve(ag.signed_date, ex.article.published)
                signing = Event("signing-ceremony", main=False, planned=False, date=when,
                                date_stated=ag.signed_date.text, orgs=list(ag.parties))
                signing.candidates = [self._pseudo_candidate(ag.mentions[0])]
                ex.events.append(signing)
                ag.signed_at = signing
            if ag.signed_at is not None:
                ag.status = "signed"

    @staticmethod
    def _signs(c: Candidate, m: AgreementMention) -> bool:
        """A signing trigger signs the agreements named after it in its sentence ("signed a MoU
        ..., and a cooperation plan") or the one named right before it ("the MoU signing
        ceremony")."""
        if c.sentence.index != m.sentence.index:
            return False
        return m.start >= c.end or 0 <= c.start - m.end <= 3

    @staticmethod
    def _pseudo_candidate(m: AgreementMention) -> Candidate:
        return Candidate("signing-ceremony", m.sentence, m.start, m.end, m.start, m.sentence.end)


def _main_events_by_sentence(events: list[Event]) -> dict[int, list[Event]]:
    """The main events with a candidate in each sentence, in the events' order, each once: a
    lookup instead of a scan of every event for every candidate."""
    out: dict[int, list[Event]] = {}
    for e in events:
        if not e.main:
            continue
        for index in dict.fromkeys(c.sentence.index for c in e.candidates):
            out.setdefault(index, []).append(e)
    return out


class _NamedPeople:
    """Where the article names each person, indexed so that choosing the participants of every
    event costs what the event's own sentences and phrases hold, not the whole article."""

    def __init__(self, people: dict[str, PersonFacts], mentioned_spans: SpanIndex) -> None:
        self.order = {key: i for i, key in enumerate(people)}
        named = [(key, pm, mentioned_spans.covers(pm.name_start))
                 for key, facts in people.items() for pm in facts.mentions]
        self.named = named
        self.by_sentence: dict[int, list[tuple[str, PersonMention, bool]]] = {}
        for item in named:
            self.by_sentence.setdefault(item[1].sentence, []).append(item)
        by_start = sorted((pm.name_start, self.order[key]) for key, pm, _ in named)
        self.starts = [start for start, _ in by_start]
        keys = list(people)
        self.start_owner = [keys[i] for _, i in by_start]
        # a person all of whose names lie in mentioned events' phrases is no demonym's referent
        self.referable = [key for key, facts in people.items()
                          if not all(mentioned_spans.covers(pm.name_start) for pm in facts.mentions)]
        self._countries: dict[str | None, list[str]] | None = None

    def _in_order(self, keys: set[str]) -> list[str]:
        return sorted(keys, key=self.order.__getitem__)

    def in_spans(self, spans: list[tuple[int, int]]) -> list[str]:
        """Persons named inside any of the spans."""
        found: set[str] = set()
        for a, b in spans:
            lo, hi = bisect_left(self.starts, a), bisect_left(self.starts, b)
            found.update(self.start_owner[lo:hi])
        return self._in_order(found)

    def outside(self, sentences: set[int]) -> list[str]:
        """Persons named outside mentioned events' phrases, in sentences other than these."""
        return self._in_order({key for key, pm, inside in self.named if not inside and pm.sentence not in sentences})

    def in_sentences(self, sentences: set[int]) -> list[str]:
        """Persons named in these sentences, outside mentioned events' phrases."""
        return self._in_order({key for index in sentences for key, _, inside in self.by_sentence.get(index, [])
                               if not inside})

    def of_country(self, registry: Registry, country: str | None) -> list[str]:
        """The referable persons of a country, in the article's order."""
        if self._countries is None:
            self._countries = {}
            for key in self.referable:
                self._countries.setdefault(registry.persons[key].country, []).append(key)
        return self._countries.get(country, [])


def _titles_by_sentence(ex: Extraction) -> dict[int, list[tuple[int, int]]]:
    """The spans of officials' names and titles, by sentence."""
    out: dict[int, list[tuple[int, int]]] = {}
    for facts in ex.people.values():
        for pm in facts.mentions:
            out.setdefault(pm.sentence, []).append((pm.start, pm.end))
    return out


def _in_title(m: Mention, titles: list[tuple[int, int]]) -> bool:
    """An organization inside an official's titles is represented through that official."""
    return any(start <= m.start and m.end <= end for start, end in titles)


class _UnnamedIndex:
    """Officials the article does not name, by position and by sentence."""

    def __init__(self, unnamed: list[Unnamed]) -> None:
        self.unnamed = unnamed
        ordered = sorted((u.start, i) for i, u in enumerate(unnamed))
        self.starts = [start for start, _ in ordered]
        self.positions = [i for _, i in ordered]
        self.by_sentence: dict[int, list[int]] = {}
        for i, u in enumerate(unnamed):
            self.by_sentence.setdefault(u.sentence, []).append(i)

    def of_event(self, e: Event, mentioned_spans: SpanIndex) -> list[Unnamed]:
        """Those inside the event's phrases, and for main news those in its sentences outside
        every mentioned event's phrase; in the article's order."""
        chosen: set[int] = set()
        for a, b in e.phrases():
            chosen.update(self.positions[bisect_left(self.starts, a):bisect_left(self.starts, b)])
        if e.main:
            for s in e.sentences:
                chosen.update(i for i in self.by_sentence.get(s.index, [])
                              if not mentioned_spans.covers(self.unnamed[i].start))
        return [self.unnamed[i] for i in sorted(chosen)]


class _Signings:
    """The signing ceremonies' candidates by sentence, to find where an agreement was signed
    without trying every ceremony against every agreement."""

    def __init__(self, signings: list[Event]) -> None:
        self.signings = signings
        self.by_sentence: dict[int, list[tuple[int, Candidate]]] = {}
        for position, e in enumerate(signings):
            for c in e.candidates:
                self.by_sentence.setdefault(c.sentence.index, []).append((position, c))

    def first_signing(self, ag: Agreement) -> Event | None:
        """The first ceremony one of whose triggers signs one of the agreement's undated mentions."""
        positions = [position for m in ag.mentions if m.signed_date is None
                     for position, c in self.by_sentence.get(m.sentence.index, []) if Extractor._signs(c, m)]
        return self.signings[min(positions)] if positions else None


def resolved_date(value: PartialDate | None) -> tuple[str, str] | None:
    return value.xsd() if value is not None else None
