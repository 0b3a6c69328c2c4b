"""The top of an event's or a person's page: what a reader asks first, in sentences and short
lists rather than as statements. An event: its kind, when (as precisely as the report says),
where, who met whom with the rank and post they held then and for which organization, the
agreements it refers to, its topics and the events related to it. A person: the posts and
ranks they held over time, the events they attended in date order, and whom they met.

The full statements stay below the summary for readers who want them; everything here comes
from the same store through the queries in ``queries/``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, ORG

from coopld.store import Store, Term, Triple
from coopld.vocab import COOP
from coopld.web.dates import for_people, is_date
from coopld.web.stats import query_text

Link = dict[str, str]
Href = Callable[[str], str]


def _link(node: Term | None, label: object, href: Href) -> Link | None:
    if not isinstance(node, URIRef):
        return None
    return {"href": href(str(node)), "iri": str(node), "text": str(label) if label is not None else str(node)}


def _when(value: Term | None) -> str:
    if isinstance(value, Literal):
        return for_people(value) if is_date(value) else str(value)
    return ""


def _order(value: Term | None) -> tuple[int, str]:
    """Undated last; dates of different precision in the order of their lexical form, which is
    the order of time for the same year ("2017-07" before "2017-07-25"); yearless ones after."""
    if not isinstance(value, Literal):
        return (2, "")
    text = str(value)
    return (1, text) if text.startswith("--") else (0, text)


def _held(rank: Term | None, post: Term | None, org: Link | None) -> dict[str, Any]:
    """Rank, post and organization as the page says them: the organization is left out of the
    sentence when the post's label names it already ("Minister, Ministry of Public Security")."""
    post_text = str(post or "")
    return {"rank": str(rank or ""), "post": post_text, "org": org,
            "for": org if org and org["text"] not in post_text else None}


def _values(triples: list[Triple], root: URIRef, predicate: URIRef, labels: dict[str, str], href: Href) -> list[Link]:
    found = [_link(o, labels.get(str(o)), href) for s, p, o in triples if s == root and p == predicate]
    return sorted((v for v in found if v), key=lambda v: v["text"].lower())


def event_summary(store: Store, iri: str, triples: list[Triple], labels: dict[str, str], href: Href) -> dict[str, Any]:
    root = URIRef(iri)

    def one(predicate: URIRef) -> Term | None:
        return next((o for s, p, o in triples if s == root and p == predicate), None)

    status = one(COOP.status)
    people: list[dict[str, Any]] = []
    for row in store.select(query_text("event-participants"), [{"event": root}]):
        person = _link(row["person"], row["personLabel"], href)
        if person is None:
            continue
        people.append({"person": person, **_held(row["rankLabel"], row["postLabel"],
                                                 _link(row["org"], row["orgLabel"], href))})
    people.sort(key=lambda p: (p["org"]["text"] if p["org"] else "~", p["person"]["text"]))
    date, end = one(COOP.date), one(COOP.endDate)
    return {
        "kind": _link(one(COOP.eventKind), labels.get(str(one(COOP.eventKind))), href),
        "status": labels.get(str(status), "") if status is not None else "",
        "when": _when(date) + (f" to {_when(end)}" if end is not None else "") if date is not None else "",
        "where": _link(one(COOP.place), labels.get(str(one(COOP.place))), href),
        "people": people,
        "organizations": _values(triples, root, COOP.involvesOrganization, labels, href),
        "agreements": _values(triples, root, COOP.refersTo, labels, href),
        "topics": _values(triples, root, COOP.topic, labels, href),
        "related": related_events(store, root, href),
    }


def related_events(store: Store, root: URIRef, href: Href) -> list[dict[str, Any]]:
    rows = store.select(query_text("related-events"), [{"event": root}])
    rows.sort(key=lambda r: (_order(r["date"]), str(r["label"] or "")))
    out = []
    for row in rows:
        event = _link(row["other"], row["label"], href)
        if event is None:
            continue
        why = [w for w, flag in (("same agreement", row["agreement"]), ("same parties", row["parties"])) if flag is not None]
        out.append({"event": event, "when": _when(row["date"]) or "date not stated", "why": ", ".join(why)})
    return out


