"""A build's statements on disk as its articles finish, so its memory does not grow with them.

Each usable article's triples, what was inferred from them and its validation results are
appended, as they come back from the workers, to files of the build's staging folder, and the
article's graphs are dropped. Everything after the articles — the store, the dumps, the counts —
reads these files a piece at a time. A line holds one statement, its graph name first and a tab:
``<graph>\\t<s> <p> <o> .``, so that sorting the lines (``coopld.linesort``) puts each graph's
statements together, and each resource's within it.

The validation results are named here, article by article (``coopld.dumps.skolemize`` names a
result after its content alone, so this gives the IRIs a whole-build report would), and
attached to the build's one report node.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SH
from rdflib.term import Node

from coopld import iris
from coopld.config import Settings
from coopld.conflicts import ConflictIndex
from coopld.shacl import Report, describe_result, skolemize, warning_of

if TYPE_CHECKING:
    from coopld.build import ArticleResult


def as_nquad(graph: bytes, triple: bytes) -> bytes:
    """A spool line's parts as an N-Quads line: the triple, then its graph."""
    return triple.rstrip()[:-1].rstrip() + b" " + graph + b" .\n"


def nquads(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Spool lines as N-Quads lines."""
    for line in lines:
        graph, _, triple = line.partition(b"\t")
        if triple.strip():
            yield as_nquad(graph, triple)


def triples(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Spool lines as N-Triples lines, without their graph."""
    for line in lines:
        triple = line.partition(b"\t")[2]
        if triple.strip():
            yield triple if triple.endswith(b"\n") else triple + b"\n"


def spool_lines(graph: URIRef, ntriples: str) -> bytes:
    """N-Triples text as the spool's lines of ``graph``."""
    prefix = f"<{graph}>\t"
    return "".join(prefix + line + "\n" for line in ntriples.splitlines() if line.strip()).encode("utf-8")


class Spool:
    """The statements of a build, in ``folder``: ``articles`` (each article's graph, in the order
    the articles finished), ``inferred`` (what was inferred from each, into the shared inferred
    graph),
    ``shared`` (the graphs made from all articles at the end) and ``report`` (the validation
    results). ``conflicts`` gathers the records' facts that must agree (``coopld.conflicts``)."""

    def __init__(self, folder: Path, settings: Settings, agreement_classes: frozenset[URIRef]) -> None:
        folder.mkdir(parents=True)
        self.folder, self.settings = folder, settings
        self.articles, self.inferred = folder / "articles.sp", folder / "inferred.sp"
        self.shared, self.report = folder / "shared.sp", folder / "report.sp"
        self.inferred_graph = URIRef(settings.graph_base + "inferred")
        self.report_graph = URIRef(settings.graph_base + "validation-report")
        self._report_node = URIRef(f"{self.report_graph}#report")
        self._files: dict[Path, IO[bytes]] = {path: path.open("wb") for path in (self.articles, self.inferred, self.report)}
        self.conflicts = ConflictIndex(agreement_classes, settings.id_base)
        #: each validation result of the build (by its name) and its severity
        self._results: dict[Node, Node | None] = {}
        self.messages: list[str] = []
        self.warnings: list[dict[str, str]] = []

    def add(self, result: ArticleResult) -> None:
        """One usable article's statements; its graphs' text can be dropped after."""
        self.conflicts.add(result)
        graph = URIRef(self.settings.graph_base + iris.article(result.key))
        asserted = spool_lines(graph, result.asserted)
        # the graph's provenance: everything in it was read from that article
        source = URIRef(self.settings.id_base + iris.article(result.key))
        provenance = spool_lines(graph, f"<{graph}> <{PROV.wasDerivedFrom}> <{source}> .")
        self._files[self.articles].write(asserted + provenance)
        self._files[self.inferred].write(spool_lines(self.inferred_graph, result.inferred))
        self.add_results(Graph().parse(data=result.report, format="nt") if result.report else Graph(),
                         record=result.record or str(result.path))

    def add_results(self, report: Graph, record: str = "") -> None:
        """An article's validation results (or the vocabularies', checked once), named by their
        content: a result two articles give alike (of a resource both state) is one result of the
        build, counted once. The report's own node is left out (its results are attached to the
        build's); ``report`` is changed."""
        for node in list(report.subjects(RDF.type, SH.ValidationReport)):
            report.remove((node, None, None))
        named = skolemize(report, f"{self.report_graph}#")
        for result in named.subjects(RDF.type, SH.ValidationResult):
            if result not in self._results:
                severity, message = describe_result(named, result)
                self._results[result] = severity
                if message is not None:
                    self.messages.append(message)
                if severity == SH.Warning:
                    self.warnings.append(warning_of(named, result, record))
        for result in set(named.subjects(RDF.type, SH.ValidationResult)):
            named.add((self._report_node, SH.result, result))
        if len(named):
            self._files[self.report].write(spool_lines(self.report_graph, named.serialize(format="nt")))

    def add_shared(self, name: URIRef, graph: Graph) -> None:
        """A graph made once for the whole build (ontology, vocabularies, links, series), once
        the articles are in."""
        with self.shared.open("ab") as out:
            out.write(spool_lines(name, graph.serialize(format="nt")))

    def close(self) -> Report:
        """Finish the articles' and the report's files; the build's report, its RDF in
        ``report`` (the counts and messages on the returned object, whose graph is empty)."""
        severities = list(self._results.values())
        report = Report(Graph(), True, severities.count(SH.Violation), severities.count(SH.Warning),
                        len(severities) - severities.count(SH.Violation) - severities.count(SH.Warning),
                        messages=self.messages,  # warnings in the records' order, whatever order they finished in
                        warning_list=sorted(self.warnings, key=lambda w: (w["record"], w["about"], w["fact"], w["reason"])))
        report.conforms = report.violations == 0
        header = Graph()
        header.add((self._report_node, RDF.type, SH.ValidationReport))
        header.add((self._report_node, SH.conforms, Literal(report.conforms)))
        self._files[self.report].write(spool_lines(self.report_graph, header.serialize(format="nt")))
        for out in self._files.values():
            out.close()
        self._files.clear()
        self.shared.touch()
        return report

    @property
    def files(self) -> list[Path]:
        return [self.articles, self.inferred, self.shared, self.report]
