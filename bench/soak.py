"""Soak: 64 connections of mixed requests against the real server, then the same load while a
new build is switched in — requests, failures, p99 and the server's memory before and after.

    .venv/bin/python -m bench.soak                    # 30 s per phase, 64 connections
    .venv/bin/python -m bench.soak --seconds 5 --connections 16   # a quick run

The dataset is the seed articles (``data/articles``) built with ``coopld build`` into a
temporary folder and served by gunicorn with the project's own configuration, as
``./bin/serve`` serves it. Phase one is steady load; in phase two an article is added and
``coopld build`` runs while the clients keep asking, so the server moves to the new generation
under load. Every request and phase is bounded in count and time; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.load import Load, Request
from bench.servers import Gunicorn

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"
QUERIES = ROOT / "ontology" / "queries"


def requests() -> list[Request]:
    """What people and programs ask of a published dataset, in the proportions of a busy day."""
    events = urllib.parse.quote((QUERIES / "cq-events.rq").read_text(encoding="utf-8"))
    count = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    reconcile = urllib.parse.quote(json.dumps({"q0": {"query": "To Lam"}, "q1": {"query": "Ministry of Public Security"}}))
    json_results = (("Accept", "application/sparql-results+json"),)
    pages = [Request("GET", "/"), Request("GET", "/downloads/"), Request("GET", "/doc/person/to-lam.html"),
             Request("GET", "/doc/person/to-lam.ttl"), Request("GET", "/id/person/to-lam", headers=(("Accept", "text/turtle"),)),
             Request("GET", "/.well-known/void"), Request("GET", "/vocab/topics"), Request("GET", "/ontology.ttl")]
    queries = [Request("GET", f"/sparql?query={events}", headers=json_results),
               Request("GET", f"/sparql?query={count}", headers=json_results),
               Request("POST", "/sparql", body=f"query={count}".encode(),
                       headers=(("Content-Type", "application/x-www-form-urlencoded"), *json_results))]
    other = [Request("GET", f"/reconcile?queries={reconcile}"), Request("GET", "/downloads/validation-report.ttl")]
    return pages * 3 + queries * 2 + other


def tree_rss(root: int) -> dict[str, Any]:
    """Resident memory of a process and all its descendants (gunicorn, workers, query processes)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields["PPid"].strip())
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    family, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in family:
                family.add(child)
                todo.append(child)
    return {"processes": len(family), "rss_mb": round(sum(rss.get(p, 0) for p in family) / 2**20, 1)}


def build(articles: Path, out: Path, records: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "coopld", "build", str(articles), "--out", str(out), "--records",
                          str(records)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise RuntimeError(f"coopld build failed ({run.returncode}):\n{run.stderr}")


def _rebuild(articles: Path, out: Path, records: Path, outcome: dict[str, float]) -> None:
    """``coopld build`` as a publisher runs it, noting its exit status and when it ended."""
    run = subprocess.run([sys.executable, "-m", "coopld", "build", str(articles), "--out", str(out), "--records",
                          str(records)], cwd=ROOT, capture_output=True, timeout=600)
    outcome["exit"], outcome["ended"] = run.returncode, time.monotonic()


def failures(phase: dict[str, Any]) -> int:
    """Answers that are neither a document (200) nor the 303 a thing's IRI is answered with."""
    return sum(n for status, n in phase["statuses"].items() if status not in ("200", "303"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="load per phase")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per phase")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout per request, seconds")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "soak.json")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="coopld-soak-"))
    articles, records, out = work / "articles", work / "records", work / "build"
    articles.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for path in seeds[:-1]:
        shutil.copy(path, articles)
    shutil.copytree(ROOT / "data" / "records", records)
    build(articles, out, records)
    server = Gunicorn("coopld.web:create_app()", {"COOPLD_BUILD": str(out)}, work / "gunicorn.log",
                      workers=args.workers, worker_timeout=60)  # as ./bin/serve runs it
    load = Load("127.0.0.1", 0, args.connections, args.timeout)
    results: dict[str, Any] = {"connections": args.connections, "seconds": args.seconds, "workers": args.workers}
    try:
        server.wait_listening(120)
        load.port = server.port
        mix = requests()
        load.run(mix, 2, args.connections * 4)  # every worker and query process started
        results["memory_before"] = tree_rss(server.process.pid)
        results["steady"] = load.run(mix, args.seconds, args.max_requests, warmup=0)
        results["memory_after_steady"] = tree_rss(server.process.pid)
        shutil.copy(seeds[-1], articles)
        rebuild: dict[str, float] = {}
        builder = threading.Thread(target=_rebuild, args=(articles, out, records, rebuild))
        started = time.monotonic()
        builder.start()
        results["during_rebuild"] = load.run(mix, args.seconds, args.max_requests, warmup=0)
        phase_end = time.monotonic()
        builder.join(timeout=600)
        results["rebuild_exit"] = int(rebuild.get("exit", -1))
        results["rebuild_seconds"] = round(rebuild.get("ended", phase_end) - started, 1)
        # the switch must happen under load for this phase to mean anything
        results["switched_under_load"] = rebuild.get("ended", float("inf")) < phase_end
        results["memory_after_rebuild"] = tree_rss(server.process.pid)
        generations = [p.name for p in (out / "generations").iterdir()]
        results["generations_left"] = sorted(generations)
        results["served_after"] = os.readlink(out / "current")
    finally:
        load.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    return 0 if results["rebuild_exit"] == 0 else 1


def report(results: dict[str, Any]) -> str:
    lines = [f"{results['connections']} connections, {results['seconds']:g} s per phase, "
             f"{results['workers']} gunicorn workers",
             "| phase | requests | failures | statuses | req/s | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|---|---|---|"]
    for phase in ("steady", "during_rebuild"):
        r = results[phase]
        lines.append(f"| {phase} | {r['requests']} | {failures(r)} | {r['statuses']} | {r['rps']} | {r['p50_ms']} | "
                     f"{r['p99_ms']} | {r['max_ms']} |")
    for key in ("memory_before", "memory_after_steady", "memory_after_rebuild"):
        lines.append(f"{key}: {results[key]['rss_mb']} MB in {results[key]['processes']} processes")
    lines.append(f"rebuild exit {results['rebuild_exit']} after {results['rebuild_seconds']} s, "
                 f"switched under load: {results['switched_under_load']}; served after: {results['served_after']}; "
                 f"generations left: {len(results['generations_left'])}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