def person_summary(store: Store, iri: str, href: Href) -> dict[str, Any]:
    root = URIRef(iri)
    rows = store.select(query_text("person-participations"), [{"person": root}])
    rows.sort(key=lambda r: (_order(r["date"]), str(r["eventLabel"] or "")))
    events: list[dict[str, Any]] = []
    posts: list[dict[str, Any]] = []
    for row in rows:
        event = _link(row["event"], row["eventLabel"], href)
        if event is None:
            continue
        held = _held(row["rankLabel"], row["postLabel"], _link(row["org"], row["orgLabel"], href))
        when = _when(row["date"]) or "date not stated"
        events.append({"event": event, "when": when, **held})
        key = (held["rank"], held["post"], held["org"]["iri"] if held["org"] else "")
        if any(key) and (not posts or posts[-1]["key"] != key):  # a new post or rank from here on
            posts.append({"key": key, "since": when, **held})
    met: list[dict[str, Any]] = [{"person": _link(r["other"], r["label"], href), "events": int(str(r["events"]))}
           for r in store.select(query_text("counterparts"), [{"person": root}])]
    met = [m for m in met if m["person"]]
    met.sort(key=lambda m: (-m["events"], m["person"]["text"]))
    return {"events": events, "posts": posts, "met": met}


def agreement_summary(store: Store, iri: str, triples: list[Triple], labels: dict[str, str], href: Href) -> dict[str, Any]:
    root = URIRef(iri)
    found = store.select(query_text("agreement-summary"), [{"agreement": root}])
    row = found[0] if found else {}
    begins, ends = row.get("begins"), row.get("ends")
    period = "–".join(str(v) for v in (begins, ends) if v is not None)
    if begins is not None and ends is None:
        period = f"from {begins}"
    status = next((o for s, p, o in triples if s == root and p == COOP.status), None)
    rows = store.select(query_text("referring-events"), [{"agreement": root}])
    rows.sort(key=lambda r: (_order(r["date"]), str(r["label"] or "")))
    events: list[dict[str, Any]] = [{"event": _link(r["event"], r["label"], href), "when": _when(r["date"]) or "date not stated"}
                                    for r in rows]
    events = [e for e in events if e["event"]]
    return {
        "status": labels.get(str(status), "") if status is not None else "",
        "parties": _values(triples, root, COOP.party, labels, href),
        "period": period,
        "signing": _link(row.get("signing"), row.get("signingLabel"), href),
        "signed_on": _when(row.get("signedOn")),
        "signed_in": _link(row.get("signedIn"), row.get("placeLabel"), href),
        "predecessors": _values(triples, root, COOP.succeeds, labels, href),
        "successors": _values(triples, root, COOP.succeededBy, labels, href),
        "events": events,
    }


def organization_summary(store: Store, iri: str, triples: list[Triple], labels: dict[str, str], href: Href) -> dict[str, Any]:
    root = URIRef(iri)
    people = [{"person": _link(r["person"], r["label"], href), "posts": str(r["posts"] or ""), "events": int(str(r["events"]))}
              for r in store.select(query_text("organization-people"), [{"organization": root}])]
    agreements = [_link(r["agreement"], r["label"], href)
                  for r in store.select(query_text("organization-agreements"), [{"organization": root}])]
    partners = [{"partner": _link(r["partner"], r["label"], href), "events": int(str(r["events"]))}
                for r in store.select(query_text("organization-partners"), [{"organization": root}])]
    return {
        "country": _values(triples, root, COOP.country, labels, href),
        "parents": _values(triples, root, ORG.subOrganizationOf, labels, href),
        "units": _values(triples, root, ORG.hasSubOrganization, labels, href),
        "people": sorted((p for p in people if p["person"]), key=lambda p: (-p["events"], p["person"]["text"])),
        "agreements": sorted((a for a in agreements if a), key=lambda a: a["text"].lower()),
        # those it met most often first: who an organization works with is what a reader asks
        "partners": sorted((p for p in partners if p["partner"]), key=lambda p: (-p["events"], p["partner"]["text"])),
    }


def kind_of(classes: set[str]) -> str | None:
    """Which summary a resource of these classes gets."""
    if str(COOP.CooperationEvent) in classes:
        return "event"
    if str(FOAF.Person) in classes:
        return "person"
    if str(COOP.Agreement) in classes:
        return "agreement"
    if str(COOP.Country) in classes:
        return "country"
    if str(ORG.Organization) in classes:
        return "organization"
    return None
