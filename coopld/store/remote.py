"""A store reached over the SPARQL 1.1 protocols: Query for reads, Update for ``coopld load``.

Any store that speaks them will do (Virtuoso, Jena Fuseki, GraphDB, Oxigraph's server, …); how
each is set up is in the README. Reads go to the query endpoint with the dataset coopld serves:
when ``union_graph`` is set (the default), ``coopld load`` writes the union of all graphs, each
triple once, into a graph named after it and its checksum (``<union_graph>/<checksum>``), and
every query without a dataset of its own is asked over the union the publication record names,
so the default graph is a set on every store and switches from one version to the next in one
step, even on stores that do not run an update as one transaction (Virtuoso); with
``union_graph`` empty the store's own default graph is taken to be that union already.

One HTTP session per thread (requests' sessions are not meant to be shared between threads);
failures that may pass — a refused or dropped connection, 429, 502, 503, 504 — are retried with
a growing pause, everything else is reported at once.
"""

from __future__ import annotations

import json
import os
import threading
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests
from rdflib import BNode, Graph, Literal, URIRef
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from coopld.config import VOCAB_ROOT
from coopld.errors import ConfigError, StoreError
from coopld.iris import iri_problem
from coopld.store import Answer, Binding, Dataset, QueryFailed, Row, Term, Triple, results
from coopld.store.bindings import with_values

QUERIES = Path(__file__).with_name("queries")
#: the graph coopld loads the union of all graphs into, unless configured otherwise
DEFAULT_UNION_GRAPH = VOCAB_ROOT + "graph/union"
#: the graph that records what ``coopld load`` published: each graph's checksum, the version
PUBLICATION_GRAPH = VOCAB_ROOT + "graph/publication"
_RETRIED = (429, 502, 503, 504)
#: triples per INSERT DATA operation: Virtuoso compiles each into SQL and refuses one whose SQL
#: passes 10,000 lines (about 2,000 triples); a request may hold many operations
TRIPLES_PER_OPERATION = 1000


@dataclass(frozen=True)
class RemoteConfig:
    """Where a remote store is and how to talk to it. ``timeout`` bounds each request (seconds);
    ``timeout_parameter`` names the request parameter the store reads its own query time limit
    from (Virtuoso and Fuseki: ``timeout``), so a query past its limit is stopped where it runs;
    ``timeout_unit`` is what that parameter counts ("ms" or "s")."""

    query: str
    update: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"  # "basic" | "digest"
    timeout: float = 30.0
    union_graph: str | None = DEFAULT_UNION_GRAPH
    timeout_parameter: str | None = None
    timeout_unit: str = "ms"
    retries: int = 4

    def check(self) -> RemoteConfig:
        for name in ("query", "update", "graph_store"):
            value = getattr(self, name)
            if value is not None and (iri_problem(value) is not None or not value.startswith(("http://", "https://"))):
                raise ConfigError(f"store setting {name} must be an http(s) URL, not {value!r}")
        if self.auth not in ("basic", "digest"):
            raise ConfigError(f"store setting auth must be 'basic' or 'digest', not {self.auth!r}")
        if self.timeout_unit not in ("ms", "s"):
            raise ConfigError(f"store setting timeout_unit must be 'ms' or 's', not {self.timeout_unit!r}")
        if not self.timeout > 0:
            raise ConfigError(f"store setting timeout must be a positive number, not {self.timeout!r}")
        if self.union_graph and iri_problem(self.union_graph) is not None:
            raise ConfigError(f"store setting union_graph must be an IRI, not {self.union_graph!r}")
        return self


_ENV = {"query": "COOPLD_STORE", "update": "COOPLD_STORE_UPDATE", "graph_store": "COOPLD_STORE_GRAPH_STORE",
        "user": "COOPLD_STORE_USER",
        "password": "COOPLD_STORE_PASSWORD", "auth": "COOPLD_STORE_AUTH", "timeout": "COOPLD_STORE_TIMEOUT",
        "union_graph": "COOPLD_STORE_UNION_GRAPH", "timeout_parameter": "COOPLD_STORE_TIMEOUT_PARAMETER",
        "timeout_unit": "COOPLD_STORE_TIMEOUT_UNIT", "retries": "COOPLD_STORE_RETRIES"}


