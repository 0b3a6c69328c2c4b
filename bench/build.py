"""The build benchmark, in one command:

    .venv/bin/python -m bench.build                                   # 1,000 and 10,000 articles, owlrl at 1,000
    .venv/bin/python -m bench.build --sizes 100000 --baseline-size 0  # the largest size, on demand
    .venv/bin/python -m bench.build --sizes 50 --baseline-size 20     # a smoke run, about a minute

For each size N it writes N article texts (``bench.articles``: the seeds' format, templates of
our own) into a new folder and runs ``coopld build DIR --out OUT --records REC --jobs J`` as a
user does, as a subprocess, timing it from start to exit and sampling the memory of the build
and of every process under it; then it adds one new article to the folder and builds again
into the same OUT and REC, the time a publisher waits for one more report. In the same run it
builds ``--baseline-size`` articles with the reference reasoner owlrl (``COOPLD_REASONER=owlrl``)
instead of the rule tables, so the two are compared on the same machine at the same moment.
Every build runs a copy of the build's code taken when the run starts (``snapshot``; ``--live``
runs the checkout), so that editing the checkout during a run changes none of its builds.

Results go to ``bench/build-results/latest.json`` (and a dated copy); the table and the
acceptance targets of issue 11 are printed at the end. Ctrl-C or SIGTERM stops the build
being measured (its whole process group) before the benchmark exits.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rdflib import URIRef

from bench.articles import DEFAULT_SEED, GENERATOR_VERSION, Corpus, write_articles
from bench.generate import ROOT
from bench.run import _code_state, _version

RESULTS_DIR = Path(__file__).resolve().parent / "build-results"
#: seconds between two samples of the process tree's memory
SAMPLE_EVERY = 0.2
#: PSS is read every this many samples only: the kernel walks a process's page tables for it,
#: about 8 ms for a 300 MB process here, which at every sample would cost a tenth of a CPU
PSS_EVERY = 10
#: seconds between two progress lines passed on from a build
PROGRESS_EVERY = 30.0
MB = 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")

# The acceptance targets of issue 11.
RATE_SIZE, RATE_JOBS, RATE_MIN = 10_000, 2, 10.0  # articles per second of a full build
SCALING_MAX = 11.0                                 # time of 10× the articles, at most this many times
RSS_MAX_MB = 1024.0                                # peak RSS of the process tree
FLAT_MAX = 1.25  # "flat": the largest size's peak RSS at most this much over the smallest's
ADDED_SIZE, ADDED_MAX_S = 10_000, 5.0              # one article added to a build of this size

#: what a build runs and reads, copied at the start of a run (``snapshot``)
CODE_PARTS = ("coopld", "ontology", "mappings", "shapes")

PROGRESS = re.compile(r"coopld build: (\d+)/(\d+) articles done, (\d+) failed, ([\d.]+) s")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the memory of a process tree ------------------------------------------------------------
#
# Peak RSS is sampled from /proc rather than taken from getrusage(): RUSAGE_CHILDREN's ru_maxrss
# (and wait4()'s) is the largest RSS any *one* descendant reached, not the sum of the processes
# alive together, and with --jobs 2 a build is a parent and two worker processes at once (pebble
# forks them), so it would report about a third of what the machine holds while they work. The
# wait4() figure is not thrown away: it is the one peak no sample can miss (a process's own
# high-water mark), and one process can peak between two samples — the parent, at the end,
# after its workers have gone — so the peak reported is the larger of the two. Summed RSS counts
# the pages the forked workers still share copy-on-write with the parent once per process; PSS
# (shared pages divided among their sharers) is summed too, as the figure without that.


def process_tree(root: int) -> list[int]:
    """The process and all its living descendants, from every process's parent in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:  # it ended since the listing
            continue
        # the command name is in parentheses and may hold spaces: fields count from the last ')'
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """The peak of the summed RSS of a process tree, sampled every SAMPLE_EVERY seconds (and of
    its summed PSS, every PSS_EVERY samples)."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.stopped = threading.Event()
        self.peak_rss = self.peak_pss = self.peak_single = self.peak_processes = self.samples = 0
        #: CPU seconds the sampling itself took, which the machine did not give the build
        self.cpu_s = 0.0
        #: the machine's one-minute load average, read with PSS
        self.loads: list[float] = []

    def run(self) -> None:
        started = time.thread_time()
        while not self.stopped.is_set():
            self.sample()
            self.cpu_s = time.thread_time() - started
            self.stopped.wait(SAMPLE_EVERY)

    def sample(self) -> None:
        tree = process_tree(self.root)
        rss = [rss_bytes(pid) for pid in tree]
        self.peak_rss = max(self.peak_rss, sum(rss))
        self.peak_single = max(self.peak_single, max(rss))
        if self.samples % PSS_EVERY == 0:
            self.peak_pss = max(self.peak_pss, sum(pss_bytes(pid) for pid in tree))
            self.loads.append(os.getloadavg()[0])
        self.peak_processes = max(self.peak_processes, len(tree))
        self.samples += 1


# --- one build --------------------------------------------------------------------------------

@dataclass
class Build:
    """What one ``coopld build`` took and gave."""

    label: str
    articles: int
    reasoner: str
    kind: str  # "full": a new OUT and REC; "added": one more article into the OUT and REC of a full build
    exit_code: int = 0
    wall_s: float = 0.0
    #: the build's own clock when its last article was done (its progress line): the rest of the
    #: wall time is loading before, and assembling, dumps and store after
    articles_done_s: float | None = None
    #: the larger of the sampled sum and the largest single process: the least the tree held at once
    peak_rss_mb: float = 0.0
    #: the largest sum of the tree's RSS (and PSS) over the samples; the largest single process in them
    sampled_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0
    sampled_largest_mb: float = 0.0
    #: the largest single process's own peak (wait4's ru_maxrss), which no sample can miss
    largest_process_mb: float = 0.0
    peak_processes: int = 0
    samples: int = 0
    sampler_cpu_s: float = 0.0
    #: CPU seconds (user + system) of the build and the workers it waited for: what the work
    #: cost, less sensitive than the wall time to whatever else the machine runs
    cpu_s: float = 0.0
    #: the machine's one-minute load average when the build started, its mean and its maximum
    #: while the build ran (every 2 s): a build with --jobs 2 is a load of about 2 by itself, so
    #: on 2 CPUs a load well above that means something else competed for them
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    counts: dict[str, int] = field(default_factory=dict)
    failed_articles: int = 0
    log: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.wall_s if self.wall_s else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "articles_per_s": round(self.articles_per_s, 3)}


def coopld_command() -> list[str]:
    """The ``coopld`` script of this environment, as a user runs it (``python -m coopld`` without one)."""
    script = Path(sys.executable).with_name("coopld")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "coopld"]


class _Output(threading.Thread):
    """Copies a build's output to its log, and passes on a progress line every PROGRESS_EVERY seconds."""

    def __init__(self, stream: IO[str], path: Path, build: Build) -> None:
        super().__init__(daemon=True)
        self.stream, self.path, self.build = stream, path, build

    def run(self) -> None:
        last = time.monotonic()
        with self.path.open("w", encoding="utf-8") as out:
            for line in self.stream:
                out.write(line)
                match = PROGRESS.search(line)
                if not match:
                    continue
                done, total = int(match[1]), int(match[2])
                if done == total:
                    self.build.articles_done_s = float(match[4])
                if time.monotonic() - last >= PROGRESS_EVERY or done == total:
                    last = time.monotonic()
                    log(f"  {self.build.label}: {done:,}/{total:,} articles done, {match[3]} failed, {match[4]} s")


