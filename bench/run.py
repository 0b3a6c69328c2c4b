"""The server benchmark, in one command:

    .venv/bin/python -m bench.run                           # 10,000 events, 3 runs of 4 s per measurement
    .venv/bin/python -m bench.run --events 300 --seconds 2  # a quick smoke run

It generates (or reuses from its cache) a dataset of ``--events`` cooperation events
(``bench.generate``) and serves it three ways at once, each on its own free 127.0.0.1 port:

* **coopld**: ``bench.app`` (coopld's own app, plus a route that sends a static file) under gunicorn
  with coopld's production settings, as ``bin/serve`` runs it;
* **bare**: ``bench.bare``, the least a Flask app needs to answer SPARQL from pyoxigraph, under the
  same gunicorn with the same settings;
* **oxigraph**: Oxigraph's own server, read-only over the same store folder.

Then, with one load generator (wrk, closed loop, ``--connections`` 4 and 16), it measures:

* the query classes of ``bench/queries/`` (lookup, filter, aggregate, text search, big result) on
  each server, every request a text no earlier request sent (so no cache answers it), and the same
  lookup repeated (which coopld's result cache answers);
* event documents in Turtle and event pages in HTML on coopld, once each has been made (the
  documents are made once per dataset version), against a static file of the same size sent by
  the same server;
* two scenarios on coopld: two runaway queries in flight while a page and a trivial query are
  asked, and the same load with and without three clients that send their headers a byte a second.

Every measurement is bounded (``--seconds`` each, every request by ``--timeout``); the results go
to ``bench/results/latest.json`` (and a dated copy), the table and the targets are printed, and
the servers are stopped at the end, also on errors, Ctrl-C and SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import XSD, Literal, URIRef

from bench.generate import ROOT, Params, cache_key, generate, params_key
from bench.servers import HOST, Gunicorn, OxigraphServer, Process
from coopld.store.bindings import with_values

QUERIES = Path(__file__).resolve().parent / "queries"
LUA = Path(__file__).resolve().parent / "requests.lua"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SPARQL_JSON = "application/sparql-results+json"
#: the query classes measured on every server; every request but the repeated lookup's is new
CLASSES = ["lookup", "filter", "aggregate", "text-search", "big-result", "lookup-repeated"]
#: in a request's text, replaced by the load generator with a number no other request has
FRESH = "# bench request __N__\n"
#: what each measurement must reach: (subject/baseline req/s at least)
TARGETS = {"query": 0.8, "lookup-repeated": 2.0, "doc-ttl": 0.8, "doc-html": 0.6, "slow-clients": 0.9}
RUNAWAY_LIMIT_S = 0.5


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the dataset --------------------------------------------------------------------------------

def dataset(params: Params, cache: Path | None, rebuild: bool, jobs: int, work: Path,
            reuse_stale: bool = False) -> tuple[Path, dict[str, Any]]:
    """The build folder for ``params``: from the cache, or generated (into the cache, or into
    ``work`` when there is none). ``reuse_stale``: any cached dataset of the same parameters,
    the newest, even if the ontology, mappings, shapes or build code have changed since."""
    if cache is None:
        out = work / "build"
    else:
        out = cache / cache_key(params)
        candidates = [out] if not reuse_stale else sorted(
            (d for d in cache.glob(params_key(params) + "-*") if (d / "bench.json").is_file()),
            key=lambda d: (d == out, (d / "bench.json").stat().st_mtime), reverse=True)
        found = next((d for d in candidates if (d / "bench.json").is_file()), None)
        if found is not None and not rebuild:
            summary = json.loads((found / "bench.json").read_text(encoding="utf-8"))
            stale = found != out
            log(f"dataset: reusing {found} (generated in {summary['seconds']['total']:.0f} s)"
                + ("; STALE: its inputs have changed since" if stale else ""))
            return found, {**summary, "cached": True, "stale": stale}
    log(f"dataset: generating {params.events} events into {out}" + (" (cached for later runs)" if cache else ""))
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    summary = generate(staging, params, jobs=jobs, log=lambda m: log("  " + m))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    log(f"dataset: {summary['counts']['events']} events, {summary['counts']['articles']} articles, "
        f"{summary['counts']['quads_in_store']} quads, in {summary['seconds']['total']:.0f} s")
    return out, {**summary, "cached": False, "stale": False}


# --- what is asked ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Workload:
    """The requests of one query class: query texts, each sent as a GET by every engine."""

    name: str
    texts: list[str]


def _query(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def _rows(store: Any, text: str) -> list[Any]:
    return list(store.query(text))


def workloads(store_dir: Path, base_iri: str, seed: int, size: int) -> tuple[list[Workload], list[str]]:
    """The query classes' texts, with values drawn (seeded) from the dataset itself, and the local
    paths of the events whose documents are asked (``event/<key>``)."""
    import pyoxigraph as ox  # the benchmark reads the store it measures; coopld itself never does so

    store = ox.Store.read_only(str(store_dir))
    rng = random.Random(seed)
    events = sorted(row["e"].value for row in _rows(store, (
        "PREFIX coop: <https://w3id.org/coopld/ontology#> SELECT DISTINCT ?e WHERE { ?e coop:hasParticipation ?p }"))
        if row["e"].value.startswith(base_iri + "id/event/"))
    if not events:
        raise RuntimeError("the dataset has no events with participants")
    span = _rows(store, ("PREFIX coop: <https://w3id.org/coopld/ontology#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
                         "SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?e coop:date ?d "
                         "FILTER (DATATYPE(?d) = xsd:date) }"))[0]
    first, last = date.fromisoformat(span["first"].value), date.fromisoformat(span["last"].value)
    countries = sorted(row["c"].value for row in _rows(store, (
        "PREFIX coop: <https://w3id.org/coopld/ontology#> SELECT DISTINCT ?c WHERE { ?e coop:place/coop:country ?c }")))
    names = sorted(row["l"].value for row in _rows(store, (
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT DISTINCT ?l WHERE { ?p a foaf:Person ; rdfs:label ?l }")))
    del store
    lookup_events = rng.sample(events, min(len(events), 2000))
    windows = []
    for _ in range(500):
        start = first + timedelta(days=rng.randrange(max(1, (last - first).days)))
        windows.append({"from": Literal(start, datatype=XSD.date), "to": Literal(start + timedelta(days=60), datatype=XSD.date)})
    needles = sorted({word.lower()[:4] for name in names for word in name.split()[-1:] if len(word) >= 4})
    lookup = _query("lookup")
    loads = [
        Workload("lookup", [FRESH + with_values(lookup, [{"event": URIRef(e)}]) for e in lookup_events]),
        Workload("filter", [FRESH + with_values(_query("filter"), [w]) for w in windows]),
        Workload("aggregate", [FRESH + with_values(_query("aggregate"), [{"country": URIRef(c)}]) for c in countries]),
        Workload("text-search", [FRESH + with_values(_query("text-search"), [{"needle": Literal(n)}])
                                 for n in rng.sample(needles, min(len(needles), 500))]),
        Workload("big-result", [FRESH + _query("big-result")]),
        Workload("lookup-repeated", [with_values(lookup, [{"event": URIRef(lookup_events[0])}])]),
    ]
    pages = [e[len(base_iri) + len("id/"):] for e in rng.sample(events, min(len(events), 2 * size))]
    return loads, pages


def query_path(endpoint: str, text: str) -> str:
    # "__N__" is made of unreserved characters: quoting leaves it for the load generator to replace
    return f"{endpoint}?query={quote(text, safe='')}"


def fetch(url: str, timeout: float, *, accept: str | None = None, data: bytes | None = None,
          content_type: str | None = None) -> tuple[int | str, bytes, float]:
    """One request: its status (or the error's name), body and seconds."""
    headers = {k: v for k, v in (("Accept", accept), ("Content-Type", content_type)) if v}
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=timeout) as response:
            return response.status, response.read(), time.perf_counter() - began
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.perf_counter() - began
    except (OSError, urllib.error.URLError) as exc:
        return type(exc).__name__, b"", time.perf_counter() - began


