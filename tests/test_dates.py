"""Dates: a year is taken from the publication date when the text implies it, never invented."""

from __future__ import annotations

import time
from datetime import date

import pytest

from coopld.extract.dates import DateMention, PartialDate, find_dates, resolve, resolve_until, uncertainty


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


# --- weekdays, relative days, numeric forms, ranges, relative months and weeks ---------------

FRIDAY = date(2025, 3, 14)  # a Friday


def only(text: str) -> DateMention:
    mentions = find_dates(text)
    assert len(mentions) == 1, mentions
    return mentions[0]


def xsd(text: str, published: date | None, planned: bool = False) -> str | None:
    value = resolve(only(text), published, planned=planned)
    return value.xsd()[0] if value else None


@pytest.mark.parametrize("text, expected", [
    ("The ministers met on Tuesday in Hanoi.", "2025-03-11"),
    ("The ministers met on Friday in Hanoi.", "2025-03-14"),  # publication's own weekday: that day
    ("The ministers met on Saturday in Hanoi.", "2025-03-08"),
    ("Talks were held last Tuesday.", "2025-03-11"),
    ("Talks were held last Friday.", "2025-03-07"),  # "last" is strictly before publication
    ("Talks were held this past Wednesday.", "2025-03-12"),
    ("The delegation left Thursday for Seoul.", "2025-03-13"),  # AP's bare weekday
    ("Talks were held this Friday.", "2025-03-14"),
])
def test_weekdays_of_held_events_look_back(text: str, expected: str) -> None:
    assert xsd(text, FRIDAY) == expected


@pytest.mark.parametrize("text, expected", [
    ("The minister will arrive on Tuesday.", "2025-03-18"),
    ("The minister will arrive on Friday.", "2025-03-14"),
    ("The minister will arrive this Sunday.", "2025-03-16"),
    ("The minister will arrive next Monday.", "2025-03-17"),
    ("The minister will arrive next Friday.", "2025-03-21"),
])
def test_weekdays_of_planned_events_look_forward(text: str, expected: str) -> None:
    assert xsd(text, FRIDAY, planned=True) == expected


def test_next_weekday_is_after_publication_even_for_held_events() -> None:
    assert xsd("next Monday", FRIDAY) == "2025-03-17"


def test_a_weekday_without_publication_date_has_no_day_and_says_why() -> None:
    mention = only("The ministers met on Tuesday.")
    assert mention.weekday == 1 and mention.stated.is_empty() and mention.relative_to_publication
    assert resolve(mention, None) is None
    assert mention.uncertain is None
    assert uncertainty(mention, None) is not None and "publication date" in (uncertainty(mention, None) or "")
    assert uncertainty(mention, FRIDAY) is None
    undated = find_dates("The ministers met on Tuesday.", undated=True)[0]
    assert undated.uncertain is not None and "on Tuesday" in undated.uncertain


@pytest.mark.parametrize("text", [
    "The ministers met on Sunday, May 5, 2024 in Jakarta.",
    "The ministers met Sunday (May 5, 2024) in Jakarta.",
    "The ministers met on Sunday, 5 May 2024 in Jakarta.",
])
def test_an_explicit_date_wins_over_its_weekday(text: str) -> None:
    mention = only(text)
    assert mention.weekday == 6 and mention.uncertain is None
    value = resolve(mention, FRIDAY)
    assert value is not None and value.xsd() == ("2024-05-05", "date")


def test_weekday_with_a_month_and_day_takes_the_year_from_publication() -> None:
    mention = only("The ministers met Sunday (May 5) in Jakarta.")
    assert mention.stated == PartialDate(None, 5, 5)
    assert resolve(mention, date(2024, 5, 7)) == PartialDate(2024, 5, 5)


def test_a_weekday_that_contradicts_a_full_date_is_noted_and_the_date_kept() -> None:
    mention = only("on Monday, May 5, 2024")
    assert mention.stated == PartialDate(2024, 5, 5)
    assert mention.uncertain is not None and "Sunday" in mention.uncertain


