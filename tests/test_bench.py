"""The benchmark is one command a maintainer runs before trusting a speed claim: it must keep
working as the code changes, and both engines must give the same answers, or its ratios
compare different work. Run here at a tiny size; no timing is asserted."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["cq-events", "cq-participants", "cq-parties", "cq-agreements", "cq-topics"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--events", "40", "--seconds", "0.5", "--max-requests", "40",
         "--sample", "10", "--concurrency", "2", "--no-cache", "--output", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Closing note" in proc.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def test_generated_dataset_has_the_requested_events(results: dict) -> None:
    counts = results["dataset"]["counts"]
    assert counts["events"] == 40
    assert counts["articles"] > 0 and counts["participations"] > 0 and counts["agreements"] >= 0
    assert counts["quads_in_store"] > counts["asserted_triples"]


def test_both_engines_return_the_same_rows_for_every_question(results: dict) -> None:
    for name in QUERIES:
        check = results["checks"][name]
        assert check["pyoxigraph"]["status"] == 200 and check["rdflib"]["status"] == 200, name
        assert check["pyoxigraph"]["rows"] > 0, name
        assert check["same_rows"] and check["pyoxigraph"]["rows"] == check["rdflib"]["rows"], name


def test_every_scenario_gets_a_ratio_against_its_baseline(results: dict) -> None:
    for name in [*QUERIES, "pages-html", "pages-ttl"]:
        ratio = results["ratios"][name]
        assert ratio["rps"] > 0 and ratio["p50"] > 0, name
    for scenario in results["scenarios"]:
        assert scenario["requests"] > 0 and scenario["failed"] == 0, scenario["name"]


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
