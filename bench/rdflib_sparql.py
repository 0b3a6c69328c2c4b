"""``/bench/rdflib-sparql``: the benchmark's baseline, the same SPARQL queries answered by
rdflib's own engine over an in-memory ``rdflib.Dataset`` of the build's ``coopld.nq``, with
the union of all graphs as the default graph (as ``/sparql`` has it).

It runs in the coopld app, in the same gunicorn workers, and takes the same limits as the
public endpoint: a query may run ``COOPLD_QUERY_TIMEOUT`` seconds (stopped with SIGALRM, in
gunicorn's sync workers where requests run on the main thread) and its result may be
``COOPLD_MAX_RESULT_BYTES`` long. It never fetches anything: rdflib's loading of ``FROM``
graphs is switched off and ``SERVICE`` is refused.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import rdflib.plugins.sparql
from flask import Blueprint, Response, current_app, request
from rdflib import Dataset

from coopld.web.federation import calls_service

bp = Blueprint("bench_rdflib", __name__)


class QueryTimeout(BaseException):
    """Raised into the running query when its time is up (a BaseException, so that no
    ``except Exception`` inside rdflib can swallow it)."""


def load_dataset(nquads: Path) -> Dataset:
    """The build's every named graph, in memory, queried as one union graph."""
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # FROM <iri> must not make the server fetch it
    dataset = Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    return dataset


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the body after ``seconds`` (only on the main thread, where signals arrive)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise QueryTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _text(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@bp.route("/bench/rdflib-sparql", methods=["GET", "POST"])
def query() -> Response:
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        text = request.get_data(as_text=True)
    else:
        text = request.values.get("query", "")
    if not text.strip():
        return _text("no query: send one as 'query' or as an application/sparql-query body", 400)
    if calls_service(text):  # the endpoint's own rule, so both engines refuse the same queries
        return _text("federated SERVICE calls are disabled on this endpoint", 403)
    dataset: Dataset = current_app.extensions["bench_rdflib"]
    limit = float(current_app.config.get("COOPLD_QUERY_TIMEOUT", 10.0))
    max_bytes = int(current_app.config.get("COOPLD_MAX_RESULT_BYTES", 50_000_000))
    try:
        with time_limit(limit):
            result = dataset.query(text)
            if result.type in ("SELECT", "ASK"):
                body, media_type = result.serialize(format="json"), "application/sparql-results+json"
            else:
                body, media_type = result.serialize(format="nt"), "application/n-triples"
    except QueryTimeout:
        return _text(f"the query ran longer than {limit:g} s and was stopped", 503)
    except MemoryError:
        return _text("the query needed more memory than this server has", 503)
    except Exception as exc:  # rdflib reports parse and evaluation errors with many types
        return _text(f"the query cannot be run: {type(exc).__name__}: {exc}", 400)
    assert isinstance(body, bytes)
    if len(body) > max_bytes:
        return _text(f"the result is larger than {max_bytes} bytes; narrow the query or add a LIMIT", 400)
    return Response(body, content_type=media_type)


def timed_load(nquads: Path) -> tuple[Dataset, dict[str, float | int]]:
    started = time.monotonic()
    dataset = load_dataset(nquads)
    return dataset, {"triples": len(dataset), "load_seconds": round(time.monotonic() - started, 2)}
