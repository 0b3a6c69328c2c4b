"""An extraction written as a record: a JSON-LD document whose keys are the terms of
mappings/context.jsonld, so that the record *is* the RDF once that context is applied.

IRIs in a record are relative ("person/to-lam") and resolve against ``<base>id/``; concepts
of the vocabularies are compact IRIs ("topic:cybercrime"). The record is plain JSON a person
can correct by hand.

What the extractor could not settle is written as review notes (top-level "reviewNote": nodes
of type ReviewNote with "about" — the event, agreement or person concerned, or the article —
"fact", "reason" and "evidence"): the extractor's own ``Extraction.notes``, and those this
writer can see for itself (an agreement with fewer than two parties, a participant with a post
but no organization, an event with no date). A person clears a note by deleting it from the
record, or by adding ``"reviewed": true`` to it (see ``coopld.records``).
"""

from __future__ import annotations

import re
from typing import Any

from coopld import iris
from coopld.extract.agreements import Agreement
from coopld.extract.assemble import Extraction, PersonFacts, ReviewNote
from coopld.extract.events import Event
from coopld.extract.text import Sentence

CONTEXT_IRI = "https://w3id.org/coopld/context.jsonld"

_ORG_CLASSES = {"GovernmentAgency": ["GovernmentAgency", "Organization"],
                "PoliticalOrganization": ["PoliticalOrganization", "Organization"],
                "InternationalOrganization": ["InternationalOrganization", "Organization"],
                "NewsAgency": ["NewsAgency", "Organization"], "State": ["State", "Organization"]}


def _typed(value: tuple[str, str]) -> dict[str, str]:
    return {"@value": value[0], "@type": f"xsd:{value[1]}"}


