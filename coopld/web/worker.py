"""gunicorn's threaded worker, with a deadline on reading a request's headers.

Threaded workers (``gthread``) fit Flask, a WSGI app that answers on the thread it runs on:
pages and documents are answered on other threads while a query waits on its query process,
and an idle kept-alive connection waits in the worker's poller without a thread. gunicorn hands
a connection to a thread once its first bytes arrive, though, and a client that then sends its
headers a byte a second would hold that thread for as long as it likes. This worker gives each
request ``HEADER_TIMEOUT`` seconds to finish its headers: a watchdog thread shuts the socket of
any that has not, which ends the read on the thread (the client's connection is closed) and
frees it for others. ``pre_request`` (``coopld.web.gunicorn_conf``) marks the headers done.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]

#: seconds a client has to send a request's line and headers
HEADER_TIMEOUT = float(os.environ.get("COOPLD_HEADER_TIMEOUT", "10"))


class HeaderDeadlineWorker(ThreadWorker):  # type: ignore[misc]
    def init_process(self) -> None:
        self.reading: dict[int, tuple[float, Any]] = {}  # socket fd -> (deadline, connection)
        self.reading_lock = threading.Lock()
        threading.Thread(target=self._watch, name="coopld-header-deadline", daemon=True).start()
        super().init_process()

    def handle(self, conn: Any) -> Any:
        fd = conn.sock.fileno()
        with self.reading_lock:
            self.reading[fd] = (time.monotonic() + HEADER_TIMEOUT, conn)
        try:
            return super().handle(conn)
        finally:
            self.headers_read(fd)

    def headers_read(self, fd: int) -> None:
        with self.reading_lock:
            self.reading.pop(fd, None)

    def _watch(self) -> None:
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            with self.reading_lock:
                late = [(fd, conn) for fd, (deadline, conn) in self.reading.items() if deadline < now]
                for fd, _conn in late:
                    del self.reading[fd]
            for _fd, conn in late:
                with contextlib.suppress(OSError):  # already closed
                    conn.sock.shutdown(socket.SHUT_RDWR)
                self.log.info("coopld: closed a connection that sent no whole request within %g s", HEADER_TIMEOUT)


def request_started(worker: Any, req: Any) -> None:
    """gunicorn's ``pre_request``: this request's headers are in, its deadline no longer runs."""
    done = getattr(worker, "headers_read", None)
    sock = getattr(getattr(req, "unreader", None), "sock", None)
    if done is not None and sock is not None:
        done(sock.fileno())
