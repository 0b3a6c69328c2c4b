"""A bounded pool of query processes, and a bounded queue in front of it.

Public queries run in child processes (``coopld.web.runner``); a server process keeps at most
``size`` of them, each answering one query at a time, and lets at most ``queue`` more requests
wait for one. A request beyond that is answered at once with 503 and ``Retry-After`` instead of
piling up behind queries that may run to their time limit. Pages, documents, downloads and the
303s never come here, so with threaded workers they are answered while queries run.

The pool belongs to one server process (gunicorn forks its workers, and a child belongs to the
process that started it): a server of ``workers`` processes runs at most ``workers × size``
queries at once.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from coopld.web.errors import Busy
from coopld.web.runner import QueryRunner


class QueryPool:
    def __init__(self, make: Callable[[], QueryRunner], *, size: int, waiting: int, timeout: float) -> None:
        if size < 1 or waiting < 0:
            raise ValueError("a query pool needs at least one worker and a queue of zero or more")
        self._make = make
        self.size = size
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(size + waiting)
        self._free: queue.LifoQueue[QueryRunner] = queue.LifoQueue()
        self._started: list[QueryRunner] = []
        self._lock = threading.Lock()
        self._closed = False

    def _take(self) -> QueryRunner:
        """A free runner, a new one while fewer than ``size`` exist, else the next one freed."""
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._started) < self.size:
                runner = self._make()
                self._started.append(runner)
                if len(self._started) < self.size:
                    # one more started ahead: a query process needs about half a second to import
                    # its parser, and the next query to come while this one runs should not wait
                    spare = self._make()
                    self._started.append(spare)
                    spare.start()
                    self._free.put(spare)
                return runner
        try:  # a request that holds a slot waits at most one query's time limit for a worker
            return self._free.get(timeout=self.timeout + 5)
        except queue.Empty as exc:
            raise Busy("every query worker stayed busy; try again shortly", self.retry_after()) from exc

    def retry_after(self) -> int:
        return max(1, math.ceil(self.timeout / 2))

    @contextmanager
    def runner(self) -> Iterator[QueryRunner]:
        """A runner for one query, or :class:`Busy` at once when the queue is full."""
        if self._closed or not self._slots.acquire(blocking=False):
            raise Busy(f"the server is answering as many queries as it takes ({self.size} at once, and a queue); "
                       "try again shortly", self.retry_after())
        try:
            runner = self._take()
            try:
                yield runner
            finally:
                self._free.put(runner)
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for runner in self._started:
                runner.close()