def run_build(build: Build, articles: Path, out: Path, records: Path, jobs: int, log_path: Path,
              code: Path | None = None) -> Build:
    """Run ``coopld build`` into ``out`` and measure it; ``build`` is filled in and returned.
    ``code``: a ``snapshot`` to build with (None: the checkout itself)."""
    env = {**os.environ, "COOPLD_REASONER": build.reasoner}
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [os.environ.get("PYTHONPATH")])])
        env["COOPLD_ROOT"] = str(code)
    command = [*coopld_command(), "build", str(articles), "--out", str(out), "--records", str(records), "--jobs", str(jobs)]
    # cwd: a folder without a coopld.toml, so only the command line and COOPLD_* say how to build;
    # a session of its own, so that stopping the benchmark can stop the build's whole process group
    load_before, written_after = os.getloadavg()[0], time.time()
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            cwd=log_path.parent, start_new_session=True)
    assert proc.stdout is not None
    sampler, output = TreeSampler(proc.pid), _Output(proc.stdout, log_path, build)
    sampler.start()
    output.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        _stop_group(proc)
        raise
    finally:
        sampler.stopped.set()
    build.wall_s = round(time.monotonic() - started, 2)
    loads = sampler.loads or [os.getloadavg()[0]]
    build.load = (round(load_before, 2), round(sum(loads) / len(loads), 2), round(max(loads), 2))
    build.cpu_s = round(usage.ru_utime + usage.ru_stime, 1)
    proc.returncode = build.exit_code = os.waitstatus_to_exitcode(status)
    sampler.join()
    output.join(timeout=30)
    proc.stdout.close()
    build.sampled_rss_mb = round(sampler.peak_rss / MB, 1)
    build.peak_pss_mb = round(sampler.peak_pss / MB, 1)
    build.sampled_largest_mb = round(sampler.peak_single / MB, 1)
    build.largest_process_mb = round(usage.ru_maxrss * 1024 / MB, 1)  # ru_maxrss is in KiB on Linux
    # a peak of one process shorter than the sampling interval (the parent's, at the end, when its
    # workers are gone) escapes the samples but not wait4: the tree held at least the larger
    build.peak_rss_mb = max(build.sampled_rss_mb, build.largest_process_mb)
    build.peak_processes, build.samples = sampler.peak_processes, sampler.samples
    build.sampler_cpu_s = round(sampler.cpu_s, 2)
    build.log = str(log_path)
    summary = out / "build.json"
    # only this build's: a build that published nothing leaves the last generation's in place
    if summary.is_file() and summary.stat().st_mtime >= written_after:
        data = json.loads(summary.read_text(encoding="utf-8"))
        build.counts, build.failed_articles = data.get("counts", {}), len(data.get("failed", []))
    return build


