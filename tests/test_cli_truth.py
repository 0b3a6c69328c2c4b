"""The command line tells the truth: exit codes a script can rely on, and checks that need no
network. Each test runs ``coopld`` as a user does, in a process of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, Built, free_port

#: proxies nobody listens on: a command that tries the network fails instead of reaching it
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": ""}


def coopld(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coopld", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_a_folder_without_articles_is_an_error_and_publishes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "articles"
    empty.mkdir()
    (empty / "notes.md").write_text("not an article", encoding="utf-8")
    run = coopld("build", str(empty), "--out", str(tmp_path / "out"), "--records", str(tmp_path / "records"))
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"{empty}: no *.txt article in this folder; nothing was published" in run.stderr
    assert not (tmp_path / "out" / "build.json").exists()


def test_link_fails_when_its_look_ups_fail(seeds: Built, tmp_path: Path) -> None:
    """An endpoint that refuses every connection: each look-up is named, the exit code is not 0,
    and the review file still says what could be asked (nothing)."""
    dead = f"http://127.0.0.1:{free_port()}/sparql"
    review = tmp_path / "review.json"
    run = coopld("link", "--endpoint", dead, "--build", str(seeds.settings.out), "--review", str(review),
                 "--timeout", "2")
    assert run.returncode == 2, run.stdout + run.stderr
    failed = [line for line in run.stderr.splitlines() if line.startswith("not asked: ")]
    assert failed, run.stderr
    assert f"error: {len(failed)} of {len(failed)} look-up(s) failed" in run.stderr


def test_a_record_is_validated_offline_with_the_local_context(tmp_path: Path) -> None:
    """A record names the published context (w3id.org); validating it maps it as a build does,
    with mappings/context.jsonld, so no network is needed. A hand edit that breaks a shape is
    a violation (exit 1), one that breaks the record an error naming the file (exit 2)."""
    source = sorted((ROOT / "data" / "records").glob("*.json"))[0]
    record = tmp_path / source.name
    shutil.copy(source, record)
    ok = coopld("validate", str(record), "--json", env=OFFLINE)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["conforms"] is True
    data = json.loads(source.read_text(encoding="utf-8"))
    event = data["reportsEvent"][0]
    event["status"] = "cancelled"  # no status the ontology has
    record.write_text(json.dumps(data), encoding="utf-8")
    broken = coopld("validate", str(record), env=OFFLINE)
    assert broken.returncode == 1 and "Violation" in broken.stdout, broken.stdout + broken.stderr
    data["@type"] = "Articel"
    record.write_text(json.dumps(data), encoding="utf-8")
    wrong = coopld("validate", str(record), env=OFFLINE)
    assert wrong.returncode == 2 and f"{record}: a record's '@type' must be 'Article'" in wrong.stderr, wrong.stderr


def test_setup_says_nothing_when_all_is_in_place() -> None:
    """A second ``bin/setup`` (the suite's own set-up has run) prints nothing: no pip notice, no
    npm chatter in a newcomer's face."""
    done = subprocess.run(["./bin/setup", "test"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""


def test_setup_shows_a_failing_steps_own_output_and_hides_the_rest(tmp_path: Path) -> None:
    """A set-up step that fails shows pip's own error (here: a dependency no index has) and stops
    with exit 1; the steps that worked (pip upgrading itself) stay quiet. Real pip, in a fresh
    virtualenv of a project of its own."""
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin" / "setup", tmp_path / "bin" / "setup")
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "coopld-setup-probe"\nversion = "0"\n'
        '[project.optional-dependencies]\ntest = ["coopld-no-such-distribution-anywhere==0.0.0"]\n'
        '[tool.setuptools]\npy-modules = []\n', encoding="utf-8")
    done = subprocess.run(["./bin/setup", "test"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bin/setup: this step failed: .venv/bin/python -m pip install -e .[test]" in done.stderr
    assert "coopld-no-such-distribution-anywhere" in done.stderr, "pip's own error is shown"
    assert "Successfully installed pip" not in done.stderr and "Requirement already satisfied: pip" not in done.stderr
    assert "[notice]" not in done.stdout + done.stderr
