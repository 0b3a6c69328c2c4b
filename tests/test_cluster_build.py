"""``coopld build --scheduler``: the articles built on a real Dask cluster — a scheduler and a
worker process started here on loopback, as a user would start them — publish the same dataset
as a local build, byte for byte; a cluster that cannot be reached is a clear error."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

DASK = Path(sys.executable).with_name("dask")
COOPLD = Path(sys.executable).with_name("coopld")
SEEDS = sorted((ROOT / "data" / "articles").glob("*.txt"))[:3]
DUMPS = ("coopld.nq", "coopld.trig", "coopld.ttl", "coopld.nt.gz", "coopld.jsonld", "validation-report.ttl")
#: how long the cluster may take to start, and a build on it to finish
STARTUP_S, BUILD_S = 90, 600

pytestmark = [pytest.mark.skipif(not DASK.exists(), reason="the 'distributed' package is not installed (bin/setup test)"),
              pytest.mark.xdist_group("cluster")]  # one cluster, started once, on one worker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler and one worker process (two threads) on loopback, stopped after."""
    work = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    # a worker may start the process an article is built in only if it is no daemon
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    port = address.rsplit(":", 1)[1]
    commands = {"scheduler": [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
                "worker": [str(DASK), "worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "2",
                           "--no-dashboard", "--local-directory", str(work)]}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, command in commands.items():
            with (work / f"{name}.log").open("wb") as log:
                processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=env))
        _wait_for_worker(address, work)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


def _wait_for_worker(address: str, work: Path) -> None:
    from distributed import Client

    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        try:
            with Client(address, timeout=5) as client:
                client.wait_for_workers(1, timeout=max(1.0, deadline - time.monotonic()))
                return
        except (OSError, TimeoutError):
            time.sleep(0.5)
    logs = "\n".join((work / name).read_text(errors="replace")[-2000:] for name in ("scheduler.log", "worker.log"))
    pytest.fail(f"the Dask cluster did not start within {STARTUP_S} s:\n{logs}")


def _build(tmp: Path, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    articles = tmp / name / "articles"
    articles.mkdir(parents=True)
    for path in SEEDS:
        shutil.copy(path, articles)
    return subprocess.run([str(COOPLD), "build", str(articles), "--out", str(tmp / name / "out"), "--records",
                           str(tmp / name / "records"), "--full", *extra],
                          capture_output=True, text=True, timeout=BUILD_S, check=False)


def test_a_build_on_the_cluster_publishes_what_a_local_build_does(scheduler: str, tmp_path: Path) -> None:
    on_cluster = _build(tmp_path, "cluster", "--scheduler", scheduler)
    assert on_cluster.returncode == 0, on_cluster.stderr
    assert f"3 article(s) sent to the Dask cluster at {scheduler}" in on_cluster.stdout
    local = _build(tmp_path, "local", "--jobs", "2")
    assert local.returncode == 0, local.stderr
    for name in DUMPS:
        assert (tmp_path / "cluster" / "out" / name).read_bytes() == (tmp_path / "local" / "out" / name).read_bytes(), name
    # the workers wrote the records where the build keeps them, as a local build does
    assert sorted(p.name for p in (tmp_path / "cluster" / "records").iterdir()) == sorted(
        p.name for p in (tmp_path / "local" / "records").iterdir())


def test_an_article_that_outlives_the_time_limit_on_the_cluster_is_named(scheduler: str, tmp_path: Path) -> None:
    """The worker builds each article in a process of its own under ``article_timeout``: past
    it, the article is an error naming it, and the others are built."""
    env_timeout = {"COOPLD_ARTICLE_TIMEOUT": "0.001"}
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS[0], articles)
    run = subprocess.run([str(COOPLD), "build", str(articles), "--out", str(tmp_path / "out"), "--records",
                          str(tmp_path / "records"), "--scheduler", scheduler],
                         capture_output=True, text=True, timeout=BUILD_S, check=False, env={**os.environ, **env_timeout})
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"{articles / SEEDS[0].name}: stopped after 0.001 s (setting article_timeout)" in run.stderr


def test_a_scheduler_that_does_not_answer_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from coopld import cluster
    from coopld.config import load_settings
    from coopld.errors import CoopldError

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2.0)
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    with pytest.raises(CoopldError, match="cannot reach the Dask scheduler") as caught:
        next(cluster.run_on_cluster(SEEDS, load_settings(), "digest", address))
    assert caught.value.where == address
