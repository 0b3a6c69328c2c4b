"""The benchmark, in one command:

    .venv/bin/python -m bench.run                          # 10,000 events, 15 s per scenario
    .venv/bin/python -m bench.run --events 300 --seconds 1 # a quick smoke run

It generates (or reuses from its cache) a dataset of ``--events`` cooperation events
(bench.generate), serves it with gunicorn (``--workers`` sync workers on a free 127.0.0.1
port) from ``bench.app:create_app()`` — coopld's app plus the baselines — and measures, in the
same run and against the same server:

* each competency question (ontology/queries/cq-*.rq) through ``/sparql`` (pyoxigraph, in the
  endpoint's query process, with its time and memory limits) against the same query through
  ``/bench/rdflib-sparql`` (rdflib's engine, in the worker, with the same time limit);
* resource pages (``/doc/event/<key>.html`` and ``.ttl`` for a seeded random sample of the
  generated events) against a static file the same server sends: a copy of one of those
  pages, of median size, served like the downloads.

Each scenario is bounded: a warm-up request per client, then ``--seconds`` of closed-loop load
from ``--concurrency`` client processes, at most ``--max-requests`` requests, each bounded by
``--timeout``. A query whose check request fails (say, the endpoint's time limit) is reported
as failed and not loaded further, unless ``--measure-failing``. The results go to
``bench/results/latest.json`` (and a dated copy); the summary and the ratios are printed.
The server is stopped at the end, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.generate import ROOT, Params, cache_key, generate, params_key
from bench.load import Load, Request

HOST = "127.0.0.1"
QUERIES = ["cq-events", "cq-participants", "cq-parties", "cq-agreements", "cq-topics"]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SPARQL_JSON = "application/sparql-results+json"


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
    log(f"dataset: generating {params.events} events into {out} (cached for later runs)" if cache
        else f"dataset: generating {params.events} events into {out}")
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    summary = generate(staging, params, jobs=jobs, log=lambda m: log("  " + m))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    log(f"dataset: {summary['counts']['events']} events, {summary['counts']['articles']} articles, "
        f"{summary['counts']['quads_in_store']} quads, in {summary['seconds']['total']:.0f} s")
    return out, {**summary, "cached": False, "stale": False}


# --- the server ---------------------------------------------------------------------------------

class Server:
    """gunicorn in its own process group, so that it and its workers' query processes stop together."""

    def __init__(self, build: Path, static: Path, workers: int, worker_timeout: int, logfile: Path,
                 query_timeout: float | None = None, app: str = "bench.app:create_app()",
                 config: tuple[str, ...] = ()) -> None:
        env = {**os.environ, "COOPLD_BUILD": str(build), "BENCH_STATIC_DIR": str(static)}
        if query_timeout is not None:
            env["COOPLD_QUERY_TIMEOUT"] = str(query_timeout)
        self.logfile = logfile
        self.workers = workers
        command = [sys.executable, "-m", "gunicorn", *config, "--bind", f"{HOST}:0", "--workers", str(workers),
                   "--worker-class", "sync", "--timeout", str(worker_timeout), "--graceful-timeout", "5",
                   "--log-level", "info", app]
        self._log = logfile.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.port = 0

    def wait_listening(self, limit: float) -> None:
        """Wait until gunicorn says where it listens."""
        deadline = time.monotonic() + limit
        while not self.port:
            self._alive()
            found = re.search(rb"Listening at: http://127\.0\.0\.1:(\d+)", self.logfile.read_bytes())
            if found:
                self.port = int(found.group(1))
            elif time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start listening within {limit:g} s")
            time.sleep(0.2)

    def wait(self, limit: float) -> list[dict[str, Any]]:
        """Wait until every worker answers (each loads rdflib's dataset first); their reports."""
        deadline = time.monotonic() + limit
        self.wait_listening(limit)
        workers: dict[int, dict[str, Any]] = {}
        while len(workers) < self.workers:
            self._alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(workers)} of {self.workers} workers answered within {limit:g} s")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}/bench/worker", timeout=5) as response:
                    info = json.loads(response.read())
                workers[info["pid"]] = info
            except (OSError, ValueError):
                time.sleep(0.5)
        return list(workers.values())

    def _alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {self.process.returncode}:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the group, then SIGKILL to whatever is left of it."""
        if self.process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # workers' query processes, if any outlived the master
        if self.process.poll() is None:
            self.process.wait(timeout=10)
        self._log.close()


# --- what is asked ------------------------------------------------------------------------------

def query_request(path: str, text: str) -> Request:
    return Request("POST", path, text.encode("utf-8"), (("Content-Type", "application/sparql-query"),
                                                         ("Accept", SPARQL_JSON)))


def fetch(port: int, req: Request, timeout: float) -> tuple[int | str, bytes, float]:
    """One request (status or error name, body, seconds)."""
    url = f"http://{HOST}:{port}{req.path}"
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=req.body, headers=dict(req.headers),
                                                           method=req.method), timeout=timeout) as response:
            return response.status, response.read(), time.perf_counter() - began
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.perf_counter() - began
    except (OSError, urllib.error.URLError) as exc:
        return "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__, b"", time.perf_counter() - began


def rows(body: bytes) -> int | None:
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


def sample_events(build: Path, base_iri: str, size: int, seed: int) -> list[str]:
    """Local paths (``event/<key>``) of a seeded random sample of the dataset's events."""
    import pyoxigraph as ox
    from rdflib import RDF

    from coopld.vocab import COOP

    store = ox.Store.read_only(str(build / "store"))
    kind, rdf_type = ox.NamedNode(str(COOP.CooperationEvent)), ox.NamedNode(str(RDF.type))
    prefix = base_iri + "id/"
    events = sorted({q.subject.value for q in store.quads_for_pattern(None, rdf_type, kind, None)
                     if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)})
    del store
    chosen = random.Random(seed).sample(events, min(size, len(events)))
    return [iri[len(prefix):] for iri in chosen]


