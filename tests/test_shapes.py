"""Every SHACL constraint has a graph that breaks it (tests/shapes/, see its README.md).

Each case is validated the way ``coopld build`` validates an article: its triples, plus what the
reasoner infers from them, plus the vocabularies, against the shapes. A case passes when the
report holds the result it declares and no other. A guard test checks that the constraints
the cases cover are exactly those in the shapes file.
"""

from __future__ import annotations

import fcntl
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from coopld.build_inputs import Resources, load_resources
from coopld.config import load_settings
from coopld.errors import InputError
from coopld.shacl import ArticleShapes

CASES_DIR = Path(__file__).resolve().parent / "shapes"
VALID = CASES_DIR / "valid.ttl"
CASE_FILES = sorted(p for p in CASES_DIR.glob("*.ttl") if p != VALID)
CASE_TEST = "test_case_breaks_its_constraint_and_nothing_else"  # the test run once per case file

#: The vocabulary a case uses to state what it breaks.
TESTS = Namespace("https://w3id.org/coopld/tests#")

#: Parameters of SHACL Core that are constraints, each named after its component
#: (sh:minCount -> sh:MinCountConstraintComponent). sh:sparql is handled on its own.
CONSTRAINT_PARAMETERS = [
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
    "maxInclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang", "equals", "disjoint",
    "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "hasValue", "in", "closed",
    "qualifiedMinCount", "qualifiedMaxCount",
]
COMPONENT_OF = {SH[p]: SH[p[0].upper() + p[1:] + "ConstraintComponent"] for p in CONSTRAINT_PARAMETERS}
PARAMETER_OF = {component: parameter for parameter, component in COMPONENT_OF.items()}

#: Predicates a shape may carry that are not constraints of their own.
NOT_CONSTRAINTS = {
    RDF.type, SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target,
    SH.property, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
    SH.deactivated, SH.flags, SH.ignoredProperties, SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint,
}


# ---------------------------------------------------------------------------------------------
# What the shapes define


def _name(node: URIRef) -> str:
    """The local name of a shape or constraint (coopsh:Event-date -> "Event-date")."""
    return re.split(r"[#/]", str(node))[-1]


def constraints_in(shapes: Graph) -> set[tuple[URIRef, URIRef]]:
    """Every (shape, component) pair of the shapes graph; a SPARQL constraint counts as
    (its sh:SPARQLConstraint node, sh:SPARQLConstraintComponent).

    Raises on what the cases could not name: an unnamed shape or SPARQL constraint, or a SHACL
    parameter this test does not know (so that it is taught the new kind rather than skip it).
    """
    pairs: set[tuple[URIRef, URIRef]] = set()
    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    shape_nodes |= set(shapes.objects(None, SH.property))
    shape_nodes |= {s for s in shapes.subjects(SH.path, None) if isinstance(s, URIRef)}
    for shape in shape_nodes:
        if not isinstance(shape, URIRef):
            raise AssertionError(f"an unnamed shape cannot be named by a case: {shape!r}")
        for predicate, value in shapes.predicate_objects(shape):
            if predicate in NOT_CONSTRAINTS or not str(predicate).startswith(str(SH)):
                continue  # rdfs:comment and the like are not SHACL
            if predicate == SH.sparql:
                if not isinstance(value, URIRef):
                    raise AssertionError(f"{shape} has an unnamed sh:sparql constraint")
                pairs.add((value, SH.SPARQLConstraintComponent))
            elif isinstance(predicate, URIRef) and predicate in COMPONENT_OF:
                pairs.add((shape, COMPONENT_OF[predicate]))
            else:
                raise AssertionError(f"{shape} uses {predicate}, which tests/test_shapes.py does not know")
    return pairs


def case_file_name(constraint: URIRef, component: URIRef) -> str:
    """The file a constraint's case lives in: "Event-date-or.ttl", "SpanMatchesArticle.ttl"."""
    if component == SH.SPARQLConstraintComponent:
        return f"{_name(constraint)}.ttl"
    return f"{_name(constraint)}-{_name(PARAMETER_OF[component])}.ttl"


# ---------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Outcome:
    """One validation result, reduced to what a case declares: which constraint, which
    component, which severity. For a SPARQL constraint, ``constraint`` is its sh:sparql node."""

    constraint: URIRef
    component: URIRef
    severity: URIRef

    def __str__(self) -> str:
        return f"{_name(self.constraint)} {_name(self.component)} ({_name(self.severity)})"


@dataclass
class Case:
    path: Path
    expected: Outcome
    also: frozenset[Outcome]  # results the shapes make unavoidable; declared, and few
    graph: Graph


def _outcome(graph: Graph, node: Node, path: Path) -> Outcome:
    values = {}
    for term in ("breaks", "component", "severity"):
        value = graph.value(node, TESTS[term])
        assert isinstance(value, URIRef), f"{path.name}: tests:{term} is missing or not an IRI"
        values[term] = value
    return Outcome(values["breaks"], values["component"], values["severity"])


