"""`coopld build` as a user runs it: on any folder, repeatable, stable IRIs, and clear failures
that cost nothing already built."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Built, run_build

COOPLD = [sys.executable, "-m", "coopld"]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COOPLD, *args], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def test_rebuilding_gives_identical_dumps(seeds: Built, tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(ROOT / "data" / "records", records)
    run = cli("build", str(ROOT / "data" / "articles"), "--out", str(tmp_path / "out"), "--records", str(records),
              "--jobs", "2", env={"PYTHONHASHSEED": "12345"})
    assert run.returncode == 0, run.stderr
    assert "Built 5 article(s)" in run.stdout
    # every warning is listed, with its record, resource, property and what was not found
    summary = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))
    warnings = summary["warnings"]
    assert len(warnings) == summary["counts"]["warnings"] > 0
    assert f"{len(warnings)} warning(s), what the extractor could not find:" in run.stdout
    for warning in warnings:
        assert warning["reason"].startswith(("No ", "Fewer than")), warning
        fact = f" — {warning['property']}" if warning["property"] else ""
        assert f"  - {records / warning['record']}: {warning['about']}{fact}: {warning['reason']}" in run.stdout
    for name in ("coopld.nq", "coopld.trig", "coopld.ttl", "coopld.nt.gz", "coopld.jsonld", "validation-report.ttl",
                 "build.json"):
        assert (tmp_path / "out" / name).read_bytes() == (seeds.settings.out / name).read_bytes(), name


def test_blank_nodes_keep_their_labels(seeds: Built) -> None:
    quads = (seeds.settings.out / "coopld.nq").read_text(encoding="utf-8").splitlines()
    labels = {word for line in quads for word in line.split() if word.startswith("_:")}
    graphs = {line.rsplit(" ", 2)[-2] for line in quads if "_:" in line}
    assert graphs <= {"<https://w3id.org/coopld/graph/ontology>"}, "only the ontology's OWL lists are blank nodes"
    assert all(len(label) > 40 for label in labels), "labels come from content, not from a counter"


def test_adding_an_article_leaves_every_iri_unchanged(seeds: Built, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for path in sorted((ROOT / "data" / "articles").glob("*.txt"))[:3]:
        shutil.copy(path, articles)
    small = run_build(tmp_path, articles)
    assert small.result.exit_code == 0
    before = {r["s"] for r in small.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }")}
    after = {r["s"] for r in seeds.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }")}
    assert before and before <= after


def test_no_finished_articles_graphs_are_held_while_the_others_build(tmp_path: Path) -> None:
    """Each article's result (its graphs as text) is handed on as it finishes and the build keeps
    none of them: once the receiver lets go, it is gone, so the build's memory does not grow with
    the corpus. (Held in the futures, 10,000 articles cost the build about 0.7 GB.)"""
    import gc
    import time
    import weakref
    from dataclasses import replace

    from coopld.build import run_articles
    from coopld.build_inputs import load_resources
    from coopld.config import load_settings

    records = tmp_path / "records"
    shutil.copytree(ROOT / "data" / "records", records)
    res = load_resources(replace(load_settings(), records_dir=records))
    handed: list[weakref.ref[object]] = []
    for result in run_articles(sorted((ROOT / "data" / "articles").glob("*.txt")), res, jobs=2):
        assert result.error is None and result.asserted, result.error
        handed.append(weakref.ref(result))
        del result
        # the newest may still be referred to by the loop's own variables, and pebble's scheduling
        # thread keeps the last task it scheduled until it has another: one result at most, a
        # moment after, may stay of those before the newest (a result the build kept would stay
        # until its end: by the fifth, four)
        deadline = time.monotonic() + 10
        while len(alive := [ref for ref in handed[:-1] if ref() is not None]) > 1 and time.monotonic() < deadline:
            gc.collect()
            time.sleep(0.05)
        assert len(alive) <= 1, f"{len(alive)} of the {len(handed) - 1} results handed on before the newest are held"
    assert len(handed) == 5


def test_any_folder_into_any_output_under_any_base(tmp_path: Path) -> None:
    articles = tmp_path / "corpus"
    articles.mkdir()
    shutil.copy(ROOT / "tests" / "articles" / "laos_cambodia_2022.txt", articles)
    run = cli("build", str(articles), "--out", str(tmp_path / "site"), "--base", "https://data.example.org/")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "records" / "laos_cambodia_2022.json").is_file(), "records go beside the articles folder"
    text = (tmp_path / "site" / "coopld.nq").read_text(encoding="utf-8")
    assert "<https://data.example.org/id/event/2022-06-08-talks-cambodia-laos-vientiane>" in text
    assert "https://w3id.org/coopld/id/" not in text
    assert "<https://w3id.org/coopld/ontology#CooperationEvent>" in text, "the vocabulary does not move"


def test_bad_articles_fail_alone_and_say_why(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(ROOT / "data" / "articles" / "004_3c8652a5e7475668.txt", articles)
    (articles / "empty.txt").write_bytes(b"")
    (articles / "latin1.txt").write_bytes(" date 2020-01-01 Caf\xe9\n\nBody".encode("latin-1"))
    (articles / "nobody.txt").write_bytes(b" date 2020-01-01 Caption only\n")
    run = cli("build", str(articles), "--out", str(tmp_path / "out"))
    assert run.returncode == 2
    assert f"{articles / 'empty.txt'}: the file is empty" in run.stderr
    assert f"{articles / 'latin1.txt'}: not UTF-8 text" in run.stderr
    assert f"{articles / 'nobody.txt'}: no body" in run.stderr
    assert "Built 1 article(s)" in run.stdout
    assert "3 article(s) could not be built" in run.stderr
    assert (tmp_path / "out" / "store").is_dir()


def test_a_violation_stops_publication_and_keeps_the_last_good_build(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(ROOT / "data" / "articles" / "001_d8ef363ee950f39f.txt", articles)
    out = tmp_path / "out"
    assert cli("build", str(articles), "--out", str(out)).returncode == 0
    good = (out / "coopld.nq").read_bytes()
    served_report = (out / "validation-report.ttl").read_bytes()
    record = tmp_path / "records" / "001_d8ef363ee950f39f.json"
    text = record.read_text(encoding="utf-8").replace('"status": "held"', '"status": "signed"', 1)
    record.write_text(text, encoding="utf-8")
    run = cli("build", str(articles), "--out", str(out))
    assert run.returncode == 1
    assert "breaks 1 SHACL constraint" in run.stderr and "nothing was published" in run.stderr
    assert "https://w3id.org/coopld/id/event/2018-09-05-signing-ceremony-russia-vietnam-moscow" in run.stderr
    assert (out / "coopld.nq").read_bytes() == good
    assert (out / "validation-report.ttl").read_bytes() == served_report, "the served listing's report is untouched"
    assert str(out / "rejected" / "validation-report.ttl") in run.stderr
    assert "sh:Violation" in (out / "rejected" / "validation-report.ttl").read_text(encoding="utf-8")


def test_extract_prints_one_record(tmp_path: Path) -> None:
    run = cli("extract", str(ROOT / "data" / "articles" / "002_d895ca261d4fdf71.txt"))
    assert run.returncode == 0, run.stderr
    assert '"@id": "event/2023-12-01-reception-china-vietnam-hanoi"' in run.stdout
    missing = cli("extract", str(tmp_path / "missing.txt"))
    assert missing.returncode == 2 and "missing.txt: cannot read the file" in missing.stderr


def test_validate_command(seeds: Built, tmp_path: Path) -> None:
    ok = cli("validate", str(seeds.settings.out / "coopld.trig"), "--json")
    assert ok.returncode == 0, ok.stderr
    assert '"conforms": true' in ok.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text("""@prefix coop: <https://w3id.org/coopld/ontology#> .
        <https://example.org/id/event/x> a coop:CooperationEvent ; coop:status coop:signed .""", encoding="utf-8")
    bad = cli("validate", str(broken))
    assert bad.returncode == 1 and "Violation" in bad.stdout
    unknown = cli("validate", str(tmp_path / "data.csv"))
    assert unknown.returncode == 2 and "unknown RDF format" in unknown.stderr


@pytest.mark.parametrize("args, message", [
    (["build", "--base", "not-an-iri"], "base IRI 'not-an-iri' must be an absolute http(s) IRI"),
    (["build", "/nonexistent/articles"], "/nonexistent/articles: the articles folder does not exist"),
])
def test_configuration_errors(args: list[str], message: str) -> None:
    run = cli(*args)
    assert run.returncode == 2 and message in run.stderr
