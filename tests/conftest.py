"""Shared fixtures: real builds of the seed articles and of the test articles, each into its own
temporary folder (the repository's data/records is copied, never written to), and SPARQL over
the built pyoxigraph store, the way the server will query it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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
        solutions = self.store.query(text, substitutions=substitutions)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: term_value(row[n]) for n in names} for row in solutions]

    def ask(self, query: str) -> bool:
        return bool(self.store.query(query))


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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(build_dir: Path, **config: str) -> Iterator[str]:
    """The real app under gunicorn (2 workers) on a free loopback port, serving ``build_dir``;
    ``config`` become COOPLD_* environment variables. Yields the base URL; always stops it."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    port = free_port()
    env = {**os.environ, "COOPLD_BUILD": str(build_dir), **{f"COOPLD_{k}": v for k, v in config.items()}}
    log = build_dir.parent / f"gunicorn-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                                 "--timeout", "60", "coopld.web:create_app()"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}: {log.read_text(encoding='utf-8')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not listen on {port} within 60 s") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


@pytest.fixture(scope="session")
def site(seeds: Built) -> Iterator[str]:
    """The seed dataset served by gunicorn, with a short query time limit for the tests."""
    with gunicorn(seeds.settings.out, QUERY_TIMEOUT="3") as url:
        yield url
