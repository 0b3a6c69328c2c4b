"""The query process of :mod:`coopld.web.runner`: reads pickled (query, options, media types of
the result formats) from stdin, answers pickled (status, kind, payload) on stdout, until stdin
closes. Run as a script, it imports the embedded store (``coopld.store.embedded``) and, to check SERVICE
calls, rdflib's SPARQL parser with ``federation.py`` loaded by its path (not ``coopld.web``, whose
package imports Flask), so it starts again quickly after a query it had to stop; it is the only
place public queries run.

Before it opens the store it takes the network away from itself (a seccomp filter: ``socket()``
fails with EACCES for every family but AF_UNIX) unless federation is enabled, so even a SERVICE
clause the parser misread cannot reach another host. Each query is checked and run on a thread
with a large stack, so that deep but legitimate queries neither exhaust Python's recursion limit
in the check nor overflow the stack in pyoxigraph.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import json
import pickle
import resource
import socket
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from coopld.store import Dataset, QueryFailed
from coopld.store.embedded import EmbeddedStore

#: the stack of the thread that checks and runs queries: rdflib's parser recurses about 30 frames
#: per level of nesting and per triple pattern, pyoxigraph's parser and evaluator once per level
STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 1_000_000
SANDBOX_SETTING = "COOPLD_QUERY_SANDBOX=false"
CHECK_ONLY = "-"  # the store folder given to a process that only checks queries (see runner.CHECK_ONLY)


def load_federation() -> ModuleType:
    """``federation.py``, this file's neighbour, as a module of its own (``-P`` keeps coopld/web/
    off the import path, and importing it as ``coopld.web.federation`` would import Flask)."""
    spec = importlib.util.spec_from_file_location("coopld_federation", Path(__file__).with_name("federation.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sandbox() -> str | None:
    """Take the network away from this process and any thread it has or starts; None when done,
    else why it could not be (no libseccomp, not Linux)."""
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        for call in ("io_uring_setup", "socketcall"):  # other ways to a socket, where the kernel has them
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                rules.add_rule(seccomp.ERRNO(errno.EACCES), call)
        rules.load()
    except Exception as exc:  # ImportError, OSError from libseccomp, missing ctypes library
        return f"{type(exc).__name__}: {exc}"
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return None
    return "the seccomp filter was loaded but sockets can still be opened"


class Server:
    """The loop: each message checked (SERVICE, depth), then run, its answer written back."""

    def __init__(self, store_dir: str, max_bytes: int, settings: dict[str, Any]) -> None:
        self.max_bytes = max_bytes
        self.allowed = frozenset(str(e) for e in settings.get("endpoints", ()))
        self.refusal: str | None = None
        self.sandboxed = False
        if not self.allowed and settings.get("sandbox", True):
            why = sandbox()
            self.sandboxed = why is None
            if why is not None:
                self.refusal = (f"public queries are not run: the query process could not be sandboxed "
                                f"({why}); set {SANDBOX_SETTING} to run them without the sandbox")
        self.federation = load_federation() if settings.get("check", True) else None
        #: None: only check queries, for a remote store that runs them
        self.store = EmbeddedStore(Path(store_dir)) if store_dir != CHECK_ONLY else None
        if self.federation is not None:
            self.federation.warm()

    def handle(self, message: tuple[str, dict[str, list[str]], str | None, str | None]) -> tuple[str, str, Any]:
        if self.refusal is not None:
            return ("error", "sandbox", self.refusal)
        if self.store is None:
            return self.checked(message[0])
        if self.federation is not None:
            try:
                self.federation.check(message[0], self.allowed)
            except self.federation.Refused as refused:
                return ("error", refused.kind, refused.message)
            except MemoryError:
                return ("error", "memory", "checking the query needed more memory than this server allows")
        text, options, results_format, rdf_format = message
        dataset = Dataset(tuple(options.get("default_graph", ())), tuple(options.get("named_graphs", ())))
        base_iri = options["base_iri"][0] if options.get("base_iri") else None
        try:
            answer = self.store.answer(text, dataset, results_format, rdf_format, base_iri=base_iri,
                                       max_bytes=self.max_bytes, timeout=0, sandboxed=self.sandboxed)
        except QueryFailed as failed:
            return ("error", failed.kind, failed.message)
        return ("ok", answer.kind, answer.body)

    def checked(self, text: str) -> tuple[str, str, Any]:
        """The verdict on a query a remote store is to run: "checked", with whether it names its
        own dataset, or the refusal."""
        federation = self.federation or load_federation()
        try:
            own_dataset = federation.check_forwarded(text, self.allowed)
        except federation.Refused as refused:
            return ("error", refused.kind, refused.message)
        except MemoryError:
            return ("error", "memory", "checking the query needed more memory than this server allows")
        return ("ok", "checked", b"dataset" if own_dataset else b"")

    def serve(self, source: IO[bytes], sink: IO[bytes]) -> None:
        while True:
            try:
                message = pickle.load(source)
            except EOFError:
                return
            pickle.dump(self.handle(message), sink)
            sink.flush()


def main() -> None:
    memory = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if memory:  # a query that wants more memory than this fails instead of starving the server
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    settings = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    server = Server(sys.argv[1], int(sys.argv[2]), settings)
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(STACK_BYTES)
    worker = threading.Thread(target=server.serve, args=(sys.stdin.buffer, sys.stdout.buffer), name="queries")
    worker.start()
    worker.join()


if __name__ == "__main__":
    main()
