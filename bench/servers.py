"""The servers a benchmark runs, each in its own process group on a free 127.0.0.1 port, so that
it and everything it started stop together (also on errors, Ctrl-C and SIGTERM).

* :class:`Gunicorn`: a WSGI app under gunicorn with coopld's production settings
  (``coopld.web.gunicorn_conf``: threaded workers with a header deadline), as ``bin/serve`` runs it;
* :class:`OxigraphServer`: Oxigraph's own server (``oxigraph serve-read-only``) over a store folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Process:
    """A server process with its log, stopped with its whole group."""

    name = "server"

    def __init__(self, command: list[str], env: dict[str, str], logfile: Path) -> None:
        self.logfile = logfile
        self._log = logfile.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.port = 0

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with status {self.process.returncode}:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_answering(self, path: str, limit: float) -> float:
        """Wait until ``path`` answers 200; the seconds it took."""
        began = time.monotonic()
        while True:
            self.alive()
            if self.port:
                try:
                    with urllib.request.urlopen(self.url(path), timeout=10) as response:
                        if response.status == 200:
                            return time.monotonic() - began
                except (OSError, urllib.error.URLError):
                    pass
            if time.monotonic() - began > limit:
                raise RuntimeError(f"{self.name} did not answer {path} within {limit:g} s:\n{self.tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM to the group, then SIGKILL to whatever is left of it."""
        if self.process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # query processes, if any outlived the master
        if self.process.poll() is None:
            self.process.wait(timeout=10)
        self._log.close()


class Gunicorn(Process):
    """``app`` under gunicorn with coopld's settings file; ``env`` is added to this environment."""

    def __init__(self, app: str, env: dict[str, str], logfile: Path, *, workers: int = 2, worker_timeout: int = 120,
                 name: str = "gunicorn") -> None:
        self.name = name
        self.workers = workers
        command = [sys.executable, "-m", "gunicorn", "-c", "python:coopld.web.gunicorn_conf", "--bind", f"{HOST}:0",
                   "--workers", str(workers), "--timeout", str(worker_timeout), "--graceful-timeout", "5",
                   "--log-level", "info", app]
        super().__init__(command, {**os.environ, **env}, logfile)

    def wait_listening(self, limit: float) -> None:
        """Wait until gunicorn says where it listens."""
        deadline = time.monotonic() + limit
        while not self.port:
            self.alive()
            found = re.search(rb"Listening at: http://127\.0\.0\.1:(\d+)", self.logfile.read_bytes())
            if found:
                self.port = int(found.group(1))
            elif time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start listening within {limit:g} s")
            time.sleep(0.2)

    def wait_answering(self, path: str, limit: float) -> float:
        began = time.monotonic()
        self.wait_listening(limit)
        return super().wait_answering(path, limit - (time.monotonic() - began)) + (time.monotonic() - began)


class OxigraphServer(Process):
    """Oxigraph's server, read-only over the build's ``store`` folder (which other processes
    may read at the same time). It runs without ``--timeout-s``: Oxigraph 0.5 enforces that limit
    with a thread per query that sleeps for the whole limit, and under a few thousand lookups a
    second it ran out of threads and stopped ("Resource temporarily unavailable", then a panic in
    its 'SPARQL evaluation timeout' thread). The measured queries end in milliseconds, so the
    limit changes nothing they do."""

    name = "oxigraph"

    def __init__(self, store: Path, logfile: Path) -> None:
        binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
        if binary is None:
            raise RuntimeError("Oxigraph's server is not installed: run bin/setup test (it is in the test extra)")
        port = free_port()
        command = [binary, "serve-read-only", "--location", str(store), "--bind", f"{HOST}:{port}"]
        super().__init__(command, dict(os.environ), logfile)
        self.port = port