# --- the run ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000, help="cooperation events in the generated dataset")
    parser.add_argument("--seed", type=int, default=Params.seed, help="seed of the dataset and of the page sample")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured load per scenario")
    parser.add_argument("--max-requests", type=int, default=20_000, help="at most this many requests per scenario")
    parser.add_argument("--concurrency", type=int, default=4, help="client processes sending requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--timeout", type=float,
                        help="client timeout per request, seconds (default: twice the query limit, plus 25)")
    parser.add_argument("--query-timeout", type=float, default=30.0,
                        help="the server's COOPLD_QUERY_TIMEOUT, for both engines (default 30 s, so that rdflib "
                             "answers every competency question over 10,000 events and each gets a ratio)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured requests per client before each scenario")
    parser.add_argument("--sample", type=int, default=200, help="events whose pages are requested")
    parser.add_argument("--queries", nargs="+", default=QUERIES, help="competency questions (ontology/queries/*.rq)")
    parser.add_argument("--links", action="store_true", help="also measure cq-links")
    parser.add_argument("--measure-failing", action="store_true",
                        help="load a query even when its check request failed (each request then runs to the limit)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "coopld-bench",
                        help="where generated datasets are kept, keyed by their parameters and inputs")
    parser.add_argument("--no-cache", action="store_true", help="generate into the run's temporary folder")
    parser.add_argument("--rebuild", action="store_true", help="generate even if the cache has the dataset")
    parser.add_argument("--reuse-stale", action="store_true",
                        help="reuse the newest cached dataset of the same parameters even if its inputs have changed")
    parser.add_argument("--dumps", choices=["minimal", "all"], default=Params.dumps, help="dumps the generator writes")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes generating the dataset")
    parser.add_argument("--worker-timeout", type=int, default=300,
                        help="gunicorn --timeout: workers load rdflib's dataset at start, which takes a while")
    parser.add_argument("--boot-timeout", type=float, default=900, help="seconds to wait for every worker to start")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    queries = list(dict.fromkeys([*args.queries, *(["cq-links"] if args.links else [])]))
    for name in queries:
        if not (ROOT / "ontology" / "queries" / f"{name}.rq").is_file():
            parser.error(f"no query ontology/queries/{name}.rq")

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt()

    # so that the server is stopped on SIGTERM too, and on Ctrl-C even when started with SIGINT ignored
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    started = time.monotonic()
    started_at = datetime.now(UTC)
    params = Params(events=args.events, seed=args.seed, dumps=args.dumps)
    server: Server | None = None
    load: Load | None = None
    with tempfile.TemporaryDirectory(prefix="coopld-bench-") as tmp:
        work = Path(tmp)
        try:
            key = cache_key(params)
            build, data = dataset(params, None if args.no_cache else args.cache, args.rebuild, args.jobs, work,
                                  args.reuse_stale)
            if cache_key(params) != key:
                log("warning: the build inputs changed while the dataset was generated; run again")
            static = work / "static"
            static.mkdir()
            log(f"server: gunicorn, {args.workers} sync workers, each loading rdflib's dataset")
            boot = time.monotonic()
            server = Server(build, static, args.workers, args.worker_timeout, work / "gunicorn.log", args.query_timeout)
            workers = server.wait(args.boot_timeout)
            ready = time.monotonic() - boot
            limits = workers[0]["limits"]
            if args.timeout is None:  # two queued requests, each up to the query limit, and margin
                args.timeout = 2 * float(limits["COOPLD_QUERY_TIMEOUT"]) + 25
            log(f"server: http://{HOST}:{server.port}/ ready in {ready:.1f} s; rdflib loaded "
                f"{workers[0]['triples']} triples in {max(w['load_seconds'] for w in workers):.1f} s per worker; "
                f"query limit {limits['COOPLD_QUERY_TIMEOUT']} s")
            load = Load(HOST, server.port, args.concurrency, args.timeout)
            results = measure(args, queries, build, data, server, load, static)
            if cache_key(params) != key:
                log("warning: ontology/, mappings/, shapes/ or the build code in coopld/ changed during this run; "
                    "the dataset may not be what the server's code expects (run again)")
                results["inputs_changed_during_run"] = True
            results["server"] = {"workers": args.workers, "boot_seconds": round(ready, 1),
                                 "rdflib_triples": workers[0]["triples"],
                                 "rdflib_load_seconds": max(w["load_seconds"] for w in workers), "limits": limits}
        except KeyboardInterrupt:
            log("interrupted" + (": stopping the server" if server is not None else ""))
            return 130
        except Exception as exc:
            log(f"failed: {type(exc).__name__}: {exc}")
            if server is not None:
                print(server.tail(), file=sys.stderr)
            return 1
        finally:
            if server is not None:
                server.stop()
                log("server: stopped")
            if load is not None:
                load.close()
    results["run"] = {"started": started_at.isoformat(timespec="seconds"), "seconds": round(time.monotonic() - started, 1),
                      "command": "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv)}
    write(results, args.output)
    print(report(results))
    return 0


def measure(args: argparse.Namespace, queries: list[str], build: Path, data: dict[str, Any], server: Server,
            load: Load, static: Path) -> dict[str, Any]:
    port = server.port
    settings = {k: getattr(args, k) for k in ("seconds", "max_requests", "concurrency", "workers", "timeout", "warmup",
                                              "sample", "measure_failing", "query_timeout")}
    results: dict[str, Any] = {
        "code": _code_state(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    **{name: _version(name) for name in ("rdflib", "pyoxigraph", "flask", "gunicorn")}},
        "dataset": {"path": str(build), "params": data["params"], "counts": data["counts"], "cached": data["cached"],
                    "stale": data["stale"], "generation_seconds": data["seconds"]["total"]},
        "settings": settings, "checks": {}, "scenarios": [],
    }
    scenarios: list[dict[str, Any]] = []

    # competency questions: one check request per engine, on all workers at once (rows compared), then the load
    engines = {"pyoxigraph": "/sparql", "rdflib": "/bench/rdflib-sparql"}
    texts = {name: (ROOT / "ontology" / "queries" / f"{name}.rq").read_text(encoding="utf-8") for name in queries}
    asked = [(name, engine, query_request(path, texts[name])) for name in queries for engine, path in engines.items()]
    pool = ThreadPoolExecutor(max_workers=args.workers)
    try:
        answers = list(pool.map(lambda item: fetch(port, item[2], args.timeout), asked))
    finally:  # on Ctrl-C, do not wait for the requests in flight: the server is stopped next
        pool.shutdown(wait=False, cancel_futures=True)
    for (name, engine, _req), (status, body, seconds) in zip(asked, answers, strict=True):
        check = results["checks"].setdefault(name, {})
        check[engine] = {"status": status, "rows": rows(body) if status == 200 else None, "seconds": round(seconds, 3),
                         "bytes": len(body), **({"message": body.decode("utf-8", "replace").strip()[:300]}
                                                if status != 200 else {})}
        log(f"check {name:16} {engine:10} {status} " + (f"{check[engine]['rows']} rows" if status == 200
                                                        else check[engine].get("message", "")) + f" in {seconds:.2f} s")
    for name in queries:
        check = results["checks"][name]
        answered = [check[e]["rows"] for e in engines if check[e]["rows"] is not None]
        # None when an engine did not answer: nothing to compare
        check["same_rows"] = len(set(answered)) == 1 if len(answered) == len(engines) else None
        if check["same_rows"] is False:
            log(f"check {name:16} the engines disagree: {answered} rows")
        for engine, path in engines.items():
            scenarios.append({"group": "query", "name": name, "engine": engine, "path": path,
                              "requests": [query_request(path, texts[name])], "check_ok": check[engine]["status"] == 200,
                              "check_seconds": check[engine]["seconds"]})

    # resource pages: a sample of event pages, and a copy of one of them (of median size) as a static file
    base = json.loads((build / "build.json").read_text(encoding="utf-8"))["base_iri"]
    events = sample_events(build, base, args.sample, args.seed)
    for ext, accept in (("html", "text/html"), ("ttl", "text/turtle")):
        pages = [Request("GET", f"/doc/{p}.{ext}", None, (("Accept", accept),)) for p in events]
        probed = []
        for req in pages[:25]:
            status, body, _ = fetch(port, req, args.timeout)
            if status != 200:
                raise RuntimeError(f"GET {req.path} answered {status}")
            probed.append(body)
        twin = sorted(probed, key=len)[len(probed) // 2]
        (static / f"event-page.{ext}").write_bytes(twin)
        status, body, _ = fetch(port, Request("GET", f"/bench/static/event-page.{ext}"), args.timeout)
        if status != 200 or body != twin:
            raise RuntimeError(f"the static file /bench/static/event-page.{ext} answered {status}")
        sizes = sorted(len(b) for b in probed)
        log(f"check pages {ext:4} {len(pages)} event pages; the {len(probed)} probed are {sizes[0]}-{sizes[-1]} bytes; "
            f"static twin {len(twin)} bytes")
        results["checks"][f"pages-{ext}"] = {"pages": len(pages), "probed": len(probed), "min_bytes": sizes[0],
                                             "max_bytes": sizes[-1], "static_bytes": len(twin)}
        scenarios.append({"group": "page", "name": f"pages-{ext}", "engine": "coopld", "path": f"/doc/event/*.{ext}",
                          "requests": pages, "check_ok": True})
        scenarios.append({"group": "page", "name": f"pages-{ext}", "engine": "static", "path": f"/bench/static/event-page.{ext}",
                          "requests": [Request("GET", f"/bench/static/event-page.{ext}", None, (("Accept", accept),))],
                          "check_ok": True})

    for scenario in scenarios:
        label = f"{scenario['name']:16} {scenario['engine']:10}"
        requests = scenario.pop("requests")
        # a request slower than the whole measurement needs no warm-up: its check request was one
        warmup = 0 if scenario.pop("check_seconds", 0.0) > args.seconds else args.warmup
        if not scenario.pop("check_ok") and not args.measure_failing:
            scenario["skipped"] = "the check request failed; not loaded (see checks)"
            log(f"load  {label} skipped: its check request failed")
        else:
            summary = load.run(requests, args.seconds, args.max_requests, warmup=warmup)
            summary["warmup_per_client"] = warmup
            scenario.update(summary)
            if "aborted" in summary:
                log(f"load  {label} aborted: {summary['aborted']}")
            else:
                log(f"load  {label} {summary['rps']:9.1f} req/s  p50 {_fmt(summary['p50_ms'])} ms  "
                    f"p99 {_fmt(summary['p99_ms'])} ms  ({summary['ok']} ok, {summary['failed']} failed)")
        results["scenarios"].append(scenario)
    results["ratios"] = ratios(results["scenarios"], queries)
    results["note"] = closing_note(results)
    return results


def _code_state() -> dict[str, Any]:
    """The commit and the files changed from it (others may be editing the checkout)."""
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


def _fmt(value: float | None) -> str:
    return "-" if value is None else (f"{value:.1f}" if value < 1000 else f"{value:.0f}")


def _find(scenarios: list[dict[str, Any]], name: str, engine: str) -> dict[str, Any]:
    return next(s for s in scenarios if s["name"] == name and s["engine"] == engine)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def ratios(scenarios: list[dict[str, Any]], queries: list[str]) -> dict[str, Any]:
    """Subject against baseline, for req/s (higher is better) and latency (lower is better)."""
    out: dict[str, Any] = {}
    pairs = [(q, "pyoxigraph", "rdflib") for q in queries] + [(f"pages-{e}", "coopld", "static") for e in ("html", "ttl")]
    for name, subject, baseline in pairs:
        s, b = _find(scenarios, name, subject), _find(scenarios, name, baseline)
        out[name] = {"subject": subject, "baseline": baseline, "rps": _ratio(s.get("rps"), b.get("rps")),
                     "p50": _ratio(s.get("p50_ms"), b.get("p50_ms")), "p99": _ratio(s.get("p99_ms"), b.get("p99_ms"))}
    return out


def _geomean(values: list[float]) -> float | None:
    return round(math.exp(sum(math.log(v) for v in values) / len(values)), 3) if values else None


def closing_note(results: dict[str, Any]) -> str:
    counts = results["dataset"]["counts"]
    r = results["ratios"]
    queries = [k for k, v in r.items() if v["subject"] == "pyoxigraph"]
    answered = {q: r[q]["rps"] for q in queries if r[q]["rps"] is not None}
    failed = [q for q in queries if r[q]["rps"] is None]
    parts = [f"On {counts['events']:,} events ({counts['quads_in_store']:,} quads, {counts['articles']:,} article graphs), "
             f"{results['settings']['workers']} gunicorn workers, {results['settings']['concurrency']} clients:"]
    if answered:
        listed = ", ".join(f"{q} {v:.2f}×" for q, v in answered.items())
        mean = f" (geometric mean {_geomean(list(answered.values()))}×)" if len(answered) > 1 else ""
        parts.append(f"pyoxigraph/rdflib req/s on the competency questions: {listed}{mean}.")
    for q in failed:
        ox_check = results["checks"].get(q, {}).get("pyoxigraph", {})
        rdf_check = results["checks"].get(q, {}).get("rdflib", {})
        why = {e: (f"{c.get('status')}: {c.get('message')}" if c.get("status") != 200 else f"200 in {c.get('seconds')} s")
               for e, c in (("pyoxigraph", ox_check), ("rdflib", rdf_check))}
        parts.append(f"{q}: no ratio (check requests: pyoxigraph {why['pyoxigraph']}; rdflib {why['rdflib']}).")
    disagree = [q for q in queries if results["checks"].get(q, {}).get("same_rows") is False]
    if disagree:
        parts.append(f"Warning: the engines returned different numbers of rows for {', '.join(disagree)}.")
    for ext in ("html", "ttl"):
        v = r[f"pages-{ext}"]
        if v["rps"] is not None:
            parts.append(f"Resource pages ({ext}) / static file of the same size: {v['rps']:.3f}× the req/s, "
                         f"{v['p50']}× the median latency.")
    return " ".join(parts)


def write(results: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    output.write_text(text, encoding="utf-8")
    if output.name == "latest.json":
        stamp = results["run"]["started"].replace(":", "").replace("-", "").replace("+0000", "Z")
        (output.parent / f"{stamp}-{results['dataset']['counts']['events']}ev.json").write_text(text, encoding="utf-8")
    log(f"results: {output}")


def report(results: dict[str, Any]) -> str:
    lines = ["", f"{'scenario':16} {'engine':10} {'requests':>8} {'failed':>6} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}  note"]
    for s in results["scenarios"]:
        note = s.get("skipped") or s.get("aborted") or (", ".join(f"{k}×{v}" for k, v in s["statuses"].items() if k != "200")
                                                       if s.get("failed") else "")
        lines.append(f"{s['name']:16} {s['engine']:10} {s.get('requests', 0):>8} {s.get('failed', 0):>6} "
                     f"{s.get('rps', 0.0):>9.1f} {_fmt(s.get('p50_ms')):>9} {_fmt(s.get('p99_ms')):>9}  {note}")
    lines += ["", f"{'ratio':16} {'subject/baseline':28} {'req/s':>8} {'p50':>8} {'p99':>8}"]
    for name, v in results["ratios"].items():
        lines.append(f"{name:16} {v['subject'] + '/' + v['baseline']:28} {_fmt_ratio(v['rps'])} {_fmt_ratio(v['p50'])} "
                     f"{_fmt_ratio(v['p99'])}")
    origin = "reused" if results["dataset"]["cached"] else "generated"
    lines += ["", f"Run took {results['run']['seconds']:.0f} s (dataset {origin}).",
              "", "Closing note: " + results["note"], ""]
    return "\n".join(lines)


def _fmt_ratio(value: float | None) -> str:
    return f"{'-':>8}" if value is None else f"{value:>7.3f}×"


if __name__ == "__main__":
    sys.exit(main())
