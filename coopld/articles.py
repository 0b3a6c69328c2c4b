"""Reading article files.

An article file is UTF-8 text: an optional first line `` date YYYY-MM-DD <photo caption>``, a
blank line and the body; or, with no date line, a headline on the first line and the body
after it. Offsets everywhere in coopld count characters of ``Article.text``, which is the
file's text exactly as decoded, so that evidence spans point into what the file says.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from slugify import slugify

from coopld.errors import ArticleError

# The limits a build applies unless coopld.toml's [coopld] section sets others. No news report
# comes near them (the longest article in data/ has under 6 KB); they are there so that a file
# dropped into the articles folder by mistake (a log, a dump) is a clear error in seconds rather
# than minutes of extraction.
DEFAULT_MAX_ARTICLE_BYTES = 1_000_000
DEFAULT_MAX_ARTICLE_LINES = 20_000

_DATE_LINE = re.compile(r"[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+(.*?))?[ \t]*$")


@dataclass(frozen=True)
class Region:
    """A stretch of the article's text, by character offsets (end exclusive)."""

    start: int
    end: int


@dataclass(frozen=True)
class Article:
    path: Path
    key: str
    text: str
    sha256: str
    published: date | None
    caption: Region | None
    headline: Region | None
    body: Region

    def slice(self, region: Region) -> str:
        return self.text[region.start : region.end]


def article_key(path: Path) -> str:
    """The article's IRI key: its file name without extension, as a slug."""
    return slugify(path.stem)


def _trimmed(text: str, start: int, end: int) -> Region:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Region(start, end)


def _too_big(size: int, limit: int, unit: str, setting: str, *, more: bool = False) -> str:
    """The reason an article is refused, naming the setting that would let it through."""
    size_text = f"more than {limit:,}" if more else f"{size:,}"
    return f"the article is {size_text} {unit}; the limit is {limit:,} {unit} (setting {setting})"


def _check_limits(path: Path, raw: bytes, max_bytes: int | None, max_lines: int | None) -> None:
    if max_bytes is not None and len(raw) > max_bytes:
        raise ArticleError(_too_big(len(raw), max_bytes, "bytes", "max_article_bytes"), path=path)
    if max_lines is not None:
        lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
        if lines > max_lines:
            raise ArticleError(_too_big(lines, max_lines, "lines", "max_article_lines"), path=path)


def parse_article(path: Path, raw: bytes, *, max_bytes: int | None = None,
                  max_lines: int | None = None) -> Article:
    """Split an article into date, caption or headline, and body; reject what is not one.

    ``max_bytes`` and ``max_lines`` (None: no limit) turn an article too long to be news into an
    error before any work is spent on it."""
    _check_limits(path, raw, max_bytes, max_lines)
    if not raw.strip():
        raise ArticleError("the file is empty", path=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded)", path=path
        ) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise ArticleError("the file holds NUL characters; it is not a text article", path=path)
    first_end = text.find("\n")
    first_end = len(text) if first_end < 0 else first_end
    first_line = text[:first_end].rstrip("\r")
    published: date | None = None
    caption: Region | None = None
    headline: Region | None = None
    match = _DATE_LINE.match(first_line)
    if match:
        try:
            published = date.fromisoformat(match.group(1))
        except ValueError as exc:
            raise ArticleError(f"the date line has an invalid date {match.group(1)!r}", path=path) from exc
        if match.group(2):
            caption = _trimmed(text, match.start(2), match.end(2))
        body = _trimmed(text, first_end, len(text))
        if body.start == body.end:
            raise ArticleError("no body: the file has a date line and nothing after it", path=path)
    else:
        first = _trimmed(text, 0, first_end)
        if first.start == first.end:
            first_end = 0
            headline = None
        else:
            headline = first
        body = _trimmed(text, first_end, len(text))
        if body.start == body.end:
            raise ArticleError("no body: the file has a headline and nothing after it", path=path)
    return Article(
        path=path,
        key=article_key(path),
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        published=published,
        caption=caption,
        headline=headline,
        body=body,
    )


def read_article(path: Path, *, max_bytes: int | None = None, max_lines: int | None = None) -> Article:
    """Read and parse one article file, with an error that names the file when it cannot be.

    Over ``max_bytes`` the file is rejected by the size ``stat()`` gives, before it is read, and
    at most ``max_bytes + 1`` bytes are ever read (a file may grow between the two), so that a
    50 MB file costs no more than a small one."""
    try:
        if max_bytes is not None:
            size = path.stat().st_size
            if size > max_bytes:
                raise ArticleError(_too_big(size, max_bytes, "bytes", "max_article_bytes"), path=path)
            with path.open("rb") as handle:
                raw = handle.read(max_bytes + 1)
            if len(raw) > max_bytes:  # it grew after stat(): how much more is not worth reading
                raise ArticleError(_too_big(len(raw), max_bytes, "bytes", "max_article_bytes", more=True), path=path)
        else:
            raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc
    return parse_article(path, raw, max_bytes=max_bytes, max_lines=max_lines)


def article_paths(folder: Path) -> list[Path]:
    """Every ``*.txt`` article in a folder, in name order, so builds are repeatable."""
    if not folder.is_dir():
        raise ArticleError("the articles folder does not exist", path=folder)
    return sorted(p for p in folder.iterdir() if p.suffix == ".txt" and not p.name.startswith("."))
