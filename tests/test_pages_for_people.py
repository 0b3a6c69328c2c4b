"""Pages that read like a briefing (issue 12), on every store: an event's summary (kind, date in
words, place, who with rank and post, agreements, topics), a person's posts over time, events
and counterparts, each relation shown once, evidence read as its words, dates in words, and no
property named by a raw local name anywhere a page of the dataset shows one."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from coopld.web.dates import for_people
from tests.conftest import Built
from tests.test_web_resources import local, minted, two_of_each_kind
from tests.test_web_sparql import http

EVENT = "doc/event/2017-07-25-talks-russia-vietnam-hanoi.html"
PERSON = "doc/person/to-lam.html"


BLOCKS = frozenset({"p", "div", "section", "dl", "dt", "dd", "ul", "ol", "li", "table", "tr", "td", "th",
                    "h1", "h2", "h3", "h4", "figure", "figcaption", "br"})


class Page(HTMLParser):
    """The text of each element with an id, the header cells of tables, and the link targets."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.by_id: dict[str, list[str]] = {}
        self.headers: list[str] = []
        self.items: dict[str, list[str]] = {}  # id of the nearest list -> its items' text
        self._th: list[str] | None = None
        self._li: list[str] | None = None
        self.feed(body.decode("utf-8"))

    def _break(self, tag: str) -> None:
        """A block's edge reads as a space, as it does on the screen ("status signed", not "statussigned")."""
        if tag in BLOCKS:
            self.handle_data(" ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break(tag)
        ident = dict(attrs).get("id")
        self.open.append((tag, ident))
        if ident:
            self.by_id.setdefault(ident, [])
        if tag == "th":
            self._th = []
        if tag == "li":
            self._li = []

    def handle_endtag(self, tag: str) -> None:
        self._break(tag)
        while self.open:
            name, _ident = self.open.pop()
            if name == tag:
                break
        if tag == "th" and self._th is not None:
            self.headers.append(" ".join("".join(self._th).split()))
            self._th = None
        if tag == "li" and self._li is not None:
            section = next((i for _t, i in reversed(self.open) if i), "")
            self.items.setdefault(section, []).append(" ".join("".join(self._li).split()))
            self._li = None

    def handle_data(self, data: str) -> None:
        for _tag, ident in self.open:
            if ident:
                self.by_id[ident].append(data)
        if self._th is not None:
            self._th.append(data)
        if self._li is not None:
            self._li.append(data)

    def text(self, ident: str) -> str:
        return " ".join("".join(self.by_id.get(ident, [])).split())


def page(site: str, path: str) -> Page:
    status, _headers, body = http(site + path, headers={"Accept": "text/html"})
    assert status == 200, (path, status)
    return Page(body)


@pytest.mark.parametrize("value, words", [
    (Literal("2017-07-25", datatype=XSD.date), "25 July 2017"),
    (Literal("2017-07", datatype=XSD.gYearMonth), "July 2017"),
    (Literal("2016", datatype=XSD.gYear), "2016"),
    (Literal("--10-31", datatype=XSD.gMonthDay), "31 October, year not stated"),
    (Literal("--05", datatype=XSD.gMonth), "May, year not stated"),
    (Literal("--13", datatype=XSD.gMonth), "--13"),  # no such month: given as written
])
def test_dates_read_as_words_as_precise_as_the_data(value: Literal, words: str) -> None:
    assert for_people(value) == words


def test_an_event_page_opens_with_who_met_whom_when_and_where(site: str) -> None:
    event = page(site, EVENT)
    summary = event.text("summary")
    for fact in ("talks (held)", "25 July 2017", "Hanoi", "Cooperation programme between Ministry of Public Security",
                 "cyber security", "terrorism"):
        assert fact in summary, (fact, summary)
    who = [item for item in event.items["summary"] if item.startswith(("To Lam", "Nikolai Patrushev"))]
    assert sorted(who) == ["Nikolai Patrushev — General, Secretary, Security Council of the Russian Federation",
                           "To Lam — Senior Lieutenant General, Minister, Ministry of Public Security of Vietnam"]


def test_an_event_page_shows_each_relation_once(site: str) -> None:
    """No "referred to by" link repeats one the statements show the other way, "mentioned in" is
    not repeated beside "reported in" the same article, and evidence reads as the sentence."""
    event = page(site, EVENT)
    assert "inbound" not in event.by_id, event.text("inbound")
    assert "reported in" in event.headers and "mentioned in" not in event.headers
    about = event.text("properties")
    assert "char=" not in about
    assert "During his talks with General Nikolai Patrushev" in about


def test_a_persons_page_gives_posts_over_time_events_and_counterparts(site: str) -> None:
    person = page(site, PERSON)
    assert person.items["posts"][0].startswith("25 July 2017 Senior Lieutenant General, Minister")
    assert any(p.startswith("October, year not stated General, Minister") for p in person.items["posts"][1:])
    attended = person.items["events"]
    assert attended[0].startswith("25 July 2017 Talks between Ministry of Public Security of Vietnam and Security Council")
    assert len(attended) >= 4
    assert "Vladimir Kolokoltsev (3 events)" in person.items["met"]
    _status, _headers, body = http(site + PERSON)
    assert b"person \xc2\xb7 person" not in body.lower(), "foaf:Person and schema:Person read as one kind"


def _raw(label: str) -> bool:
    """A label that is a term's local name as written in its IRI: camel case ("wasDerivedFrom",
    "has subOrganization"), or a capitalised word among lower-case labels ("Publisher")."""
    return bool(re.search(r"[a-z][A-Z]", label)) or (label[:1].isupper() and not label[:2].isupper())


def test_no_page_names_a_property_by_a_raw_local_name(site: str, seeds: Built) -> None:
    """Every page of every kind of resource the dataset mints (two of each), the validation
    report and the article graphs: each property row is labelled in words."""
    things = [local(seeds, iri) for iri in two_of_each_kind(seeds, sorted(minted(seeds)))]
    paths = ["doc/" + path[3:] + ".html" for path in things if path.startswith("id/")]
    paths.append("graph/validation-report.html")
    bad, checked = {}, set()
    for path in paths:
        headers = page(site, path).headers
        checked.update(headers)
        found = [h for h in headers if _raw(h)]
        if found:
            bad[path] = found
    assert len(paths) > 20 and len(checked) > 40, (len(paths), sorted(checked))
    assert not bad, bad
    assert _raw("wasDerivedFrom") and _raw("has subOrganization") and _raw("Publisher") and not _raw("SHA-256")


def test_an_agreement_page_gives_parties_period_successor_and_events(site: str) -> None:
    agreement = page(site, "doc/agreement/programme-russia-vietnam-2016-2018.html")
    summary = agreement.text("summary")
    for fact in ("signed", "Ministry of Internal Affairs of the Russian Federation; Ministry of Public Security of Vietnam",
                 "2016–2018", "followed by Action coordination programme", "for 2019–2021"):
        assert fact in summary, (fact, summary)
    assert agreement.items["referring"] == [
        "25 July 2017 Talks between Ministry of Public Security of Vietnam and Security Council of the Russian Federation "
        "(Hanoi, 2017-07-25)"]


def test_an_organization_page_gives_its_place_people_agreements_and_pictures(site: str) -> None:
    ministry = page(site, "doc/org/vietnam-ministry-of-public-security.html")
    summary = ministry.text("summary")
    assert "country Vietnam" in summary and "units Hanoi Department of Public Security" in summary
    assert summary.count("between Ministry of Public Security of Vietnam and Ministry of Internal Affairs") >= 5
    people = ministry.items["people"]
    assert people[0].startswith("To Lam — ") and "event" in people[0], people
    assert {"timeline-chart", "network-chart"} <= set(ministry.by_id)
    # its partners, those it met most often first, its own units not among them
    partners = ministry.items["partners"]
    shared = [int(re.search(r"\((\d+) shared events?\)$", p).group(1)) for p in partners]  # type: ignore[union-attr]
    assert shared == sorted(shared, reverse=True) and shared[0] >= 5, partners
    assert partners[0].startswith("Ministry of Internal Affairs of the Russian Federation"), partners
    assert any(p.startswith("Security Council of the Russian Federation") for p in partners), partners
    assert not [p for p in partners if "Hanoi Department" in p], partners


def test_the_query_page_knows_the_datas_own_namespaces(site: str) -> None:
    """Results read event:2017-07-25-… rather than a full IRI: the query page's prefixes hold a
    namespace for each kind of thing the data mint, beside the vocabularies' (org: stays the W3C
    organization ontology)."""
    import json

    _status, _headers, body = http(site + "sparql/prefixes.json")
    prefixes = json.loads(body)
    assert prefixes["event"] == "https://w3id.org/coopld/id/event/"
    assert prefixes["organization"] == "https://w3id.org/coopld/id/org/"
    assert prefixes["org"] == "http://www.w3.org/ns/org#" and prefixes["coop"] == "https://w3id.org/coopld/ontology#"


def test_the_dataset_description_reads_without_turtle(site: str) -> None:
    """The VoID page says what the Turtle says: the totals the Turtle gives, each kind of thing
    labelled with its prefixed name and count (the two "event" classes told apart), the files
    with their sizes in words; the Turtle is kept, folded."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import VOID

    _status, _headers, turtle = http(site + ".well-known/void", headers={"Accept": "text/turtle"})
    described = Graph().parse(data=turtle.decode("utf-8"), format="turtle")
    dataset = next(described.subjects(VOID.sparqlEndpoint, None))
    void = page(site, ".well-known/void")
    summary = void.text("summary")
    triples, entities = int(described.value(dataset, VOID.triples)), int(described.value(dataset, VOID.entities))
    assert f"{triples:,} statements about {entities:,} things" in summary, summary
    assert "CC BY 4.0" in summary
    kinds = void.text("classes")
    partition = next(p for p in described.objects(dataset, VOID.classPartition)
                     if described.value(p, VOID["class"]) == URIRef("https://w3id.org/coopld/ontology#CooperationEvent"))
    assert f"cooperation event coop:CooperationEvent {int(described.value(partition, VOID.entities))}" in kinds, kinds
    assert "coop:Event" in kinds and "sem:Event" in kinds
    assert "coopld.nq" in void.text("dumps") and re.search(r"\d(\.\d)? (kB|MB)", void.text("dumps"))
    assert "void:triples" in void.text("turtle")


def test_the_query_page_gets_labels_for_the_iris_it_shows(site: str) -> None:
    import json

    asked = ["https://w3id.org/coopld/id/person/to-lam", "https://w3id.org/coopld/ontology#CooperationEvent",
             "https://w3id.org/coopld/id/person/nobody"]
    status, _headers, body = http(site + "sparql/labels.json", data=json.dumps({"iris": asked}).encode(),
                                  headers={"Content-Type": "application/json"}, method="POST")
    assert status == 200, body
    assert json.loads(body) == {asked[0]: "To Lam", asked[1]: "cooperation event"}
    for wrong, reason in [(b"not json", b'send JSON {"iris"'),
                          (json.dumps({"iris": ["no iri"]}).encode(), b"not an absolute IRI"),
                          (json.dumps({"iris": ["http://x/"] * 1001}).encode(), b"at most 1000")]:
        status, _headers, body = http(site + "sparql/labels.json", data=wrong, headers={"Content-Type": "application/json"},
                                      method="POST")
        assert status == 400 and reason in body, (status, body[:300])


def test_an_article_page_marks_each_sentence_read_and_links_what_was_made_of_it(site: str) -> None:
    """The article's text with each sentence evidence points to marked and numbered, and under
    it, for each number, the resources read from that sentence; no span shows as "char=…"."""
    article = page(site, "doc/article/004-3c8652a5e7475668.html")
    marks = [ident for ident in article.by_id if ident.startswith("read-from-")]
    read = article.items["read-facts"]
    assert len(marks) == len(read) >= 4, (marks, read)
    first = article.text("read-from-1")
    assert "During his talks with General Nikolai Patrushev" in first, first
    assert read[0].startswith("Nikolai Patrushev") and "Talks between Ministry of Public Security of Vietnam and Security " \
        "Council of the Russian Federation (Hanoi, 2017-07-25)" in read[0] and "To Lam" in read[0], read[0]
    assert any("Memorandum of understanding" in item and "Signing ceremony" in item for item in read), read
    _status, _headers, body = http(site + "doc/article/004-3c8652a5e7475668.html")
    visible = re.sub(r"<[^>]+>", " ", re.sub(r'(href|title|id)="[^"]*"', "", body.decode("utf-8")))
    assert "char=" not in visible