@pytest.mark.parametrize("text", [
    "in an interview with the Sunday Times, he said",
    "the Good Friday Agreement",
    "Black Friday sales",
    "prayers are held every Friday",
])
def test_weekday_names_in_names_and_habits_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_the_sunday_times_does_not_hide_a_real_weekday() -> None:
    mention = only("he told the Sunday Times on Monday")
    assert mention.text == "on Monday" and mention.weekday == 0


def test_tuesday_next_week_is_that_day() -> None:
    assert xsd("The talks resume on Tuesday next week.", FRIDAY, planned=True) == "2025-03-18"
    assert xsd("They met on Thursday of last week.", FRIDAY) == "2025-03-06"


@pytest.mark.parametrize("text, expected", [
    ("The vessel arrived yesterday.", "2025-03-13"),
    ("The vessel arrived today.", "2025-03-14"),
    ("Today, the two navies began drills.", "2025-03-14"),
    ("The vessel arrived this morning.", "2025-03-14"),
    ("A reception will be held tonight.", "2025-03-14"),
    ("The vessel will arrive tomorrow.", "2025-03-15"),
    ("The vessel arrived last night.", "2025-03-13"),
    ("The vessel arrived the day before yesterday.", "2025-03-12"),
])
def test_relative_days(text: str, expected: str) -> None:
    assert xsd(text, FRIDAY) == expected


def test_relative_days_without_publication_date() -> None:
    mention = only("The vessel arrived yesterday.")
    assert mention.day_offset == -1 and resolve(mention, None) is None
    assert find_dates("The vessel arrived yesterday.", undated=True)[0].uncertain is not None


@pytest.mark.parametrize("text", [
    "The two sides met again on the same day.",
    "He had arrived the day before.",
    "USA Today reported the visit.",
    "according to Russia Today",
])
def test_anaphoric_days_and_newspaper_names_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


@pytest.mark.parametrize("text", [
    "The treaty was signed on May 5, 2021 in Hanoi.",
    "The treaty was signed May 5 2021 in Hanoi.",
    "The treaty was signed on 5 May 2021 in Hanoi.",
    "The treaty was signed on 5th May, 2021 in Hanoi.",
    "The treaty was signed on the 5th of May 2021 in Hanoi.",
    "The treaty was signed on 05/05/2021 in Hanoi.",
    "The treaty was signed on 2021-05-05 in Hanoi.",
])
@pytest.mark.parametrize("planned", [False, True])
def test_stated_years_are_never_overridden(text: str, planned: bool) -> None:
    assert xsd(text, date(2025, 6, 1), planned=planned) == "2021-05-05"


def test_historic_years_with_a_month_name_are_kept() -> None:
    assert xsd("Victory Day, May 9, 1945, is marked", date(2025, 5, 9)) == "1945-05-09"


@pytest.mark.parametrize("text, expected", [
    ("signed on 2024-05-05 in Manila", "2024-05-05"),
    ("signed on 2024/5/6 in Beijing", "2024-05-06"),
    ("signed on 05/05/2024 in Dhaka", "2024-05-05"),
    ("signed on 5/5/2024 in Dhaka", "2024-05-05"),
    ("signed on 05.05.2024 in Berlin", "2024-05-05"),
    ("signed on 05-05-2024 in Lagos", "2024-05-05"),
    ("signed on 23/04/2024 in Nairobi", "2024-04-23"),  # first part > 12: day first
    ("signed on 04/23/2024 in Washington", "2024-04-23"),  # second part > 12: month first
    ("signed on 03/04/2024 in Accra", "2024-04-03"),  # ambiguous: day first, noted
    ("signed on 29.02.2024 in Prague", "2024-02-29"),
])
def test_numeric_dates(text: str, expected: str) -> None:
    assert xsd(text, None) == expected


def test_ambiguous_numeric_dates_are_marked() -> None:
    mention = only("signed on 03/04/2024 in Accra")
    assert mention.uncertain == "03/04/2024 may be 3 April or 4 March; read day first"
    assert only("signed on 23/04/2024").uncertain is None
    assert only("signed on 04/23/2024").uncertain is None
    assert only("signed on 05/05/2024").uncertain is None


