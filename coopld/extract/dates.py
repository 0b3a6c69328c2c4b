"""Dates as news copy writes them, and how much of each the text really gives.

General date parsers (dateparser and the like) always return a full date: given "on October
31" with no year they fill one in. coopld must record a year the text does not give as
unknown, so dates are recognised here into a ``PartialDate`` that keeps whatever is missing
missing, and a year is added only from the article's own publication date.

What is recognised (``find_dates``):

* month names with or without day and year: "on September 5", "5th May, 2021", "Sunday (May 5)",
  "in mid-March", "late March", "in June this year", "last December";
* numbers: "2024-05-05", "2024/5/5" (year first) and "05/05/2024", "5.5.2024", "05-05-2024"
  (day first, as the Asian, European and African press write them; month first only when the
  second number cannot be a month; a reading that could go either way carries ``uncertain``);
* ranges, start in ``stated`` and last day in ``until``: "March 15-17", "15-17 March",
  "between March 15 and 17", "March 30-April 2", "30 March - 2 April 2025", "from 10/03/2025
  to 14/03/2025", two days in a row joined by "and" ("on 13 and 14 May");
* years: "in 2019", "late 2023", "in the first half of 2025", "this year", "early next year";
* days, weeks and months relative to publication: "on Tuesday", "last Friday", "yesterday",
  "today", "tomorrow", "last week", "Tuesday next week", "earlier this month", "next month".

``resolve`` adds only what the publication date implies (see its docstring); a stated year is
never replaced. Recognition is a fixed set of regular expressions without nested repetition
plus a linear overlap pass, so its cost grows linearly with the text.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from operator import attrgetter, itemgetter

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = {name.lower(): i for i, name in enumerate(_WEEKDAY_NAMES)}

_FULL = "|".join(_MONTH_NAMES)
_DOT = r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
_SHORT = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"  # only next to a day number
_WD = "|".join(_WEEKDAY_NAMES)
_ORD = r"(?:st|nd|rd|th)?"
_Y = r"(?:1[89]\d\d|20\d\d|2100)"  # a year with a month name (1945 is history, not noise)
_YN = r"(?:199\d|20\d\d|2100)"  # a year in an all-number date
_YSEP = r"(?:,\s?|\s)"
_SEP = r"\s?(?P<sep>-|–|—|to|through|till|until|and)\s?"
# "mid-March", "early March", "the end of March", "this March", "last December"
_MREL = (r"(?<!\w)(?P<rel>(?i:mid-|mid |early |late |earlier this |later this |this past |this |last |next |"
         r"(?:the )?(?:very )?(?:end|beginning|start|middle) of ))")
# "early", "late", "mid-", "the first half of", "the end of" before a year, a month or a week
_PART = (r"(?P<part>(?i:mid-|mid |early |earlier |late |later |(?:the )?(?:very )?(?:end|beginning|start|middle|"
         r"(?:first|second) half|(?:first|second|third|fourth|last) quarter) of ))")
_YEAR_REL = r"(?i:(?P<yrel>this|last|next|the same|the previous|the following) year)(?!\w)"


def _month(name: str = "month", short: bool = True) -> str:
    names = f"{_FULL}|{_DOT}|{_SHORT}" if short else f"{_FULL}|{_DOT}"
    return rf"(?<![\w.])(?P<{name}>{names})(?!\w)"


def _day(name: str = "day", first: bool = False) -> str:
    """A day number; ``first``: it opens the date, so nothing number-like may come before it."""
    guard = r"(?<![\w.,$€£%/:+\-–])" if first else r"(?<!\d)"
    return rf"{guard}(?P<{name}>[0-3]?\d){_ORD}(?!\w|[.,]\d)"


def _year(name: str = "year") -> str:
    return rf"(?<!\d)(?P<{name}>{_Y})(?!\w|[.,]\d)"


_ON = r"(?:(?<!\w)(?i:on) )?"
_WDPRE = rf"(?:(?P<wd>{_WD}),?\s?(?P<paren>\()?)?"  # "Sunday, May 5", "Sunday (May 5)"
_NOT_PERIOD = r"(?!\s?(?:-|–|—|/|to)\s?\d)"

_MONTH_DAY = re.compile(rf"{_ON}{_WDPRE}{_month()} {_day()}(?:{_YSEP}{_year()})?(?(paren)\))(?: {_YEAR_REL})?")
_DAY_MONTH = re.compile(rf"{_ON}{_WDPRE}{_day(first=True)} (?:of )?{_month()}(?:{_YSEP}{_year()})?(?(paren)\))"
                        rf"(?: {_YEAR_REL})?")
_BARE_MONTH = re.compile(rf"(?:(?<!\w)(?P<prep>(?i:in|since|until|till|by|from|during)) )?(?:{_MREL})?"
                         rf"{_month(short=False)}(?:{_YSEP}{_year()})?(?: {_YEAR_REL})?")
_BARE_YEAR = re.compile(rf"(?<!\w)(?P<prep>(?i:in|since|by|during)) {_year()}{_NOT_PERIOD}")
_PART_YEAR = re.compile(rf"(?:(?<!\w)(?i:in|by|until|since|from|during) )?(?<!\w){_PART}{_year()}{_NOT_PERIOD}")
_REL_YEAR = re.compile(rf"(?<!\w){_PART}?{_YEAR_REL}")
_REL_MONTH = re.compile(rf"(?<!\w){_PART}?(?i:(?P<mrel>this|last|next) month)(?!\w)")
_REL_WEEK = re.compile(rf"(?<!\w){_PART}?(?i:(?P<wkrel>this past|this|last|next) (?P<unit>week|weekend))(?!\w)")
_WEEKDAY_OF_WEEK = re.compile(rf"(?<!\w){_ON}(?P<wd>{_WD}),?\s(?:(?i:of) )?(?i:(?P<wkrel>this|last|next) week)(?!\w)")
_WEEKDAY = re.compile(rf"(?<!\w)(?:(?P<wpre>(?i:on|last|this past|this|next|every|each|by|until|since|from)) )?"
                      rf"(?P<wd>{_WD})(?!\w)")
_DAY_WORD = re.compile(r"(?<!\w)(?P<word>(?i:the day before yesterday|the day after tomorrow|yesterday|today|tonight|"
                       r"tomorrow|last night|this (?:morning|afternoon|evening)))(?!\w)")
_YEAR_FIRST = re.compile(rf"(?<![\w./,:+\-–$€£])(?P<year>{_YN})(?P<sep>[-/.])(?P<b>[01]?\d)(?P=sep)(?P<a>[0-3]?\d)"
                         r"(?!\d|[-/.,:]\d)")
_DAY_FIRST = re.compile(rf"(?<![\w./,:+\-–$€£])(?P<a>[0-3]?\d)(?P<sep>[-/.])(?P<b>[0-3]?\d)(?P=sep)(?P<year>{_YN})"
                        r"(?!\d|[-/.,:]\d)")
_RANGE_MD = re.compile(rf"(?:(?<!\w)(?P<pre>(?i:from|between|on)) )?(?:(?:{_WD}),?\s)?{_month()} {_day()}"
                       rf"(?:{_YSEP}{_year()})?{_SEP}(?:(?:{_WD}),?\s)?(?:{_month('month2')} )?{_day('day2')}"
                       rf"(?:{_YSEP}{_year('year2')})?(?: {_YEAR_REL})?")
_RANGE_DDM = re.compile(rf"(?:(?<!\w)(?P<pre>(?i:from|between|on)) )?{_day(first=True)}{_SEP}{_day('day2')} (?:of )?"
                        rf"{_month()}(?:{_YSEP}{_year('year2')})?(?: {_YEAR_REL})?")
_RANGE_DM = re.compile(rf"(?:(?<!\w)(?P<pre>(?i:from|between|on)) )?(?:(?:{_WD}),?\s)?{_day(first=True)} (?:of )?"
                       rf"{_month()}(?:{_YSEP}{_year()})?{_SEP}(?:(?:{_WD}),?\s)?{_day('day2')} (?:of )?"
                       rf"{_month('month2')}(?:{_YSEP}{_year('year2')})?(?: {_YEAR_REL})?")


def _num_date(n: str) -> str:
    """An all-number date, year first or last, its groups suffixed with ``n``."""
    return (rf"(?:(?P<y{n}>{_YN})(?P<s{n}>[-/.])(?P<m{n}>[01]?\d)(?P=s{n})(?P<d{n}>[0-3]?\d)"
            rf"|(?P<a{n}>[0-3]?\d)(?P<t{n}>[-/.])(?P<b{n}>[0-3]?\d)(?P=t{n})(?P<z{n}>{_YN}))")


# "from 2025-06-02 to 2025-06-13", "from 10/03/2025 to 14/03/2025"
_NUM_RANGE = re.compile(rf"(?:(?<!\w)(?P<pre>(?i:from|between)) )?(?<![\w./,:+\-–$€£]){_num_date('1')}"
                        rf"{_SEP}{_num_date('2')}(?!\d|[-/.,:]\d)")

_CAPITAL_BEFORE = re.compile(r"(?<![\w'’-])(?P<word>[A-Z][\w'’-]*)\s$")
# capitalised words that open a sentence or a clause and are no part of a name
_OPENERS = frozenset({"But", "And", "Or", "Yet", "So", "Then", "Also", "Only", "Again", "After", "Before", "Until",
                      "Till", "Since", "From", "By", "During", "Through", "Early", "Late", "Earlier", "Later", "As", "Of",
                      "For", "At", "In", "That", "Even", "Still", "Now", "Here", "There"})
_CAPITAL_AFTER = re.compile(rf"\s(?!(?:{_FULL}|{_DOT})(?!\w))[A-Z]")
# "the March 23 Movement", "the March 14 Alliance", "the February 17 Revolution" are names
_NAME_AFTER = re.compile(r"\s(?:Youth\s)?(?:Movement|Revolution|Uprising|Alliance|Coalition|Brigades?|Front)\b")
_PHONE_BEFORE = re.compile(r"\b(?i:tel|phone|fax|hotline|call|mobile|whatsapp|contact|no)\b[.:]?\s?[+()\d\s.-]{0,16}$|"
                           r"[\d)]\s$")


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
    """A date expression in the text, as stated; ``resolve`` adds what the publication date implies.

    ``stated`` is what the text itself gives (empty for "on Tuesday", "yesterday", "last month").
    The other fields say how the rest is found from the publication date:

    * ``year_relative``: "this", "last", "next", "the same", ... year ("in June this year").
    * ``until``: the last day of a range ("from April 21 to 24"); see ``resolve_until``.
    * ``uncertain``: why the reading may be wrong, for a reviewer ("03/04/2024 may be 3 April or
      4 March"); with ``find_dates(..., undated=True)`` also a note on every mention that only
      the (missing) publication date could place. ``uncertainty`` gives the same note afterwards.
    * ``weekday``: 0 (Monday) to 6 (Sunday) when a weekday is named. With a stated day it is only
      a check (a mismatch with a stated full date is noted in ``uncertain``); without one it names
      the day, found by ``resolve``.
    * ``weekday_relative``: "last", "this" or "next" before a weekday ("last Tuesday"), else None.
    * ``day_offset``: days after publication ("yesterday" -1, "today" 0, "tomorrow" 1).
    * ``week_offset``: weeks after the publication week ("last week" -1), Monday to Sunday; with
      ``weekday`` it names that day of that week ("Tuesday next week").
    * ``month_offset``: months after the publication month ("last month" -1, "earlier this month" 0).
    * ``part``: the part of the year/month/week named ("early", "mid", "late", "end", "first half",
      "weekend", ...). Informational only: the resolved date says no more than its year or month.
    """

    start: int
    end: int
    text: str
    stated: PartialDate
    year_relative: str | None
    until: PartialDate | None = None  # the last day of a range ("from April 21 to 24")
    uncertain: str | None = None
    weekday: int | None = None
    weekday_relative: str | None = None
    day_offset: int | None = None
    week_offset: int | None = None
    month_offset: int | None = None
    part: str | None = None

    @property
    def relative_to_publication(self) -> bool:
        """Does only the publication date place this mention (no year, and a weekday or a
        relative day, week, month or year)?"""
        if self.stated.year is not None:
            return False
        return (self.day_offset is not None or self.week_offset is not None or self.month_offset is not None
                or self.year_relative is not None or (self.weekday is not None and self.stated.is_empty()))


_Builder = Callable[[re.Match[str], str, int], "DateMention | None"]  # (match, text, offset)


def _num(value: str | None) -> int | None:
    return int(value) if value else None


def _month_of(value: str | None) -> int | None:
    return _MONTHS[value.lower().rstrip(".")] if value else None


def _valid(month: int, day: int, year: int | None = None) -> bool:
    return 1 <= month <= 12 and 1 <= day <= monthrange(year if year is not None else 2000, month)[1]


def _part(value: str | None) -> str | None:
    """"the first half of " -> "first half", "mid-" -> "mid"."""
    if not value:
        return None
    words = value.lower().replace("-", " ").split()
    return " ".join(w for w in words if w not in ("the", "very", "of", "this", "last", "next", "past")) or None


def _year_rel(m: re.Match[str]) -> str | None:
    value = m.groupdict().get("yrel")
    return value.lower() if value else None


def _is_name(m: re.Match[str], text: str) -> bool:
    """"the Long March 5 rocket", "the March 23 Movement": a month and day inside a name."""
    return bool(_NAME_AFTER.match(text, m.end()) or text[max(0, m.start() - 5):m.start()] == "Long ")


def _weekday_check(wd: int | None, stated: PartialDate, text: str) -> str | None:
    if wd is None or not stated.is_full():
        return None
    assert stated.year is not None and stated.month is not None and stated.day is not None
    actual = date(stated.year, stated.month, stated.day).weekday()
    if actual == wd:
        return None
    return (f"'{text}': {stated.day} {_MONTH_NAMES[stated.month - 1]} {stated.year} was a "
            f"{_WEEKDAY_NAMES[actual]}, not a {_WEEKDAY_NAMES[wd]}; the stated date is kept")


def _after_a_name(text: str, start: int) -> bool:
    """Is the word right before ``start`` capitalised and no sentence opener ("Good Friday", "USA Today")?"""
    m = _CAPITAL_BEFORE.search(text, max(0, start - 40), start)
    return m is not None and m.group("word") not in _OPENERS


def _calendar(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"on September 5", "5th May, 2021", "Sunday (May 5)"."""
    if _is_name(m, text):
        return None
    month, day, year = _month_of(m.group("month")), int(m.group("day")), _num(m.group("year"))
    assert month is not None
    if not _valid(month, day, year):
        return None
    stated = PartialDate(year, month, day)
    wd = _WEEKDAYS[m.group("wd").lower()] if m.group("wd") else None
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), stated, _year_rel(m), weekday=wd,
                       uncertain=_weekday_check(wd, stated, m.group(0)))


