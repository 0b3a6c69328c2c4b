"""Running SPARQL queries from the public under a time limit and a size cap.

pyoxigraph cannot interrupt a query, so queries run in a child process that holds its own
read-only handle on the store; a query that outlives its time limit is stopped by stopping
the child, which is started again for the next query. The result is serialized in the child
into a buffer that refuses to grow past the cap, so neither a slow nor a huge query can tie up
the server: each ends with a clear error and the next request is answered as usual.
"""

from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


class QueryFailed(Exception):
    """A query the child refused or could not run; ``kind`` says why."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind  # "syntax" | "timeout" | "too-large" | "not-acceptable" | "memory" | "store"
        self.message = message
        super().__init__(message)


CHILD = Path(__file__).with_name("query_child.py")


@dataclass(frozen=True)
class Answer:
    kind: str  # "solutions" | "boolean" | "triples"
    body: bytes


class QueryRunner:
    """One child process per server process; queries from that process go through it in turn.

    The child is ``query_child.py``, run as a script so that it imports pyoxigraph and nothing
    of coopld (whose package imports Flask and rdflib); requests and answers are pickled tuples
    on its stdin and stdout, formats named by their media types."""

    def __init__(self, store_dir: str, *, timeout: float, max_bytes: int, memory: int = 0) -> None:
        self.store_dir = store_dir
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.memory = memory
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._owner_pid: int | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        # -P: coopld/web/ is not put on the child's import path
        process = subprocess.Popen([sys.executable, "-P", str(CHILD), self.store_dir, str(self.max_bytes),
                                    str(self.memory)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._process, self._owner_pid = process, os.getpid()
        return process

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=5)
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()
        self._process = None

    def run(self, text: str, options: dict[str, list[str]], results_format: str | None,
            rdf_format: str | None) -> Answer:
        with self._lock:
            process = self._process
            # a child belongs to the process that started it (gunicorn forks its workers)
            if process is None or self._owner_pid != os.getpid() or process.poll() is not None:
                process = self._start()
            stdin, stdout = process.stdin, process.stdout
            assert stdin is not None and stdout is not None
            try:
                pickle.dump((text, options, results_format, rdf_format), stdin)
                stdin.flush()
                ready, _, _ = select.select([stdout], [], [], self.timeout)
                if not ready:
                    self._stop()
                    raise QueryFailed("timeout", f"the query ran longer than {self.timeout:g} s and was stopped")
                status, kind, payload = _read(stdout)
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                self._stop()  # most often the memory limit: the engine aborts when an allocation fails
                raise QueryFailed("memory", "the query process stopped, most likely for want of memory; "
                                            "narrow the query") from exc
        if status == "error":
            raise QueryFailed(kind, payload)
        return Answer(kind, payload)

    def close(self) -> None:
        with self._lock:
            self._stop()


def _read(stream: IO[bytes]) -> Any:
    return pickle.load(stream)
