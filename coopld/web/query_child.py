"""The query process of :mod:`coopld.web.runner`: reads pickled (query, options, media types of
the result formats) from stdin, answers pickled (status, kind, payload) on stdout, until stdin
closes. Run as a script, it imports pyoxigraph and, to check SERVICE calls, rdflib's SPARQL
parser with ``federation.py`` loaded by its path (not coopld, whose package imports Flask), so it
starts again quickly after a query it had to stop; it is the only place public queries run.

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
from typing import IO, Any, cast

import pyoxigraph as ox

#: the stack of the thread that checks and runs queries: rdflib's parser recurses about 30 frames
#: per level of nesting and per triple pattern, pyoxigraph's parser and evaluator once per level
STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 1_000_000
SANDBOX_SETTING = "COOPLD_QUERY_SANDBOX=false"
DENIED = "Permission denied (os error 13)"  # what pyoxigraph reports when the sandbox stops a SERVICE


class Capped:
    """A binary sink that stops the serialization once it holds ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.exceeded = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.exceeded = True
            raise OSError("result too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


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


def _failed(exc: BaseException, sandboxed: bool) -> tuple[str, str, Any]:
    """An evaluation error as an answer; a SERVICE the sandbox stopped is reported as refused,
    and nothing another host sent (or a closed port's error) is passed on."""
    if sandboxed and DENIED in str(exc):
        return ("error", "forbidden", "federated SERVICE calls are disabled on this endpoint")
    return ("error", "store", f"the query failed: {exc}")


def answer(store: ox.Store, message: tuple[str, dict[str, list[str]], str | None, str | None],
           max_bytes: int, sandboxed: bool = False) -> tuple[str, str, Any]:
    text, options, results_format, rdf_format = message
    kwargs: dict[str, Any] = {}
    if options.get("default_graph"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in options["default_graph"]]
    # else: the store's default graph, which the build made the union of all graphs
    if options.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in options["named_graphs"]]
    if options.get("base_iri"):
        kwargs["base_iri"] = options["base_iri"][0]
    try:
        result = store.query(text, **kwargs)
    except MemoryError:
        return ("error", "memory", "the query needed more memory than this server allows")
    except SyntaxError as exc:
        return ("error", "syntax", f"the query does not parse: {exc}")
    except OSError as exc:  # a SERVICE that could not be reached
        return _failed(exc, sandboxed)
    except ValueError as exc:
        return ("error", "syntax", f"the query cannot be run: {exc}")
    triples = isinstance(result, ox.QueryTriples)
    wanted = rdf_format if triples else results_format
    if wanted is None:
        return ("error", "not-acceptable", "triples" if triples else "solutions")
    sink = Capped(max_bytes)
    output = cast(IO[bytes], sink)  # pyoxigraph only calls write() and flush()
    try:
        if isinstance(result, ox.QueryTriples):
            result.serialize(output, format=ox.RdfFormat.from_media_type(wanted))
        else:
            result.serialize(output, format=ox.QueryResultsFormat.from_media_type(wanted))
    except MemoryError:
        return ("error", "memory", "the query needed more memory than this server allows")
    except Exception as exc:  # pyoxigraph reports a failing sink and evaluation errors alike
        if sink.exceeded:
            return ("error", "too-large", f"the result is larger than {max_bytes} bytes; narrow the query or add a LIMIT")
        return _failed(exc, sandboxed)
    kind = "triples" if triples else ("boolean" if isinstance(result, ox.QueryBoolean) else "solutions")
    return ("ok", kind, b"".join(sink.parts))


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
        self.store = ox.Store.read_only(store_dir)
        if self.federation is not None:
            self.federation.warm()

    def handle(self, message: tuple[str, dict[str, list[str]], str | None, str | None]) -> tuple[str, str, Any]:
        if self.refusal is not None:
            return ("error", "sandbox", self.refusal)
        if self.federation is not None:
            try:
                self.federation.check(message[0], self.allowed)
            except self.federation.Refused as refused:
                return ("error", refused.kind, refused.message)
            except MemoryError:
                return ("error", "memory", "checking the query needed more memory than this server allows")
        return answer(self.store, message, self.max_bytes, self.sandboxed)

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
