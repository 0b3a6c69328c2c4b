"""Records on disk: one JSON-LD file per article in ``data/records/``, written by the extractor
and correctable by hand.

Each record carries, under the key ``_coopld`` (not a term of the context, so JSON-LD ignores
it), the SHA-256 of the article it came from and of the record as the extractor wrote it. A
record whose content no longer matches that digest has been corrected by a person: the build
keeps it as it is on every later run, and says so when its article has changed since.

Review notes (the record's "reviewNote" list) say what the extractor could not settle. A note
is open — listed by the build, shown on the pages as "To check" — until a person clears it in
the record: by deleting it, or by adding ``"reviewed": true`` to it (the note is then kept as
the record of that check, and listed as reviewed). Either edit makes the record curated, so the
extractor never writes the note back. Notes a person left as they were in a curated record
stay open: correcting one fact does not vouch for the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopld import __version__
from coopld.articles import Article
from coopld.errors import RecordError

META = "_coopld"


def body_digest(record: dict[str, Any]) -> str:
    """The digest of what a record says, whatever its key order or indentation."""
    body = {k: v for k, v in record.items() if k != META}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def record_path(records_dir: Path, article: Article) -> Path:
    return records_dir / f"{article.path.stem}.json"


def dump_json(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def write_record(path: Path, record: dict[str, Any], article: Article) -> dict[str, Any]:
    """Stamp a freshly extracted record and write it atomically (never a half-written file)."""
    stamped = {META: {"source": article.path.name, "article_sha256": article.sha256,
                      "extractor": __version__, "generated_sha256": body_digest(record)}, **record}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dump_json(stamped))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return stamped


def load_record(path: Path) -> dict[str, Any]:
    """Read a record, rejecting anything that is not one, with the reason."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RecordError(f"cannot read the record: {exc.strerror or exc}", path=path) from exc
    except UnicodeDecodeError as exc:
        raise RecordError("the record is not UTF-8 text", path=path) from exc
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", path=path) from exc
    if not isinstance(data, dict):
        raise RecordError("a record must be a JSON object", path=path)
    if not isinstance(data.get("@id"), str) or not data["@id"].startswith("article/"):
        raise RecordError("a record's '@id' must be the article's IRI, 'article/<key>'", path=path)
    if data.get("@type") != "Article":
        raise RecordError("a record's '@type' must be 'Article'", path=path)
    return data


def review_notes(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's review notes as the build lists them: "about" (the IRI as the record gives
    it), "fact", "reason", and "reviewed" (True only for a note a person marked so)."""
    found = record.get("reviewNote")
    nodes = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
    return [{"about": str(n.get("about", "")), "fact": str(n.get("fact", "")), "reason": str(n.get("reason", "")),
             "reviewed": n.get("reviewed") is True} for n in nodes if isinstance(n, dict)]


def is_curated(record: dict[str, Any]) -> bool:
    meta = record.get(META)
    return not isinstance(meta, dict) or meta.get("generated_sha256") != body_digest(record)


@dataclass(frozen=True)
class Synced:
    """A record ready to map, and what happened to it on this build."""

    record: dict[str, Any]
    path: Path
    status: str  # new | updated | unchanged | curated | curated-stale

    @property
    def notice(self) -> str | None:
        if self.status == "curated-stale":
            return (f"{self.path}: the article changed after this record was corrected by hand; the corrected "
                    "record is kept as it is — check it against the article, or delete it to extract again")
        return None


def sync_record(article: Article, records_dir: Path, extract: Callable[[Article], dict[str, Any]]) -> Synced:
    """The record to build from: a corrected one is kept, anything else is extracted afresh."""
    path = record_path(records_dir, article)
    if path.exists():
        existing = load_record(path)
        if is_curated(existing):
            stamp = existing.get(META)
            meta: dict[str, Any] = stamp if isinstance(stamp, dict) else {}
            stale = meta.get("article_sha256") not in (None, article.sha256)
            return Synced(existing, path, "curated-stale" if stale else "curated")
        fresh = extract(article)
        generated = existing[META]
        if body_digest(fresh) == generated.get("generated_sha256") and generated.get("article_sha256") == article.sha256:
            return Synced(existing, path, "unchanged")
        return Synced(write_record(path, fresh, article), path, "updated")
    return Synced(write_record(path, extract(article), article), path, "new")