def _bare_month(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"in September", "in May 2022", "mid-March", "last December"."""
    rel, prep = (m.group("rel") or "").strip().lower(), m.group("prep")
    if not (m.group("year") or rel or m.group("yrel") or prep):
        return None  # a bare month name ("May" the verb, "March" the walk) is no date
    if m.group("month") == "May" and not (m.group("year") or rel or m.group("yrel")) and re.match(
            rf"(?:’s|'s|\s(?:and|with)\s(?!(?:{_FULL})\b)[A-Z])", text[m.end():m.end() + 30]):
        return None  # "signed by May and Macron": Theresa May
    yrel = _year_rel(m)
    if rel in ("this", "last", "next", "earlier this", "later this", "this past") and yrel is None:
        yrel = "last" if rel in ("last", "this past") else ("next" if rel == "next" else "this")
    stated = PartialDate(_num(m.group("year")), _month_of(m.group("month")))
    part = None if rel in ("this", "last", "next", "this past") else _part(rel)
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), stated, yrel, part=part)


def _bare_year(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"in 2019", "late 2023", "in the first half of 2025"."""
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), PartialDate(int(m.group("year"))), None,
                       part=_part(m.groupdict().get("part")))


def _relative_year(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"this year", "early next year", "later this year"."""
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), PartialDate(), _year_rel(m),
                       part=_part(m.group("part")))


_OFFSETS = {"this": 0, "last": -1, "this past": -1, "next": 1}


def _relative_month(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"last month", "earlier this month", "early next month"."""
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), PartialDate(), None,
                       month_offset=_OFFSETS[m.group("mrel").lower()], part=_part(m.group("part")))