def solutions(body: bytes) -> list[str] | None:
    """A SPARQL JSON answer's rows as sorted canonical JSON (None: not such an answer)."""
    try:
        rows = json.loads(body)["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        return None
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


# --- the load generator --------------------------------------------------------------------------

_RUNS = iter(range(1, 1_000_000))


def wrk(url: str, paths: list[str], *, accept: str, connections: int, seconds: float, timeout: float,
        work: Path) -> dict[str, Any]:
    """One closed-loop run of wrk (one thread, ``connections`` connections) over ``paths`` in turn;
    its counts, req/s of 2xx answers and latency percentiles in milliseconds."""
    listing = work / "paths.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="ascii")
    out = work / "wrk.json"
    out.unlink(missing_ok=True)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={max(1, round(timeout))}s",
               "--latency", "-s", str(LUA), url, "--", str(listing), accept, f"r{next(_RUNS)}"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60,
                          env={**os.environ, "BENCH_WRK_OUT": str(out)})
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    raw = json.loads(out.read_text(encoding="utf-8"))
    ok = sum(n for code, n in raw["statuses"].items() if code.startswith("2"))
    seconds_run = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    return {"requests": raw["requests"], "ok": ok, "failed": raw["requests"] - ok, "statuses": raw["statuses"],
            "errors": {k: v for k, v in raw["errors"].items() if v}, "seconds": round(seconds_run, 2),
            "rps": round(ok / seconds_run, 1) if seconds_run else 0.0,
            "bytes_per_answer": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
            **{f"{p}_ms": round(latency[p] / 1000, 2) for p in ("p50", "p90", "p99", "max")}}


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Runs of :func:`wrk` as one measurement: counts summed; req/s and latencies those of the
    best run. gunicorn's workers each take the connections they win, and a kept-alive connection
    stays with its worker for the whole run, so one run may load both worker processes and the
    next only one, at half the req/s: the runs of one measurement come out in two groups, not
    scattered around a middle. The best run is the one that loaded both, what the machine gives;
    every server is measured the same way, and every run's req/s is kept in ``runs_rps``."""
    statuses: dict[str, int] = {}
    for one in runs:
        for code, n in one["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    summed = {k: sum(one[k] for one in runs) for k in ("requests", "ok", "failed")}
    errors = {k: sum(one["errors"].get(k, 0) for one in runs) for k in {e for one in runs for e in one["errors"]}}
    best = max(runs, key=lambda one: one["rps"])
    return {**summed, "statuses": statuses, "errors": errors, "seconds": round(sum(one["seconds"] for one in runs), 2),
            "rps": best["rps"], "runs_rps": [one["rps"] for one in runs], "bytes_per_answer": best["bytes_per_answer"],
            **{k: best[k] for k in ("p50_ms", "p90_ms", "p99_ms")}, "max_ms": max(one["max_ms"] for one in runs)}


def interleaved(times: int, sides: dict[str, Callable[[], dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """``times`` rounds of one run of each side in turn (A B C, A B C, ...), summarized per side:
    the machine's speed drifts over a minute (other tenants, caches, the CPU's clock), and
    taking the sides in turn gives each the same drift, where measuring each side's runs
    together would give one side the good minute and the other the bad one."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
    for _ in range(times):
        for name, one in sides.items():
            runs[name].append(one())
    return {name: summarize(done) for name, done in runs.items()}


# --- the scenarios -------------------------------------------------------------------------------

class SlowClient(threading.Thread):
    """A client that sends its request's headers one byte a second, and connects again whenever
    the server hangs up on it, until told to stop; it counts the times it was cut off."""

    def __init__(self, port: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.stop, self.cut_off, self.bytes_sent = port, stop, 0, 0

    def run(self) -> None:
        request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client\r\nX-Padding: " + b"x" * 4096
        while not self.stop.is_set():
            try:
                with socket.create_connection((HOST, self.port), timeout=5) as sock:
                    for byte in request:
                        if self.stop.wait(1.0):
                            return
                        sock.sendall(bytes([byte]))
                        self.bytes_sent += 1
            except OSError:
                self.cut_off += 1


def runaway_scenario(coopld: Process, pages: list[str], query_timeout: float) -> dict[str, Any]:
    """Two runaway queries in flight (POSTed, so no cache answers them); meanwhile a page not yet
    made and a trivial query not asked before are asked in turn, one at a time."""
    text = _query("runaway").encode("utf-8")
    outcomes: list[tuple[int | str, bytes, float]] = []

    def runaway() -> None:
        outcomes.append(fetch(coopld.url("/sparql"), query_timeout + 30, data=text, accept=SPARQL_JSON,
                              content_type="application/sparql-query"))

    runners = [threading.Thread(target=runaway, daemon=True) for _ in range(2)]
    for runner in runners:
        runner.start()
    time.sleep(1.0)  # both are in their query processes by now
    samples: dict[str, list[float]] = {"page": [], "trivial-query": []}
    failures: list[str] = []
    deadline = time.monotonic() + max(1.0, query_timeout - 3.0)
    n = 0
    in_flight = all(runner.is_alive() for runner in runners)
    while in_flight and time.monotonic() < deadline and n < 2 * len(pages):
        if n % 2 == 0:
            kind, url, accept = "page", coopld.url(f"/doc/{pages[n // 2]}.html"), "text/html"
        else:
            trivial = query_path("/sparql", f"# runaway scenario {n}\nASK {{}}")
            kind, url, accept = "trivial-query", coopld.url(trivial), SPARQL_JSON
        status, _body, seconds = fetch(url, 10, accept=accept)
        n += 1
        if not all(runner.is_alive() for runner in runners):
            # A runaway was stopped before this answer came: it was not asked behind both, so it
            # is not counted (on a loaded machine the first answers can take longer than the limit).
            break
        if status != 200:
            failures.append(f"{kind} {status}")
        samples[kind].append(seconds)
    in_flight = in_flight and all(samples.values())
    for runner in runners:
        runner.join(query_timeout + 40)
    result: dict[str, Any] = {"runaways_in_flight_throughout": in_flight, "failures": failures,
                              "runaway_answers": [{"status": s, "seconds": round(t, 1)} for s, _b, t in outcomes]}
    for kind, values in samples.items():
        result[kind] = {"asked": len(values), "max_ms": round(1000 * max(values), 1) if values else None,
                        "p50_ms": round(1000 * statistics.median(values), 1) if values else None}
    worst = max((result[k]["max_ms"] or 0.0) for k in samples) / 1000
    result["met"] = bool(in_flight and not failures and all(samples.values()) and worst <= RUNAWAY_LIMIT_S)
    return result


# --- the run -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000, help="cooperation events in the generated dataset")
    parser.add_argument("--seed", type=int, default=Params.seed, help="seed of the dataset and of the samples")
    parser.add_argument("--seconds", type=float, default=4.0, help="load per run of the load generator")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement, each with new connections")
    parser.add_argument("--connections", type=int, nargs="+", default=[4, 16], help="the load generator's connections")
    parser.add_argument("--classes", nargs="+", default=CLASSES, choices=CLASSES, help="query classes measured")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (as bin/serve)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds each request may take")
    parser.add_argument("--query-timeout", type=float, default=10.0, help="coopld's COOPLD_QUERY_TIMEOUT (its default)")
    parser.add_argument("--header-timeout", type=float, default=10.0,
                        help="coopld's COOPLD_HEADER_TIMEOUT (its default); the slow-client measurement lasts longer")
    parser.add_argument("--sample", type=int, default=200, help="events whose documents are asked")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "coopld-bench",
                        help="where generated datasets are kept, keyed by their parameters and inputs")
    parser.add_argument("--no-cache", action="store_true", help="generate into the run's temporary folder")
    parser.add_argument("--rebuild", action="store_true", help="generate even if the cache has the dataset")
    parser.add_argument("--reuse-stale", action="store_true",
                        help="reuse the newest cached dataset of the same parameters even if its inputs have changed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes generating the dataset")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("the load generator wrk is not installed: run bin/setup test (Debian's package wrk)")

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    started, started_at = time.monotonic(), datetime.now(UTC)
    params = Params(events=args.events, seed=args.seed)
    servers: list[Process] = []
    with tempfile.TemporaryDirectory(prefix="coopld-bench-") as tmp:
        work = Path(tmp)
        try:
            build, data = dataset(params, None if args.no_cache else args.cache, args.rebuild, args.jobs, work,
                                  args.reuse_stale)
            results = measure(args, build, data, work, servers)
        except KeyboardInterrupt:
            log("interrupted: stopping the servers")
            return 130
        except Exception as exc:
            log(f"failed: {type(exc).__name__}: {exc}")
            for server in servers:
                print(f"--- {server.name}:\n{server.tail()}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()
            if servers:
                log("servers: stopped")
    results["run"] = {"started": started_at.isoformat(timespec="seconds"), "seconds": round(time.monotonic() - started, 1),
                      "command": "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv)}
    write(results, args.output)
    print(report(results))
    return 0


def start_servers(args: argparse.Namespace, build: Path, work: Path, servers: list[Process]) -> dict[str, Process]:
    static = work / "static"
    static.mkdir()
    common = {"COOPLD_THREADS": os.environ.get("COOPLD_THREADS", "16")}
    coopld = Gunicorn("bench.app:create_app()", {**common, "COOPLD_BUILD": str(build), "BENCH_STATIC_DIR": str(static),
                                                 "COOPLD_QUERY_TIMEOUT": str(args.query_timeout),
                                                 "COOPLD_HEADER_TIMEOUT": str(args.header_timeout)},
                      work / "coopld.log", workers=args.workers, name="coopld")
    servers.append(coopld)
    bare = Gunicorn("bench.bare:create_app()", {**common, "BENCH_STORE": str(build / "store")}, work / "bare.log",
                    workers=args.workers, name="bare")
    servers.append(bare)
    oxigraph = OxigraphServer(build / "store", work / "oxigraph.log")
    servers.append(oxigraph)
    ask = quote("ASK {}", safe="")
    for server, path in ((coopld, "/"), (bare, f"/sparql?query={ask}"), (oxigraph, f"/query?query={ask}")):
        seconds = server.wait_answering(path, 300)
        log(f"server: {server.name} at {server.url()} answered in {seconds:.1f} s")
    return {"coopld": coopld, "bare": bare, "oxigraph": oxigraph}


ENDPOINTS = {"coopld": "/sparql", "bare": "/sparql", "oxigraph": "/query"}


def measure(args: argparse.Namespace, build: Path, data: dict[str, Any], work: Path,
            servers: list[Process]) -> dict[str, Any]:
    base = json.loads((build / "build.json").read_text(encoding="utf-8"))["base_iri"]
    loads, pages = workloads(build / "store", base, args.seed, args.sample)
    loads = [w for w in loads if w.name in args.classes]
    running = start_servers(args, build, work, servers)
    coopld = running["coopld"]
    results: dict[str, Any] = {
        "code": _code_state(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    **{name: _version(name) for name in ("pyoxigraph", "oxigraph", "flask", "gunicorn", "rdflib")},
                    "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0].strip()},
        "dataset": {"path": str(build), "params": data["params"], "counts": data["counts"], "cached": data["cached"],
                    "stale": data["stale"], "generation_seconds": data["seconds"]["total"]},
        "settings": {k: getattr(args, k) for k in ("seconds", "repeats", "connections", "workers", "timeout", "query_timeout",
                                                   "sample", "classes")}
        | {"threads": int(os.environ.get("COOPLD_THREADS", "16"))},
        "checks": {}, "measurements": [],
    }

    # every engine must give the same answer to each class's first request, or they do different work
    for workload in loads:
        first = workload.texts[0].replace("__N__", "check")
        answers = {}
        for name, endpoint in ENDPOINTS.items():
            status, body, seconds = fetch(running[name].url(query_path(endpoint, first)), args.timeout, accept=SPARQL_JSON)
            if status != 200:
                raise RuntimeError(f"{name} answered {status} to the first {workload.name} query: {body[:300]!r}")
            answers[name] = solutions(body)
            results["checks"][f"{workload.name}/{name}"] = {"rows": len(answers[name] or []), "seconds": round(seconds, 3)}
        same = len({json.dumps(a) for a in answers.values()}) == 1
        log(f"check {workload.name:16} {len(answers['coopld'] or [])} rows on each engine: "
            + ("the same answers" if same else "THE ENGINES DISAGREE"))
        if not same:
            raise RuntimeError(f"the engines give different answers to the first {workload.name} query")

    # documents: each made once (as the first visitor would), then a static file of the same size
    static_dir = work / "static"
    doc_pages, cold_pages = pages[:args.sample], pages[args.sample:]
    docs: dict[str, list[str]] = {}
    for ext, accept in (("ttl", "text/turtle"), ("html", "text/html")):
        paths = [f"/doc/{p}.{ext}" for p in doc_pages]
        made, bodies = [], []
        for path in paths:
            status, body, seconds = fetch(coopld.url(path), args.timeout, accept=accept)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
            made.append(seconds)
            bodies.append(body)
        twin = sorted(bodies, key=len)[len(bodies) // 2]
        (static_dir / f"event.{ext}").write_bytes(twin)
        status, body, _ = fetch(coopld.url(f"/bench/static/event.{ext}"), args.timeout, accept=accept)
        if status != 200 or body != twin:
            raise RuntimeError(f"the static file /bench/static/event.{ext} answered {status}")
        sizes = sorted(len(b) for b in bodies)
        results["checks"][f"doc-{ext}"] = {
            "documents": len(paths), "min_bytes": sizes[0], "max_bytes": sizes[-1], "static_bytes": len(twin),
            "first_request_p50_ms": round(1000 * statistics.median(made), 1),
            "first_request_max_ms": round(1000 * max(made), 1)}
        log(f"check doc-{ext}: {len(paths)} documents made, {sizes[0]}-{sizes[-1]} bytes, the first request of each "
            f"{1000 * statistics.median(made):.0f} ms at the median; static twin {len(twin)} bytes")
        docs[ext] = paths

    def record(kind: str, name: str, engine: str, connections: int, summary: dict[str, Any], note: str = "") -> dict[str, Any]:
        entry = {"kind": kind, "name": name, "engine": engine, "connections": connections, **summary,
                 **({"note": note} if note else {})}
        results["measurements"].append(entry)
        log(f"load  {name:16} {engine:9} c={connections:<3} {summary['rps']:9.1f} req/s  p50 {summary['p50_ms']:8.1f} ms  "
            f"p99 {summary['p99_ms']:8.1f} ms  ({summary['ok']} ok, {summary['failed']} failed; runs {summary['runs_rps']})")
        return entry

    def load(server: Process, paths: list[str], accept: str, connections: int,
             seconds: float | None = None) -> Callable[[], dict[str, Any]]:
        return lambda: wrk(server.url(""), paths, accept=accept, connections=connections,
                           seconds=seconds or args.seconds, timeout=args.timeout, work=work)

    for connections in args.connections:
        # unmeasured: every server's workers and query processes started at this many connections
        # (2 s, or a short run's own length)
        for engine, endpoint in ENDPOINTS.items():
            wrk(running[engine].url(""), [query_path(endpoint, t) for t in loads[0].texts[-200:]], accept=SPARQL_JSON,
                connections=connections, seconds=min(2.0, args.seconds), timeout=args.timeout, work=work)
        for workload in loads:
            sides = {engine: load(running[engine], [query_path(endpoint, t) for t in workload.texts], SPARQL_JSON,
                                  connections) for engine, endpoint in ENDPOINTS.items()}
            for engine, summary in interleaved(args.repeats, sides).items():
                record("query", workload.name, engine, connections, summary)
        for ext, accept in (("ttl", "text/turtle"), ("html", "text/html")):
            sides = {"coopld": load(coopld, docs[ext], accept, connections),
                     "static": load(coopld, [f"/bench/static/event.{ext}"], accept, connections)}
            for engine, summary in interleaved(args.repeats, sides).items():
                record("document", f"doc-{ext}", engine, connections, summary)

    # three slow-header clients: the same load without them and with them, in turn
    slow_paths = docs["html"]
    connections = min(args.connections)
    # measured for longer than the header deadline, so that it spans the slow clients' cut-offs
    # and the reconnections that follow, not only the seconds before the deadline
    spanning = args.header_timeout + 1.0 + args.seconds
    slow: list[SlowClient] = []

    def without_slow() -> dict[str, Any]:
        return load(coopld, slow_paths, "text/html", connections, spanning)()

    def with_slow() -> dict[str, Any]:
        stop = threading.Event()
        clients = [SlowClient(coopld.port, stop) for _ in range(3)]
        for client in clients:
            client.start()
        time.sleep(1.0)
        try:
            return load(coopld, slow_paths, "text/html", connections, spanning)()
        finally:
            stop.set()
            for client in clients:
                client.join(5)
            slow.extend(clients)

    summaries = interleaved(args.repeats, {"without": without_slow, "with": with_slow})
    without = record("slow-clients", "slow-clients", "without", connections, summaries["without"])
    with_them = record("slow-clients", "slow-clients", "with", connections, summaries["with"],
                       note="three clients sending headers a byte a second")
    results["slow_clients"] = {"clients": 3, "cut_off": sum(c.cut_off for c in slow),
                               "header_bytes_sent": sum(c.bytes_sent for c in slow),
                               "rps_ratio": _ratio(with_them["rps"], without["rps"]),
                               "p99_ms": {"without": without["p99_ms"], "with": with_them["p99_ms"]}}

    log("scenario: two runaway queries in flight, a page and a trivial query asked meanwhile")
    results["runaway"] = runaway_scenario(coopld, cold_pages, args.query_timeout)
    r = results["runaway"]
    log(f"scenario: pages {r['page']['max_ms']} ms at most ({r['page']['asked']} asked), trivial queries "
        f"{r['trivial-query']['max_ms']} ms at most ({r['trivial-query']['asked']}); runaways answered "
        + ", ".join(f"{a['status']} after {a['seconds']} s" for a in r["runaway_answers"]))
    results["ratios"] = ratios(results)
    return results


# --- the results ---------------------------------------------------------------------------------

def _code_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    status = git("status", "--porcelain", "--", "coopld", "ontology", "mappings", "shapes", "bench")
    return {"commit": git("rev-parse", "HEAD").strip(), "changed": [line[3:] for line in status.splitlines() if line]}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def _find(results: dict[str, Any], name: str, engine: str, connections: int) -> dict[str, Any] | None:
    return next((m for m in results["measurements"]
                 if m["name"] == name and m["engine"] == engine and m["connections"] == connections), None)


def ratios(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each measurement of coopld against its baselines at the same connections, with its target."""
    out = []
    for connections in results["settings"]["connections"]:
        for name in results["settings"]["classes"]:
            subject = _find(results, name, "coopld", connections)
            bare, oxigraph = _find(results, name, "bare", connections), _find(results, name, "oxigraph", connections)
            if subject is None or bare is None or oxigraph is None:
                continue
            target = TARGETS["lookup-repeated" if name == "lookup-repeated" else "query"]
            vs_bare = _ratio(subject["rps"], bare["rps"])
            out.append({"name": name, "connections": connections, "coopld_rps": subject["rps"], "bare_rps": bare["rps"],
                        "oxigraph_rps": oxigraph["rps"], "vs_bare": vs_bare,
                        "vs_oxigraph": _ratio(subject["rps"], oxigraph["rps"]),
                        "target": target, "met": vs_bare is not None and vs_bare >= target and subject["failed"] == 0})
        for ext in ("ttl", "html"):
            subject = _find(results, f"doc-{ext}", "coopld", connections)
            static = _find(results, f"doc-{ext}", "static", connections)
            if subject is None or static is None:
                continue
            vs_static = _ratio(subject["rps"], static["rps"])
            target = TARGETS[f"doc-{ext}"]
            out.append({"name": f"doc-{ext}", "connections": connections, "coopld_rps": subject["rps"],
                        "static_rps": static["rps"], "vs_static": vs_static, "target": target,
                        "met": vs_static is not None and vs_static >= target and subject["failed"] == 0})
    slow = results.get("slow_clients")
    if slow:
        with_slow = _find(results, "slow-clients", "with", min(results["settings"]["connections"]))
        out.append({"name": "slow-clients", "connections": min(results["settings"]["connections"]),
                    "vs_without": slow["rps_ratio"], "target": TARGETS["slow-clients"],
                    "met": slow["rps_ratio"] is not None and slow["rps_ratio"] >= TARGETS["slow-clients"]
                    and with_slow is not None and with_slow["failed"] == 0})
    return out


def write(results: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    output.write_text(text, encoding="utf-8")
    if output.name == "latest.json":
        stamp = results["run"]["started"].replace(":", "").replace("-", "").replace("+0000", "Z")
        (output.parent / f"{stamp}-{results['dataset']['counts']['events']}ev.json").write_text(text, encoding="utf-8")
    log(f"results: {output}")


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def report(results: dict[str, Any]) -> str:
    """The table of the closing note (Markdown), and whether each target was met."""
    counts = results["dataset"]["counts"]
    settings = results["settings"]
    lines = ["", f"{counts['events']:,} events, {counts['quads_in_store']:,} quads; {settings['workers']} gunicorn "
             f"workers × {settings['threads']} threads; wrk, the best of {settings['repeats']} runs of "
             f"{settings['seconds']:g} s per measurement.", "",
             "| work | conn. | coopld req/s | bare Flask+pyoxigraph | Oxigraph server | coopld/bare | coopld/Oxigraph "
             "| target | met |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results["ratios"]:
        if "bare_rps" in r:
            lines.append(f"| {r['name']} | {r['connections']} | {r['coopld_rps']:,.0f} | {r['bare_rps']:,.0f} | "
                         f"{r['oxigraph_rps']:,.0f} | {_x(r['vs_bare'])} | {_x(r['vs_oxigraph'])} | ≥ {r['target']}× bare | "
                         f"{'yes' if r['met'] else 'NO'} |")
    lines += ["", "| document | conn. | coopld req/s | static file req/s | coopld/static | target | met |",
              "|---|---|---|---|---|---|---|"]
    for r in results["ratios"]:
        if "static_rps" in r:
            lines.append(f"| {r['name']} | {r['connections']} | {r['coopld_rps']:,.0f} | {r['static_rps']:,.0f} | "
                         f"{_x(r['vs_static'])} | ≥ {r['target']}× | {'yes' if r['met'] else 'NO'} |")
    slow = results.get("slow_clients")
    if slow:
        met = next(r["met"] for r in results["ratios"] if r["name"] == "slow-clients")
        lines += ["", f"Three slow-header clients: HTML pages at {_x(slow['rps_ratio'])} the req/s without them "
                  f"(p99 {slow['p99_ms']['without']} → {slow['p99_ms']['with']} ms); they were cut off {slow['cut_off']} times; "
                  f"target ≥ {TARGETS['slow-clients']}×: {'met' if met else 'NOT MET'}."]
    run = results.get("runaway")
    if run:
        lines += [f"Two runaway queries in flight: {run['page']['asked']} new pages, at most {run['page']['max_ms']} ms; "
                  f"{run['trivial-query']['asked']} trivial queries, at most {run['trivial-query']['max_ms']} ms; "
                  f"target ≤ {RUNAWAY_LIMIT_S * 1000:.0f} ms: {'met' if run['met'] else 'NOT MET'}."]
    if "run" in results:
        origin = "reused" if results["dataset"]["cached"] else "generated"
        lines += ["", f"Run took {results['run']['seconds']:.0f} s (dataset {origin})."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
