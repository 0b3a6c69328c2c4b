"""The README's quick start is true: its first block is exactly the two commands, CI runs the
second, and the first builds the dataset and serves it (gunicorn, on a free loopback port)."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.conftest import QUERIES, ROOT, free_port, stop_group, wait_until_answering


def first_code_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```[a-z]*\n(.*?)```", text, re.DOTALL)
    assert block, "the README has no code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands() -> None:
    assert first_code_block() == ["./bin/serve", "./bin/test"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]
    assert ci == ["exec ./bin/test"]


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "COOPLD_HOST": "127.0.0.1", "COOPLD_PORT": str(port)}
    proc = subprocess.Popen(["./bin/serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    drain: threading.Thread | None = None
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 300
        printed = False
        while time.monotonic() < deadline and not printed:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail(f"./bin/serve exited with {proc.returncode}")
            printed = url in line
        assert printed, "./bin/serve did not print its URL"
        # the URL is printed once the server answers: asked at once, it answers (no retry)
        with urllib.request.urlopen(url, timeout=30) as first:
            assert first.status == 200
        # keep reading the server's log so that a full pipe never blocks it
        drain = threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True)  # type: ignore[union-attr]
        drain.start()
        wait_until_answering(proc, url, max(deadline - time.monotonic(), 10))
        yield url
    finally:
        stop_group(proc)
        if drain is not None:
            drain.join(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


def test_serve_builds_and_answers_the_competency_questions(served: str) -> None:
    client = SPARQLWrapper(served + "sparql")
    client.setQuery((QUERIES / "cq-events.rq").read_text(encoding="utf-8"))
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert len(rows) == 15
    assert {r["kind"]["value"] for r in rows} >= {"talks", "working session", "reception", "signing ceremony"}


def test_serve_on_a_port_in_use_says_so_and_prints_no_url() -> None:
    """Another program listening on the port: ./bin/serve stops before building, naming the port
    and the setting that changes it, and never prints a URL the other program would answer."""
    import socket

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        env = {**os.environ, "COOPLD_HOST": "127.0.0.1", "COOPLD_PORT": str(port)}
        done = subprocess.run(["./bin/serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    finally:
        holder.close()
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "COOPLD_PORT" in done.stderr
    assert f"http://127.0.0.1:{port}/" not in done.stdout + done.stderr.split("cannot listen")[0]
    assert "Built" not in done.stdout  # nothing was built first


def test_readme_says_how_long_the_first_run_takes_how_to_stop_and_why_two_ports() -> None:
    """What a newcomer asks before the first command: how long, how to stop it, and why the port
    differs from ``coopld serve``'s; the ports said are the ones the commands use."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert re.search(r"first `\./bin/serve` spends about \w+ minutes", text), "first-run time"
    assert re.search(r"the suite takes about \w+ minutes", text), "the suite's time"
    assert "Ctrl-C stops it" in text
    assert re.search(r"`\./bin/serve` runs gunicorn.*on port 8000", text, re.DOTALL)
    assert re.search(r"`coopld serve` is\s+Flask's development server.*on port 5000", text, re.DOTALL)
    assert 'port="${COOPLD_PORT:-8000}"' in (ROOT / "bin" / "serve").read_text(encoding="utf-8")
    shown = subprocess.run([str(ROOT / ".venv" / "bin" / "coopld"), "serve", "--help"], capture_output=True, text=True,
                           timeout=60, check=True).stdout
    assert re.search(r"--port .*\[default: 5000", shown), shown
