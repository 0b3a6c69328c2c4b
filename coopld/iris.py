"""The one place where coopld mints IRIs.

Records hold IRIs relative to ``<base>id/`` ("person/to-lam"), so a record does not change
when the data are published under another base; the mapping resolves them. Keys come from
content (a name, a date, a country, a period), never from a counter or the order articles are
read in, so that a rebuild yields the same IRIs and a new article leaves old ones alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from slugify import slugify

from coopld.extract.dates import PartialDate


def article(key: str) -> str:
    return f"article/{key}"


def span(article_key: str, start: int, end: int) -> str:
    """A character span, as an RFC 5147 fragment of the article (the NIF convention)."""
    return f"article/{article_key}#char={start},{end}"


def person(key: str) -> str:
    return f"person/{key}"


def org(key: str) -> str:
    return f"org/{key}"


def place(key: str) -> str:
    return f"place/{key}"


def post(org_key: str, role_key: str) -> str:
    return f"post/{org_key}/{role_key}"


def event(key: str) -> str:
    return f"event/{key}"


def participation(event_key: str, person_key: str) -> str:
    return f"participation/{event_key}/{person_key}"


def agreement(key: str) -> str:
    return f"agreement/{key}"


def period(start: int, end: int) -> str:
    return f"period/{start}-{end}"


def instant(year: int) -> str:
    return f"instant/{year}"


def _date_token(value: PartialDate | None) -> str:
    if value is None:
        return "undated"
    lexical, _ = value.xsd()
    # a year the text does not give is written as EDTF's unspecified digits: xxxx-10-31
    return lexical if value.year is not None else "xxxx" + lexical[1:]


def event_key(kind: str, when: PartialDate | None, countries: Iterable[str], where: str | None,
              ordinal: int | None, persons: Iterable[str]) -> str:
    """"2018-09-05-working-session-russia-vietnam-moscow": what, when, between whom, where.
    Undated events add their people, so that two undated visits by different people differ.
    A numbered event ("the 8th ministerial conference") is known by its number and its
    countries alone, so that articles that date or place it differently still name one event."""
    if ordinal:
        return slugify("-".join([kind, f"no{ordinal}", *sorted(set(countries))]))
    parts = [_date_token(when), kind]
    parts.extend(sorted(set(countries)))
    if where and where not in countries:
        parts.append(where)
    if when is None or when.year is None:
        parts.extend(sorted(set(persons))[:2])
    return slugify("-".join(parts))


def agreement_key(kind: str, plural: bool, countries: Iterable[str], years: tuple[int, int] | None,
                  signed: PartialDate | None, fallback: str) -> str:
    """"programme-russia-vietnam-2019-2021", "mou-russia-vietnam-2017-07-25"; an agreement
    with no period, date or parties is known only by the article that mentions it."""
    parts = [kind + ("-set" if plural else "")]
    country_list = sorted(set(countries))
    parts.extend(country_list)
    if years:
        parts.append(f"{years[0]}-{years[1]}")
    elif signed is not None:
        parts.append(_date_token(signed))
    if not years and signed is None:
        parts.append(fallback)
    return slugify("-".join(parts))
