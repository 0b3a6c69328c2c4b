"""Real SPARQL servers for tests and benchmarks: Virtuoso 7.2 (Debian's virtuoso-opensource,
`virtuoso-t` and `isql-vt`) and the Oxigraph server (the `oxigraph` CLI from PyPI), each started
on free 127.0.0.1 ports with a fresh data directory under the folder the caller gives, waited for
until it answers a SPARQL ASK, and stopped at the end (terminated, then killed if it lingers).

    with virtuoso(tmp_path) as ep:        # or oxigraph_server(tmp_path)
        requests.put(ep.graph_store, params={"graph": g}, data=nt, auth=ep.requests_auth(),
                     headers={"Content-Type": "application/n-triples"})
        requests.get(ep.query, params={"query": "ASK {}"})

Only the standard library (and requests, for `requests_auth`) is used, so the same managers
serve pytest fixtures and the benchmark scripts.

Virtuoso is set up the way a publisher would run it: anyone may query `/sparql`; updates
(`/sparql-auth`, SPARQL 1.1 Update) and graph writes (`/sparql-graph-crud-auth`, the Graph Store
Protocol) need HTTP *digest* authentication as a user holding the SPARQL_UPDATE role (dba with
the password given, or a user of its own that this module creates). Basic authentication is
refused there (401). `anonymous_update=True` instead lets everyone write through `/sparql` and
`/sparql-graph-crud`, for tests that want no credentials.

The Oxigraph server has no authentication: `/query`, `/update` and `/store`.

Virtuoso 7.2.5 traps measured with these servers (see the notes that came with this file):
POST with `Content-Type: application/sparql-query` never answers (use GET or a form POST);
one INSERT DATA takes at most ~4,990 triples and a request ~1,450 triples unless it starts with
`define sql:big-data-const 1`, and no request body may pass 10 MB; a multi-operation update or a
GSP PUT is not atomic for concurrent readers; results past ResultSetMaxRows are cut silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DEFAULT_DBA_PASSWORD",
    "RemoteEndpoints",
    "free_port",
    "isql",
    "oxigraph_available",
    "oxigraph_binary",
    "oxigraph_server",
    "virtuoso",
    "virtuoso_available",
]

DEFAULT_DBA_PASSWORD = "coopld-dba-secret"
STARTUP_TIMEOUT_S = 60.0  # a fresh Virtuoso database answers in ~2 s here, Oxigraph in ~0.2 s
STOP_TIMEOUT_S = 10.0
START_ATTEMPTS = 3  # a free port can be taken by someone else before the server binds it


@dataclass(frozen=True)
class RemoteEndpoints:
    """Where a running SPARQL server answers, and the credentials its writes need."""

    query: str  # SPARQL 1.1 Protocol query endpoint (GET ?query=, or POST form query=)
    update: str  # SPARQL 1.1 Update endpoint (POST application/sparql-update, or form update=)
    graph_store: str  # SPARQL 1.1 Graph Store HTTP Protocol endpoint (?graph=<iri>)
    user: str | None
    password: str | None
    auth: Literal["digest", "basic"] | None
    name: Literal["virtuoso", "oxigraph"]
    # For diagnostics and set-up, not compared: the server's data folder, log, process and SQL port
    data_dir: Path | None = field(default=None, compare=False)
    log: Path | None = field(default=None, compare=False)
    pid: int | None = field(default=None, compare=False)
    sql_port: int | None = field(default=None, compare=False)  # Virtuoso's isql port

    def requests_auth(self) -> Any:
        """The `auth=` argument for requests: digest or basic credentials, or None."""
        if self.auth is None or self.user is None:
            return None
        import requests.auth

        if self.auth == "digest":
            return requests.auth.HTTPDigestAuth(self.user, self.password or "")
        return requests.auth.HTTPBasicAuth(self.user, self.password or "")

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines) if self.log else ""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _logs(*paths: Path) -> str:
    parts = []
    for p in paths:
        t = _tail(p)
        if t:
            parts.append(f"--- last lines of {p}:\n{t}")
    return "\n".join(parts)


# Proxies never apply: everything here is on 127.0.0.1.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _answers_ask(query_url: str, timeout: float = 5.0) -> tuple[bool, str]:
    url = query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with _opener.open(req, timeout=timeout) as resp:
            body = resp.read(2000)
            return resp.status == 200, f"HTTP {resp.status}: {body[:200]!r}"
    except urllib.error.HTTPError as e:
        return False, f"HTTP {e.code}"
    except (OSError, ValueError) as e:
        return False, repr(e)


def _stop(proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_S) -> None:
    """Terminate the server (its own process group), wait, then kill it."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
        return
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


class _PortTaken(RuntimeError):
    """The server exited at once because its port was taken in the meantime."""


_PORT_TAKEN_MARKS = ("Address already in use", "Failed to start listening")


