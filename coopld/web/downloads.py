"""``/downloads/``: every dump of the build, with size and checksum, and the JSON-LD context.

Over the embedded store the dumps are the build's files. Over a remote store there are no files
here, unless this server has the build that was loaded (``COOPLD_BUILD``, the same version):
then its files are sent. Otherwise the dumps are written from the store's graphs by the build's own writer
(``coopld.dumps``), once per version, into a folder of this server's
(``COOPLD_DOWNLOADS_CACHE``), and listed with their own sizes and checksums (the store names
blank nodes its own way, so the bytes may differ from the build's files)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, send_from_directory
from rdflib import Graph, URIRef

from coopld.dumps import DUMPS, write_dumps
from coopld.spool import spool_lines
from coopld.web.errors import NotFound
from coopld.web.generation import Generation, generation

bp = Blueprint("downloads", __name__)

_LOCK = threading.Lock()


def available(found: Generation) -> dict[str, dict[str, object]]:
    """The dumps this server sends for a generation, by name: media type, bytes, SHA-256."""
    dumps: dict[str, dict[str, object]] = found.summary["dumps"]
    if found.dumps is not None and all((found.dumps / name).is_file() for name in dumps):
        return dumps
    listed: dict[str, dict[str, object]] | None = found.cache.get("written_dumps")
    if listed is None:  # the files do not change within a version: hashed once
        folder = _remote_dumps(found)
        listed = {name: {"media_type": DUMPS[name][0], "bytes": (folder / name).stat().st_size,
                         "sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest()}
                  for name in sorted(dumps) if (folder / name).is_file()}
        found.cache["written_dumps"] = listed
    return listed


#: the licence of the data (as the VoID description says)
LICENCE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")


def size_for_people(count: int) -> str:
    """1,323,253 -> "1.3 MB" (decimal units, as file managers show them)."""
    value = float(count)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value):,} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{count:,} bytes"


def files_for_people(found: Generation) -> list[dict[str, object]]:
    """Each file as the downloads page and the VoID page list it: its size in words and what it holds."""
    return [{"name": name, "media_type": info["media_type"], "bytes": info["bytes"],
             "size": size_for_people(int(str(info["bytes"]))), "sha256": info["sha256"],
             "description": DUMPS[name][1] if name in DUMPS else ""}
            for name, info in sorted(available(found).items())]


@bp.route("/downloads/")
def listing() -> str:
    found = generation()
    return render_template("downloads.html", dumps=files_for_people(found), counts=found.summary.get("counts", {}),
                           published=found.modified.strftime("%d %B %Y, %H:%M UTC").lstrip("0"), licence=LICENCE)


@bp.route("/downloads/<name>")
def dump(name: str) -> Response:
    found = generation()
    dumps = available(found)
    if name not in dumps:
        raise NotFound(f"no download named {name!r}; see /downloads/")
    info = dumps[name]
    local = found.dumps is not None and (found.dumps / name).is_file()
    folder = found.dumps if local and found.dumps is not None else _remote_dumps(found)
    # from the generation this request is answered from: the file always matches the listing
    return send_from_directory(folder, name, mimetype=str(info["media_type"]), max_age=300, etag=str(info["sha256"]))


def _remote_dumps(found: Generation) -> Path:
    """The folder of a remote generation's dumps, written on first use (by whichever process
    of this server comes first: the folder appears whole, by one rename)."""
    cache = Path(current_app.config.get("COOPLD_DOWNLOADS_CACHE") or Path(tempfile.gettempdir()) / "coopld-downloads")
    folder = cache / found.version
    with _LOCK:
        if folder.is_dir():
            return folder
        cache.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(dir=cache, prefix=".partial-"))
        try:
            spool = partial / ".graphs.sp"  # the store's graphs, one at a time, in the build's spool format
            with spool.open("wb") as out:
                for name in found.store.named_graphs():
                    graph = Graph()
                    for triple in found.store.graph(name):
                        graph.add(triple)
                    out.write(spool_lines(URIRef(name), graph.serialize(format="nt")))
            settings = current_app.config["COOPLD_SETTINGS"]
            write_dumps([spool], partial, report_graph=URIRef(settings.graph_base + "validation-report"),
                        context=current_app.extensions["coopld_context"], work=partial / ".work")
            spool.unlink()
            shutil.rmtree(partial / ".work", ignore_errors=True)
            partial.rename(folder)
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
            if not folder.is_dir():  # another process did not win the race either
                raise
    return folder


@bp.route("/context.jsonld")
def context() -> Response:
    settings = current_app.config["COOPLD_SETTINGS"]
    return send_from_directory(settings.mappings_dir, "context.jsonld", mimetype="application/ld+json", max_age=3600)
