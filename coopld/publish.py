"""Publishing a build as one generation, switched in by a single pointer.

A build folder holds every published generation side by side and one symbolic link that
names the one being served::

    build/
      current -> generations/20261201T213000Z-4f1c2a    the pointer: one rename switches it
      generations/<id>/   dumps, store/, build.json, validation-report.ttl, parts/ (one file per article)
      generations/.staging-<id>/                         a build under way (never served)
      rejected/validation-report.ttl                     the report of the last build the shapes stopped
      coopld.nq -> current/coopld.nq, store -> current/store, build.json -> …   fixed links through
                                                          ``current``, for people and scripts

A build writes a complete generation into a staging folder beside the live one, renames it
into place, then replaces ``current`` with ``rename(2)``, which is atomic: a reader sees the old
generation or the new one, whole, and a build killed at any point leaves the generation being
served untouched. The fixed links all go through ``current``, so they switch with it.

Readers (the web server and its query processes) hold a shared ``flock`` on the generation they
use; old generations are removed only when nobody holds one, so a server that has not yet moved
to the new generation keeps a complete one under its feet.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coopld.errors import StoreError

CURRENT = "current"
GENERATIONS = "generations"
REJECTED = "rejected"
STAGING_PREFIX = ".staging-"
TRASH_PREFIX = ".trash-"
LOCK = ".lock"
BUILD_LOCK = ".build.lock"
#: names in the build folder that lead through ``current`` into the generation being served
LINKED = ("build.json", "coopld.trig", "coopld.nq", "coopld.ttl", "coopld.nt.gz", "coopld.jsonld",
          "validation-report.ttl", "store")


def checkpoint(stage: str) -> None:
    """Where the crash tests stop a build: ``COOPLD_KILL_AT=<stage>`` kills the build at that
    point with SIGKILL, as the OOM killer or a power cut would, with no chance to tidy up.
    Stages, in order: articles, dumps, store, listing, renamed, switched."""
    if os.environ.get("COOPLD_KILL_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def generation_id() -> str:
    """A name that says when the build started and never repeats, even for two builds in the
    same second."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


def current_generation(out: Path) -> Path | None:
    """The folder of the generation being served, or None if nothing was published yet."""
    try:
        target = os.readlink(out / CURRENT)
    except OSError:
        return None
    path = (out / target) if not os.path.isabs(target) else Path(target)
    return path if path.is_dir() else None


class Lease:
    """A shared lock on one generation: while it is held, no build removes that generation."""

    def __init__(self, generation: Path) -> None:
        self.generation = generation
        self._fd: int | None = os.open(generation / LOCK, os.O_RDONLY | os.O_CLOEXEC)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def lease_current(out: Path, attempts: int = 20) -> Lease:
    """A lease on the generation being served. A build may switch and clean up between reading
    the pointer and taking the lock, so the lease is checked to still be on a whole generation,
    and taken again otherwise."""
    for _ in range(attempts):
        generation = current_generation(out)
        if generation is None:
            if (out / "store").is_dir() and not (out / CURRENT).exists():
                raise StoreError("this build folder was written by an older coopld; run 'coopld build' again", path=out)
            raise StoreError("nothing is published here; run 'coopld build' first", path=out)
        try:
            lease = Lease(generation)
        except FileNotFoundError:
            continue  # removed since we read the pointer: read it again
        if (generation / "build.json").is_file():
            return lease
        lease.release()
    raise StoreError("the published generation keeps changing under the server; try again", path=out)


class Publisher:
    """One build's way into the build folder: a staging generation, then either the switch or
    nothing at all. Only one build writes to a folder at a time."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.generations = out / GENERATIONS
        self.id = generation_id()
        self.staging = self.generations / (STAGING_PREFIX + self.id)
        self.previous = current_generation(out)
        self._lock_fd: int | None = None
        self.published: Path | None = None

    def __enter__(self) -> Publisher:
        self.generations.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out / BUILD_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise StoreError("another build is writing to this folder; wait for it to finish", path=self.out) from exc
        self._lock_fd = fd
        self._remove_leftovers()
        self.staging.mkdir()
        (self.staging / LOCK).touch()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.published is None:
            shutil.rmtree(self.staging, ignore_errors=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def commit(self) -> Path:
        """Make the staging generation the one served: rename it into place, then switch the
        pointer. Each step is one rename; before the second the old generation is still served."""
        final = self.generations / self.id
        os.rename(self.staging, final)
        _fsync_dir(self.generations)
        checkpoint("renamed")
        link = self.out / f".{CURRENT}.{self.id}"
        os.symlink(os.path.join(GENERATIONS, self.id), link)
        os.replace(link, self.out / CURRENT)
        _fsync_dir(self.out)
        self.published = final
        checkpoint("switched")
        self._link_names()
        self.clean()
        return final

    def reject(self, name: str, data: bytes) -> Path:
        """Keep the report of a build the shapes stopped where people look for it, without
        touching the generation being served or its listing."""
        folder = self.out / REJECTED
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        tmp = folder / f".{name}.{self.id}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return path

    def _link_names(self) -> None:
        """The fixed links through ``current``; a real file left by an older coopld is replaced."""
        for name in LINKED:
            path = self.out / name
            target = os.path.join(CURRENT, name)
            if path.is_symlink() and os.readlink(path) == target:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
            tmp = self.out / f".{name}.{self.id}.link"
            os.symlink(target, tmp)
            os.replace(tmp, path)

    def _remove_leftovers(self) -> None:
        """Staging and trash folders of builds that were killed: with the build lock held, no
        other build is using them."""
        for path in self.generations.iterdir():
            if path.name.startswith((STAGING_PREFIX, TRASH_PREFIX)):
                shutil.rmtree(path, ignore_errors=True)
        for path in self.out.glob(f".{CURRENT}.*"):
            path.unlink(missing_ok=True)

    def clean(self) -> list[str]:
        """Remove the generations nobody needs: not the current one, not the one it replaced
        (servers may still be on it, and a person may want to go back), and none that a reader
        holds a lease on."""
        keep = {p.name for p in (current_generation(self.out), self.previous) if p is not None}
        removed = []
        for path in sorted(self.generations.iterdir()):
            if path.is_dir() and not path.name.startswith(".") and path.name not in keep and _remove_unleased(path):
                removed.append(path.name)
        return removed


def _remove_unleased(generation: Path) -> bool:
    """Remove a generation if no reader holds a lease on it (a lease blocks the exclusive lock)."""
    try:
        fd = os.open(generation / LOCK, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False  # not a generation this module wrote: leave it to a person
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        trash = generation.with_name(TRASH_PREFIX + generation.name)
        os.rename(generation, trash)  # out of sight first, so nobody leases a half-removed one
        shutil.rmtree(trash, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def leased(out: Path) -> Iterator[Path]:
    """The generation being served, held for the duration of a block (for commands that read it)."""
    lease = lease_current(out)
    try:
        yield lease.generation
    finally:
        lease.release()
