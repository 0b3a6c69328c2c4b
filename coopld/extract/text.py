"""Sentences and words of an article, by character offsets into ``Article.text``.

News copy glues sentences together ("on September 5.Deputy Minister") and is full of
abbreviated ranks ("Sen. Lieut. Gen. To Lam", "President V. Putin"), so sentences are split
here with those two facts in mind rather than by a general-purpose splitter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coopld.articles import Article, Region

# Abbreviations after which a full stop does not end a sentence; rank forms add their own.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "no", "jr", "sr", "snr", "co", "ltd", "inc", "vs", "etc", "eg", "ie",
    "gen", "lt", "lieut", "sen", "col", "maj", "brig", "capt", "pol", "gov", "prof", "dept", "govt",
    "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec", "approx", "u.s", "p.m", "a.m",
    "comr", "insp", "supt", "cmdr", "cdr", "adm", "sgt", "cpl", "dep", "asst", "assoc", "rep", "gens", "cols",
}

_END = re.compile(r"[.!?]+(?:[\"”’')\]]*)|\n\s*\n|\n")
_WORD_BEFORE = re.compile(r"(\w+)$")


@dataclass(frozen=True)
class Sentence:
    """One sentence; ``part`` says where in the article it is (caption, headline, body)."""

    index: int
    start: int
    end: int
    text: str
    part: str


def _is_boundary(text: str, match: re.Match[str], limit: int) -> bool:
    """A full stop ends a sentence unless it closes an abbreviation or an initial, or the next
    character does not start a sentence."""
    if "\n" in match.group(0):
        return True
    end = match.end()
    before = _WORD_BEFORE.search(text, 0, match.start())
    word = before.group(1) if before else ""
    if match.group(0).startswith(".") and word:
        bare = word.lower().rstrip(".")
        if bare in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            return False
    if end >= limit:
        return True
    nxt = text[end]
    if nxt in " \t":
        rest = text[end:limit].lstrip(" \t")
        return not rest or rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"“‘'–—-("
    # glued: "September 5.Deputy" ends a sentence, "VOV.VN" and "2.5" do not
    return nxt.isupper() and end + 1 < limit and text[end + 1].islower()


def _split(article: Article, region: Region, part: str, first_index: int) -> list[Sentence]:
    text = article.text
    out: list[Sentence] = []
    start = region.start
    for match in _END.finditer(text, region.start, region.end):
        if not _is_boundary(text, match, region.end):
            continue
        end = match.end() if "\n" not in match.group(0) else match.start()
        out.extend(_make(text, start, end, part, first_index + len(out)))
        start = match.end()
    out.extend(_make(text, start, region.end, part, first_index + len(out)))
    return out


def _make(text: str, start: int, end: int, part: str, index: int) -> list[Sentence]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 2 or not re.search(r"\w", text[start:end]):
        return []
    return [Sentence(index, start, end, text[start:end], part)]


def sentences(article: Article) -> list[Sentence]:
    """Every sentence of the article, caption or headline first, in text order."""
    out: list[Sentence] = []
    for region, part in ((article.caption, "caption"), (article.headline, "headline"), (article.body, "body")):
        if region is not None:
            out.extend(_split(article, region, part, len(out)))
    return out