def _stop_group(proc: subprocess.Popen[str]) -> None:
    """Stop the build and its workers: SIGTERM to its process group, SIGKILL if it lingers."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                if os.waitpid(proc.pid, os.WNOHANG)[0]:
                    return
            except ChildProcessError:
                return
            time.sleep(0.1)


def published_article(out: Path, key: str) -> dict[str, Any]:
    """Whether an article is in the generation being served: listed in its build.json, and its
    graph in its store with the events and participations the build made of it."""
    from coopld import iris
    from coopld.store.embedded import EmbeddedStore
    from coopld.vocab import COOP

    data = json.loads((out / "build.json").read_text(encoding="utf-8"))
    listed = any(a["key"] == key for a in data["articles"])
    graph = URIRef(f"{data['base_iri']}graph/{iris.article(key)}")
    rows = EmbeddedStore(out / "store").select(
        f"PREFIX coop: <{COOP._NS}>\n"
        "SELECT ?g (COUNT(DISTINCT ?e) AS ?events) (COUNT(DISTINCT ?p) AS ?participations) "
        "WHERE { GRAPH ?g { ?e a coop:CooperationEvent . OPTIONAL { ?e coop:hasParticipation ?p } } } GROUP BY ?g",
        [{"g": graph}])
    events = int(str(rows[0]["events"])) if rows else 0
    participations = int(str(rows[0]["participations"])) if rows else 0
    return {"key": key, "listed_in_build_json": listed, "events_in_store": events,
            "participations_in_store": participations, "published": listed and events > 0}


# --- the run ----------------------------------------------------------------------------------

class Bench:
    """The builds of one run, in one working folder."""

    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.corpus = Corpus(args.seed)
        self.builds: list[Build] = []
        self.added: dict[int, dict[str, Any]] = {}
        self.generated_s: dict[str, float] = {}
        self.code_state = _code_state()
        self.code = None if args.live else snapshot(work / "code")
        self.code_digest = code_digest(self.code or ROOT)
        self.checkout_digest = code_digest(ROOT)

    def folder(self, name: str, size: int) -> Path:
        """A new folder of ``size`` articles (the first of the seed's corpus)."""
        folder = self.work / name
        started = time.monotonic()
        write_articles(folder / "articles", size, corpus=self.corpus)
        self.generated_s[name] = round(time.monotonic() - started, 2)
        log(f"{name}: wrote {size:,} articles in {self.generated_s[name]:.1f} s")
        return folder

    def build(self, label: str, folder: Path, size: int, reasoner: str, kind: str) -> Build:
        log(f"{label}: coopld build of {size:,} articles ({reasoner}, --jobs {self.args.jobs}) ...")
        build = run_build(Build(label, size, reasoner, kind), folder / "articles", folder / "out", folder / "records",
                          self.args.jobs, folder / f"{label}.log", self.code)
        self.builds.append(build)
        state = "ok" if build.ok else f"FAILED with exit status {build.exit_code}"
        log(f"{label}: {state} in {build.wall_s:.1f} s ({build.articles_per_s:.2f} articles/s, {build.cpu_s:.0f} CPU s, "
            f"load {build.load[1]:g} mean, {build.load[2]:g} max), peak RSS "
            f"{build.peak_rss_mb:,.0f} MB over {build.peak_processes} processes; {build.counts.get('events', 0):,} events, "
            f"{build.counts.get('participations', 0):,} participations")
        if not build.ok:
            print(_tail(Path(build.log)), file=sys.stderr)
        return build

    def size(self, size: int) -> None:
        """A full build of ``size`` articles, then the same with one article added."""
        folder = self.folder(f"{size}", size)
        full = self.build(f"build-{size}", folder, size, "rules", "full")
        if not full.ok:
            return
        added = self.corpus.article(size)  # article N of the seed's corpus: new to a folder of N
        (folder / "articles" / added.name).write_text(added.text, encoding="utf-8")
        log(f"build-{size}+1: added {added.name}")
        again = self.build(f"build-{size}+1", folder, size + 1, "rules", "added")
        if again.ok:
            from coopld.articles import article_key

            check = {"file": added.name, **published_article(folder / "out", article_key(Path(added.name)))}
            self.added[size] = check
            log(f"build-{size}+1: the added article is {'published' if check['published'] else 'NOT published'} "
                f"({check['events_in_store']} events, {check['participations_in_store']} participations in its graph)")

    def baseline(self, size: int) -> None:
        folder = self.folder(f"{size}-owlrl", size)
        self.build(f"owlrl-{size}", folder, size, "owlrl", "full")

    def run(self) -> None:
        sizes, baseline = sorted(set(self.args.sizes)), self.args.baseline_size
        if baseline and baseline not in sizes:
            self.baseline(baseline)
        for size in sizes:
            self.size(size)
            if size == baseline:  # next to the build it is compared with, under the same load of the machine
                self.baseline(baseline)


def snapshot(dest: Path) -> Path:
    """A copy of the build's code and data (``CODE_PARTS``) as they stand now. Every build of
    the run imports coopld from it (``PYTHONPATH``) and reads the ontology, mappings and shapes
    from it (``COOPLD_ROOT``): a run lasts an hour or more, and an edit to the checkout meanwhile
    — by whoever shares it — would otherwise make the builds of one run measure different code,
    and make the incremental build see changed inputs and build every article again."""
    for part in CODE_PARTS:
        shutil.copytree(ROOT / part, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    return dest


def code_digest(root: Path) -> str:
    """A digest of every file of ``CODE_PARTS`` under ``root``: what the builds ran."""
    digest = hashlib.sha256()
    for part in CODE_PARTS:
        for path in sorted((root / part).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith("."):
                digest.update(f"{path.relative_to(root)}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- the results ------------------------------------------------------------------------------

def _full(builds: list[Build], reasoner: str = "rules") -> dict[int, Build]:
    return {b.articles: b for b in builds if b.kind == "full" and b.reasoner == reasoner and b.ok}


def _target(name: str, value: float | None, shown: str, met: Callable[[float], bool], why_not: str = "") -> dict[str, Any]:
    status = "not measured" if value is None else "met" if met(value) else "NOT MET"
    return {"target": name, "value": value, "measured": shown if value is not None else why_not, "status": status}


def targets(builds: list[Build], added: dict[int, Build], jobs: int) -> list[dict[str, Any]]:
    """Issue 11's acceptance targets against what this run measured; a target the run's sizes
    or --jobs cannot show is "not measured", never met."""
    full = _full(builds)
    out = []
    rate = full.get(RATE_SIZE) if jobs == RATE_JOBS else None
    out.append(_target(f"≥ {RATE_MIN:g} articles/s, --jobs {RATE_JOBS}, {RATE_SIZE:,} articles",
                       rate.articles_per_s if rate else None, f"{rate.articles_per_s:.2f} articles/s" if rate else "",
                       lambda v: v >= RATE_MIN,
                       f"needs --sizes {RATE_SIZE} --jobs {RATE_JOBS}"))
    pairs = [(n, n * 10) for n in sorted(full) if n * 10 in full]
    for small, large in pairs or [(0, 0)]:
        ratio = full[large].wall_s / full[small].wall_s if small else None
        out.append(_target(f"10× the articles ≤ {SCALING_MAX:g}× the time" + (f" ({small:,} → {large:,})" if small else ""),
                           ratio, f"{ratio:.2f}×" if ratio else "", lambda v: v <= SCALING_MAX,
                           "needs two sizes 10× apart"))
    measured = [b for b in builds if b.ok and b.reasoner == "rules"]
    peak = max((b.peak_rss_mb for b in measured), default=None)
    out.append(_target(f"peak RSS ≤ {RSS_MAX_MB:,.0f} MB (every build)", peak, f"{peak:,.0f} MB" if peak else "",
                       lambda v: v <= RSS_MAX_MB))
    flat = None
    if len(full) >= 2:
        smallest, largest = full[min(full)], full[max(full)]
        flat = largest.peak_rss_mb / smallest.peak_rss_mb
    out.append(_target(f"peak RSS flat (largest size ≤ {FLAT_MAX:g}× the smallest's)", flat,
                       f"{flat:.2f}× ({min(full):,} → {max(full):,})" if flat else "", lambda v: v <= FLAT_MAX,
                       "needs two sizes"))
    one = added.get(ADDED_SIZE)
    out.append(_target(f"one added article ≤ {ADDED_MAX_S:g} s at {ADDED_SIZE:,} articles", one.wall_s if one else None,
                       f"{one.wall_s:.1f} s" if one else "", lambda v: v <= ADDED_MAX_S, f"needs --sizes {ADDED_SIZE}"))
    return out


def _size(mb: float) -> str:
    return f"{mb / 1024:.2f} GB" if mb >= 1024 else f"{mb:,.0f} MB"


def report(results: dict[str, Any]) -> str:
    """The table of the closing note (Markdown), and whether each target was met."""
    settings = results["settings"]
    added = {b["articles"] - 1: b for b in results["builds"] if b["kind"] == "added"}
    lines = ["", f"coopld build, --jobs {settings['jobs']}, on {settings['cpus']} CPUs; generated articles (bench.articles, "
             f"seed {settings['seed']}); wall time of the whole command, peak RSS summed over its process tree.", "",
             "| reasoner | articles | events | participations | wall time | CPU time | articles/s | peak RSS "
             "| one added article |",
             "|---|---|---|---|---|---|---|---|---|"]
    for b in results["builds"]:
        if b["kind"] != "full":
            continue
        plus = added.get(b["articles"]) if b["reasoner"] == "rules" else None
        status = "" if b["exit_code"] == 0 else f" (exit {b['exit_code']})"
        lines.append(f"| {b['reasoner']} | {b['articles']:,}{status} | {b['counts'].get('events', 0):,} | "
                     f"{b['counts'].get('participations', 0):,} | {b['wall_s']:,.1f} s | {b['cpu_s']:,.0f} s | "
                     f"{b['articles_per_s']:.2f} | "
                     f"{_size(b['peak_rss_mb'])} | " + (f"{plus['wall_s']:.1f} s" if plus else "–") + " |")
    for r in results["ratios"]:
        lines.append(f"\nAt {r['articles']:,} articles the rule reasoner's build ran {r['speedup']:.2f}× the articles/s of "
                     f"owlrl's (both measured in this run).")
    loads = ", ".join(f"{b['label']} {b['load'][1]:g} ({b['load'][2]:g})" for b in results["builds"])
    lines.append(f"\nLoad average (1 min) during each build, mean (max), on {settings['cpus']} CPUs: {loads}.")
    lines += ["", "| target (issue 11) | measured | status |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {t['status']} |" for t in results["targets"]]
    if results["checkout_changed_during_run"]:
        lines += ["", "The checkout changed during the run; " + ("the builds ran the snapshot taken at its start."
                                                                 if results["code"]["snapshot"] else
                                                                 "with --live, its builds may have run different code.")]
    if "run" in results:
        lines += ["", f"Run took {results['run']['seconds']:.0f} s."]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    output.write_text(text, encoding="utf-8")
    if output.name == "latest.json":
        stamp = results["run"]["started"].replace(":", "").replace("-", "").replace("+0000", "Z")
        sizes = "-".join(str(s) for s in results["settings"]["sizes"])
        (output.parent / f"{stamp}-{sizes}.json").write_text(text, encoding="utf-8")
    log(f"results: {output}")


def results_of(bench: Bench, args: argparse.Namespace) -> dict[str, Any]:
    builds = bench.builds
    added = {b.articles - 1: b for b in builds if b.kind == "added" and b.ok}
    rules, owlrl = _full(builds), _full(builds, "owlrl")
    ratios = [{"articles": n, "rules_articles_per_s": round(rules[n].articles_per_s, 3),
               "owlrl_articles_per_s": round(owlrl[n].articles_per_s, 3),
               "speedup": round(rules[n].articles_per_s / owlrl[n].articles_per_s, 3)}
              for n in sorted(set(rules) & set(owlrl))]
    with open("/proc/meminfo", encoding="ascii") as handle:
        memory = handle.readline().split()[1]
    return {
        "settings": {"sizes": sorted(set(args.sizes)), "jobs": args.jobs, "seed": args.seed,
                     "baseline_size": args.baseline_size, "generator": GENERATOR_VERSION, "cpus": os.cpu_count(),
                     "sample_every_s": SAMPLE_EVERY, "command": coopld_command()[0]},
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "memory_kb": int(memory)},
        "versions": {name: _version(name) for name in ("rdflib", "pyoxigraph", "pyshacl", "owlrl", "spacy", "pebble")},
        # the commit and the files changed from it when the run started, the digest of what the
        # builds ran (a snapshot of the checkout then, unless --live) and whether the checkout
        # has changed since: with --live, the builds of the run may then have run different code
        "code": {**bench.code_state, "digest": bench.code_digest, "snapshot": bench.code is not None},
        "checkout_changed_during_run": code_digest(ROOT) != bench.checkout_digest,
        "generated_s": bench.generated_s,
        "builds": [b.to_json() for b in builds],
        "added_article": {str(k): v for k, v in bench.added.items()},
        "ratios": ratios,
        "targets": targets(builds, added, args.jobs),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000], help="articles per full build")
    parser.add_argument("--jobs", type=int, default=2, help="coopld build --jobs")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated articles")
    parser.add_argument("--baseline-size", type=int, default=1_000,
                        help="articles of the same build with owlrl, in the same run (0: none)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json")
    parser.add_argument("--keep", action="store_true", help="keep the generated articles, records and builds")
    parser.add_argument("--live", action="store_true",
                        help="build with the checkout itself, not with a copy of its code taken at the start")
    args = parser.parse_args(argv)
    if min(args.sizes) < 1 or args.baseline_size < 0 or args.jobs < 1:
        parser.error("sizes and --jobs must be positive, --baseline-size 0 or more")

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    started, started_at = time.monotonic(), datetime.now(UTC)
    keep = tempfile.mkdtemp(prefix="coopld-bench-build-") if args.keep else None
    with tempfile.TemporaryDirectory(prefix="coopld-bench-build-") as tmp:
        work = Path(keep or tmp)
        bench = Bench(args, work)
        try:
            bench.run()
        except KeyboardInterrupt:
            log("interrupted: the build being measured was stopped")
            return 130
        finally:
            if keep:
                log(f"kept: {keep}")
        results = results_of(bench, args)
    results["run"] = {"started": started_at.isoformat(timespec="seconds"), "seconds": round(time.monotonic() - started, 1),
                      "command": "python -m bench.build " + " ".join(sys.argv[1:] if argv is None else argv)}
    write(results, args.output)
    print(report(results))
    failed = [b.label for b in bench.builds if not b.ok]
    if failed:
        log(f"failed builds: {', '.join(failed)} (their logs: {'kept' if keep else 'removed'}; run with --keep to read them)")
    unpublished = [size for size, check in bench.added.items() if not check["published"]]
    return 1 if failed or unpublished else 0


if __name__ == "__main__":
    sys.exit(main())