def _relative_week(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"last week", "later this week", "next weekend"."""
    weekend = m.group("unit").lower() == "weekend"
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), PartialDate(), None,
                       week_offset=_OFFSETS[m.group("wkrel").lower()],
                       part="weekend" if weekend else _part(m.group("part")))


def _weekday_of_week(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"Tuesday next week", "on Friday of last week"."""
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), PartialDate(), None,
                       weekday=_WEEKDAYS[m.group("wd").lower()],
                       week_offset=_OFFSETS[m.group("wkrel").lower()])


def _weekday(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"on Tuesday", "last Friday", "this Sunday", "next Monday", AP's bare "said Monday"."""
    pre = (m.group("wpre") or "").lower()
    if pre in ("every", "each"):
        return None  # a habit, not a day
    if not pre and (_after_a_name(text, m.start()) or _CAPITAL_AFTER.match(text, m.end())):
        return None  # "Good Friday", "Black Friday", "the Sunday Times", "Sunday Oliseh"
    rel = {"last": "last", "this past": "last", "this": "this", "next": "next"}.get(pre)
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), PartialDate(), None,
                       weekday=_WEEKDAYS[m.group("wd").lower()], weekday_relative=rel)


_DAY_OFFSETS = {"the day before yesterday": -2, "the day after tomorrow": 2, "yesterday": -1, "today": 0,
                "tonight": 0, "tomorrow": 1, "last night": -1}