def remote_config(url: str | None = None, config_file: Path | None = None, **overrides: Any) -> RemoteConfig | None:
    """The remote store's settings: the ``[store]`` table of the configuration file, then
    ``COOPLD_STORE_*`` variables, then ``url`` (the query endpoint) and ``overrides``. None when no
    query endpoint is given anywhere: the embedded store is used."""
    values: dict[str, Any] = {}
    path = config_file or (Path(os.environ["COOPLD_CONFIG"]) if os.environ.get("COOPLD_CONFIG") else None)
    if path is not None and path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("store", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read the configuration: {exc}", path=path) from exc
        unknown = set(table) - set(_ENV)
        if unknown:
            raise ConfigError(f"unknown store setting(s) {', '.join(sorted(unknown))}; known: {', '.join(_ENV)}",
                              path=path)
        values.update(table)
    values.update({k: os.environ[v] for k, v in _ENV.items() if os.environ.get(v) is not None})
    if url:
        values["query"] = url
    values.update({k: v for k, v in overrides.items() if v is not None})
    if not values.get("query") or values["query"] == "embedded":
        return None
    for name, kind in (("timeout", float), ("retries", int)):
        if name in values:
            try:
                values[name] = kind(values[name])
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"store setting {name} must be a number, not {values[name]!r}") from exc
    if values.get("union_graph") == "":
        values["union_graph"] = None
    values.setdefault("update", None)
    if values.get("graph_store") == "":
        values["graph_store"] = None
    return replace(RemoteConfig(query=str(values.pop("query"))), **values).check()


def _term(value: Mapping[str, str]) -> Term:
    """A term of the SPARQL 1.1 Query Results JSON Format as rdflib's."""
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value["value"], datatype=URIRef(datatype))
    return Literal(value["value"])


