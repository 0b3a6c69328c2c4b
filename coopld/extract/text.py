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

# No news sentence is this long (the longest in data/ has 615 characters); longer runs of text
# without a boundary are cut, so that the work per sentence stays bounded.
MAX_SENTENCE = 2000

_END = re.compile(r"[.!?]+(?:[\"”’')\]]*)|\n\s*\n|\n")
_WORD_CHAR = re.compile(r"\w")
_NOT_BLANK = re.compile(r"[^ \t]")


@dataclass(frozen=True)
class Sentence:
    """One sentence; ``part`` says where in the article it is (caption, headline, body)."""

    index: int
    start: int
    end: int
    text: str
    part: str


def word_before(text: str, pos: int) -> str:
    r"""The run of word characters that ends at ``pos`` (or just before a newline there), read
    backwards, so that finding it costs the word's length and not the text's: a search from the
    start of the text at every full stop made long articles quadratic. It is what
    ``re.search(r"(\w+)$", text, 0, pos)`` finds, ``$`` also matching before a final newline."""
    end = pos - 1 if pos > 0 and text[pos - 1] == "\n" else pos
    start = end
    while start > 0 and _WORD_CHAR.match(text, start - 1):
        start -= 1
    return text[start:end]


def _is_boundary(text: str, match: re.Match[str], limit: int) -> bool:
    """A full stop ends a sentence unless it closes an abbreviation or an initial, or the next
    character does not start a sentence."""
    if "\n" in match.group(0):
        return True
    end = match.end()
    word = word_before(text, match.start())
    if match.group(0).startswith(".") and word:
        bare = word.lower().rstrip(".")
        if bare in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            return False
    if end >= limit:
        return True
    nxt = text[end]
    if nxt in " \t":
        first = _NOT_BLANK.search(text, end, limit)
        if first is None:
            return True
        char = first.group(0)
        return char.isupper() or char.isdigit() or char in "\"“‘'–—-("
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
    """The sentence between two boundaries, trimmed; several when it is longer than
    ``MAX_SENTENCE`` characters (see ``_pieces``); none when it holds no word."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start > MAX_SENTENCE:
        out: list[Sentence] = []
        for piece_start, piece_end in _pieces(text, start, end):
            out.extend(_make(text, piece_start, piece_end, part, index + len(out)))
        return out
    if end - start < 2 or not _WORD_CHAR.search(text, start, end):
        return []
    return [Sentence(index, start, end, text[start:end], part)]


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A run of text with no sentence boundary cut into pieces of at most ``MAX_SENTENCE``
    characters, at the last whitespace of each where there is one.

    The finders' work on one sentence grows faster than its length (each trigger looks at all
    the text before it), which is harmless for news sentences, a few hundred characters long,
    but would make a megabyte with no full stop take hours.
    """
    out: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max(text.rfind(" ", start + 1, limit), text.rfind("\t", start + 1, limit))
        cut = cut if cut > start else limit
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def sentences(article: Article) -> list[Sentence]:
    """Every sentence of the article, caption or headline first, in text order."""
    out: list[Sentence] = []
    for region, part in ((article.caption, "caption"), (article.headline, "headline"), (article.body, "body")):
        if region is not None:
            out.extend(_split(article, region, part, len(out)))
    return out
