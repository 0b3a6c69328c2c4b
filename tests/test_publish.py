"""Publishing is atomic and the server follows it: a build killed at any point leaves the
generation being served whole, a rebuild under a running gunicorn is picked up between
requests with dumps, listing and SPARQL always agreeing, and an article that cannot be used
keeps its last good data."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from coopld.publish import Lease, Publisher, current_generation
from tests.conftest import ROOT, gunicorn

# its module-scoped servers and runs are set up once, on one worker (bin/test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("publish")

SEEDS = ROOT / "data" / "articles"
FIRST = ["001_d8ef363ee950f39f.txt", "004_3c8652a5e7475668.txt"]
ADDED = "002_d895ca261d4fdf71.txt"
SPDX = "http://spdx.org/rdf/terms#"
ARTICLE_GRAPHS = """SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
    FILTER STRSTARTS(STR(?g), "https://w3id.org/coopld/graph/article/") }"""
STAGES = ["articles", "dumps", "store", "listing", "renamed", "switched"]


def build(articles: Path, out: Path, records: Path, env: dict[str, str] | None = None,
          timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coopld", "build", str(articles), "--out", str(out),
                           "--records", str(records)], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def get(url: str, accept: str = "*/*") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def article_graphs(site: str) -> int:
    status, _, body = get(site + "sparql?query=" + urllib.parse.quote(ARTICLE_GRAPHS), "application/sparql-results+json")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def listed_dumps(site: str) -> dict[str, tuple[int, str]]:
    """name → (bytes, sha256) as the VoID description lists the downloads."""
    status, _, body = get(site + ".well-known/void", "text/turtle")
    assert status == 200
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    found = {}
    for dist, url in graph.subject_objects(DCAT.downloadURL):
        size = int(graph.value(dist, DCAT.byteSize))
        checksum = graph.value(dist, URIRef(SPDX + "checksum"))
        digest = str(graph.value(checksum, URIRef(SPDX + "checksumValue")))
        found[str(url).rsplit("/", 1)[-1]] = (size, digest)
    return found


def landing_articles(site: str) -> int:
    status, _, body = get(site)
    assert status == 200
    match = re.search(r"<th>Articles</th><td>(\d+)</td>", body.decode("utf-8"))
    assert match, "the landing page shows the number of articles"
    return int(match.group(1))


def assert_consistent(site: str, articles: int) -> None:
    """Everything the server says about the dataset is about one whole generation."""
    assert landing_articles(site) == articles
    assert article_graphs(site) == articles
    listing = listed_dumps(site)
    assert set(listing) >= {"coopld.nq", "coopld.trig", "validation-report.ttl"}
    for name, (size, digest) in listing.items():
        status, _headers, body = get(site + "downloads/" + name)
        assert status == 200, name
        assert (len(body), hashlib.sha256(body).hexdigest()) == (size, digest), f"{name} does not match its listing"


def assert_whole(out: Path, articles: int) -> None:
    """The generation ``current`` names is complete on disk, whatever happened to a build."""
    generation = current_generation(out)
    assert generation is not None and not generation.name.startswith(".")
    summary = json.loads((generation / "build.json").read_text(encoding="utf-8"))
    assert summary["counts"]["articles"] == articles
    for name, info in summary["dumps"].items():
        blob = (generation / name).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == info["sha256"] and len(blob) == info["bytes"], name
    for name in ("coopld.nq", "store", "build.json"):
        assert (out / name).resolve().parent == generation.resolve(), f"{name} leads into the current generation"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path, str]]:
    """A folder with two seed articles built and served by gunicorn: (articles, out, records, url)."""
    tmp = tmp_path_factory.mktemp("publish")
    articles, records, out = tmp / "articles", tmp / "records", tmp / "out"
    articles.mkdir()
    for name in FIRST:
        shutil.copy(SEEDS / name, articles)
    shutil.copytree(ROOT / "data" / "records", records)
    run = build(articles, out, records)
    assert run.returncode == 0, run.stderr
    with gunicorn(out, QUERY_TIMEOUT="10") as url:
        yield articles, out, records, url


@contextmanager
def third_article(articles: Path, out: Path, records: Path, site: str) -> Iterator[None]:
    """The seed article ADDED beside the first two for the length of a block; afterwards the
    folder is rebuilt without it and the server is back to two articles."""
    shutil.copy(SEEDS / ADDED, articles)
    try:
        yield
    finally:
        (articles / ADDED).unlink()
        assert build(articles, out, records).returncode == 0
    assert_consistent(site, 2)


def test_a_build_killed_at_any_stage_leaves_a_whole_generation_served(published: tuple[Path, Path, Path, str]) -> None:
    """SIGKILL at each stage of a build, in order: until the pointer is switched the previous
    generation is served, after it the new one, and each is whole on disk and over HTTP."""
    articles, out, records, site = published
    before = current_generation(out)
    assert before is not None
    with third_article(articles, out, records, site):
        for stage in STAGES:
            killed = build(articles, out, records, env={"COOPLD_KILL_AT": stage})
            assert killed.returncode == -signal.SIGKILL, (stage, killed.stderr)
            switched = stage == "switched"
            assert (current_generation(out) == before) is not switched, stage
            assert_whole(out, 3 if switched else 2)
            assert_consistent(site, 3 if switched else 2)
        # the next build tidies up what the killed ones left and publishes as usual
        again = build(articles, out, records)
        assert again.returncode == 0, again.stderr
        assert not [p.name for p in (out / "generations").iterdir() if p.name.startswith(".")]
        assert_whole(out, 3)
        assert_consistent(site, 3)


def test_a_build_killed_at_random_moments_never_breaks_the_served_generation(
        published: tuple[Path, Path, Path, str]) -> None:
    articles, out, records, site = published
    chance = random.Random(8)
    with third_article(articles, out, records, site):
        for _ in range(4):
            proc = subprocess.Popen([sys.executable, "-m", "coopld", "build", str(articles), "--out", str(out),
                                     "--records", str(records)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(chance.uniform(0.5, 6.0))
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            served = json.loads((out / "build.json").read_text(encoding="utf-8"))["counts"]["articles"]
            assert served in (2, 3)
            assert_whole(out, served)
            assert_consistent(site, served)


def test_a_rebuild_under_a_running_server_is_picked_up_between_requests(
        published: tuple[Path, Path, Path, str]) -> None:
    """Clients keep asking while a new generation is built and switched in: every answer is
    about one whole generation, no request fails, and once the build has returned every answer
    is about the new one."""
    articles, out, records, site = published
    seen: list[tuple[float, int, int]] = []
    failures: list[str] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                status, headers, body = get(site + "downloads/coopld.nq")
                etag = headers.get("ETag", "").strip('"')
                if status != 200 or hashlib.sha256(body).hexdigest() != etag:
                    failures.append(f"download {status} does not match its checksum")
                seen.append((started, article_graphs(site), landing_articles(site)))
            except Exception as exc:  # any failure is what this test looks for
                failures.append(repr(exc))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    with third_article(articles, out, records, site):
        try:
            time.sleep(1)
            run = build(articles, out, records)
            finished = time.monotonic()
            assert run.returncode == 0, run.stderr
            # a loaded machine answers slowly: wait for eight rounds begun after the switch
            deadline = finished + 60
            while sum(1 for t, _, _ in seen if t > finished) < 8 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        assert not failures, failures[:5]
        assert {(n, m) for _, n, m in seen} <= {(2, 2), (3, 3), (2, 3), (3, 2)}
        after = [(n, m) for t, n, m in seen if t > finished]
        assert after and set(after) == {(3, 3)}, "every request after the switch is answered from the new generation"
        assert_consistent(site, 3)


def test_a_record_that_cannot_be_read_keeps_its_last_good_data(published: tuple[Path, Path, Path, str]) -> None:
    articles, out, records, site = published
    record = records / FIRST[0].replace(".txt", ".json")
    good = record.read_bytes()
    events_before = json.loads((out / "build.json").read_text(encoding="utf-8"))["counts"]["events"]
    record.write_text(good.decode("utf-8")[:200], encoding="utf-8")  # cut short: not JSON any more
    try:
        run = build(articles, out, records)
        assert run.returncode == 2
        assert f"{record}: not valid JSON" in run.stderr
        assert "kept the data of the last good build" in run.stderr
        summary = json.loads((out / "build.json").read_text(encoding="utf-8"))
        assert summary["counts"]["events"] == events_before
        kept = [a for a in summary["articles"] if a.get("kept_from")]
        assert [a["file"] for a in kept] == [FIRST[0]] and "not valid JSON" in kept[0]["error"]
        assert_consistent(site, 2)
    finally:
        record.write_bytes(good)
    assert build(articles, out, records).returncode == 0


def test_only_one_build_writes_a_folder_at_a_time(published: tuple[Path, Path, Path, str]) -> None:
    articles, out, records, _site = published
    with Publisher(out):
        run = build(articles, out, records)
    assert run.returncode == 2
    assert "another build is writing to this folder" in run.stderr


def _publish(out: Path, label: str) -> Path:
    with Publisher(out) as publisher:
        (publisher.staging / "build.json").write_text(json.dumps({"label": label}), encoding="utf-8")
        return publisher.commit()


def test_old_generations_go_unless_a_reader_holds_them(tmp_path: Path) -> None:
    out = tmp_path / "out"
    held = _publish(out, "first")
    lease = Lease(held)
    try:
        for n in range(3):
            _publish(out, f"later {n}")
        assert held.is_dir(), "a generation a reader holds is never removed"
    finally:
        lease.release()
    newest = _publish(out, "newest")
    left = sorted(p.name for p in (out / "generations").iterdir())
    assert held.name not in left and len(left) == 2 and newest.name in left, left
    assert current_generation(out) == newest
    assert json.loads((out / "build.json").read_text(encoding="utf-8")) == {"label": "newest"}


def test_huge_and_hanging_articles_fail_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 50 MB article and a million-line one are refused in seconds, an article that hangs the
    extractor is stopped at the time limit; each is named, and the good article is published."""
    import coopld.build
    from coopld.config import load_settings

    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / FIRST[0], articles)
    with open(articles / "huge.txt", "wb") as huge:
        huge.write(b" date 2024-01-01 x\n\nA body.\n")
        huge.truncate(50 * 1024 * 1024)
    (articles / "lines.txt").write_bytes(b"Headline\n" + b"a\n" * 1_000_000)
    (articles / "hang.txt").write_text(" date 2024-01-01 x\n\nThe minister met his counterpart.\n", encoding="utf-8")
    real = coopld.build.read_article

    def hanging(path: Path, **limits: int) -> object:
        if path.name == "hang.txt":
            time.sleep(3600)  # the worker process is forked from here, so it hangs too
        return real(path, **limits)

    monkeypatch.setattr(coopld.build, "read_article", hanging)
    settings = load_settings(articles_dir=articles, records_dir=tmp_path / "records", out_dir=tmp_path / "out",
                             article_timeout=5, max_article_bytes=5_000_000)  # the line limit is met first
    started = time.monotonic()
    result = coopld.build.build(settings, progress=False)
    assert time.monotonic() - started < 90
    errors = "\n".join(result.errors)
    assert f"{articles / 'huge.txt'}: the article is 52,428,800 bytes; the limit is 5,000,000" in errors
    assert "max_article_bytes" in errors
    assert f"{articles / 'lines.txt'}:" in errors and "max_article_lines" in errors
    assert f"{articles / 'hang.txt'}: stopped after 5 s (setting article_timeout)" in errors
    assert result.written and result.counts["articles"] == 1 and result.exit_code == 2


def test_progress_lines_when_not_on_a_terminal(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for name in FIRST:
        shutil.copy(SEEDS / name, articles)
    run = build(articles, tmp_path / "out", tmp_path / "records")
    assert run.returncode == 0, run.stderr
    assert "coopld build: 2/2 articles done, 0 failed" in run.stderr