@pytest.mark.parametrize("text", [
    "a programme for 2022-2024 was signed",
    "the 2024-25 fiscal year",
    "in 2022-2024 the navy",
    "a budget of 12.05 million",
    "he paid $5.05.2024",  # not a date after a currency sign
    "inflation was 3.5% in 2024.5 terms",
    "call 05-05-2024 for details",
    "Tel: 091.05.2024",
    "dial +84 24 05.05.2024",
    "signed on 31/02/2024",  # no such day
    "signed on 13/13/2024",
    "signed on 05/05/1985",  # numeric years are 1990-2100 only
    "version 1.2.2024.7",
    "https://example.org/2024/05/05/story",
    "about 1,500 troops and 2,019 vehicles",
    "troops numbering 1,500 arrived",
])
def test_numbers_that_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_a_thousands_separator_after_a_month_is_not_a_day() -> None:
    mention = only("In May 1,500 troops arrived.")
    assert mention.stated == PartialDate(None, 5, None)


@pytest.mark.parametrize("text, start, until", [
    ("held on March 15-17 in Manila", PartialDate(None, 3, 15), PartialDate(None, 3, 17)),
    ("held March 15 to 17 in Manila", PartialDate(None, 3, 15), PartialDate(None, 3, 17)),
    ("held on 15-17 March in Manila", PartialDate(None, 3, 15), PartialDate(None, 3, 17)),
    ("held from 15 to 17 March in Manila", PartialDate(None, 3, 15), PartialDate(None, 3, 17)),
    ("held between March 15 and 17 in Manila", PartialDate(None, 3, 15), PartialDate(None, 3, 17)),
    ("held between 15 and 17 March in Manila", PartialDate(None, 3, 15), PartialDate(None, 3, 17)),
    ("held March 30-April 2 in Manila", PartialDate(None, 3, 30), PartialDate(None, 4, 2)),
    ("held 30 March - 2 April 2025 in Manila", PartialDate(2025, 3, 30), PartialDate(2025, 4, 2)),
    ("held November 12-14, 2025 in Manila", PartialDate(2025, 11, 12), PartialDate(2025, 11, 14)),
    ("held from December 30, 2024 to January 2, 2025", PartialDate(2024, 12, 30), PartialDate(2025, 1, 2)),
    ("held 30 December - 2 January 2025", PartialDate(2024, 12, 30), PartialDate(2025, 1, 2)),
    ("a working visit to Madrid on 13 and 14 May", PartialDate(None, 5, 13), PartialDate(None, 5, 14)),
    ("talks in Rabat on May 13 and 14, 2026", PartialDate(2026, 5, 13), PartialDate(2026, 5, 14)),
    ("the ministers met on 3 and 4 March 2025", PartialDate(2025, 3, 3), PartialDate(2025, 3, 4)),
])
def test_ranges(text: str, start: PartialDate, until: PartialDate) -> None:
    mention = only(text)
    assert (mention.stated, mention.until) == (start, until)


def test_ranges_resolve_with_resolve_until() -> None:
    mention = only("held on March 15-17 in Manila")
    first = resolve(mention, date(2025, 3, 20))
    assert first == PartialDate(2025, 3, 15)
    assert resolve_until(mention, first) == PartialDate(2025, 3, 17)
    stated = only("held November 12-14, 2025")
    assert resolve_until(stated, resolve(stated, date(2026, 1, 1))) == PartialDate(2025, 11, 14)
    wrap = only("held December 30 - January 2")
    first = resolve(wrap, date(2025, 1, 5))
    assert first == PartialDate(2024, 12, 30) and resolve_until(wrap, first) == PartialDate(2025, 1, 2)


@pytest.mark.parametrize("text", [
    "on March 17-15",  # backwards
    "on March 15 and 17",  # two days, not a range
    "on 15 and 17 March",  # the same, day first
    "on March 14 and 13",  # backwards
    "on 30-32 March",
])
def test_non_ranges(text: str) -> None:
    assert all(m.until is None for m in find_dates(text))


