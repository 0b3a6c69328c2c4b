"""The reconciliation service (W3C Entity Reconciliation API 0.2) under gunicorn, asked the way
OpenRefine asks: the manifest first, then batches of form-encoded queries, then suggest and
preview. Every request and answer is checked against the API's JSON schemas (our own transcription
of them in coopld/web/schemas/), and the candidates against what the seed articles report."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import jsonschema
import pytest

from coopld.web.reconcile import MAX_QUERIES, schema
from tests.conftest import Built, iri
from tests.test_web_sparql import http

ID_SPACE = iri("")
ORG = "http://www.w3.org/ns/org#Organization"
PERSON = "http://xmlns.com/foaf/0.1/Person"
PLACE = "https://w3id.org/coopld/ontology#Place"
AGREEMENT = "https://w3id.org/coopld/ontology#Agreement"
EVENT = "https://w3id.org/coopld/ontology#CooperationEvent"


def valid(payload: Any, name: str) -> Any:
    jsonschema.Draft202012Validator(schema(name), format_checker=jsonschema.FormatChecker()).validate(payload)
    return payload


def reconcile(site: str, queries: dict[str, Any], *, method: str = "POST") -> dict[str, Any]:
    """One batch, as OpenRefine sends it: form-encoded ``queries``; the answer checked."""
    valid(queries, "query-batch")
    encoded = urllib.parse.urlencode({"queries": json.dumps(queries)})
    if method == "POST":
        status, headers, body = http(site + "reconcile", data=encoded.encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, headers, body = http(site + "reconcile?" + encoded)
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    answer: dict[str, Any] = valid(json.loads(body), "result-batch")
    assert set(answer) == set(queries), "every query is answered under its own key"
    for result in answer.values():
        scores = [c["score"] for c in result["result"]]
        assert scores == sorted(scores, reverse=True), "candidates are ranked, best first"
        assert sum(c["match"] for c in result["result"]) <= 1
    return answer


def top(answer: dict[str, Any], key: str) -> dict[str, Any]:
    result: list[dict[str, Any]] = answer[key]["result"]
    assert result, f"no candidate for {key}"
    return result[0]


def test_our_schemas_are_valid_and_can_fail() -> None:
    for name in ("manifest", "query-batch", "result-batch", "suggest"):
        jsonschema.Draft202012Validator.check_schema(schema(name))
    bad = [({"versions": ["0.1"], "name": "x", "identifierSpace": "http://a/", "schemaSpace": "http://b/"}, "manifest"),
           ({"q0": {"limit": 3}}, "query-batch"),
           ({"q0": {"query": "x", "typo": 1}}, "query-batch"),
           ({"q0": {"result": [{"id": "a", "name": "b"}]}}, "result-batch"),
           ({"result": [{"name": "no id"}]}, "suggest")]
    for payload, name in bad:
        with pytest.raises(jsonschema.ValidationError):
            valid(payload, name)


def test_the_manifest_describes_the_service(site: str) -> None:
    status, headers, body = http(site + "reconcile")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    manifest = valid(json.loads(body), "manifest")
    assert manifest["identifierSpace"] == ID_SPACE
    assert {t["id"] for t in manifest["defaultTypes"]} == {PERSON, ORG, PLACE, AGREEMENT, EVENT}
    assert manifest["view"]["url"] == site + "id/{{id}}", "view URLs point at the server that was asked"
    view = manifest["view"]["url"].replace("{{id}}", "person/to-lam")
    status, headers, _ = http(view, headers={"Accept": "text/html"})
    assert status == 303 and headers["Location"].endswith("/doc/person/to-lam.html")
    assert headers.get("Access-Control-Allow-Origin") == "*" or http(
        site + "reconcile", headers={"Origin": "https://openrefine.example"})[1]["Access-Control-Allow-Origin"] == "*"


def test_a_single_query_finds_the_person_whatever_the_accents(site: str, seeds: Built) -> None:
    answer = reconcile(site, {"q0": {"query": "Tô Lâm", "type": PERSON}}, method="GET")
    best = top(answer, "q0")
    assert best["id"] == "person/to-lam" and best["name"] == "To Lam"
    assert best["score"] == 100 and best["match"] is True
    assert {"id": PERSON, "name": "person"} in best["type"]
    assert seeds.ask(f"ASK {{ <{ID_SPACE + best['id']}> a <{PERSON}> }}"), "identifierSpace + id is the thing's IRI"


def test_a_batch_like_a_spreadsheet_column(site: str) -> None:
    rows = {  # name as someone typed it -> (type, the thing it means)
        "q0": ("Vladimir Kolokoltsev", PERSON, "person/vladimir-kolokoltsev"),
        "q1": ("Kolokoltsev", PERSON, "person/vladimir-kolokoltsev"),
        "q2": ("MVD", ORG, "org/russia-ministry-of-internal-affairs"),
        "q3": ("Ministry of Public Security of Viet Nam", ORG, "org/vietnam-ministry-of-public-security"),
        "q4": ("Interpol", ORG, "org/interpol"),
        "q5": ("Moscow", PLACE, "place/moscow"),
        "q6": ("hanoi", PLACE, "place/hanoi"),
        "q7": ("Coordinated Action Program 2022-2024", AGREEMENT, "agreement/programme-russia-vietnam-2022-2024"),
        "q8": ("8th conference Vietnam China public security", EVENT, "event/conference-no8-china-vietnam"),
        "q9": ("Xi Jinping", PERSON, "person/xi-jinping"),
    }
    answer = reconcile(site, {k: {"query": q, "type": t, "limit": 5} for k, (q, t, _) in rows.items()})
    for key, (query, _type, expected) in rows.items():
        assert top(answer, key)["id"] == expected, (query, answer[key])
    assert top(answer, "q5")["match"] and top(answer, "q2")["match"], "an exact name or alias is a sure match"
    assert not top(answer, "q1")["match"], "a surname alone is a candidate, not a sure match"
    assert all(len(r["result"]) <= 5 for r in answer.values()), "limit is respected"


def test_ambiguous_names_are_candidates_and_properties_decide(site: str) -> None:
    answer = reconcile(site, {
        "plain": {"query": "Ministry of Public Security", "type": ORG},
        "china": {"query": "Ministry of Public Security", "type": ORG,
                  "properties": [{"pid": "coop:country", "v": "China"}]},
        "vietnam": {"query": "Ministry of Public Security", "type": ORG,
                    "properties": [{"pid": "https://w3id.org/coopld/ontology#country", "v": {"id": "place/vietnam"}}]},
    })
    plain = [c["id"] for c in answer["plain"]["result"][:2]]
    assert set(plain) == {"org/vietnam-ministry-of-public-security", "org/china-ministry-of-public-security"}
    assert not any(c["match"] for c in answer["plain"]["result"]), "two ministries fit: the service must not choose"
    assert top(answer, "china")["id"] == "org/china-ministry-of-public-security"
    assert top(answer, "vietnam")["id"] == "org/vietnam-ministry-of-public-security"
    assert top(answer, "china")["score"] > answer["china"]["result"][1]["score"]


def test_types_filter_and_properties_alone(site: str) -> None:
    answer = reconcile(site, {
        "wrong-type": {"query": "Hanoi", "type": AGREEMENT},
        "city": {"query": "Hanoi", "type": "https://w3id.org/coopld/ontology#City"},
        "all": {"query": "Hanoi", "type": [PLACE, "https://w3id.org/coopld/ontology#Country"], "type_strict": "all"},
        "should": {"query": "Hanoi", "type": AGREEMENT, "type_strict": "should"},
        "by-date": {"type": EVENT, "properties": [{"pid": "coop:date", "v": "2024-04-03"},
                                                  {"pid": "coop:eventKind", "v": "signing ceremony"}]},
    })
    assert all(c["id"] != "place/hanoi" for c in answer["wrong-type"]["result"])
    assert top(answer, "city")["id"] == "place/hanoi"
    assert all(c["id"] != "place/hanoi" for c in answer["all"]["result"]), "Hanoi is a place but not a country"
    assert "place/hanoi" in [c["id"] for c in answer["should"]["result"]], "'should' ranks, it does not filter"
    assert top(answer, "by-date")["id"] == "event/2024-04-03-signing-ceremony-russia-vietnam-hanoi"
    assert top(answer, "by-date")["score"] == 100


def test_bad_requests_name_the_fault(site: str) -> None:
    status, _h, body = http(site + "reconcile?queries=" + urllib.parse.quote("{not json"))
    assert status == 400 and b"'queries' is not JSON" in body
    status, _h, body = http(site + "reconcile?queries=" + urllib.parse.quote(json.dumps({"q0": {"limit": 2}})))
    assert status == 400 and b"at q0" in body
    status, _h, body = http(site + "reconcile?queries=" + urllib.parse.quote(json.dumps({"q0": {"query": 7}})))
    assert status == 400 and b"at q0/query" in body
    many = {f"q{i}": {"query": "Hanoi"} for i in range(MAX_QUERIES + 1)}
    status, _h, body = http(site + "reconcile", data=urllib.parse.urlencode({"queries": json.dumps(many)}).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and str(MAX_QUERIES).encode() in body
    assert http(site + "reconcile?callback=alert(1)")[0] == 400


def test_suggest_preview_and_jsonp(site: str) -> None:
    status, _h, body = http(site + "reconcile/suggest/entity?prefix=kolok")
    entities = valid(json.loads(body), "suggest")
    assert status == 200 and entities["result"][0]["id"] == "person/vladimir-kolokoltsev"
    types = valid(json.loads(http(site + "reconcile/suggest/type?prefix=ci")[2]), "suggest")
    assert [t["id"] for t in types["result"]] == ["https://w3id.org/coopld/ontology#City"]
    properties = valid(json.loads(http(site + "reconcile/suggest/property?prefix=coun&type=" + urllib.parse.quote(ORG))[2]),
                       "suggest")
    assert "https://w3id.org/coopld/ontology#country" in [p["id"] for p in properties["result"]]
    status, headers, body = http(site + "reconcile/preview?id=org/russia-ministry-of-internal-affairs")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Ministry of Internal Affairs of the Russian Federation" in body and b"MVD" in body
    assert http(site + "reconcile/preview?id=person/nobody")[0] == 404
    status, headers, body = http(site + "reconcile?callback=handle")
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    assert body.startswith(b"/**/handle(") and body.endswith(b");")
    valid(json.loads(body[len(b"/**/handle("):-2]), "manifest")


def test_the_landing_page_says_how_to_link_to_us(site: str) -> None:
    manifest = json.loads(http(site + "reconcile")[2])
    assert manifest["documentation"] == site + "#link-to-us"
    status, _h, body = http(site)
    assert status == 200
    page = body.decode("utf-8")
    section = page[page.index('id="link-to-us"'):]
    for needed in ("IRI patterns", "Stability", "Formats", ID_SPACE + "event/", "/ontology/&lt;version&gt;",
                   site + "reconcile", 'href="/graph/links"', ".ttl", ".jsonld", ".rdf"):
        assert needed in section, needed
