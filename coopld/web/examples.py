"""What the SPARQL query page (``GET /sparql``, templates/sparql.html) needs besides the endpoint.

    /sparql/examples.json           the example queries: ontology/queries/*.rq, each named by
                                    its first comment line
    /sparql/prefixes.json           the prefixes coopld uses, as {prefix: namespace}, for the
                                    editor's prefix completion
    /sparql/links.json              where the dataset's IRIs can be followed on this server, so
                                    the results table links to local pages
    POST /sparql/labels.json        the label of each IRI of a results table, so the table can
                                    show "To Lam" beside person:to-lam

The editor itself, YASGUI, is sent from node_modules by ``coopld.web.vendor``.

Everything is read from this checkout and this server: the page needs no other host.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request
from rdflib import URIRef

from coopld.config import VOCAB_ROOT, Settings
from coopld.iris import is_absolute_iri
from coopld.vocab import ONTOLOGY_IRI
from coopld.web.dereference import local_href
from coopld.web.describe import labels as labels_of
from coopld.web.errors import BadRequest
from coopld.web.generation import generation

bp = Blueprint("examples", __name__)

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

#: IRIs one labels request may name: a results page of 50 rows by a handful of columns, with room
MAX_LABELLED = 1000


@dataclass(frozen=True)
class Example:
    id: str           # the file's name without .rq (also the editor tab's name)
    file: str         # the file's name
    name: str         # its first comment line
    description: str  # all its leading comment lines, as one paragraph
    query: str        # the whole file


def read_example(path: Path) -> Example:
    text = path.read_text(encoding="utf-8")
    comments: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        comment = stripped.lstrip("#").strip()
        if comment:
            comments.append(comment)
    name = comments[0] if comments else path.stem
    return Example(id=path.stem, file=path.name, name=name, description=" ".join(comments) or name, query=text)


def read_examples(folder: Path) -> list[Example]:
    """Every ``*.rq`` file of ``folder``, in file-name order (none if there is no such folder)."""
    if not folder.is_dir():
        return []
    return [read_example(path) for path in sorted(folder.glob("*.rq")) if path.is_file()]


def _settings() -> Settings:
    settings: Settings = current_app.config["COOPLD_SETTINGS"]
    return settings


@bp.route("/sparql/examples.json")
def examples() -> Response:
    found = read_examples(_settings().queries_dir)
    response = jsonify([asdict(example) for example in found])
    response.cache_control.no_cache = True
    return response


@bp.route("/sparql/prefixes.json")
def prefixes() -> Response:
    known: dict[str, str] = {"rdf": RDF_NS, **current_app.extensions["coopld_prefixes"]}
    response = jsonify(dict(sorted(known.items())))
    response.cache_control.max_age = 3600
    return response


@bp.route("/sparql/links.json")
def links() -> Response:
    """Pairs of an IRI start and the local path that replaces it, longest start first."""
    settings = _settings()
    starts = {settings.id_base, ONTOLOGY_IRI, VOCAB_ROOT + "vocab/"}
    pairs = [{"iri": start, "path": local_href(start)} for start in sorted(starts, key=len, reverse=True)]
    response = jsonify([pair for pair in pairs if pair["path"] != pair["iri"]])
    response.cache_control.max_age = 3600
    return response



@bp.route("/sparql/labels.json", methods=["POST"])
def labels() -> Response:
    """The results table shows an IRI's label beside it. Asked by the page after each table is
    drawn, with the IRIs it shows; answered from the store with the pages' own label rules."""
    asked = request.get_json(silent=True)
    if not isinstance(asked, dict) or not isinstance(asked.get("iris"), list):
        raise BadRequest('send JSON {"iris": [IRI, ...]} with Content-Type: application/json')
    iris = asked["iris"]
    if len(iris) > MAX_LABELLED:
        raise BadRequest(f"at most {MAX_LABELLED} IRIs a request, not {len(iris)}")
    wrong = next((i for i in iris if not isinstance(i, str) or not is_absolute_iri(i)), None)
    if wrong is not None:
        raise BadRequest(f"not an absolute IRI: {str(wrong)[:200]!r}")
    return jsonify(labels_of(generation().store, [URIRef(i) for i in iris]))
