"""Nothing a client does holds the server: runaway queries, a full queue, slow senders.

Each test runs the real app under gunicorn with one worker process, so that every request
meets the same query pool and the same threads."""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import Built, gunicorn
from tests.test_web_sparql import http

#: a query that runs until the time limit stops it
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DOC = "doc/event/2017-07-25-talks-russia-vietnam-hanoi"


@pytest.fixture(scope="module")
def small_pool(seeds: Built) -> Iterator[str]:
    """One server process with two query workers and a queue of one."""
    with gunicorn(seeds.settings.out, workers=1, QUERY_TIMEOUT="4", QUERY_WORKERS="2", QUERY_QUEUE="1",
                  HEADER_TIMEOUT="2") as url:
        yield url


def _ask(site: str, query: str) -> tuple[int, dict[str, str], bytes]:
    return http(site + "sparql?" + urllib.parse.urlencode({"query": query}),
                headers={"Accept": "application/sparql-results+json"})


def test_pages_and_trivial_queries_are_answered_while_runaway_queries_run(small_pool: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        runaways = [pool.submit(_ask, small_pool, RUNAWAY) for _ in range(2)]
        time.sleep(0.5)  # both are running now, each in a query process of its own
        started = time.monotonic()
        page = http(small_pool + DOC + ".html")
        turtle = http(small_pool + DOC + ".ttl")
        trivial = _ask(small_pool, "ASK {}")  # waits in the queue for a worker, which the limit frees
        answered = [r.result(timeout=30) for r in runaways]
    assert page[0] == 200 and turtle[0] == 200
    assert trivial[0] == 200
    assert all(status == 503 and b"longer than 4 s" in body for status, _h, body in answered)
    assert time.monotonic() - started < 4.0 + 5, "the trivial query waited at most for a worker to be freed"


def test_a_full_queue_is_answered_at_once_with_retry_after(small_pool: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        busy = [pool.submit(_ask, small_pool, RUNAWAY) for _ in range(3)]  # two running, one waiting
        time.sleep(0.7)
        started = time.monotonic()
        # a query not asked before (an answer asked before comes from the cache: see below)
        status, headers, body = _ask(small_pool, "ASK { <urn:x-test:queue> ?p ?o }")
        refused_after = time.monotonic() - started
        for future in busy:
            future.result(timeout=30)
    assert status == 503 and int(headers["Retry-After"]) >= 1, body
    assert b"try again" in body
    assert refused_after < 2.0, "refused at once, not after waiting"
    assert _ask(small_pool, "ASK {}")[0] == 200, "and answered again once the workers are free"


def _slow_sender(site: str, stop: threading.Event, closed: list[bool]) -> None:
    """A client that sends its request's headers one byte at a time, slowly."""
    host, port = urllib.parse.urlsplit(site).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
        try:
            for byte in request:
                if stop.is_set():
                    return
                sock.sendall(bytes([byte]))
                time.sleep(0.2)
        except OSError:
            closed.append(True)
            return
        closed.append(sock.recv(1) == b"")


def test_slow_senders_hold_no_thread_for_long(small_pool: str, tmp_path: Path) -> None:
    stop = threading.Event()
    closed: list[bool] = []
    senders = [threading.Thread(target=_slow_sender, args=(small_pool, stop, closed)) for _ in range(20)]
    for sender in senders:
        sender.start()
    try:
        time.sleep(0.5)
        # twenty slow senders, more than the worker's threads: everyone else is still answered
        answers = [http(small_pool + DOC + ".ttl")[0] for _ in range(5)] + [_ask(small_pool, "ASK {}")[0]]
        assert answers == [200] * 6
        deadline = time.monotonic() + 15
        while len(closed) < len(senders) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(closed) == len(senders) and all(closed), "each was cut off at the header deadline"
    finally:
        stop.set()
        for sender in senders:
            sender.join(timeout=30)


def test_a_repeated_query_is_answered_from_the_cache_even_when_every_worker_is_busy(small_pool: str) -> None:
    lookup = ("SELECT ?p WHERE { <https://w3id.org/coopld/id/event/2017-07-25-talks-russia-vietnam-hanoi> "
              "<https://w3id.org/coopld/ontology#hasParticipant> ?p }")
    first = _ask(small_pool, lookup)
    assert first[0] == 200 and first[1]["ETag"] and "max-age" in first[1]["Cache-Control"]
    assert _ask(small_pool, lookup)[2] == first[2]  # asked again: now kept (coopld.web.front)
    with ThreadPoolExecutor(4) as pool:
        busy = [pool.submit(_ask, small_pool, RUNAWAY) for _ in range(3)]  # two running, one waiting
        time.sleep(0.7)
        again = _ask(small_pool, lookup)
        other = _ask(small_pool, lookup + " LIMIT 5")
        revalidated = http(small_pool + "sparql?" + urllib.parse.urlencode({"query": lookup}),
                           headers={"Accept": "application/sparql-results+json", "If-None-Match": first[1]["ETag"]})
        for future in busy:
            future.result(timeout=30)
    assert again[0] == 200 and again[2] == first[2] and again[1]["ETag"] == first[1]["ETag"]
    assert other[0] == 503, "a query not asked before needs a worker"
    assert revalidated[0] == 304 and revalidated[2] == b""
