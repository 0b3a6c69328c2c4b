"""Dates as news copy writes them, and how much of each the text really gives.

General date parsers (dateparser and the like) always return a full date: given "on October
31" with no year they fill one in. coopld must record a year the text does not give as
unknown, so dates are recognised here into a ``PartialDate`` that keeps whatever is missing
missing, and a year is added only from the article's own publication date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
_REL = r"(?P<rel>this|last|next|early|late|mid-|earlier this|later this)"
_YEAR_REL = r"(?P<yrel>this|last|next|the same|the previous|the following) year"

_RANGE = re.compile(rf"(?:(?:from|From) )?{_MONTH} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to)\s*"
                    rf"(?:(?P<month2>January|February|March|April|May|June|July|August|September|October|November|December) )?"
                    rf"(?P<day2>\d{{1,2}})\b(?:,? (?P<year>\d{{4}})\b)?")

_PATTERNS = [
    # "on September 5", "September 5, 2018", "on Monday, September 5"
    re.compile(rf"(?:(?:on|On) )?(?:[A-Z][a-z]+day,? )?{_MONTH} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
               rf"(?:,? (?P<year>\d{{4}})\b)?(?!\s*(?:-|–|to)\s*\d)(?: {_YEAR_REL})?"),
    # "on 5 September", "5 September 2018"
    re.compile(rf"(?:(?:on|On) )?(?P<day>\d{{1,2}})(?:st|nd|rd|th)? {_MONTH}(?: (?P<year>\d{{4}})\b)?(?: {_YEAR_REL})?"),
    # "in September", "in June this year", "in this November", "in May 2022", "early March"
    re.compile(rf"(?:(?:in|In|since|until|by|from) )?(?:{_REL} )?{_MONTH}(?:,? (?P<year>\d{{4}})\b)?(?: {_YEAR_REL})?"),
    re.compile(rf"\b{_MONTH} (?P<year>\d{{4}})\b"),
    # "in 2019" (not a period "2019-2021")
    re.compile(r"(?:(?:in|In|since|by) )(?P<year>\d{4})\b(?!\s*(?:-|–|—|to)\s*\d{4})"),
    # "last year", "this year"
    re.compile(rf"\b{_YEAR_REL}\b"),
]


@dataclass(frozen=True)
class PartialDate:
    """A date with any of its parts unknown."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def xsd(self) -> tuple[str, str]:
        """The lexical form and the XSD datatype (local name) that say exactly this much."""
        y, m, d = self.year, self.month, self.day
        if y is not None and m is not None and d is not None:
            return f"{y:04d}-{m:02d}-{d:02d}", "date"
        if y is not None and m is not None:
            return f"{y:04d}-{m:02d}", "gYearMonth"
        if y is not None:
            return f"{y:04d}", "gYear"
        if m is not None and d is not None:
            return f"--{m:02d}-{d:02d}", "gMonthDay"
        if m is not None:
            return f"--{m:02d}", "gMonth"
        raise ValueError("an empty date has no XSD form")

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year or 0, self.month or 0, self.day or 0)

    def is_full(self) -> bool:
        return None not in (self.year, self.month, self.day)


    def is_empty(self) -> bool:
        return self.year is None and self.month is None and self.day is None


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    stated: PartialDate
    year_relative: str | None
    until: PartialDate | None = None  # the last day of a range ("from April 21 to 24")


def find_dates(text: str, offset: int = 0) -> list[DateMention]:
    """Every date expression in ``text``, longest first where they overlap."""
    found: list[DateMention] = []
    for m in _RANGE.finditer(text):
        first_month = _MONTHS[m.group("month").lower().rstrip(".")]
        last_month = _MONTHS[m.group("month2").lower()] if m.group("month2") else first_month
        range_year = int(m.group("year")) if m.group("year") else None
        first, last = int(m.group("day")), int(m.group("day2"))
        if 1 <= first <= 31 and 1 <= last <= 31 and (last_month, last) > (first_month, first):
            found.append(DateMention(offset + m.start(), offset + m.end(), m.group(0),
                                     PartialDate(range_year, first_month, first), None,
                                     PartialDate(range_year, last_month, last)))
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            if not (groups.get("day") or groups.get("year") or groups.get("rel") or groups.get("yrel")
                    or re.match(r"(?:in|In|since|until|by|from) ", m.group(0))):
                continue  # a bare month name ("May" the verb, "March" the walk) is no date
            month = _MONTHS[groups["month"].lower().rstrip(".")] if groups.get("month") else None
            day = int(groups["day"]) if groups.get("day") else None
            year = int(groups["year"]) if groups.get("year") else None
            if day is not None and not 1 <= day <= 31:
                continue
            yrel = groups.get("yrel")
            if groups.get("rel") in ("this", "last", "next", "earlier this", "later this") and yrel is None:
                yrel = "last" if groups["rel"] == "last" else ("next" if groups["rel"] == "next" else "this")
            found.append(DateMention(offset + m.start(), offset + m.end(), m.group(0),
                                     PartialDate(year, month, day), yrel))
    found.sort(key=lambda d: (-(d.end - d.start), d.start))
    kept: list[DateMention] = []
    for mention in found:
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda d: d.start)


def resolve(mention: DateMention, published: date | None, *, planned: bool = False) -> PartialDate | None:
    """Add the year the article implies, and only that.

    With a publication date, a month and day without a year fall in the publication year, or
    the year before when that would put a past event after publication ("on September 5" in an
    article of 2018-09-06 is 2018-09-05; "in December" in an article of January is last
    December). Planned events go the other way. Without a publication date the year stays
    unknown unless the text states it.
    """
    stated = mention.stated
    if stated.year is not None:
        return stated
    if published is None:
        return None if stated.is_empty() else stated
    rel = mention.year_relative
    if rel in ("last", "the previous"):
        year = published.year - 1
    elif rel in ("next", "the following"):
        year = published.year + 1
    elif rel in ("this", "the same"):
        year = published.year
    else:
        year = published.year
        if stated.month is not None:
            here = (stated.month, stated.day or 1)
            now = (published.month, published.day)
            if not planned and here > now:
                year -= 1
            elif planned and here < now and stated.month < published.month:
                year += 1
    if stated.month is None:
        return PartialDate(year, None, None)
    return PartialDate(year, stated.month, stated.day)


def resolve_until(mention: DateMention, start: PartialDate | None) -> PartialDate | None:
    """The end of a range, in the year its start resolved to."""
    if mention.until is None or start is None:
        return None
    return PartialDate(mention.until.year or start.year, mention.until.month, mention.until.day)


_PERIOD_WORDS = re.compile(r"(?P<start>\d{4})\s*(?:-|–|—|to)\s*(?P<end>\d{4})")


def find_periods(text: str, patterns: tuple[re.Pattern[str], ...], offset: int = 0) -> list[tuple[int, int, int, int]]:
    """Validity periods written as years: (start offset, end offset, first year, last year)."""
    out: list[tuple[int, int, int, int]] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            s, e = offset + m.start(), offset + m.end()
            if any(not (e <= a or s >= b) for a, b, _, _ in out):
                continue
            out.append((s, e, int(m.group("start")), int(m.group("end"))))
    return sorted(out)