class RemoteStore:
    """A SPARQL 1.1 store over HTTP (see the module's docstring)."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self.location = config.query
        #: the union graph queries are asked over (a server takes it from the publication record)
        self.default_graph = config.union_graph
        self._local = threading.local()

    # -- HTTP ---------------------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            retry = Retry(total=self.config.retries, connect=self.config.retries, read=0,
                          status=self.config.retries, backoff_factor=0.5, status_forcelist=_RETRIED,
                          allowed_methods=None, respect_retry_after_header=True, raise_on_status=False)
            adapter = HTTPAdapter(max_retries=retry, pool_maxsize=4)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = "coopld"
            self._local.session = session
        return session

    def _auth(self) -> AuthBase | None:
        if self.config.user is None:
            return None
        password = self.config.password or ""
        return HTTPDigestAuth(self.config.user, password) if self.config.auth == "digest" \
            else HTTPBasicAuth(self.config.user, password)

    def _time_limit(self, seconds: float) -> dict[str, str]:
        if not self.config.timeout_parameter:
            return {}
        value = seconds * 1000 if self.config.timeout_unit == "ms" else seconds
        return {self.config.timeout_parameter: str(max(1, int(value)))}

    def _post(self, url: str, data: dict[str, Any], accept: str, *, timeout: float, stream: bool = False,
              auth: bool = False) -> requests.Response:
        try:
            return self._session().post(url, data=data, headers={"Accept": accept}, timeout=(5.0, timeout),
                                        stream=stream, auth=self._auth() if auth else None)
        except requests.Timeout as exc:
            raise QueryFailed("timeout", f"the query ran longer than {timeout:g} s and was stopped") from exc
        except requests.ConnectionError as exc:
            # a read that timed out, wrapped by the retry machinery (reads are not retried)
            if isinstance(getattr(exc.args[0] if exc.args else None, "reason", None), ReadTimeoutError):
                raise QueryFailed("timeout", f"the query ran longer than {timeout:g} s and was stopped") from exc
            raise QueryFailed("unavailable", f"the store at {url} cannot be reached: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise QueryFailed("unavailable", f"the store at {url} cannot be reached: {type(exc).__name__}") from exc

    def _dataset(self, dataset: Dataset | None = None) -> dict[str, Any]:
        """The protocol's dataset parameters: the client's, else the union graph."""
        if dataset is not None and (dataset.default_graphs or dataset.named_graphs):
            return {"default-graph-uri": list(dataset.default_graphs), "named-graph-uri": list(dataset.named_graphs)}
        if dataset is not None and dataset.own:
            return {}
        return {"default-graph-uri": [self.default_graph]} if self.default_graph else {}

    def _ask_store(self, query: str, accept: str, *, whole_store: bool = False) -> requests.Response:
        """One of coopld's own queries, answered whole, or a StoreError naming the store.
        ``whole_store``: asked with no dataset, for queries that name graphs with GRAPH (the
        protocol gives a query that names a default graph no named graphs)."""
        dataset = {} if whole_store else self._dataset()
        data = {"query": query, **dataset, **self._time_limit(self.config.timeout)}
        try:
            response = self._post(self.config.query, data, accept, timeout=self.config.timeout)
        except QueryFailed as failed:
            raise StoreError(failed.message, path=self.location) from failed
        if response.status_code != 200:
            raise StoreError(f"the store answered {response.status_code}: {response.text[:300]}", path=self.location)
        _refuse_partial(response, self.location)
        return response

    # -- reads --------------------------------------------------------------------------------------
    def _results(self, query: str, bindings: Sequence[Binding], *, whole_store: bool = False) -> dict[str, Any]:
        response = self._ask_store(with_values(query, bindings), "application/sparql-results+json",
                                   whole_store=whole_store)
        try:
            data: dict[str, Any] = response.json()
        except ValueError as exc:
            raise StoreError(f"the store's answer is not SPARQL results JSON: {exc}", path=self.location) from exc
        return data

    def select(self, query: str, bindings: Sequence[Binding] = (), *, whole_store: bool = False) -> list[Row]:
        data = self._results(query, bindings, whole_store=whole_store)
        names = list(data["head"]["vars"])
        return [{n: (_term(b[n]) if n in b else None) for n in names} for b in data["results"]["bindings"]]

    def ask(self, query: str, bindings: Sequence[Binding] = ()) -> bool:
        return bool(self._results(query, bindings)["boolean"])

    def construct(self, query: str, bindings: Sequence[Binding] = (), *, whole_store: bool = False) -> list[Triple]:
        response = self._ask_store(with_values(query, bindings), "application/n-triples", whole_store=whole_store)
        graph = Graph()
        try:
            graph.parse(data=response.content.decode("utf-8"), format="nt")
        except Exception as exc:  # rdflib's parsers raise many kinds of error
            raise StoreError(f"the store's answer is not N-Triples: {exc}", path=self.location) from exc
        return list(graph)  # type: ignore[arg-type]

    def describe(self, iri: str) -> list[Triple]:
        """The description to six levels of blank nodes: coopld's deepest chain of them is an
        OWL list of a property chain, three levels (blank node labels in an answer are only
        good within that answer, so they cannot be followed by further queries)."""
        return self.construct(_query("describe"), [{"root": URIRef(iri)}])

    def graph(self, name: str) -> list[Triple]:
        return self.construct(_query("graph"), [{"g": URIRef(name)}], whole_store=True)

    def named_graphs(self) -> list[str]:
        """The graphs ``coopld load`` published (a store holds others of its own)."""
        rows = self.select(_query("published-graphs"), [{"publication": URIRef(PUBLICATION_GRAPH)}], whole_store=True)
        return sorted(str(r["graph"]) for r in rows if isinstance(r["graph"], URIRef) and not self.is_union(str(r["graph"])))

    def is_union(self, name: str) -> bool:
        """Whether a graph is one of the unions ``coopld load`` wrote."""
        union = self.config.union_graph
        return bool(union) and (name == union or name.startswith(f"{union}/"))

    def union_for(self, checksum: str) -> str:
        """The name of the union graph whose content has this checksum."""
        return f"{self.config.union_graph}/{checksum[:16]}"

    def publication(self) -> dict[str, Any] | None:
        """What the last complete ``coopld load`` recorded: the build's summary (build.json) and
        the dataset version; None when nothing was published."""
        rows = self.select(_query("publication"), [{"publication": URIRef(PUBLICATION_GRAPH)}], whole_store=True)
        if not rows or rows[0]["summary"] is None:
            return None
        try:
            summary: dict[str, Any] = json.loads(str(rows[0]["summary"]))
        except ValueError as exc:
            raise StoreError(f"the publication record in {PUBLICATION_GRAPH} is not JSON: {exc}",
                             path=self.location) from exc
        return summary

    def checksums(self) -> dict[str, str]:
        """graph IRI -> the checksum ``coopld load`` recorded when it wrote that graph."""
        rows = self.select(_query("published-graphs"), [{"publication": URIRef(PUBLICATION_GRAPH)}], whole_store=True)
        return {str(r["graph"]): str(r["sha256"]) for r in rows if r["sha256"] is not None}

    # -- public queries -----------------------------------------------------------------------------
    def answer(self, query: str, dataset: Dataset, results_format: str | None, rdf_format: str | None, *,
               base_iri: str | None, max_bytes: int, timeout: float) -> Answer:
        """The query forwarded as it came (a ``BASE`` put before it when relative IRIs are to
        resolve against the endpoint), the answer read up to ``max_bytes`` and no longer than
        ``timeout`` seconds; the store's own limit is set through ``timeout_parameter``."""
        # solutions always as JSON and triples as N-Triples, which every store writes to the
        # letter, then in the format asked for (coopld.store.results)
        accept = ", ".join(f for f in (results.JSON if results_format else None,
                                       "application/n-triples" if rdf_format else None) if f) or "*/*"
        text = f"BASE <{base_iri}>\n{query}" if base_iri and iri_problem(base_iri) is None else query
        data = {"query": text, **self._dataset(dataset), **self._time_limit(timeout)}
        response = self._post(self.config.query, data, accept, timeout=timeout, stream=True)
        with response:
            if response.status_code in (400, 406):
                raise QueryFailed("syntax" if response.status_code == 400 else "not-acceptable",
                                  f"the store refused the query: {_reason(response)}")
            if response.status_code != 200:
                reason = _reason(response)
                if "estimated execution time" in reason:  # Virtuoso refuses, before running it, a query it expects to be slow
                    raise QueryFailed("timeout", f"the query would run longer than {timeout:g} s by the store's estimate, "
                                                 "so it was not run; narrow it")
                raise QueryFailed("store" if response.status_code < 500 else "unavailable",
                                  f"the store answered {response.status_code}: {reason}")
            try:
                _refuse_partial(response, self.location)
            except StoreError as exc:
                raise QueryFailed("timeout", f"the query ran longer than {timeout:g} s and was stopped") from exc
            media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            body = bytearray()
            try:
                for chunk in response.iter_content(65536):
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise QueryFailed("too-large", f"the result is larger than {max_bytes} bytes; narrow the "
                                                       "query or add a LIMIT")
            except requests.RequestException as exc:
                raise QueryFailed("timeout", f"the query ran longer than {timeout:g} s and was stopped") from exc
        if _cancelled(bytes(body[-200:])):
            raise QueryFailed("timeout", "the query ran longer than the store allows and was stopped there")
        kind = _kind(media, bytes(body), rdf_format)
        if kind == "triples":
            assert rdf_format is not None
            try:
                return Answer(kind, results.convert_triples(bytes(body), rdf_format), rdf_format)
            except Exception as exc:  # rdflib's parsers and writers raise many kinds of error
                raise QueryFailed("store", f"the store's answer cannot be written as {rdf_format}: {exc}") from exc
        if results_format is None:
            raise QueryFailed("not-acceptable", "solutions")
        try:
            return Answer(kind, results.convert(bytes(body), results_format), results_format)
        except (ValueError, KeyError) as exc:
            raise QueryFailed("store", f"the store's answer is not SPARQL results JSON: {exc}") from exc

    # -- writes -------------------------------------------------------------------------------------
    def update(self, request: str, *, timeout: float | None = None) -> None:
        """Run one SPARQL Update request (``coopld load`` writes with these)."""
        if not self.config.update:
            raise StoreError("no update endpoint is configured (setting update / COOPLD_STORE_UPDATE)",
                             path=self.location)
        try:
            response = self._post(self.config.update, {"update": request}, "*/*",
                                  timeout=timeout or max(self.config.timeout, 120.0), auth=True)
        except QueryFailed as failed:
            raise StoreError(failed.message, path=self.config.update) from failed
        if response.status_code not in (200, 201, 204):
            raise StoreError(f"the update was refused ({response.status_code}): {_reason(response)}",
                             path=self.config.update)

    def put_graph(self, name: str, ntriples: bytes) -> None:
        """Replace one graph by its N-Triples with the Graph Store Protocol's PUT: the store parses
        them as a file rather than as an update request (Virtuoso takes the 1,320 triples of the
        vocabularies in 0.06 s this way, against 2 s as INSERT DATA), and a blank node is one
        node throughout, however big the graph."""
        if not self.config.graph_store:
            raise StoreError("no graph store endpoint is configured (setting graph_store / COOPLD_STORE_GRAPH_STORE)",
                             path=self.location)
        problem = iri_problem(name)
        if problem is not None:
            raise StoreError(f"cannot write graph {name[:100]!r}: {problem}")
        timeout = max(self.config.timeout, 120.0)
        try:
            response = self._session().put(self.config.graph_store, params={"graph": name}, data=ntriples,
                                           headers={"Content-Type": "application/n-triples"},
                                           timeout=(5.0, timeout), auth=self._auth())
        except requests.RequestException as exc:
            raise StoreError(f"cannot write graph {name}: {type(exc).__name__}", path=self.config.graph_store) from exc
        if response.status_code not in (200, 201, 204):
            raise StoreError(f"graph {name} was refused ({response.status_code}): {_reason(response)}",
                             path=self.config.graph_store)

    def replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """All the graphs in one update request, each dropped and inserted again: stores that run
        a request as one transaction (Oxigraph, Fuseki, GraphDB, Virtuoso) never show a graph
        half old and half new."""
        if graphs:
            self.update(replacement(graphs))

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()


