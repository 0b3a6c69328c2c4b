"""Shared fixtures: real builds of the seed articles and of the test articles, each into its own
temporary folder (the repository's data/records is copied, never written to), and SPARQL over
the built pyoxigraph store, the way the server will query it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph

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
def ontology() -> Graph:
    """ontology/coopld.ttl as written (not inferred); tests must not change it."""
    return Graph().parse(ROOT / "ontology" / "coopld.ttl")


@pytest.fixture(scope="session")
def vocabularies() -> Graph:
    """Every vocabulary of ontology/vocab/ in one graph; tests must not change it."""
    graph = Graph()
    for path in sorted((ROOT / "ontology" / "vocab").glob("*.ttl")):
        graph.parse(path)
    return graph


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


def wait_until_answering(proc: subprocess.Popen[Any], url: str, seconds: float, log: Path | None = None) -> None:
    """Return once ``url`` gives any HTTP answer; fail at once, with the log's tail, if the server
    exits, and after ``seconds`` if it never answers — a test must not hang on a dead server."""
    import urllib.error
    import urllib.request

    def tail() -> str:
        return log.read_text(encoding="utf-8", errors="replace")[-3000:] if log is not None and log.exists() else ""

    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode} before answering {url}\n{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"nothing answered at {url} within {seconds:.0f} s\n{tail()}")
            time.sleep(0.1)


def stop_group(proc: subprocess.Popen[Any]) -> None:
    """End a server and every process it started (it runs in its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


@contextmanager
def gunicorn_app(app: str, env: dict[str, str], log: Path, timeout: int = 60, workers: int = 2) -> Iterator[str]:
    """``app`` (a gunicorn app spec) under gunicorn with 2 workers on a free loopback port, with
    ``env`` added to the environment and its output in ``log``, configured as ``bin/serve`` configures
    it (``coopld.web.gunicorn_conf``: request-line bound, no ``Server`` line). Yields the base URL;
    always stops it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:coopld.web.gunicorn_conf",
                                 "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                                 "--timeout", str(timeout), "--access-logfile", "-", app], cwd=ROOT,
                                env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_answering(proc, url, 60, log)
        yield url
    finally:
        stop_group(proc)


@contextmanager
def gunicorn(build_dir: Path, workers: int = 2, **config: str) -> Iterator[str]:
    """The real app under gunicorn serving ``build_dir``; ``config`` become COOPLD_* environment
    variables."""
    env = {"COOPLD_BUILD": str(build_dir), **{f"COOPLD_{k}": v for k, v in config.items()}}
    log = build_dir.parent / f"gunicorn-{os.getpid()}-{time.monotonic_ns()}.log"
    with gunicorn_app("coopld.web:create_app()", env, log, workers=workers) as url:
        yield url


#: the stores every endpoint, dereferencing, page and data test runs against
BACKENDS = ["embedded", "virtuoso", "oxigraph"]


def store_settings(endpoints: Any, *, graph_store: bool = True) -> dict[str, str]:
    """The COOPLD_STORE_* settings (without the prefix) that point coopld at a test server;
    ``graph_store=False`` leaves out the Graph Store Protocol endpoint (graphs are then written
    with update requests)."""
    settings = {"STORE": endpoints.query, "STORE_UPDATE": endpoints.update, "STORE_TIMEOUT": "30"}
    if graph_store:
        settings["STORE_GRAPH_STORE"] = endpoints.graph_store
    if endpoints.user:
        settings |= {"STORE_USER": endpoints.user, "STORE_PASSWORD": endpoints.password or "",
                     "STORE_AUTH": endpoints.auth or "basic"}
    if endpoints.name == "virtuoso":  # Virtuoso stops a query at the limit this parameter gives, in ms
        settings |= {"STORE_TIMEOUT_PARAMETER": "timeout", "STORE_TIMEOUT_UNIT": "ms"}
    return settings


@contextmanager
def remote_server(name: str, workdir: Path) -> Iterator[Any]:
    """A real SPARQL server of the kind named, on a free loopback port, stopped at the end."""
    from tests.remote_stores import oxigraph_server, virtuoso

    # Oxigraph's server stops a query only at a limit of its own: a little past the app's 3 s
    with (virtuoso(workdir) if name == "virtuoso" else oxigraph_server(workdir, timeout_s=5)) as endpoints:
        yield endpoints


def coopld_load(build_dir: Path, endpoints: Any, *args: str, timeout: float = 300,
                graph_store: bool = True) -> subprocess.CompletedProcess[str]:
    """``coopld load --store`` as a user runs it, into the server ``endpoints`` describes (with
    ``graph_store=False``, writing with update requests only)."""
    env = {**os.environ, **{f"COOPLD_{k}": v for k, v in store_settings(endpoints, graph_store=graph_store).items()}}
    return subprocess.run([sys.executable, "-m", "coopld", "load", "--build", str(build_dir), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session", params=BACKENDS)
def site(request: pytest.FixtureRequest, seeds: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seed dataset served by gunicorn, with a short query time limit for the tests: from the
    embedded store, or loaded with ``coopld load`` into a real Virtuoso or Oxigraph server and
    served from there."""
    if request.param == "embedded":
        with gunicorn(seeds.settings.out, QUERY_TIMEOUT="3") as url:
            yield url
        return
    workdir = tmp_path_factory.mktemp(request.param)
    with remote_server(request.param, workdir) as endpoints:
        loaded = coopld_load(seeds.settings.out, endpoints)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        with gunicorn(seeds.settings.out, QUERY_TIMEOUT="3", DOWNLOADS_CACHE=str(workdir / "downloads"),
                      **store_settings(endpoints)) as url:
            yield url
