"""Running SPARQL queries from the public under a time limit and a size cap.

pyoxigraph cannot interrupt a query, so queries run in a child process that holds its own
read-only handle on the store; a query that outlives its time limit is stopped by stopping
the child, which is started again for the next query. The result is serialized in the child
into a buffer that refuses to grow past the cap, so neither a slow nor a huge query can tie up
the server: each ends with a clear error and the next request is answered as usual.

The child's stderr goes to a temporary file, so that when it dies the runner can tell why: a
stack overflow (a query nested too deeply: the client's fault, 400) from a failed allocation
(the memory limit: 503) from anything else.
"""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from coopld.store import Answer, QueryFailed

CHILD = Path(__file__).with_name("query_child.py")
#: the store folder given to a query process that only checks queries (a remote store runs them)
CHECK_ONLY = "-"


class QueryRunner:
    """One child process per server process; queries from that process go through it in turn.

    The child is ``query_child.py``, run as a script so that it imports the embedded store and
    nothing of ``coopld.web`` (whose package imports Flask); requests and answers are pickled tuples
    on its stdin and stdout, formats named by their media types.

    ``federation_endpoints`` are the SERVICE endpoints queries may call (none: no SERVICE, and
    the child has no network); ``sandbox=False`` lets the child run queries where the seccomp
    filter cannot be installed; ``check_service=False`` skips the parse check (tests only: it
    shows the sandbox holds on its own). ``store_dir`` None: the child only checks queries (for
    a remote store, which runs them) and answers "checked"."""

    def __init__(self, store_dir: str | None, *, timeout: float, max_bytes: int, memory: int = 0,
                 federation_endpoints: Iterable[str] = (), sandbox: bool = True, check_service: bool = True) -> None:
        self.store_dir = store_dir
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.memory = memory
        self.settings = {"endpoints": sorted(set(federation_endpoints)), "sandbox": sandbox, "check": check_service}
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._owner_pid: int | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        self._release()
        self._stderr = tempfile.TemporaryFile(prefix="coopld-query-")  # noqa: SIM115 (lives as long as the child)
        # -P: coopld/web/ is not put on the child's import path
        process = subprocess.Popen([sys.executable, "-P", str(CHILD), self.store_dir or CHECK_ONLY,
                                    str(self.max_bytes), str(self.memory), json.dumps(self.settings)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=self._stderr)
        self._process, self._owner_pid = process, os.getpid()
        return process

    def _release(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
        self._stderr = None

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=5)
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()
        self._process = None
        self._release()

    def _restart(self) -> None:
        """Stop the child and start the next one now: it imports its parser while the server
        answers, so the next query does not wait for it."""
        self._stop()
        self._start()

    def _death(self) -> QueryFailed:
        """Why the child stopped mid-query, from its exit status and what it wrote to stderr."""
        process = self._process
        code: int | None = None
        if process is not None:
            try:
                code = process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
        stderr = b""
        if self._stderr is not None and self._owner_pid == os.getpid():
            self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(self._stderr.tell() - 4000, 0))
            stderr = self._stderr.read()
        self._restart()
        return died(code, stderr.decode("utf-8", "replace"))

    def start(self) -> None:
        """Start the child now, if it is not running, so that the first query finds it ready."""
        with self._lock:
            self._ready()

    def _ready(self) -> subprocess.Popen[bytes]:
        process = self._process
        # a child belongs to the process that started it (gunicorn forks its workers)
        if process is None or self._owner_pid != os.getpid() or process.poll() is not None:
            process = self._start()
        return process

    def run(self, text: str, options: dict[str, list[str]], results_format: str | None,
            rdf_format: str | None) -> Answer:
        with self._lock:
            process = self._ready()
            stdin, stdout = process.stdin, process.stdout
            assert stdin is not None and stdout is not None
            try:
                pickle.dump((text, options, results_format, rdf_format), stdin)
                stdin.flush()
                ready, _, _ = select.select([stdout], [], [], self.timeout)
                if not ready:
                    self._restart()
                    raise QueryFailed("timeout", f"the query ran longer than {self.timeout:g} s and was stopped")
                status, kind, payload = _read(stdout)
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                raise self._death() from exc
        if status == "error":
            raise QueryFailed(kind, payload)
        media_type = (rdf_format if kind == "triples" else results_format) or ""
        return Answer(kind, payload, media_type)

    def close(self) -> None:
        with self._lock:
            self._stop()


def died(code: int | None, stderr: str) -> QueryFailed:
    """The error for a child that exited with ``code`` (negative: the signal) after ``stderr``."""
    if "has overflowed its stack" in stderr or code == -signal.SIGSEGV:
        return QueryFailed("too-deep", "the query is nested too deeply or is too complex to evaluate "
                                       "(the query process ran out of stack); simplify the query")
    if ("memory allocation of" in stderr or "MemoryError" in stderr
            or code in (-signal.SIGABRT, -signal.SIGKILL)):  # Rust aborts on a failed allocation
        return QueryFailed("memory", "the query process ran out of memory; narrow the query")
    return QueryFailed("crashed", f"the query process stopped unexpectedly (exit status {code}); try again "
                                  "or simplify the query")


def _read(stream: IO[bytes]) -> Any:
    return pickle.load(stream)
