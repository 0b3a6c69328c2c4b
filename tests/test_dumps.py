"""Every dump parses, in rdflib and in Debian's rapper, and they all say the same thing."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from tests.conftest import ROOT, Built

RAPPER = shutil.which("rapper")
FORMATS = {"coopld.ttl": "turtle", "coopld.trig": "trig", "coopld.nq": "nquads", "coopld.nt.gz": "ntriples"}


def data_graph(built: Built) -> Graph:
    return Graph().parse(built.settings.out / "coopld.ttl", format="turtle")


def quads(path: Path, fmt: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(path, format=fmt)
    return dataset


@pytest.mark.skipif(RAPPER is None, reason="Debian's raptor2-utils is not installed (bin/test installs it)")
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_rapper_parses_every_dump(seeds: Built, name: str, tmp_path: Path) -> None:
    path = seeds.settings.out / name
    if name.endswith(".gz"):
        plain = tmp_path / name[:-3]
        plain.write_bytes(gzip.decompress(path.read_bytes()))
        path = plain
    run = subprocess.run([str(RAPPER), "-c", "-i", FORMATS[name], str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    counted = re.search(r"returned (\d+) (?:triples|statements)", run.stderr)
    assert counted, run.stderr
    quads = len((seeds.settings.out / "coopld.nq").read_text(encoding="utf-8").splitlines())
    expected = quads if name in ("coopld.nq", "coopld.trig") else len(data_graph(seeds))
    assert int(counted.group(1)) == expected


def test_jsonld_round_trips_to_the_same_graph(seeds: Built) -> None:
    document = json.loads((seeds.settings.out / "coopld.jsonld").read_text(encoding="utf-8"))
    context = json.loads((seeds.settings.root / "mappings" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"], "compacted with the published context"
    assert any(node.get("eventKind") for node in document["@graph"]), "terms of the context are used"
    parsed = Graph().parse(seeds.settings.out / "coopld.jsonld", format="json-ld")
    assert isomorphic(parsed, data_graph(seeds))


def test_ntriples_and_turtle_hold_the_same_graph(seeds: Built) -> None:
    nt = Graph().parse(data=gzip.decompress((seeds.settings.out / "coopld.nt.gz").read_bytes()).decode(), format="nt")
    assert isomorphic(nt, data_graph(seeds))


def test_trig_and_nquads_hold_the_same_named_graphs(seeds: Built) -> None:
    trig = quads(seeds.settings.out / "coopld.trig", "trig")
    nq = quads(seeds.settings.out / "coopld.nq", "nquads")
    names = {str(g.identifier) for g in nq.graphs() if len(g)}
    assert names == {str(g.identifier) for g in trig.graphs() if len(g)}
    assert {n.rsplit("/graph/", 1)[1] for n in names if "/graph/article/" not in n} == {
        "ontology", "vocabulary", "links", "series", "inferred", "validation-report"}
    assert sum(1 for n in names if "/graph/article/" in n) == 5
    for name in names:
        assert isomorphic(trig.graph(name), nq.graph(name)), name


def test_the_store_holds_the_nquads_and_their_union(seeds: Built) -> None:
    lines = (seeds.settings.out / "coopld.nq").read_text(encoding="utf-8").splitlines()
    union = {line.rsplit(" ", 2)[0] for line in lines}
    assert len(seeds.store) == len(lines) + len(union) == seeds.result.counts["quads_in_store"]
    default = list(seeds.store.quads_for_pattern(None, None, None, __import__("pyoxigraph").DefaultGraph()))
    assert len(default) == len(union) < len(lines), "each triple once in the default graph"


def test_the_dumps_conform_to_the_shapes(seeds: Built) -> None:
    from coopld.validate_rdf import validate_files

    report = validate_files(seeds.settings, [seeds.settings.out / "coopld.trig"])
    assert report.violations == 0, report.messages
    assert report.warnings == seeds.result.counts["warnings"]


def test_the_report_is_rdf_in_the_output(seeds: Built) -> None:
    report = Graph().parse(seeds.settings.out / "validation-report.ttl", format="turtle")
    rows = report.query("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?conforms (COUNT(?r) AS ?n) WHERE { ?report a sh:ValidationReport ; sh:conforms ?conforms ;
        sh:result ?r . ?r sh:resultSeverity sh:Warning } GROUP BY ?conforms""")
    assert [(bool(r[0]), int(r[1])) for r in rows] == [(True, seeds.result.counts["warnings"])]


