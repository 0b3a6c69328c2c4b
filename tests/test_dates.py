"""Dates: a year is taken from the publication date when the text implies it, never invented."""

from __future__ import annotations

from datetime import date

import pytest

from coopld.extract.dates import PartialDate, find_dates, resolve


def one(text: str, published: date | None, planned: bool = False) -> tuple[str, str] | None:
    mentions = find_dates(text)
    assert len(mentions) == 1, mentions
    value = resolve(mentions[0], published, planned=planned)
    return value.xsd() if value else None


@pytest.mark.parametrize("text, published, expected", [
    ("in Moscow on September 5.", date(2018, 9, 6), ("2018-09-05", "date")),
    ("in Hanoi on December 1 for", date(2023, 12, 1), ("2023-12-01", "date")),
    ("held in September, various", date(2023, 12, 1), ("2023-09", "gYearMonth")),
    ("on December 28 they met", date(2024, 1, 3), ("2023-12-28", "date")),
    ("visit to Russia in June this year", date(2017, 7, 25), ("2017-06", "gYearMonth")),
    ("in this November.", date(2017, 7, 25), ("2017-11", "gYearMonth")),
    ("last year", date(2017, 7, 25), ("2016", "gYear")),
    ("on October 31 in Hanoi.", None, ("--10-31", "gMonthDay")),
    ("signed in May.", None, ("--05", "gMonth")),
    ("in October 2019.", None, ("2019-10", "gYearMonth")),
    ("on 5 September 2018", None, ("2018-09-05", "date")),
])
def test_resolution(text: str, published: date | None, expected: tuple[str, str]) -> None:
    assert one(text, published) == expected


def test_planned_dates_look_forward() -> None:
    assert one("the visit in January", date(2023, 12, 1), planned=True) == ("2024-01", "gYearMonth")


def test_a_year_relative_to_an_unknown_date_is_no_date() -> None:
    assert one("early next year", None) is None


def test_periods_and_modal_may_are_not_dates() -> None:
    assert find_dates("a programme for 2019-2021 was signed") == []
    assert find_dates("May I ask, the ministry may act") == []


def test_ranges_keep_their_last_day() -> None:
    mention = find_dates("on a working visit from April 21 to 24.")[0]
    assert mention.stated == PartialDate(None, 4, 21) and mention.until == PartialDate(None, 4, 24)
