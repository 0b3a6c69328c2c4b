"""Cooperation areas named in a stretch of text, by the trigger phrases of mappings/topics.toml."""

from __future__ import annotations

from coopld.extract.lexicon import Lexicon


def topics_in(lexicon: Lexicon, text: str, offset: int = 0,
              excluded: list[tuple[int, int]] | None = None) -> dict[str, list[tuple[int, int]]]:
    """Topic keys found in ``text`` with where they were found; matches inside ``excluded``
    spans (offsets in the article) do not count."""
    found: dict[str, list[tuple[int, int]]] = {}
    for key, patterns in lexicon.topics.items():
        for pattern in patterns:
            for m in pattern.finditer(text):
                start, end = offset + m.start(), offset + m.end()
                if excluded and any(a <= start and end <= b for a, b in excluded):
                    continue
                found.setdefault(key, []).append((start, end))
    return found