def replacement(graphs: Mapping[str, bytes], extra: str = "") -> str:
    """A SPARQL Update request that replaces each graph by its N-Triples (empty: drops it).
    N-Triples, line for line, is the syntax of INSERT DATA's triples, so the build's own output
    is sent as it is; each graph IRI is checked before it is written."""
    operations = []
    for name, ntriples in graphs.items():
        problem = iri_problem(name)
        if problem is not None:
            raise StoreError(f"cannot write graph {name[:100]!r}: {problem}")
        operations.append(f"DROP SILENT GRAPH <{name}>")
        if ntriples.strip():
            operations.append(insertion(name, ntriples))
    if extra:
        operations.append(extra)
    return " ;\n".join(operations)


def insertion(graph: str, ntriples: bytes) -> str:
    """Update operations that add the triples to a graph. Those with blank nodes go in an
    ``INSERT … WHERE {}`` template (a blank node there is one fresh node, the same wherever its
    label recurs in the template), since Virtuoso refuses blank nodes in ``INSERT DATA``; the
    rest in ``INSERT DATA``, which Virtuoso takes in far larger amounts than a template."""
    lines = ntriples.decode("utf-8").splitlines()
    blank = "\n".join(line for line in lines if "_:" in line)
    plain = [line for line in lines if line and "_:" not in line]
    operations = []
    if blank:
        operations.append(f"INSERT {{ GRAPH <{graph}> {{\n{blank}\n}} }} WHERE {{}}")
    for start in range(0, len(plain), TRIPLES_PER_OPERATION):
        chunk = "\n".join(plain[start:start + TRIPLES_PER_OPERATION])
        operations.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk}\n}} }}")
    return " ;\n".join(operations)