def test_build_summary_lists_every_dump_with_its_checksum(seeds: Built) -> None:
    import hashlib

    summary = json.loads((seeds.settings.out / "build.json").read_text(encoding="utf-8"))
    assert set(summary["dumps"]) == {"coopld.ttl", "coopld.trig", "coopld.nq", "coopld.nt.gz", "coopld.jsonld",
                                     "validation-report.ttl"}
    for name, info in summary["dumps"].items():
        blob = (seeds.settings.out / name).read_bytes()
        assert info["sha256"] == hashlib.sha256(blob).hexdigest() and info["bytes"] == len(blob)


def test_report_iris_do_not_depend_on_blank_node_order() -> None:
    """pySHACL gives results of one shape a single shared path node; however the parser numbers
    the blank nodes, every result and every path gets the same IRI, so a failed build's report
    is the same file each time."""
    from coopld.shacl import skolemize

    report = """
    @prefix sh: <http://www.w3.org/ns/shacl#> .
    @prefix ex: <http://example.org/> .
    [] sh:focusNode ex:{a} ; sh:resultPath _:path ; sh:resultSeverity sh:Violation .
    [] sh:focusNode ex:{b} ; sh:resultPath _:path ; sh:resultSeverity sh:Violation .
    _:path sh:inversePath ex:source .
    """
    prefix = "https://example.org/report#"
    first = skolemize(Graph().parse(data=report.format(a="one", b="two"), format="turtle"), prefix)
    second = skolemize(Graph().parse(data=report.format(a="two", b="one"), format="turtle"), prefix)
    assert set(first) == set(second)
    paths = set(first.objects(None, URIRef("http://www.w3.org/ns/shacl#resultPath")))
    assert len(paths) == 1 and all(str(p).startswith(prefix) for p in paths)
    assert not any(isinstance(t, BNode) for triple in first for t in triple)


def test_the_text_dumps_read_back_as_the_same_quads(tmp_path: Path) -> None:
    """Graphs using namespaces coopld has no prefix for, a literal over several lines (an
    article's text) and a blank node whose statements are far apart in the spool: TriG gives
    back every quad, Turtle and N-Triples the union without the report graph, each triple once,
    JSON-LD the same union."""
    from rdflib import Literal

    from coopld.dumps import write_dumps
    from coopld.mapping import load_context
    from coopld.spool import spool_lines

    dataset = Dataset()
    text = Literal("First line.\n\nSecond \"quoted\" line.")
    one, two, report = (URIRef(f"http://example.org/g/{n}") for n in ("1", "2", "report"))
    node = BNode("b1")
    dataset.graph(one).add((URIRef("http://example.org/s/1"), URIRef("http://one.example/p"), text))
    dataset.graph(two).add((URIRef("http://example.org/s/1"), URIRef("http://one.example/p"), text))
    dataset.graph(two).add((URIRef("http://example.org/s/2"), URIRef("http://two.example/q"), node))
    dataset.graph(two).add((node, URIRef("http://two.example/r"), Literal("of the blank node")))
    dataset.graph(report).add((URIRef("http://example.org/r"), URIRef("http://two.example/q"), Literal(1)))
    spool = tmp_path / "statements.sp"
    spool.write_bytes(b"".join(spool_lines(g.identifier, g.serialize(format="nt")) for g in dataset.graphs() if len(g)))
    written = write_dumps([spool], tmp_path, report_graph=report, context=load_context(ROOT / "mappings"),
                          work=tmp_path / "work")
    assert written.graph_sizes == {str(one): 1, str(two): 3, str(report): 1}
    back = Dataset()
    back.parse(tmp_path / "coopld.trig", format="trig")
    assert {str(g.identifier) for g in back.graphs() if len(g)} == {str(one), str(two), str(report)}
    assert all(isomorphic(back.graph(g), dataset.graph(g)) for g in (one, two, report))
    union = Graph().parse(tmp_path / "coopld.ttl", format="turtle")
    assert len(union) == 3 and (URIRef("http://example.org/s/1"), URIRef("http://one.example/p"), text) in union
    named = union.value(URIRef("http://example.org/s/2"), URIRef("http://two.example/q"))
    assert union.value(named, URIRef("http://two.example/r")) == Literal("of the blank node"), "one blank node"
    lines = gzip.decompress((tmp_path / "coopld.nt.gz").read_bytes()).decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == 3
    assert isomorphic(Graph().parse(tmp_path / "coopld.jsonld", format="json-ld"), union)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*written.digests, "statements.sp", "work"])