class RecordWriter:
    def __init__(self, ex: Extraction) -> None:
        self.ex = ex
        self.art = ex.article
        self.lex = ex.registry.lex
        self.event_keys: dict[int, str] = {}
        self.agreement_keys: dict[int, str] = {}
        self.included: dict[str, dict[str, Any]] = {}
        self._sentence_ids: dict[int, set[int]] = {}

    def sentence_ids(self, e: Event) -> set[int]:
        """The sentences an event is told in, worked out once per event and not once per
        participant (the main news of a long article has hundreds of each)."""
        ids = self._sentence_ids.get(id(e))
        if ids is None:
            ids = self._sentence_ids[id(e)] = {s.index for s in e.sentences}
        return ids

    # spans --------------------------------------------------------------------------------

    def span(self, start: int, end: int) -> dict[str, Any]:
        return {"@id": iris.span(self.art.key, start, end), "@type": "TextSpan", "beginIndex": start,
                "endIndex": end, "anchorOf": self.art.text[start:end], "referenceContext": iris.article(self.art.key)}

    def sentence_spans(self, sentences: list[Sentence]) -> list[dict[str, Any]]:
        return [self.span(s.start, s.end) for s in sentences]

    # keys ---------------------------------------------------------------------------------

    def _parties(self, orgs: list[str], *, distinct: bool) -> list[str]:
        return iris.party_tokens(((o, self.ex.registry.orgs[o].country) for o in orgs), distinct=distinct)

    def assign_keys(self) -> None:
        taken: set[str] = set()
        tried: dict[str, int] = {}  # per base, the suffix to try next: "base-2" .. were taken
        for e in self.ex.events:
            persons = e.persons or []
            key = iris.event_key(e.kind, e.date, self._parties(e.orgs, distinct=False), e.place, e.ordinal, persons,
                                 fallback=self.art.key)
            if e.planned and not key.startswith("planned"):
                key = "planned-" + key
            key = _free_key(key, taken, tried)
            self.event_keys[id(e)] = key
        for ag in self.ex.agreements:
            signed = ag.signed_at.date if isinstance(ag.signed_at, Event) else None
            key = iris.agreement_key(ag.kind, ag.plural, self._parties(ag.parties, distinct=True), ag.period, signed,
                                     self.art.key)
            key = _free_key(key, taken, tried)
            self.agreement_keys[id(ag)] = key

    # nodes --------------------------------------------------------------------------------

    def place_node(self, key: str) -> None:
        info = self.ex.registry.places[key]
        node: dict[str, Any] = {"@id": iris.place(key), "@type": ["Country" if info.type == "Country" else "City"],
                                "label": info.name}
        if info.country:
            node["country"] = iris.place(info.country)
            self.place_node(info.country)
        self.included[node["@id"]] = node

    def org_node(self, key: str) -> None:
        info = self.ex.registry.orgs[key]
        node: dict[str, Any] = {"@id": iris.org(key), "@type": _ORG_CLASSES[info.type], "label": info.name}
        if info.country:
            node["country"] = iris.place(info.country)
            self.place_node(info.country)
        if info.parent:
            node["subOrganizationOf"] = iris.org(info.parent)
            self.org_node(info.parent)
        stated = sorted(s for s in info.stated if s != info.name)
        if stated:
            node["nameAsStated"] = stated
        self.included[node["@id"]] = node

    def person_node(self, key: str) -> None:
        info = self.ex.registry.persons[key]
        node: dict[str, Any] = {"@id": iris.person(key), "@type": ["Person", "schema:Person"], "label": info.name,
                                "name": info.name}
        stated = sorted(s for s in info.stated if s != info.name)
        if stated:
            node["nameAsStated"] = stated
        self.included[node["@id"]] = node

    def post_node(self, org_key: str, role: str) -> str:
        ref = iris.post(org_key, role)
        self.org_node(org_key)
        role_label = self.lex.labels.get(f"role:{role}", role)
        self.included[ref] = {"@id": ref, "@type": "Post", "label": f"{role_label}, {self.ex.registry.orgs[org_key].name}",
                              "postIn": iris.org(org_key), "role": f"roles:{role}"}
        return ref

    def participation(self, event_key: str, facts: PersonFacts, e: Event) -> dict[str, Any]:
        self.person_node(facts.key)
        name = self.ex.registry.persons[facts.key].name
        title = facts.posts[0].stated if facts.posts else None
        node: dict[str, Any] = {"@id": iris.participation(event_key, facts.key), "@type": "Participation",
                                "label": f"{name}, {title}" if title else name, "participant": iris.person(facts.key)}
        if facts.rank:
            node["rank"] = f"ranks:{facts.rank}"
            node["rankAsStated"] = facts.rank_stated
        posts = [p for p in facts.posts]
        if posts:
            node["postAsStated"] = [p.stated for p in posts]
            refs = [self.post_node(p.org, p.role) for p in posts if p.org]
            if refs:
                node["post"] = refs
            org = next((p.org for p in posts if p.org), None)
            if org:
                node["onBehalfOf"] = iris.org(org)
        sentence_ids = self.sentence_ids(e)
        first = next((pm for pm in facts.mentions if pm.sentence in sentence_ids), facts.mentions[0])
        sentence = self.ex.sentences[first.sentence]
        node["evidence"] = [self.span(sentence.start, sentence.end)]
        return node

    def event_node(self, e: Event) -> dict[str, Any]:
        key = self.event_keys[id(e)]
        kind_label = self.lex.labels.get(f"kind:{e.kind}", e.kind)
        node: dict[str, Any] = {"@id": iris.event(key), "@type": "CooperationEvent", "label": self.event_label(e, kind_label),
                                "eventKind": f"kinds:{e.kind}", "status": "planned" if e.planned else "held"}
        if e.date is not None:
            node["date"] = _typed(e.date.xsd())
            if e.date_until is not None:
                node["endDate"] = _typed(e.date_until.xsd())
            if e.date_stated:
                node["dateAsStated"] = e.date_stated
        if e.place:
            node["place"] = iris.place(e.place)
            self.place_node(e.place)
        if e.ordinal:
            node["ordinal"] = e.ordinal
        if e.orgs:
            node["involvesOrganization"] = [iris.org(o) for o in e.orgs]
            for o in e.orgs:
                self.org_node(o)
        if e.persons:
            node["hasParticipation"] = [self.participation(key, self.ex.people[p], e) for p in e.persons]
        if e.topics:
            node["topic"] = [f"topics:{t}" for t in sorted(e.topics)]
        if e.parent is not None:
            node["subEventOf"] = iris.event(self.event_keys[id(e.parent)])
        signed = [self.agreement_keys[id(a)] for a in self.ex.agreements if a.signed_at is e]
        if signed:
            node["signing"] = [iris.agreement(k) for k in signed]
        if e is self.ex.principal:
            refs = [self.agreement_keys[id(a)] for a in self.ex.agreements if a.signed_at is None
                    or (isinstance(a.signed_at, Event) and not a.signed_at.main)]
            if refs:
                node["refersTo"] = [iris.agreement(k) for k in refs]
        node["evidence"] = self.sentence_spans(e.sentences)
        return node

    def event_label(self, e: Event, kind_label: str) -> str:
        what = kind_label[0].upper() + kind_label[1:]
        if e.ordinal:
            what = f"{_ordinal(e.ordinal)} {kind_label}"
        names = [self.ex.registry.orgs[o].name for o in e.orgs[:2]]
        if e.persons and (len(names) < 2 or e.kind == "visit"):
            names = [self.ex.registry.persons[p].name for p in e.persons[:2]]
        if e.kind == "visit" or len(names) == 1:
            label = what + (" of " + " and ".join(names) if names else "")
        else:
            label = what + (" between " + " and ".join(names) if names else "")
        where_when = [self.ex.registry.places[e.place].name] if e.place else []
        if e.date is not None:
            where_when.append(e.date.xsd()[0] + (f"/{e.date_until.xsd()[0]}" if e.date_until else ""))
        return label + (f" ({', '.join(where_when)})" if where_when else "")

    def agreement_node(self, ag: Agreement) -> dict[str, Any]:
        key = self.agreement_keys[id(ag)]
        spec = self.lex.agreement_kinds[ag.kind]
        stated = re.sub(r"\s*\([^)]*\)", "", ag.stated)
        stated = stated[0].upper() + stated[1:]
        names = [self.ex.registry.orgs[o].name for o in ag.parties]
        title = stated + (" between " + " and ".join(names) if names else "")
        if ag.period:
            title += f" for {ag.period[0]}–{ag.period[1]}"
        node: dict[str, Any] = {"@id": iris.agreement(key), "@type": spec.cls, "title": title, "label": title}
        if ag.parties:
            node["party"] = [iris.org(o) for o in ag.parties]
            for o in ag.parties:
                self.org_node(o)
        if ag.period:
            start, end = ag.period
            node["validityPeriod"] = {
                "@id": iris.period(start, end), "@type": "Interval", "label": f"{start}–{end}",
                "hasBeginning": {"@id": iris.instant(start), "@type": "Instant", "label": str(start), "inXSDgYear": str(start)},
                "hasEnd": {"@id": iris.instant(end), "@type": "Instant", "label": str(end), "inXSDgYear": str(end)}}
        if ag.subjects:
            node["subject"] = [f"topics:{t}" for t in sorted(ag.subjects)]
        if ag.status:
            node["status"] = ag.status
        if ag.plural:
            node["collective"] = True
        if isinstance(ag.signed_at, Event):
            node["signedAt"] = iris.event(self.event_keys[id(ag.signed_at)])
        seen: dict[int, Sentence] = {m.sentence.index: m.sentence for m in ag.mentions}
        node["evidence"] = self.sentence_spans([seen[i] for i in sorted(seen)])
        return node

    # review notes -------------------------------------------------------------------------

    def about(self, subject: object | None) -> str:
        """The IRI (relative) a note is about: an Event, an Agreement, a person (its key or its
        PersonFacts), an organization's key, or — for None or anything else — the article."""
        if isinstance(subject, Event) and id(subject) in self.event_keys:
            return iris.event(self.event_keys[id(subject)])
        if isinstance(subject, Agreement) and id(subject) in self.agreement_keys:
            return iris.agreement(self.agreement_keys[id(subject)])
        if isinstance(subject, PersonFacts):
            subject = subject.key
        if isinstance(subject, str):
            if subject in self.ex.registry.persons:
                return iris.person(subject)
            if subject in self.ex.registry.orgs:
                return iris.org(subject)
        return iris.article(self.art.key)

    def own_notes(self) -> list[ReviewNote]:
        """What this writer sees the extractor could not find."""
        out: list[ReviewNote] = []
        for ag in self.ex.agreements:
            first = ag.mentions[0].sentence if ag.mentions else None
            where = (first.start, first.end) if first else None
            if not ag.parties:
                out.append(ReviewNote(ag, "party", "the extractor found no parties for this agreement", where))
            elif len(ag.parties) == 1:
                name = self.ex.registry.orgs[ag.parties[0]].name
                out.append(ReviewNote(ag, "party", f"the extractor found only one party for this agreement ({name})",
                                      where))
        seen: set[str] = set()
        for e in self.ex.events:
            if e.date is None:
                where = (e.sentences[0].start, e.sentences[0].end) if e.sentences else None
                out.append(ReviewNote(e, "date", "the extractor found no date for this event", where))
            for key in e.persons or []:
                facts = self.ex.people[key]
                if key in seen or not facts.posts or any(p.org for p in facts.posts):
                    continue
                seen.add(key)
                sentence = self.ex.sentences[facts.mentions[0].sentence] if facts.mentions else None
                out.append(ReviewNote(key, "post", f"the extractor found the post “{facts.posts[0].stated}” but not "
                                      "the organization it is in", (sentence.start, sentence.end) if sentence else None))
        return out

    def review_notes(self) -> list[dict[str, Any]]:
        """The extractor's notes, then the writer's own on facts the extractor left no note on."""
        nodes: list[dict[str, Any]] = []
        taken: set[str] = set()
        tried: dict[str, int] = {}
        written: set[tuple[str, str, str]] = set()
        stated = {(self.about(n.about), n.fact) for n in self.ex.notes}
        own = [n for n in self.own_notes() if (self.about(n.about), n.fact) not in stated]
        for note in [*self.ex.notes, *own]:
            about = self.about(note.about)
            if (about, note.fact, note.reason) in written:
                continue
            written.add((about, note.fact, note.reason))
            ref = _free_key(iris.review_note(self.art.key, about, note.fact), taken, tried)
            node: dict[str, Any] = {"@id": ref, "@type": "ReviewNote", "label": f"To check ({note.fact}): {note.reason}",
                                    "about": about, "fact": note.fact, "reason": note.reason}
            if note.evidence is not None:
                node["evidence"] = [self.span(*note.evidence)]
            nodes.append(node)
        return nodes

    def record(self) -> dict[str, Any]:
        self.assign_keys()
        art = self.art
        doc: dict[str, Any] = {"@context": CONTEXT_IRI, "@id": iris.article(art.key), "@type": "Article",
                               "label": self._article_label(), "sourceFile": art.path.name, "sha256": art.sha256}
        if art.published:
            doc["published"] = art.published.isoformat()
        if art.headline:
            doc["headline"] = art.slice(art.headline)
        if art.caption:
            doc["caption"] = art.slice(art.caption)
        if self.ex.publisher:
            doc["publisher"] = iris.org(self.ex.publisher)
            self.org_node(self.ex.publisher)
        doc["text"] = art.text
        main = [self.event_node(e) for e in self.ex.events if e.main]
        other = [self.event_node(e) for e in self.ex.events if not e.main]
        agreements = [self.agreement_node(a) for a in self.ex.agreements]
        if main:
            doc["reportsEvent"] = main
        if other:
            doc["mentionsEvent"] = other
        reg = self.ex.registry
        mentioned = ([iris.person(k) for k in sorted(reg.persons) if k in self.ex.people]
                     + [iris.org(k) for k, o in sorted(reg.orgs.items()) if o.mentioned]
                     + [iris.place(k) for k, p in sorted(reg.places.items()) if p.mentioned]
                     + [a["@id"] for a in agreements])
        for k in sorted(self.ex.people):
            self.person_node(k)
        for k, o in sorted(reg.orgs.items()):
            if o.mentioned:
                self.org_node(k)
        for k, p in sorted(reg.places.items()):
            if p.mentioned:
                self.place_node(k)
        if mentioned:
            doc["mentions"] = mentioned
        notes = self.review_notes()
        if notes:
            doc["reviewNote"] = notes
        doc["@included"] = agreements + [self.included[k] for k in sorted(self.included)]
        return doc

    def _article_label(self) -> str:
        art = self.art
        if art.headline:
            return art.slice(art.headline)
        first = next((s for s in self.ex.sentences if s.part == "body"), None)
        text = first.text if first else art.key
        return text if len(text) <= 120 else text[:117].rsplit(" ", 1)[0] + "…"


def _free_key(key: str, taken: set[str], tried: dict[str, int]) -> str:
    """``key``, or the first of ``key-2``, ``key-3`` ... not taken, now taken. Counting on from
    the last suffix tried for the same base keeps many events of one key linear."""
    base, n = key, tried.get(key, 2)
    if n > 2:
        key = f"{base}-{n - 1}"  # the last one handed out: taken, so the loop moves on
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    tried[base] = n
    taken.add(key)
    return key


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def to_record(ex: Extraction) -> dict[str, Any]:
    return RecordWriter(ex).record()