def _query(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def _reason(response: requests.Response) -> str:
    try:
        text = response.text
    except Exception:  # a body that cannot be read or decoded
        return response.reason or ""
    return " ".join(text.split())[:300] or (response.reason or "")


def _refuse_partial(response: requests.Response, where: str) -> None:
    """Virtuoso answers a query it stopped at its time limit with the rows it had, marked only
    in a header: taking them for the answer would be silently wrong."""
    state = response.headers.get("X-SQL-State", "")
    if state.startswith("S1TAT") or "partial" in response.headers.get("X-SQL-Message", "").lower():
        raise StoreError("the store stopped the query at its time limit and sent a partial answer", path=where)


def _cancelled(tail: bytes) -> bool:
    """Oxigraph's server, stopping a query at its ``--timeout-s``, ends the answer it had begun
    with this sentence (the status was sent already): the answer is cut, not complete."""
    return b"operation has been cancelled" in tail


def _kind(media: str, body: bytes, rdf_format: str | None) -> str:
    """Which kind of answer came back: solutions and booleans are asked as JSON (told apart by
    a top-level "boolean" key, parsed only when the word is near the start), triples as
    N-Triples."""
    if media in (results.JSON, "application/json"):
        if b'"boolean"' not in body[:200]:
            return "solutions"
        try:
            return "boolean" if "boolean" in json.loads(body) else "solutions"
        except ValueError:
            return "solutions"  # not JSON: the conversion that follows says so
    return "triples" if rdf_format else "solutions"