def _start(
    argv: Sequence[str], *, cwd: Path, log: Path, query_url: str, what: str, timeout: float, extra_logs: Sequence[Path] = ()
) -> subprocess.Popen[bytes]:
    """Start argv (output to log) and wait until query_url answers ASK with 200; on failure the
    process is stopped and RuntimeError raised with the end of its logs."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(argv), cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                logs = _logs(log, *extra_logs)
                kind = _PortTaken if any(m in logs for m in _PORT_TAKEN_MARKS) else RuntimeError
                raise kind(f"{what} exited with status {proc.returncode} before answering at {query_url}\n{logs}")
            ok, last = _answers_ask(query_url)
            if ok:
                return proc
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{what} did not answer ASK at {query_url} within {timeout:g} s (last: {last})\n" + _logs(log, *extra_logs)
                )
            time.sleep(0.2)
    except BaseException:
        _stop(proc)
        raise


def _with_retries(attempt: Callable[[], tuple[subprocess.Popen[bytes], Any]]) -> tuple[subprocess.Popen[bytes], Any]:
    for i in range(START_ATTEMPTS):
        try:
            return attempt()
        except _PortTaken:
            if i == START_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------------------------
# Virtuoso


def _virtuoso_t() -> str | None:
    return shutil.which("virtuoso-t")


def _isql() -> str | None:
    return shutil.which("isql-vt") or shutil.which("isql-v")


def virtuoso_available() -> bool:
    """Whether Debian's virtuoso-opensource (virtuoso-t and isql-vt) is installed."""
    return _virtuoso_t() is not None and _isql() is not None


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _virtuoso_ini(
    data: Path,
    *,
    sql_port: int,
    http_port: int,
    number_of_buffers: int,
    max_query_execution_time: int,
    result_set_max_rows: int,
    max_query_mem: str,
) -> str:
    vsp = Path("/var/lib/virtuoso-opensource-7/vsp")  # Debian's static start page; any folder will do
    server_root = vsp if vsp.is_dir() else data
    # No VADInstallDir: the Conductor is not installed (saves ~5 s and 100 MB); no [Plugins].
    return textwrap.dedent(
        f"""\
        ; generated by tests/remote_stores.py: everything in {data}, listening on 127.0.0.1 only
        [Database]
        DatabaseFile       = {data}/virtuoso.db
        ErrorLogFile       = {data}/virtuoso.log
        LockFile           = {data}/virtuoso.lck
        TransactionFile    = {data}/virtuoso.trx
        xa_persistent_file = {data}/virtuoso.pxa
        ErrorLogLevel      = 7
        FileExtend         = 200
        MaxCheckpointRemap = 2000
        Striping           = 0
        TempStorage        = TempDatabase

        [TempDatabase]
        DatabaseFile       = {data}/virtuoso-temp.db
        TransactionFile    = {data}/virtuoso-temp.trx
        MaxCheckpointRemap = 2000
        Striping           = 0

        [Parameters]
        ServerPort           = 127.0.0.1:{sql_port}
        DisableUnixSocket    = 1
        DisableTcpSocket     = 0
        MaxClientConnections = 8
        CheckpointInterval   = 60
        O_DIRECT             = 0
        CaseMode             = 2
        MaxStaticCursorRows  = 5000
        AllowOSCalls         = 0
        SchedulerInterval    = 10
        DirsAllowed          = ., {data}
        ThreadCleanupInterval    = 0
        ThreadThreshold      = 10
        ResourcesCleanupInterval = 0
        FreeTextBatchSize    = 100000
        SingleCPU            = 0
        PrefixResultNames    = 0
        RdfFreeTextRulesSize = 100
        IndexTreeMaps        = 64
        MaxMemPoolSize       = 40000000
        MaxQueryMem          = {max_query_mem}
        VectorSize           = 1000
        MaxVectorSize        = 1000000
        AdjustVectorSize     = 0
        ThreadsPerQuery      = 2
        AsyncQueueMaxThreads = 4
        ; 8 KB pages: {number_of_buffers} buffers = {number_of_buffers * 8 // 1024} MB of page cache
        NumberOfBuffers      = {number_of_buffers}
        MaxDirtyBuffers      = {number_of_buffers * 3 // 4}

        [HTTPServer]
        ServerPort           = 127.0.0.1:{http_port}
        ServerRoot           = {server_root}
        MaxClientConnections = 8
        DavRoot              = DAV
        EnabledDavVSP        = 0
        HTTPProxyEnabled     = 0
        TempASPXDir          = 0
        ServerThreads        = 8
        MaxKeepAlives        = 8
        KeepAliveTimeout     = 10
        HTTPThreadSize       = 280000
        HttpPrintWarningsInOutput = 0
        Charset              = UTF-8
        EnabledGzipContent   = 0

        [AutoRepair]
        BadParentLinks = 0

        [Client]
        SQL_PREFETCH_ROWS  = 100
        SQL_PREFETCH_BYTES = 16000
        SQL_QUERY_TIMEOUT  = 0
        SQL_TXN_TIMEOUT    = 0

        [URIQA]
        DynamicLocal = 0
        DefaultHost  = 127.0.0.1:{http_port}

        [SPARQL]
        ; Rows past ResultSetMaxRows are cut off without any sign. A query running longer than
        ; MaxQueryExecutionTime seconds fails (500, SR171) or, with the request's timeout=<ms>,
        ; returns what it has so far (200 with X-SQL-State: S1TAT).
        ResultSetMaxRows           = {result_set_max_rows}
        MaxQueryCostEstimationTime = 400
        MaxQueryExecutionTime      = {max_query_execution_time}
        DeferInferenceRulesInit    = 0
        """
    )


