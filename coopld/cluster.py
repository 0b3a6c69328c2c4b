"""Building the articles on a Dask cluster (``coopld build --scheduler tcp://host:8786``).

Only the per-article work leaves this machine: each article is one task, run by a Dask worker
exactly as a local build runs it (``coopld.build.process_article``, in a worker process of the
worker's own with the same time limit, so an article that hangs the extractor is stopped and
named, and a worker that dies takes one article with it). The results come back here as they
finish, and the identity pass, the store and the dumps are made here, after, as in a local
build.

What the workers need: the same coopld, with the same model and settings (each task checks the
build's inputs digest, ``coopld.digests``, against the worker's, and an article built from other
code or settings is an error naming the worker), and the project, articles and records folders
at the same paths as here (a shared file system), since a record is read and written where the
build keeps it.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

from pebble import ProcessPool

from coopld.config import Settings
from coopld.errors import CoopldError

#: how long the build waits for the scheduler to answer and for a first worker to join
CONNECT_TIMEOUT = 60.0

_LOCK = threading.Lock()
_POOLS: dict[Settings, ProcessPool] = {}
_DIGESTS: dict[Settings, str] = {}


def run_on_cluster(paths: list[Path], settings: Settings, inputs: str, scheduler: str) -> Iterator[Any]:
    """Every article's ``ArticleResult`` as it finishes on the cluster at ``scheduler``."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise CoopldError("building on a Dask cluster needs the 'distributed' package: "
                          "pip install 'coopld[cluster]'") from exc
    from coopld.articles import article_key
    from coopld.build import ArticleResult

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CoopldError(f"cannot reach the Dask scheduler: {exc}", path=scheduler) from exc
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError as exc:
        client.close()
        raise CoopldError(f"no Dask worker joined the scheduler within {CONNECT_TIMEOUT:g} s", path=scheduler) from exc
    # the workers' working folders are not this one: every path they are given is absolute
    there = replace(settings, root=settings.root.resolve(), articles_dir=settings.articles.resolve(),
                    records_dir=settings.records.resolve(), out_dir=settings.out.resolve())
    futures: dict[Any, Path] = {}
    try:
        futures = {client.submit(build_on_worker, path.resolve(), there, inputs, pure=False,
                                 key=f"coopld-article-{article_key(path)}-{inputs[:12]}"): path for path in paths}
        for future in as_completed(futures, loop=client.loop):
            path = futures.pop(future)  # let go: the cluster keeps a result while a future refers to it
            try:
                result = future.result()
                result.path = path  # named as this build names it
                yield result
            except Exception as exc:  # the cluster lost the task (a worker gone, the scheduler restarted)
                yield ArticleResult(path, article_key(path), error=f"{path}: the Dask cluster could not build it: "
                                                                   f"{type(exc).__name__}: {exc}")
    finally:  # also when the build is interrupted: no article goes on on the cluster
        client.cancel(list(futures))
        client.close()


def build_on_worker(path: Path, settings: Settings, inputs: str) -> Any:
    """One article, on a Dask worker: in a process of this worker's pool (resources loaded once
    per process), under the build's time limit."""
    from coopld.articles import article_key
    from coopld.build import ArticleResult, _init_worker, _outcome, _work
    from coopld.digests import inputs_digest

    with _LOCK:
        if settings not in _DIGESTS:
            _DIGESTS[settings] = inputs_digest(settings)
        pool = _POOLS.get(settings)
        if pool is None:
            if multiprocessing.current_process().daemon:
                return ArticleResult(path, article_key(path), error=(
                    f"{path}: the Dask worker {_worker_name()} runs as a daemon process, which may not start the "
                    "process an article is built in: start it with DASK_DISTRIBUTED__WORKER__DAEMON=False"))
            pool = _POOLS[settings] = ProcessPool(max_workers=_worker_threads(), initializer=_init_worker,
                                                  initargs=(settings,))
    if _DIGESTS[settings] != inputs:
        return ArticleResult(path, article_key(path), error=(
            f"{path}: the Dask worker {_worker_name()} runs other code, model or settings than the build "
            f"(inputs digest {_DIGESTS[settings][:12]}, the build's {inputs[:12]}); install the same coopld there"))
    future: Future[Any] = pool.schedule(_work, args=(path, settings.records, inputs), timeout=settings.article_timeout)
    return _outcome(future, path, settings)


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return int(get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        return 1


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "(unknown)"