def test_two_days_joined_by_and_are_two_mentions() -> None:
    assert [m.stated for m in find_dates("on March 15 and April 2")] == [PartialDate(None, 3, 15), PartialDate(None, 4, 2)]


@pytest.mark.parametrize("text, published, expected", [
    ("The exercise began earlier this month.", FRIDAY, ("2025-03", "gYearMonth")),
    ("The exercise began this month.", FRIDAY, ("2025-03", "gYearMonth")),
    ("The exercise began last month.", date(2025, 1, 10), ("2024-12", "gYearMonth")),
    ("The exercise begins next month.", date(2025, 12, 10), ("2026-01", "gYearMonth")),
    ("The exercise begins early next year.", FRIDAY, ("2026", "gYear")),
    ("The exercise begins later this year.", FRIDAY, ("2025", "gYear")),
    ("The exercise ended late last year.", FRIDAY, ("2024", "gYear")),
    ("The exercise begins in mid-March.", date(2025, 3, 1), ("2025-03", "gYearMonth")),
    ("The exercise began in early March.", FRIDAY, ("2025-03", "gYearMonth")),
    ("The exercise ended at the end of February.", FRIDAY, ("2025-02", "gYearMonth")),
    ("The exercise ended in late 2023.", FRIDAY, ("2023", "gYear")),
    ("The exercise ended in mid-2023.", FRIDAY, ("2023", "gYear")),
    ("The exercise begins in the first half of 2025.", FRIDAY, ("2025", "gYear")),
    ("The exercise begins by the end of 2026.", FRIDAY, ("2026", "gYear")),
])
def test_relative_and_vague_months_and_years(text: str, published: date, expected: tuple[str, str]) -> None:
    assert one(text, published) == expected


def test_parts_are_recorded() -> None:
    assert only("in mid-March").part == "mid"
    assert only("late 2023").part == "late"
    assert only("in the first half of 2025").part == "first half"
    assert only("early next year").part == "early"
    assert only("earlier this month").month_offset == 0


@pytest.mark.parametrize("text, published, planned, expected", [
    # last week of Friday 2025-03-14 is 3-9 March: one month
    ("The drills ended last week.", FRIDAY, False, ("2025-03", "gYearMonth")),
    # last week of 2025-04-02 is 24-30 March
    ("The drills ended last week.", date(2025, 4, 2), False, ("2025-03", "gYearMonth")),
    # last week of 2025-03-05 is 24 February - 2 March: only the year is certain
    ("The drills ended last week.", date(2025, 3, 5), False, ("2025", "gYear")),
    # this week, held, published Wednesday 2025-04-02: Monday 31 March - 2 April
    ("The drills were held this week.", date(2025, 4, 2), False, ("2025", "gYear")),
    # this week, planned, published Wednesday 2025-04-02: 2-6 April
    ("The drills will be held this week.", date(2025, 4, 2), True, ("2025-04", "gYearMonth")),
    ("The drills will be held next week.", FRIDAY, True, ("2025-03", "gYearMonth")),
    ("The drills were held last weekend.", date(2025, 3, 17), False, ("2025-03", "gYearMonth")),
    ("The drills were held this week.", date(2025, 3, 10), False, ("2025-03-10", "date")),  # a Monday
])
def test_weeks(text: str, published: date, planned: bool, expected: tuple[str, str]) -> None:
    assert one(text, published, planned) == expected


def test_a_week_over_the_new_year_gives_nothing_certain() -> None:
    assert xsd("The drills ended last week.", date(2025, 1, 2)) == "2024-12"  # 23-29 December 2024
    assert xsd("The drills ended last week.", date(2026, 1, 7)) is None  # 29 December 2025 - 4 January 2026


def test_relative_months_and_years_without_publication_date() -> None:
    for text in ("last month", "last week", "later this year"):
        mention = only(text)
        assert resolve(mention, None) is None and uncertainty(mention, None) is not None