def isql(server: RemoteEndpoints | int, sql: str, *, password: str, user: str = "dba", timeout: float = 60) -> str:
    """Run SQL statements through isql-vt against a Virtuoso's SQL port; raise on any error."""
    port = server if isinstance(server, int) else server.sql_port
    if port is None:
        raise ValueError(f"{server} has no SQL port")
    exe = _isql()
    if exe is None:
        raise RuntimeError("isql-vt not found (Debian package virtuoso-opensource-7-bin)")
    done = subprocess.run(
        [exe, f"127.0.0.1:{port}", user, password, "VERBOSE=OFF", "BANNER=OFF", "ERRORS=STDOUT"],
        input=sql.encode("utf-8"),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    out = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    if done.returncode != 0 or "*** Error" in out:
        raise RuntimeError(f"isql-vt failed (status {done.returncode}):\n{out}")
    return out


@contextmanager
def virtuoso(
    workdir: Path,
    *,
    password: str = DEFAULT_DBA_PASSWORD,
    user: str = "dba",
    user_password: str | None = None,
    anonymous_update: bool = False,
    hide_system_graphs: bool = False,
    host_default_graph: str | None = None,
    max_query_execution_time: int = 60,
    result_set_max_rows: int = 1_000_000,
    number_of_buffers: int = 20_000,
    max_query_mem: str = "512M",
    startup_timeout: float = STARTUP_TIMEOUT_S,
) -> Iterator[RemoteEndpoints]:
    """A fresh Virtuoso 7.2 on free 127.0.0.1 ports, its database in a new folder under workdir.

    dba's password becomes `password`. Writes need digest authentication as `user` (dba, or a
    user created here with `user_password` and the SPARQL_UPDATE role) at /sparql-auth and
    /sparql-graph-crud-auth; with `anonymous_update` everyone may write at /sparql and
    /sparql-graph-crud, and the endpoints carry no credentials.

    A query without a dataset reads every graph, Virtuoso's own included (about 2,500 triples),
    a triple once per graph holding it. `hide_system_graphs` keeps Virtuoso's own graphs out of
    the default graph and GRAPH ?g. `host_default_graph` instead makes that one graph the default
    graph of every query without a dataset, and the target of the Graph Store Protocol's
    `?default`, which otherwise fails (500); a FROM is then added to it, not put in its place.
    `max_query_execution_time` (s) and `result_set_max_rows` go to the ini's [SPARQL] section.
    """
    exe = _virtuoso_t()
    if exe is None or _isql() is None:
        raise RuntimeError("virtuoso-t / isql-vt not found: apt-get install virtuoso-opensource")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    def attempt() -> tuple[subprocess.Popen[bytes], tuple[Path, int, int]]:
        data = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=workdir)).resolve()
        sql_port = free_port()
        http_port = free_port()
        while http_port == sql_port:
            http_port = free_port()
        ini = data / "virtuoso.ini"
        ini.write_text(
            _virtuoso_ini(
                data,
                sql_port=sql_port,
                http_port=http_port,
                number_of_buffers=number_of_buffers,
                max_query_execution_time=max_query_execution_time,
                result_set_max_rows=result_set_max_rows,
                max_query_mem=max_query_mem,
            ),
            encoding="utf-8",
        )
        proc = _start(
            [exe, "+foreground", "+configfile", str(ini)],
            cwd=data,
            log=data / "server.log",
            query_url=f"http://127.0.0.1:{http_port}/sparql",
            what="virtuoso-t",
            timeout=startup_timeout,
            extra_logs=[data / "virtuoso.log"],
        )
        return proc, (data, sql_port, http_port)

    proc, (data, sql_port, http_port) = _with_retries(attempt)
    try:
        base = f"http://127.0.0.1:{http_port}"
        log = data / "server.log"
        # A new database has dba/dba: set the password given, and the writers' rights.
        statements = [f"USER_SET_PASSWORD('dba', {_sql_string(password)});"]
        if user != "dba":
            statements.append(f"DB.DBA.USER_CREATE({_sql_string(user)}, {_sql_string(user_password or password)});")
            statements.append(f'GRANT SPARQL_UPDATE TO "{user}";')
        if hide_system_graphs or host_default_graph:
            # One DB.DBA.SYS_SPARQL_HOST row for every Host header ('%'): its defines go before every
            # query of /sparql and /sparql-auth; its graph becomes their default graph and the GSP's ?default.
            defines = ""
            if hide_system_graphs:
                system = [
                    "http://www.openlinksw.com/schemas/virtrdf#",
                    "http://www.w3.org/ns/ldp#",
                    f"{base}/sparql",
                    f"{base}/DAV/",
                ]
                defines = " ".join(
                    f"define input:default-graph-exclude <{g}> define input:named-graph-exclude <{g}>" for g in system
                )
            graph = _sql_string(host_default_graph) if host_default_graph else "NULL"
            statements.append(
                "insert into DB.DBA.SYS_SPARQL_HOST (SH_HOST, SH_GRAPH_URI, SH_DEFINES) "
                f"values ('%', {graph}, {_sql_string(defines) if defines else 'NULL'});"
            )
        if anonymous_update:
            statements.append('GRANT SPARQL_UPDATE TO "SPARQL";')
            statements.append("DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 7);")
        try:
            isql(sql_port, "\n".join(statements) + "\n", password="dba")
        except RuntimeError as e:
            raise RuntimeError(f"{e}\n{_logs(log)}") from None
        writer = user if not anonymous_update else None
        yield RemoteEndpoints(
            query=f"{base}/sparql",
            update=f"{base}/sparql" if anonymous_update else f"{base}/sparql-auth",
            graph_store=f"{base}/sparql-graph-crud" if anonymous_update else f"{base}/sparql-graph-crud-auth",
            user=writer,
            password=None if writer is None else (password if user == "dba" else (user_password or password)),
            auth=None if writer is None else "digest",
            name="virtuoso",
            data_dir=data,
            log=log,
            pid=proc.pid,
            sql_port=sql_port,
        )
    finally:
        _stop(proc)


