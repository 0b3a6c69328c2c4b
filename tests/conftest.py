"""Shared fixtures: real builds of the seed articles and of the test articles, each into its own
temporary folder (the repository's data/records is copied, never written to), and SPARQL over
the built pyoxigraph store, the way the server will query it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from coopld.build import BuildResult, build
from coopld.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "ontology" / "queries"
BASE = "https://w3id.org/coopld/id/"


def term_value(term: Any) -> Any:
    """A query result term as a plain Python value: IRIs and literals as their text."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#boolean":
            return term.value == "true"
        return term.value
    return term.value


@dataclass
class Built:
    settings: Settings
    result: BuildResult
    store: ox.Store

    def select(self, query: str, **bindings: str) -> list[dict[str, Any]]:
        """Rows of a SELECT (a file name in ontology/queries or query text), as dicts."""
        text = (QUERIES / query).read_text(encoding="utf-8") if query.endswith(".rq") else query
        substitutions = {ox.Variable(k): ox.NamedNode(v) for k, v in bindings.items()}
        solutions = self.store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: term_value(row[n]) for n in names} for row in solutions]

    def ask(self, query: str) -> bool:
        return bool(self.store.query(query, use_default_graph_as_union=True))


def run_build(tmp: Path, articles: Path, records: Path | None = None, **settings: Any) -> Built:
    out = tmp / "build"
    recs = tmp / "records"
    if records is not None and records.exists():
        shutil.copytree(records, recs, dirs_exist_ok=True)
    conf = load_settings(articles_dir=articles, records_dir=recs, out_dir=out, **settings)
    result = build(conf, progress=False)
    store = ox.Store.read_only(str(out / "store")) if result.written else ox.Store()
    return Built(conf, result, store)


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The five seed articles, built as `coopld build` builds them."""
    built = run_build(tmp_path_factory.mktemp("seeds"), ROOT / "data" / "articles", ROOT / "data" / "records")
    assert built.result.exit_code == 0, built.result.errors + built.result.report.messages
    yield built


@pytest.fixture(scope="session")
def unseen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The test articles about other countries, with no record of their own."""
    built = run_build(tmp_path_factory.mktemp("unseen"), ROOT / "tests" / "articles")
    assert built.result.exit_code == 0, built.result.errors + built.result.report.messages
    yield built


def iri(path: str) -> str:
    return BASE + path