def test_the_store_keeps_a_blank_node_whose_statements_fall_in_two_pieces(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The store is loaded a piece at a time; a blank node's statements in two pieces are still
    one node's (Oxigraph's bulk loader would name it afresh in each piece)."""
    import pyoxigraph

    from coopld.store import embedded

    monkeypatch.setattr(embedded, "PIECE_LINES", 2)
    lines = [b'<http://example.org/s> <http://example.org/p> _:b1 <http://example.org/g> .\n',
             b'<http://example.org/s> <http://example.org/q> "2" <http://example.org/g> .\n',
             b'_:b1 <http://example.org/r> "3" <http://example.org/g> .\n']
    writer = embedded.StoreWriter(tmp_path / "store")
    writer.load(lines)
    assert writer.close() == 3
    store = pyoxigraph.Store.read_only(str(tmp_path / "store"))
    rows = list(store.query("SELECT ?v WHERE { GRAPH ?g { <http://example.org/s> <http://example.org/p> ?b . ?b ?r ?v } }"))
    assert [r["v"].value for r in rows] == ["3"]


def test_jsonld_nodes_read_back_as_the_same_statements() -> None:
    """Every kind of value the data hold, written by the dump's compactor with the published
    context and read back by rdflib's JSON-LD processor: the same graph; and the context's terms
    are used where their definitions fit (a class by its term, an event kind under "eventKind"
    as a compact IRI, dates under "date")."""
    from rdflib import Literal
    from rdflib.namespace import RDF, RDFS, XSD

    from coopld.jsonld import Compactor
    from coopld.mapping import load_context
    from coopld.vocab import COOP

    context = load_context(ROOT / "mappings")["@context"]
    event, other = URIRef("https://w3id.org/coopld/id/event/e1"), URIRef("http://elsewhere.example/thing")
    node = BNode("n1")
    graph = Graph()
    for triple in [(event, RDF.type, COOP.CooperationEvent), (event, RDF.type, URIRef("http://elsewhere.example/Class")),
                   (event, COOP.date, Literal("2024-05-06", datatype=XSD.date)),
                   (event, COOP.date, Literal("2024", datatype=XSD.gYear)),
                   (event, COOP.eventKind, URIRef("https://w3id.org/coopld/vocab/event-kinds/signing")),
                   (event, RDFS.label, Literal("Talks", lang="en")), (event, RDFS.label, Literal("Gespräche", lang="de")),
                   (event, RDFS.comment, Literal('plain "quoted"\ntext')),
                   (event, URIRef("http://elsewhere.example/n"), Literal(3)),
                   (event, URIRef("http://elsewhere.example/ref"), other), (event, URIRef("http://elsewhere.example/b"), node),
                   (node, RDFS.label, Literal("of a blank node")), (other, RDF.type, node)]:
        graph.add(triple)
    compactor = Compactor.of(context)
    subjects = sorted({s for s in graph.subjects()}, key=str)
    nodes = [compactor.node(s, sorted(graph.predicate_objects(s))) for s in subjects]
    back = Graph().parse(data=json.dumps({"@context": context, "@graph": nodes}), format="json-ld")
    assert isomorphic(back, graph)
    written = next(n for n in nodes if n["@id"].endswith("event/e1"))
    assert "CooperationEvent" in written["@type"]
    assert written["eventKind"] == "kinds:signing", "an IRI-valued term's value is a compact IRI"
    assert {"@value": "2024-05-06", "@type": "xsd:date"} in written["date"]
