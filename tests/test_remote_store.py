"""``coopld load`` into real remote stores, and what a server over one sends that no file backs.

Each test starts its own Virtuoso or Oxigraph server on a loopback port (tests/remote_stores.py)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from coopld.store.remote import RemoteConfig, RemoteStore
from tests.conftest import ROOT, Built, coopld_load, gunicorn, remote_server, run_build, store_settings

REMOTE = ["virtuoso", "oxigraph"]


def remote(endpoints: object) -> RemoteStore:
    settings = store_settings(endpoints)
    return RemoteStore(RemoteConfig(query=settings["STORE"], update=settings["STORE_UPDATE"],
                                    user=settings.get("STORE_USER"), password=settings.get("STORE_PASSWORD"),
                                    auth=settings.get("STORE_AUTH", "basic")))


def contents(store: RemoteStore) -> dict[str, Graph]:
    """Every graph coopld published, the union among them, and the publication record."""
    found = {}
    for name in [*store.named_graphs(), str(store.config.union_graph)]:
        graph = Graph()
        for triple in store.graph(name):
            graph.add(triple)
        found[name] = graph
    return found


def same(a: dict[str, Graph], b: dict[str, Graph]) -> bool:
    return a.keys() == b.keys() and all(isomorphic(a[k], b[k]) for k in a)


@pytest.mark.parametrize("backend", REMOTE)
def test_a_load_killed_half_way_then_run_again_converges(backend: str, seeds: Built, tmp_path: Path) -> None:
    """Written with update requests, killed, then run again, a load leaves what one load with the
    Graph Store Protocol's PUT leaves."""
    with remote_server(backend, tmp_path / "straight") as endpoints:
        assert coopld_load(seeds.settings.out, endpoints).returncode == 0
        expected = contents(remote(endpoints))
    with remote_server(backend, tmp_path / "killed") as endpoints:
        store = remote(endpoints)
        env = {**os.environ, **{f"COOPLD_{k}": v for k, v in store_settings(endpoints, graph_store=False).items()}}
        load = subprocess.Popen([sys.executable, "-m", "coopld", "load", "--build", str(seeds.settings.out),
                                 "--batch-bytes", "20000"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not store.checksums() and time.monotonic() < deadline and load.poll() is None:
            time.sleep(0.05)
        load.send_signal(signal.SIGKILL)
        load.wait(timeout=30)
        written = len(store.checksums())
        assert 0 < written < len(expected), f"the kill came at {written} of {len(expected)} graphs"
        assert store.publication() is None, "a half-done load publishes no version"
        again = coopld_load(seeds.settings.out, endpoints, graph_store=False)
        assert again.returncode == 0, again.stdout + again.stderr
        resumed = int(again.stdout.split(" to drop, ")[1].split(" unchanged")[0])
        assert resumed >= 1, again.stdout  # the graphs the killed load finished are not sent again
        assert same(contents(store), expected)
        assert store.publication() is not None


@pytest.mark.parametrize("backend", REMOTE)
def test_a_reload_sends_only_what_changed_and_drops_what_went(backend: str, seeds: Built, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for path in sorted(seeds.settings.articles.glob("*.txt"))[:4]:
        (articles / path.name).write_bytes(path.read_bytes())
    fewer = run_build(tmp_path / "fewer", articles)
    with remote_server(backend, tmp_path / "server") as endpoints:
        assert coopld_load(seeds.settings.out, endpoints).returncode == 0
        before = remote(endpoints).checksums()
        dry = coopld_load(fewer.settings.out, endpoints, "--dry-run")
        assert dry.returncode == 0 and "drop  https://w3id.org/coopld/graph/article/" in dry.stdout, dry.stdout
        assert remote(endpoints).checksums() == before, "a dry run changes nothing"
        reload = coopld_load(fewer.settings.out, endpoints)
        assert reload.returncode == 0, reload.stdout + reload.stderr
        first_line = reload.stdout.splitlines()[0]
        unchanged = int(first_line.split(" to drop, ")[1].split(" unchanged")[0])
        assert unchanged >= 4 and "1 to drop" in first_line, first_line  # the four articles' graphs stay as they were
        after = contents(remote(endpoints))
        nothing = coopld_load(fewer.settings.out, endpoints)
        assert "0 graph(s) to write" in nothing.stdout and "the union graph unchanged" in nothing.stdout
    with remote_server(backend, tmp_path / "fresh") as endpoints:
        assert coopld_load(fewer.settings.out, endpoints).returncode == 0
        assert same(after, contents(remote(endpoints))), "the reloaded store holds what a fresh load gives"


@pytest.mark.parametrize("backend", REMOTE)
def test_downloads_without_the_build_are_written_from_the_store(backend: str, seeds: Built, tmp_path: Path) -> None:
    """A server with the store but not the build still offers every dump, each listed with the
    checksum of the bytes it sends, holding the data the build published."""
    with remote_server(backend, tmp_path / "server") as endpoints:
        assert coopld_load(seeds.settings.out, endpoints).returncode == 0
        elsewhere = tmp_path / "no-build"
        elsewhere.mkdir()
        with gunicorn(elsewhere, DOWNLOADS_CACHE=str(tmp_path / "cache"), **store_settings(endpoints)) as url:
            with urllib.request.urlopen(url + ".well-known/void") as response:
                void = Graph().parse(data=response.read().decode("utf-8"), format="turtle")
            summary = json.loads((seeds.settings.out / "build.json").read_text(encoding="utf-8"))
            for name in summary["dumps"]:
                with urllib.request.urlopen(url + "downloads/" + name) as response:
                    body = response.read()
                listed = [str(o) for s, o in void.subject_objects(URIRef("http://spdx.org/rdf/terms#checksumValue"))
                          if str(s).endswith(f"/downloads/{name}#sha256")]
                assert listed == [hashlib.sha256(body).hexdigest()], name
                if name == "coopld.nq":
                    served = Dataset().parse(data=body.decode("utf-8"), format="nquads")
    built = Dataset().parse(seeds.settings.out / "coopld.nq", format="nquads")
    assert {str(g.identifier) for g in served.graphs() if len(g)} == {str(g.identifier) for g in built.graphs() if len(g)}
    assert len(served) == len(built)


def test_a_store_that_stops_answering_is_a_clear_503_not_a_500(seeds: Built, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A program's GET query is answered before Flask (coopld.web.query_protocol); when the
    store behind the server goes away, it reads why, with the status Flask would have given."""
    from coopld.web import create_app

    with remote_server("oxigraph", tmp_path / "store") as endpoints:
        assert coopld_load(seeds.settings.out, endpoints).returncode == 0
        for key, value in {**store_settings(endpoints), "STORE_TIMEOUT": "5", "STORE_RETRIES": "0"}.items():
            monkeypatch.setenv(f"COOPLD_{key}", value)
        client = create_app({"COOPLD_BUILD": str(seeds.settings.out)}).test_client()
        query = "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert client.get(query, headers={"Accept": "application/sparql-results+json"}).status_code == 200
    gone = client.get(query + "%20%23%20again", headers={"Accept": "application/sparql-results+json"})
    assert gone.status_code == 503, gone.get_data(as_text=True)
    assert gone.mimetype == "text/plain" and "store" in gone.get_data(as_text=True).lower()
    posted = client.post("/sparql", data={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
    assert posted.status_code == gone.status_code, "Flask answers the same failure the same way"
