"""The benchmark is one command a maintainer runs before trusting a speed claim: it must keep
working as the code changes, and every server it compares must give the same answers, or its
ratios compare different work. Run here at a tiny size, with its real servers (coopld and the
bare app under gunicorn, Oxigraph's server) and its real load generator (wrk); no timing is
asserted."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# its module-scoped servers and runs are set up once, on one worker (bin/test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("bench")

ROOT = Path(__file__).resolve().parent.parent
CLASSES = ["lookup", "filter", "aggregate", "text-search", "big-result", "lookup-repeated"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--events", "40", "--seconds", "0.5", "--repeats", "1", "--connections", "2",
         "--sample", "6", "--query-timeout", "5", "--header-timeout", "2", "--no-cache", "--jobs", "1", "--output", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "| lookup | 2 |" in proc.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def test_generated_dataset_has_the_requested_events(results: dict) -> None:
    counts = results["dataset"]["counts"]
    assert counts["events"] == 40
    assert counts["articles"] > 0 and counts["participations"] > 0 and counts["agreements"] >= 0
    assert counts["quads_in_store"] > counts["asserted_triples"]


def test_every_server_answers_every_class_alike(results: dict) -> None:
    """The run stops when the servers disagree; here, each class's check gave every server the
    same number of rows, and the classes that always match something at any size found rows (a
    40-event dataset may have no event in a 60-day window, or no label with a given fragment)."""
    for name in CLASSES:
        rows = {results["checks"][f"{name}/{engine}"]["rows"] for engine in ("coopld", "bare", "oxigraph")}
        assert len(rows) == 1, (name, rows)
        if name in ("lookup", "lookup-repeated", "aggregate", "big-result"):
            assert rows.pop() > 0, name


def test_every_measurement_gets_a_ratio_against_its_baseline(results: dict) -> None:
    named = {(r["name"], r["connections"]) for r in results["ratios"]}
    assert named >= {(name, 2) for name in [*CLASSES, "doc-ttl", "doc-html", "slow-clients"]}
    for ratio in results["ratios"]:
        assert (ratio.get("vs_bare") or ratio.get("vs_static") or ratio.get("vs_without") or 0) > 0, ratio
    for measurement in results["measurements"]:
        assert measurement["ok"] > 0 and measurement["failed"] == 0, measurement


def test_slow_clients_are_cut_off_at_the_header_deadline(results: dict) -> None:
    """The measurement with slow clients outlasts the deadline (2 s here): each was cut off."""
    slow = results["slow_clients"]
    assert slow["clients"] == 3 and slow["cut_off"] >= 3, slow


def test_runaway_queries_are_stopped_while_pages_are_answered(results: dict) -> None:
    """Only answers given while both runaways were still running count; the limit leaves a loaded
    machine (the suite runs in parallel) five seconds to give one page and one trivial answer."""
    runaway = results["runaway"]
    assert runaway["runaways_in_flight_throughout"], runaway
    assert not runaway["failures"], runaway
    assert [a["status"] for a in runaway["runaway_answers"]] == [503, 503]
    assert runaway["page"]["asked"] > 0 and runaway["trivial-query"]["asked"] > 0


def test_generated_records_read_as_the_extractor_wrote_them(tmp_path: Path) -> None:
    """The generator's records stand for extracted ones: coopld must not take them for records a
    person corrected (it would then keep them over any rebuild)."""
    from coopld.records import is_curated

    proc = subprocess.run([sys.executable, "-m", "bench.generate", "--events", "12", "--out", str(tmp_path / "build"),
                           "--records", str(tmp_path / "records")], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads(path.read_text(encoding="utf-8")) for path in (tmp_path / "records").glob("*.json")]
    assert records and not any(is_curated(record) for record in records)
