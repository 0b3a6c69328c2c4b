"""The query process of :mod:`coopld.web.runner`: reads pickled (query, options, media types of
the result formats) from stdin, answers pickled (status, kind, payload) on stdout, until stdin
closes. Run as a script, it imports only pyoxigraph, so it starts fast after a query it had to
stop; it is the only place public queries run."""

from __future__ import annotations

import pickle
import resource
import sys
from typing import IO, Any, cast

import pyoxigraph as ox


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


def answer(store: ox.Store, message: tuple[str, dict[str, list[str]], str | None, str | None],
           max_bytes: int) -> tuple[str, str, Any]:
    text, options, results_format, rdf_format = message
    kwargs: dict[str, Any] = {}
    if options.get("default_graph"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in options["default_graph"]]
    # else: the store's default graph, which the build made the union of all graphs
    if options.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in options["named_graphs"]]
    try:
        result = store.query(text, **kwargs)
    except MemoryError:
        return ("error", "memory", "the query needed more memory than this server allows")
    except SyntaxError as exc:
        return ("error", "syntax", f"the query does not parse: {exc}")
    except (ValueError, OSError) as exc:
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
        return ("error", "store", f"the query failed: {exc}")
    kind = "triples" if triples else ("boolean" if isinstance(result, ox.QueryBoolean) else "solutions")
    return ("ok", kind, b"".join(sink.parts))


def main() -> None:
    memory = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if memory:  # a query that wants more memory than this fails instead of starving the server
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    store = ox.Store.read_only(sys.argv[1])
    max_bytes = int(sys.argv[2])
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            message = pickle.load(source)
        except EOFError:
            return
        pickle.dump(answer(store, message, max_bytes), sink)
        sink.flush()


if __name__ == "__main__":
    main()