def _day_word(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"yesterday", "today", "this morning", "tomorrow"."""
    word = m.group("word")
    if word[0].isupper() and _after_a_name(text, m.start()):
        return None  # "USA Today", "Russia Today", "China Today"
    return DateMention(m.start() + offset, m.end() + offset, word, PartialDate(), None,
                       day_offset=_DAY_OFFSETS.get(" ".join(word.lower().split()), 0))


def _numeric(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"2024-05-05", "05/05/2024", "5.5.2024"; day first unless the second number cannot be a month."""
    if _PHONE_BEFORE.search(text, max(0, m.start() - 30), m.start()):
        return None
    year, a, b = int(m.group("year")), int(m.group("a")), int(m.group("b"))
    note = None
    if m.re is _YEAR_FIRST:  # year first: always year, month, day
        day, month = a, b
    elif b > 12 >= a:  # 04/23/2024: month first
        day, month = b, a
    else:
        day, month = a, b
        if a != b and a <= 12 and b <= 12:
            note = (f"{m.group(0)} may be {a} {_MONTH_NAMES[b - 1]} or {b} {_MONTH_NAMES[a - 1]}; "
                    f"read day first")
    if not _valid(month, day, year):
        return None
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), PartialDate(year, month, day), None, uncertain=note)


def _num_range(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"from 10/03/2025 to 14/03/2025": both ends in the order either of them proves (14 is no month)."""
    if m.group("sep") == "and" and (m.group("pre") or "").lower() != "between":
        return None
    if _PHONE_BEFORE.search(text, max(0, m.start() - 30), m.start()):
        return None
    ends: list[tuple[int, int, int, bool]] = []  # year, first number, second number, year first
    for n in "12":
        if m.group(f"y{n}"):
            ends.append((int(m.group(f"y{n}")), int(m.group(f"d{n}")), int(m.group(f"m{n}")), True))
        else:
            ends.append((int(m.group(f"z{n}")), int(m.group(f"a{n}")), int(m.group(f"b{n}")), False))
    orders = {("day" if a > 12 else "month") for _, a, b, year_first in ends
              if not year_first and (a > 12) != (b > 12)}
    if len(orders) > 1:
        return None
    month_first = orders == {"month"}
    dates: list[PartialDate] = []
    for year, a, b, year_first in ends:
        day, month = (b, a) if month_first and not year_first else (a, b)
        if not _valid(month, day, year):
            return None
        dates.append(PartialDate(year, month, day))
    if dates[1].sort_key() <= dates[0].sort_key():
        return None
    note = None
    if not orders and any(not year_first and a != b for _, a, b, year_first in ends):
        note = f"{m.group(0)} may be read month first; read day first"
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), dates[0], None, dates[1], uncertain=note)


def _range(m: re.Match[str], text: str, offset: int) -> DateMention | None:
    """"March 15-17", "15-17 March", "between March 15 and 17", "30 March - 2 April 2025", and
    two days in a row joined by "and" ("on 13 and 14 May", "May 13 and 14"): the days one visit
    or meeting took, where "on March 15 and 17", with a day between, are two days."""
    pre, sep = (m.group("pre") or "").lower(), m.group("sep")
    groups = m.groupdict()
    if sep == "and" and pre != "between" and (groups.get("month2") or int(m.group("day2")) != int(m.group("day")) + 1):
        return None
    first_month = _month_of(groups["month"])
    assert first_month is not None
    last_month = _month_of(groups.get("month2")) or first_month
    first, last = int(m.group("day")), int(m.group("day2"))
    y1, y2 = _num(groups.get("year")), _num(groups.get("year2"))
    wraps = (last_month, last) <= (first_month, first)  # "December 30 - January 2"
    if wraps and not (first_month == 12 and last_month == 1) and (y1 is None or y2 is None or y2 <= y1):
        return None
    if y1 is None and y2 is not None:
        y1 = y2 - 1 if wraps else y2
    elif y2 is None and y1 is not None:
        y2 = y1 + 1 if wraps else y1
    if not (_valid(first_month, first, y1) and _valid(last_month, last, y2)):
        return None
    if y1 is not None and y2 is not None and (y2, last_month, last) <= (y1, first_month, first):
        return None
    return DateMention(m.start() + offset, m.end() + offset, m.group(0), PartialDate(y1, first_month, first),
                       _year_rel(m) if y1 is None else None, PartialDate(y2, last_month, last))


# Each rule runs only near its key, a fast literal search for a word every match of the rule
# holds: most of an article is far from any date, and a rule that starts with optional words
# is slow to try at every character.
_KEY_MONTH = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
_KEY_YEAR_DIGITS = re.compile(r"\d\d\d\d")
_KEY_YEAR = re.compile(r"[Yy]ear|YEAR")
_KEY_MONTH_WORD = re.compile(r"[Mm]onth|MONTH")
_KEY_WEEK = re.compile(r"[Ww]eek|WEEK")
_KEY_WEEKDAY = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_KEY_DAY_WORD = re.compile(r"[Yy]esterday|[Tt]oday|TODAY|[Tt]onight|[Tt]omorrow|night|morning|afternoon|evening")

# (pattern, builder, key, before, after): the rule runs from ``before`` characters before each
# match of its key to ``after`` characters after it (more than its longest match reaches, and
# than its look-ahead needs). Among overlapping mentions the longest wins, the earlier rule on
# a tie.
_RULES: tuple[tuple[re.Pattern[str], _Builder, re.Pattern[str], int, int], ...] = (
    (_RANGE_DM, _range, _KEY_MONTH, 90, 90), (_RANGE_MD, _range, _KEY_MONTH, 90, 90),
    (_RANGE_DDM, _range, _KEY_MONTH, 60, 45),
    (_NUM_RANGE, _num_range, _KEY_YEAR_DIGITS, 45, 45),
    (_YEAR_FIRST, _numeric, _KEY_YEAR_DIGITS, 10, 20), (_DAY_FIRST, _numeric, _KEY_YEAR_DIGITS, 15, 10),
    (_MONTH_DAY, _calendar, _KEY_MONTH, 30, 55), (_DAY_MONTH, _calendar, _KEY_MONTH, 40, 55),
    (_WEEKDAY_OF_WEEK, _weekday_of_week, _KEY_WEEK, 40, 10),
    (_BARE_MONTH, _bare_month, _KEY_MONTH, 50, 50), (_PART_YEAR, _bare_year, _KEY_YEAR_DIGITS, 50, 15),
    (_BARE_YEAR, _bare_year, _KEY_YEAR_DIGITS, 15, 15), (_REL_YEAR, _relative_year, _KEY_YEAR, 55, 10),
    (_REL_MONTH, _relative_month, _KEY_MONTH_WORD, 45, 10), (_REL_WEEK, _relative_week, _KEY_WEEK, 50, 15),
    (_DAY_WORD, _day_word, _KEY_DAY_WORD, 30, 15), (_WEEKDAY, _weekday, _KEY_WEEKDAY, 20, 15),
)


def _regions(text: str, keys: list[tuple[int, int]], before: int, after: int) -> list[tuple[int, int]]:
    """Disjoint stretches of ``text`` around the keys, merged where they touch."""
    regions: list[tuple[int, int]] = []
    for key_start, key_end in keys:
        start, end = max(0, key_start - before), min(len(text), key_end + after)
        if regions and start <= regions[-1][1]:
            regions[-1] = (regions[-1][0], end)
        else:
            regions.append((start, end))
    return regions


def _unresolved_note(mention: DateMention) -> str:
    return f"'{mention.text}' is relative to the publication date, which is unknown"


def find_dates(text: str, offset: int = 0, *, undated: bool = False) -> list[DateMention]:
    """Every date expression in ``text``, longest first where they overlap, in text order.

    ``offset`` is added to every position. ``undated=True`` says the article has no
    publication date: mentions only it could place then carry an ``uncertain`` note.
    """
    found: list[tuple[int, int, int, DateMention]] = []
    keys: dict[re.Pattern[str], list[tuple[int, int]]] = {}
    for rank, (pattern, build, key, before, after) in enumerate(_RULES):
        if key not in keys:
            keys[key] = [m.span() for m in key.finditer(text)]
        for start, end in _regions(text, keys[key], before, after):
            for m in pattern.finditer(text, start, end):
                mention = build(m, text, offset)
                if mention is not None:
                    found.append((mention.start - mention.end, mention.start, rank, mention))
    found.sort(key=itemgetter(0, 1, 2))
    taken = bytearray(len(text) + 1)  # marks the characters of kept mentions: linear, not pairwise
    kept: list[DateMention] = []
    for _, _, _, mention in found:
        start, end = mention.start - offset, mention.end - offset
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            if undated and mention.uncertain is None and mention.relative_to_publication:
                mention = replace(mention, uncertain=_unresolved_note(mention))
            kept.append(mention)
    kept.sort(key=attrgetter("start"))
    return kept


def uncertainty(mention: DateMention, published: date | None) -> str | None:
    """Why the resolved date of ``mention`` may be wrong or missing, for a review note; None when
    nothing is doubtful. The mention's own ``uncertain``, or, without a publication date, a note
    that a weekday or relative day, week, month or year could not be placed."""
    if mention.uncertain is not None:
        return mention.uncertain
    if published is None and mention.relative_to_publication:
        return _unresolved_note(mention)
    return None


def _full(day: date) -> PartialDate:
    return PartialDate(day.year, day.month, day.day)


def _common(first: date, last: date) -> PartialDate | None:
    """What every day from ``first`` to ``last`` shares: the day, the month, the year or nothing."""
    if first == last:
        return _full(first)
    if (first.year, first.month) == (last.year, last.month):
        return PartialDate(first.year, first.month)
    return PartialDate(first.year) if first.year == last.year else None


def _near_weekday(published: date, weekday: int, rel: str | None, planned: bool) -> date:
    back = (published.weekday() - weekday) % 7  # days since the last such weekday, 0 if today
    ahead = (weekday - published.weekday()) % 7
    if rel == "last":
        return published - timedelta(days=back or 7)
    if rel == "next":
        return published + timedelta(days=ahead or 7)
    return published + timedelta(days=ahead) if planned else published - timedelta(days=back)


def _in_week(mention: DateMention, published: date, planned: bool) -> PartialDate | None:
    assert mention.week_offset is not None
    monday = published - timedelta(days=published.weekday()) + timedelta(weeks=mention.week_offset)
    if mention.weekday is not None:
        return _full(monday + timedelta(days=mention.weekday))
    first, last = (monday + timedelta(days=5), monday + timedelta(days=6)) if mention.part == "weekend" \
        else (monday, monday + timedelta(days=6))
    if mention.week_offset == 0:  # this week: held events up to publication, planned ones after
        if planned and published <= last:
            first = max(first, published)
        elif not planned and published >= first:
            last = min(last, published)
    return _common(first, last)


def resolve(mention: DateMention, published: date | None, *, planned: bool = False) -> PartialDate | None:
    """Add the year (or day) the article implies, and only that.

    A stated year is always kept. With a publication date, a month and day without a year fall
    in the publication year, or the year before when that would put a past event after
    publication ("on September 5" in an article of 2018-09-06 is 2018-09-05; "in December" in an
    article of January is last December). Planned events go the other way. Relative mentions:

    * "yesterday", "today", "tomorrow": publication day -1, 0, +1.
    * "on Tuesday", "this Tuesday": the latest Tuesday on or before publication (the
      publication day itself if a Tuesday), or for a planned event the first on or after it;
      "last Tuesday" the latest strictly before, "next Tuesday" the first strictly after.
    * "last month", "next month", "earlier this month": that year and month.
    * "last week", "this week", "next weekend": the days of that week (Monday to Sunday) are
      unknown, so the result is what all of them share: year and month when the week lies in
      one month, the year alone when it straddles two months, nothing (None) when it straddles
      two years. "This week" counts only the days up to publication for a held event and from
      publication for a planned one. "Tuesday next week" is that day.

    Without a publication date the year stays unknown unless the text states it, and a
    mention that only the publication date could place gives None (see ``uncertainty``).
    """
    stated = mention.stated
    if stated.year is not None:
        return stated
    if published is None:
        return None if stated.is_empty() else stated
    if mention.day_offset is not None:
        return _full(published + timedelta(days=mention.day_offset))
    if mention.week_offset is not None:
        return _in_week(mention, published, planned)
    if mention.weekday is not None and stated.is_empty():
        return _full(_near_weekday(published, mention.weekday, mention.weekday_relative, planned))
    if mention.month_offset is not None:
        year, month0 = divmod(published.year * 12 + published.month - 1 + mention.month_offset, 12)
        return PartialDate(year, month0 + 1)
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
    if stated.day is not None and not _valid(stated.month, stated.day, year):
        return PartialDate(year, stated.month)  # "February 29" in a year without one: the month is sure
    return PartialDate(year, stated.month, stated.day)


def resolve_until(mention: DateMention, start: PartialDate | None) -> PartialDate | None:
    """The end of a range, in the year its start resolved to (the next one when the range runs
    over the new year: "December 30 - January 2")."""
    if mention.until is None or start is None:
        return None
    year = mention.until.year
    if year is None and start.year is not None:
        wraps = (mention.until.month or 0, mention.until.day or 0) < (start.month or 0, start.day or 0)
        year = start.year + 1 if wraps else start.year
    return PartialDate(year, mention.until.month, mention.until.day)


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
