"""Fast questions about a fixed set of character spans.

The assembler asks, for every mention of a long article, whether it lies inside one of the
spans of the mentioned events or of the named gatherings. Asked of a list, that question costs
the list's length and makes extraction quadratic in the article's length; asked of a
``SpanIndex`` it costs a binary search, with exactly the same answers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable


class SpanIndex:
    """Spans ``(start, end)``, sorted by start, with the greatest end among each prefix."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [a for a, _ in ordered]
        self._reach: list[int] = []
        furthest: int | None = None
        for _, b in ordered:
            furthest = b if furthest is None or b > furthest else furthest
            self._reach.append(furthest)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def _furthest_end(self, start: int) -> int | None:
        """The greatest end of the spans that begin at or before ``start``."""
        n = bisect_right(self._starts, start)
        return self._reach[n - 1] if n else None

    def contains(self, start: int, end: int) -> bool:
        """``any(a <= start and end <= b for a, b in spans)``."""
        furthest = self._furthest_end(start)
        return furthest is not None and end <= furthest

    def covers(self, point: int) -> bool:
        """``any(a <= point < b for a, b in spans)``."""
        furthest = self._furthest_end(point)
        return furthest is not None and point < furthest