def _prefixes(text: str) -> str:
    return "\n".join(re.findall(r"^\s*@prefix\s[^\n]*$", text, flags=re.MULTILINE))


def read_valid() -> Graph:
    return Graph().parse(VALID, format="turtle")


def read_case(path: Path, valid: Graph) -> Case:
    """valid.ttl, less the triples in the case's tests:remove, plus the case's own triples
    (all but those about the file itself, which state the expectation)."""
    text = path.read_text(encoding="utf-8")
    raw = Graph().parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    me = URIRef(path.resolve().as_uri())
    about = raw.cbd(me)  # the file's own triples, with the blank nodes they lead to
    assert len(about) > 0, f"{path.name}: states no expectation about <>"
    graph = Graph()
    graph += valid
    for removal in about.objects(me, TESTS.remove):
        assert isinstance(removal, Literal)
        removed = Graph().parse(data=_prefixes(text) + "\n" + str(removal), format="turtle")
        for triple in removed:
            assert not any(isinstance(term, BNode) for term in triple), f"{path.name}: cannot remove blank nodes"
            assert triple in valid, f"{path.name}: removes a triple that valid.ttl does not hold: {triple}"
            graph.remove(triple)
    graph += raw - about
    also = frozenset(_outcome(about, node, path) for node in about.objects(me, TESTS.alsoExpect))
    return Case(path, _outcome(about, me, path), also, graph)


# ---------------------------------------------------------------------------------------------
# Validation, as the build does it


def validate_as_built(asserted: Graph, res: Resources) -> frozenset[Outcome]:
    """What ``coopld build`` reports for an article whose graph is ``asserted``."""
    report = res.shapes.check(asserted, res.reasoner.infer(asserted))
    outcomes = set()
    for result in report.graph.subjects(RDF.type, SH.ValidationResult):
        component = report.graph.value(result, SH.sourceConstraintComponent)
        source = SH.sourceConstraint if component == SH.SPARQLConstraintComponent else SH.sourceShape
        constraint = report.graph.value(result, source)
        severity = report.graph.value(result, SH.resultSeverity)
        assert isinstance(constraint, URIRef) and isinstance(component, URIRef) and isinstance(severity, URIRef)
        outcomes.add(Outcome(constraint, component, severity))
    return frozenset(outcomes)


def _validate_all(graphs: dict[str, Graph], res: Resources) -> dict[str, frozenset[Outcome]]:
    """One process, one after the other: a case's check is about 60 ms now that the vocabularies
    are validated once (``ArticleShapes``), less than a worker process takes to read the resources."""
    return {name: validate_as_built(graph, res) for name, graph in graphs.items()}


@pytest.fixture(scope="session")
def resources() -> Resources:
    return load_resources(load_settings())


@pytest.fixture(scope="session")
def valid() -> Graph:
    return read_valid()


@pytest.fixture(scope="session")
def cases(valid: Graph) -> dict[str, Case]:
    return {path.name: read_case(path, valid) for path in CASE_FILES}


@pytest.fixture(scope="session")
def outcomes(request: pytest.FixtureRequest, cases: dict[str, Case], resources: Resources,
             tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, frozenset[Outcome]]:
    """The outcomes of the cases this session runs (all of them, unless ``-k`` chose some),
    computed together on first use — once per test run: under pytest-xdist every worker
    collects every case, so the first worker to get here computes them for all, under a lock,
    and the others read its file (the pattern pytest-xdist documents for session data)."""
    selected = {item.callspec.params["name"] for item in request.session.items
                if isinstance(item, pytest.Function) and item.originalname == CASE_TEST and hasattr(item, "callspec")}
    graphs = {name: case.graph for name, case in cases.items() if name in selected}
    if worker_id == "master":
        return _validate_all(graphs, resources)
    shared = tmp_path_factory.getbasetemp().parent / f"shape-outcomes-{len(graphs)}.json"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.is_file():
            found = _validate_all(graphs, resources)
            shared.write_text(json.dumps({name: sorted([str(o.constraint), str(o.component), str(o.severity)]
                                                       for o in results) for name, results in found.items()}))
    data = json.loads(shared.read_text())
    return {name: frozenset(Outcome(URIRef(c), URIRef(k), URIRef(s)) for c, k, s in results)
            for name, results in data.items() if name in graphs}


# ---------------------------------------------------------------------------------------------
# Tests


def test_valid_graph_has_no_violation_and_no_warning(valid: Graph, resources: Resources) -> None:
    found = sorted(map(str, validate_as_built(valid, resources)))
    assert found == [], f"valid.ttl is not valid: {found}"


@pytest.mark.parametrize("name", [p.name for p in CASE_FILES])
def test_case_breaks_its_constraint_and_nothing_else(
    name: str, cases: dict[str, Case], outcomes: dict[str, frozenset[Outcome]]
) -> None:
    case = cases[name]
    found = outcomes[name]
    assert case.expected in found, (
        f"{name} should break {case.expected}; it gives {sorted(map(str, found)) or 'no result'}")
    others = found - {case.expected} - case.also
    assert not others, f"{name} breaks more than {case.expected}: {sorted(map(str, others))}"
    missing = case.also - found
    assert not missing, f"{name} declares tests:alsoExpect results it does not give: {sorted(map(str, missing))}"


