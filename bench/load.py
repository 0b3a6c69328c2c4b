"""A small closed-loop HTTP load generator: a few client processes, each sending one request at
a time (reusing its connection when the server keeps it open), until a time or a count runs out.

Every bound is explicit: ``seconds`` stops new requests, ``max_requests`` caps them, and
``timeout`` bounds each socket operation, so a scenario lasts at most about
``seconds + 2 * timeout``; the caller also waits on the clients with a hard deadline.
"""

from __future__ import annotations

import http.client
import math
import multiprocessing
import multiprocessing.pool
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class ClientRun:
    """What one client saw."""

    ok: list[float] = field(default_factory=list)        # latencies (s) of 2xx responses
    failed: list[float] = field(default_factory=list)    # latencies (s) of other responses and errors
    statuses: Counter[str] = field(default_factory=Counter)
    bytes: int = 0
    started: float = 0.0
    ended: float = 0.0


def _client_signals() -> None:
    # Ctrl-C goes to the whole foreground group: the parent handles it and stops the clients,
    # with SIGTERM, which must end a client at once (not run the parent's handler it inherited)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def client(args: tuple[str, int, list[Request], int, float, int, float]) -> ClientRun:
    """Send requests from ``requests`` (starting at ``offset``, cycling) for ``seconds`` or
    ``max_count`` requests, whichever comes first."""
    host, port, requests, offset, seconds, max_count, timeout = args
    run = ClientRun(started=time.monotonic())
    deadline = run.started + seconds
    conn: http.client.HTTPConnection | None = None
    i = offset
    while len(run.ok) + len(run.failed) < max_count and time.monotonic() < deadline:
        req = requests[i % len(requests)]
        i += 1
        began = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            conn.request(req.method, req.path, body=req.body, headers=dict(req.headers))
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - began
            if response.will_close:
                conn.close()
                conn = None
            run.bytes += len(data)
            run.statuses[str(response.status)] += 1
            (run.ok if 200 <= response.status < 300 else run.failed).append(elapsed)
        except (OSError, http.client.HTTPException) as exc:
            run.failed.append(time.perf_counter() - began)
            run.statuses["timeout" if isinstance(exc, TimeoutError) else type(exc).__name__] += 1
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()
    run.ended = time.monotonic()
    return run


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..1) of ``values``."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class Load:
    """A pool of client processes, reused from one scenario to the next."""

    def __init__(self, host: str, port: int, concurrency: int, timeout: float) -> None:
        self.host, self.port, self.concurrency, self.timeout = host, port, concurrency, timeout
        self._pool: multiprocessing.pool.Pool | None = None

    def _clients(self) -> multiprocessing.pool.Pool:
        if self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(self.concurrency, initializer=_client_signals)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def run(self, requests: list[Request], seconds: float, max_requests: int, *, warmup: int = 1) -> dict[str, Any]:
        """Warm up (``warmup`` unmeasured requests per client), then measure; the summary."""
        n = self.concurrency
        spread = [k * len(requests) // n for k in range(n)]
        if warmup:
            jobs = [(self.host, self.port, requests, s + len(requests) // 2, 1e9, warmup, self.timeout) for s in spread]
            self._wait(jobs, warmup * 2 * self.timeout + 30)
        per_client = max(1, math.ceil(max_requests / n))
        jobs = [(self.host, self.port, requests, s, seconds, per_client, self.timeout) for s in spread]
        runs = self._wait(jobs, seconds + 2 * self.timeout + 30)
        if runs is None:
            return {"aborted": f"the clients did not finish within {seconds + 2 * self.timeout + 30:g} s"}
        return summarise(runs)

    def _wait(self, jobs: list[Any], limit: float) -> list[ClientRun] | None:
        try:
            result: list[ClientRun] = self._clients().map_async(client, jobs).get(timeout=limit)
            return result
        except multiprocessing.TimeoutError:
            self.close()  # stuck clients are stopped; the next scenario gets a fresh pool
            return None


def summarise(runs: list[ClientRun]) -> dict[str, Any]:
    ok = [x for r in runs for x in r.ok]
    failed = [x for r in runs for x in r.failed]
    statuses: Counter[str] = Counter()
    for r in runs:
        statuses.update(r.statuses)
    wall = max(r.ended for r in runs) - min(r.started for r in runs)
    total = len(ok) + len(failed)

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 2)

    return {
        "requests": total, "ok": len(ok), "failed": len(failed), "statuses": dict(sorted(statuses.items())),
        "seconds": round(wall, 3), "rps": round(len(ok) / wall, 2) if wall > 0 else 0.0,
        "p50_ms": ms(percentile(ok, 0.50)), "p90_ms": ms(percentile(ok, 0.90)), "p99_ms": ms(percentile(ok, 0.99)),
        "max_ms": ms(max(ok) if ok else None), "failed_p50_ms": ms(percentile(failed, 0.50)),
        "bytes_per_response": round(sum(r.bytes for r in runs) / total) if total else 0,
    }
