"""`coopld link` against a real SPARQL endpoint on loopback, loaded with a small fixture in
Wikidata's shape: proposals by label and alias, type constraints, scores, a cache, and
endpoint failures reported without stopping the run. Nothing is ever published by it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Built, gunicorn_app

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("endpoint") / "gunicorn.log"
    env = {"FIXTURE_TTL": str(FIXTURES / "wikidata.ttl"), "PYTHONPATH": str(FIXTURES)}
    with gunicorn_app("sparql_endpoint:create_app()", env, log, timeout=30) as url:
        yield url


def link(seeds: Built, url: str, review: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    run = subprocess.run([sys.executable, "-m", "coopld", "link", "--endpoint", url, "--build", str(seeds.settings.out),
                          "--review", str(review), *extra], cwd=ROOT, capture_output=True, text=True, timeout=300)
    data = json.loads(review.read_text(encoding="utf-8")) if review.exists() else {}
    return run, data


def test_proposals_by_label_alias_and_type(seeds: Built, endpoint: str, tmp_path: Path) -> None:
    links_before = (ROOT / "mappings" / "links.toml").read_bytes()
    run, data = link(seeds, endpoint + "sparql", tmp_path / "review.json")
    assert run.returncode == 0, run.stderr
    found = {p["resource"].rsplit("/id/", 1)[1]: p for p in data["proposals"]}
    to_lam = found["person/to-lam"]["candidates"]
    assert [c["item"] for c in to_lam] == ["http://www.wikidata.org/entity/Q900001"], "the ship is not a person"
    assert to_lam[0]["matched_on"] == "label" and to_lam[0]["score"] == 0.8
    patrushev = found["person/nikolai-patrushev"]["candidates"][0]
    assert (patrushev["item"], patrushev["matched_on"]) == ("http://www.wikidata.org/entity/Q900002", "alias")
    yang = found["person/yang-chunlei"]["candidates"]
    assert [c["item"] for c in yang] == ["http://www.wikidata.org/entity/Q900005", "http://www.wikidata.org/entity/Q900006"]
    assert yang[0]["score"] > yang[1]["score"], "the label beats the alias; both lowered for competing"
    assert found["org/vietnam-ministry-of-public-security"]["candidates"][0]["matched_on"] == "alias"
    assert found["org/interpol"]["candidates"][0]["item"] == "http://www.wikidata.org/entity/Q900020", \
        "a subclass of the wanted type counts"
    assert "place/hanoi" not in found, "already linked: not asked"
    assert all(p["accepted"] is None for p in data["proposals"])
    assert (ROOT / "mappings" / "links.toml").read_bytes() == links_before, "nothing is accepted by the tool"
    again, _ = link(seeds, endpoint + "sparql", tmp_path / "review2.json")
    assert "0 asked" in again.stdout and "from the cache" in again.stdout


@pytest.mark.parametrize("path, args, message", [
    ("slow/sparql", ["--timeout", "1"], "timed out"),
    ("broken/sparql", [], "500"),
])
def test_endpoint_failures_are_reported_and_exit_2(seeds: Built, endpoint: str, tmp_path: Path, path: str,
                                                    args: list[str], message: str) -> None:
    """A failed look-up still writes the review file with its error, names each resource not asked,
    and exits 2, so that a script does not take a run that asked nothing for a clean one."""
    run, data = link(seeds, endpoint + path, tmp_path / "review.json", *args)
    assert run.returncode == 2, run.stderr
    assert "look-up(s) failed" in run.stderr
    assert data["proposals"] == [] and data["errors"]
    assert "not asked: https://w3id.org/coopld/id/person/to-lam (To Lam)" in run.stderr
    assert any(message in e["error"].lower() for e in data["errors"]), data["errors"][0]


def test_the_linkset_publishes_every_verified_identifier_and_nothing_else(seeds: Built, tmp_path: Path) -> None:
    """What mappings/links.toml lists for a resource the data hold is published in the links
    graph, each identifier once; nothing else anywhere in the dataset is owl:sameAs an outside
    thing; and an entry nobody verified stops the build with the file named."""
    import tomllib

    from coopld.errors import MappingError
    from coopld.linkset import GEONAMES, WIKIDATA, load_links

    entries = tomllib.loads((ROOT / "mappings" / "links.toml").read_text(encoding="utf-8"))["links"]
    base = seeds.settings.id_base
    present = {e["resource"] for e in entries if seeds.ask(f"ASK {{ <{base}{e['resource']}> a ?type }}")}
    expected = {(base + e["resource"], WIKIDATA + e["wikidata"]) for e in entries if e["resource"] in present and "wikidata" in e}
    expected |= {(base + e["resource"], f"{GEONAMES}{e['geonames']}/") for e in entries
                 if e["resource"] in present and "geonames" in e}
    for known in [("place/hanoi", "Q1858", "1581130"), ("place/moscow", "Q649", "524901"),
                  ("place/vietnam", "Q881", "1562822"), ("place/russia", "Q159", "2017370"),
                  ("place/china", "Q148", "1814991"), ("person/xi-jinping", "Q15031", None),
                  ("person/vladimir-putin", "Q7747", None)]:
        assert (base + known[0], WIKIDATA + known[1]) in expected, known
        if known[2]:
            assert (base + known[0], f"{GEONAMES}{known[2]}/") in expected, known
    links = f"<{seeds.settings.graph_base}links>"
    published = {(r["s"], r["o"]) for r in seeds.select(
        f"SELECT ?s ?o WHERE {{ GRAPH {links} {{ ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }} }}")}
    assert published == expected
    elsewhere = seeds.select("SELECT ?s ?o WHERE { GRAPH ?g { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o } "
                             f"FILTER(?g != {links} && !STRSTARTS(STR(?o), '{base}')) }}")
    assert elsewhere == [], "no unverified link anywhere else"
    unverified = tmp_path / "links.toml"
    unverified.write_text('[[links]]\nresource = "person/to-lam"\nwikidata = "Q1"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"links.toml: links entry 1: 'resource' and 'verified_by' are required"):
        load_links(tmp_path, base, set())


def test_a_verified_identifier_follows_its_resource_into_another_corpus(unseen: Built) -> None:
    """The seeds never name ASEAN; the test articles do (an ASEAN senior officials' meeting), and
    the organization they mint gets the verified Wikidata identifier from the same linkset."""
    from coopld.linkset import WIKIDATA

    asean = f"{unseen.settings.id_base}org/asean"
    links = f"<{unseen.settings.graph_base}links>"
    assert unseen.ask(f"ASK {{ <{asean}> a <http://www.w3.org/ns/org#Organization> }}")
    assert unseen.select(f"SELECT ?o WHERE {{ GRAPH {links} {{ <{asean}> <http://www.w3.org/2002/07/owl#sameAs> ?o }} }}") \
        == [{"o": WIKIDATA + "Q7768"}]