def test_every_constraint_has_exactly_one_case(cases: dict[str, Case], resources: Resources) -> None:
    defined = constraints_in(resources.shapes.shapes)
    covered = [(case.expected.constraint, case.expected.component) for case in cases.values()]
    assert len(covered) == len(set(covered)), "two cases break the same constraint"
    without_case = sorted(case_file_name(*pair) for pair in defined - set(covered))
    without_constraint = sorted(name for name, case in cases.items()
                                if (case.expected.constraint, case.expected.component) not in defined)
    assert not without_case, f"constraints without a case in tests/shapes/: {without_case}"
    assert not without_constraint, f"cases of constraints the shapes no longer have: {without_constraint}"
    misnamed = sorted(f"{name} (should be {case_file_name(case.expected.constraint, case.expected.component)})"
                      for name, case in cases.items()
                      if name != case_file_name(case.expected.constraint, case.expected.component))
    assert not misnamed, f"case files not named after their constraint: {misnamed}"



# ---------------------------------------------------------------------------------------------
# The vocabularies: checked once, and again where an article names their concepts

TOPICS = Namespace("https://w3id.org/coopld/vocab/topics/")
COOP = Namespace("https://w3id.org/coopld/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


def _shapes_with(resources: Resources, extra: Graph) -> ArticleShapes:
    vocabularies = Graph()
    vocabularies += resources.vocabularies
    vocabularies += extra
    return ArticleShapes(resources.shapes.shapes, vocabularies, resources.reasoner.infer(vocabularies))


def test_a_vocabulary_that_breaks_the_shapes_is_refused_naming_the_concept(resources: Resources) -> None:
    unnamed = Graph()
    unnamed.add((TOPICS["piracy"], RDF.type, COOP.CooperationArea))  # no label, no scheme
    with pytest.raises(InputError, match=r"the vocabularies break the shapes: .*topics/piracy"):
        _shapes_with(resources, unnamed)


def test_a_vocabulary_warning_is_given_once_and_again_for_an_article_naming_the_concept(
        resources: Resources, valid: Graph) -> None:
    """A concept without a definition is a warning of the vocabularies' own check; an article that
    names the concept gets the warning too (as the whole graph would give it), one that does not
    name it does not."""
    concept = TOPICS["piracy"]
    undefined = Graph()
    undefined.add((concept, RDF.type, COOP.CooperationArea))
    undefined.add((concept, SKOS.prefLabel, Literal("piracy", lang="en")))
    undefined.add((concept, SKOS.inScheme, next(resources.vocabularies.objects(TOPICS["cybercrime"], SKOS.inScheme))))
    shapes = _shapes_with(resources, undefined)
    assert (shapes.vocabulary_report.violations, shapes.vocabulary_report.warnings) == (0, 1)
    assert shapes.check(valid, resources.reasoner.infer(valid)).warnings == 0
    naming = Graph()
    naming += valid
    event = next(valid.subjects(RDF.type, COOP.CooperationEvent))
    naming.add((event, COOP.topic, concept))
    report = shapes.check(naming, resources.reasoner.infer(naming))
    focus = set(report.graph.objects(None, SH.focusNode))
    assert report.warnings == 1 and concept in focus, sorted(map(str, focus))


def test_an_unknown_concept_an_article_makes_up_is_checked(resources: Resources, valid: Graph) -> None:
    """A rank no vocabulary defines, typed only by the reasoner from coop:rank's range, is a
    focus of the concept shape (it has no label), though it is not among the vocabularies'."""
    made_up = URIRef("https://w3id.org/coopld/vocab/ranks/grand-vizier")
    graph = Graph()
    graph += valid
    participation = next(valid.subjects(COOP.rank, None))
    graph.set((participation, COOP.rank, made_up))
    report = resources.shapes.check(graph, resources.reasoner.infer(graph))
    assert made_up in set(report.graph.objects(None, SH.focusNode)) and report.violations > 0


def test_one_articles_check_leaves_nothing_behind_for_the_next(resources: Resources, valid: Graph) -> None:
    """The article's triples are added to the vocabularies' copy for its check and taken away
    after, those it shares with the vocabularies kept: a case checked after another (and after an
    article restating a concept's label) gives what it gives alone."""
    case = read_case(CASES_DIR / "Concept-prefLabel-uniqueLang.ttl", valid)
    alone = validate_as_built(case.graph, load_resources(load_settings()))
    restating = Graph()
    restating += valid
    restating.add((TOPICS["cybercrime"], SKOS.prefLabel,
                   next(resources.vocabularies.objects(TOPICS["cybercrime"], SKOS.prefLabel))))
    assert validate_as_built(restating, resources) == frozenset()
    assert validate_as_built(case.graph, resources) == alone
    assert validate_as_built(valid, resources) == frozenset()
    assert len(resources.shapes._data) == len(resources.vocabularies)