@pytest.mark.parametrize("text", [
    "the two sides may sign a deal",
    "May I ask a question, the minister said.",
    "a protest march through the capital",
    "the Long March 5 rocket",
    "the March 23 Movement (M23) rebels",
    "the March 14 Alliance",
    "a letter signed by May and Macron",
    "the Mayotte islands",
    "in Marchtrenk",
    "Jan Lipavsky, the Czech foreign minister",
])
def test_words_that_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_offset_is_added() -> None:
    mention = find_dates("met yesterday", 100)[0]
    assert (mention.start, mention.end, mention.text) == (104, 113, "yesterday")


def test_long_texts_run_in_linear_time() -> None:
    # CPU time, not wall time: the suite may share the machine with other work
    article = ("HANOI, March 12 (VNA) - The two ministers held talks on Tuesday and signed a memorandum of "
               "understanding for 2025-2027. The delegation, which arrived yesterday, will visit Da Nang next "
               "week; a joint exercise is planned for early next year, and 1,500 officers have been trained "
               "since 2019. The two sides may sign a further agreement later, officials said.\n")
    text = (article * (200_000 // len(article) + 1))[:200_000]
    started = time.process_time()
    assert len(find_dates(text)) > 3000
    assert time.process_time() - started < 0.5
    dense = ("On Tuesday, March 11, the ministers met in Hanoi; talks ran March 15-17 and 15-17 March, "
             "signed 03/04/2024, with 1,500 troops, last week, yesterday, in mid-March. ")
    for junk in ((dense * 1200)[:200_000], "1-" * 100_000, "May " * 50_000, " " * 200_000, "15 " * 66_000,
                 "March 1" + "-1" * 100_000, "on " * 66_000, "the end of " * 18_000, "0." * 100_000):
        started = time.process_time()
        find_dates(junk)
        assert time.process_time() - started < 1.0, junk[:20]


def test_numeric_ranges() -> None:
    iso = only("an exercise in the border districts from 2025-06-02 to 2025-06-13.")
    assert (iso.stated, iso.until, iso.uncertain) == (PartialDate(2025, 6, 2), PartialDate(2025, 6, 13), None)
    # 14 cannot be a month, so both ends are day first and nothing is uncertain
    proved = only("a joint operation conducted from 10/03/2025 to 14/03/2025.")
    assert (proved.stated, proved.until, proved.uncertain) == (PartialDate(2025, 3, 10), PartialDate(2025, 3, 14), None)
    doubtful = only("a joint operation conducted from 03/04/2025 to 05/04/2025.")
    assert (doubtful.stated, doubtful.until) == (PartialDate(2025, 4, 3), PartialDate(2025, 4, 5))
    assert doubtful.uncertain is not None
    us = only("from 04/10/2025 to 04/14/2025")
    assert (us.stated, us.until) == (PartialDate(2025, 4, 10), PartialDate(2025, 4, 14))


def test_a_range_takes_a_relative_year() -> None:
    mention = only("From 15 to 17 March this year, the border guards met.")
    assert mention.year_relative == "this" and mention.until == PartialDate(None, 3, 17)
    start = resolve(mention, date(2025, 4, 24))
    assert start == PartialDate(2025, 3, 15) and resolve_until(mention, start) == PartialDate(2025, 3, 17)


def test_datelines_with_short_month_names() -> None:
    mention = only("ACCRA, Aug 28 (Wire) - Nigeria and Ghana")
    assert mention.stated == PartialDate(None, 8, 28)


def test_a_sentence_opener_before_a_weekday_is_no_name() -> None:
    assert only("But Tuesday's talks went on.").weekday == 1
    assert only("And Today the ministers met.").day_offset == 0
    assert find_dates("A report in China Today said") == []


def test_a_word_ending_like_a_phone_cue_does_not_hide_a_date() -> None:
    assert only("the casino 05/05/2024 raid").stated == PartialDate(2024, 5, 5)
    assert find_dates("hotline no. 05/05/2024") == []
