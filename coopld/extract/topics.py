"""Cooperation areas named in a stretch of text, by the trigger phrases of mappings/topics.toml."""

from __future__ import annotations

from coopld.extract.lexicon import Lexicon
from coopld.extract.nlp import Parse
from coopld.extract.spans import SpanIndex


def topics_in(lexicon: Lexicon, text: str, offset: int = 0,
              excluded: SpanIndex | None = None) -> dict[str, list[tuple[int, int]]]:
    """Topic keys found in ``text`` with where they were found; matches inside ``excluded``
    spans (offsets in the article) do not count. The spans come indexed because the principal
    event asks this of every sentence of the article."""
    found: dict[str, list[tuple[int, int]]] = {}
    for key, patterns in lexicon.topics.items():
        for pattern in patterns:
            for m in pattern.finditer(text):
                start, end = offset + m.start(), offset + m.end()
                if excluded and excluded.contains(start, end):
                    continue
                found.setdefault(key, []).append((start, end))
    return found


def topics_in_lemmas(lexicon: Lexicon, parse: Parse, lo: int, hi: int,
                     excluded: SpanIndex | None = None) -> dict[str, list[tuple[int, int]]]:
    """Topic keys whose lemma patterns ("traffic woman", "launder proceeds") match the parsed
    sentence between article offsets ``lo`` and ``hi``, so that "trafficked women" and
    "laundering the proceeds" count as the trigger phrases do."""
    found: dict[str, list[tuple[int, int]]] = {}
    for key, patterns in lexicon.topic_lemmas.items():
        for pattern in patterns:
            for start, end in parse.find_lemmas(pattern):
                if start < lo or end > hi or (excluded and excluded.contains(start, end)):
                    continue
                found.setdefault(key, []).append((start, end))
    return found