# --------------------------------------------------------------------------------------------
# Oxigraph


def oxigraph_binary() -> str | None:
    """The `oxigraph` CLI (PyPI package oxigraph) of this virtualenv, else the one on PATH."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("oxigraph")


def oxigraph_available() -> bool:
    return oxigraph_binary() is not None


@contextmanager
def oxigraph_server(
    workdir: Path,
    *,
    union_default_graph: bool = False,
    timeout_s: int | None = None,
    location: Path | None = None,
    read_only: bool = False,
    cors: bool = False,
    startup_timeout: float = STARTUP_TIMEOUT_S,
) -> Iterator[RemoteEndpoints]:
    """`oxigraph serve` on a free 127.0.0.1 port with a fresh store in a new folder under workdir.

    `location` serves an existing store instead (with `read_only`, through `serve-read-only`,
    which refuses updates and graph store writes). `union_default_graph` (--union-default-graph)
    makes every query read the union of all graphs as its default graph, one row per graph holding
    a triple, and then ignores a query's FROM (the default-graph-uri parameter still applies).
    `timeout_s` (--timeout-s) cancels long queries, but only where evaluation checks for it.
    """
    exe = oxigraph_binary()
    if exe is None:
        raise RuntimeError("the oxigraph CLI is missing: pip install 'oxigraph>=0.5,<0.6'")
    if read_only and location is None:
        raise ValueError("read_only needs the location of an existing store")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    def attempt() -> tuple[subprocess.Popen[bytes], tuple[Path, Path, int]]:
        run_dir = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=workdir)).resolve()
        store = Path(location).resolve() if location is not None else run_dir / "store"
        port = free_port()
        argv = [exe, "serve-read-only" if read_only else "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
        if union_default_graph:
            argv.append("--union-default-graph")
        if timeout_s is not None:
            argv += ["--timeout-s", str(int(timeout_s))]
        if cors:
            argv.append("--cors")
        proc = _start(
            argv,
            cwd=run_dir,
            log=run_dir / "server.log",
            query_url=f"http://127.0.0.1:{port}/query",
            what="oxigraph serve",
            timeout=startup_timeout,
        )
        return proc, (run_dir, store, port)

    proc, (run_dir, store, port) = _with_retries(attempt)
    try:
        base = f"http://127.0.0.1:{port}"
        yield RemoteEndpoints(
            query=f"{base}/query",
            update=f"{base}/update",
            graph_store=f"{base}/store",
            user=None,
            password=None,
            auth=None,
            name="oxigraph",
            data_dir=store,
            log=run_dir / "server.log",
            pid=proc.pid,
        )
    finally:
        _stop(proc)
