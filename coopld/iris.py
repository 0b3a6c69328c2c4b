"""The one place where coopld mints IRIs.

Records hold IRIs relative to ``<base>id/`` ("person/to-lam"), so a record does not change
when the data are published under another base; the mapping resolves them. Keys come from
content (a name, a date, a country, a period), never from a counter or the order articles are
read in, so that a rebuild yields the same IRIs and a new article leaves old ones alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

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


def review_note(article_key: str, about: str, fact: str) -> str:
    """A review note of one article on one fact of one resource: "note/<article>/<about>-<fact>"."""
    return f"note/{article_key}/{slugify(about + '-' + fact)}"


def event_key(kind: str, when: PartialDate | None, parties: Iterable[str], where: str | None,
              ordinal: int | None, persons: Iterable[str], fallback: str | None = None) -> str:
    """"2018-09-05-working-session-russia-vietnam-moscow": what, when, between whom, where.

    ``parties`` are the tokens of the organizations involved: each one's country, or the
    organization's own key when it has none (Interpol) — ``party_tokens(..., distinct=False)``. ``fallback`` is
    the key of the article that reports the event.

    What identifies an event, so that two articles reporting one event name it alike and two
    different events never share an IRI:

    - A numbered event ("the 8th ministerial conference") is known by its kind, its number and
      its parties, so that articles that date or place it differently still name one event; the
      build refuses to merge them if their dates clash (``coopld.build``).
    - Any other event by its date, kind, parties and place. When the year is unknown, or when no
      party is known, the people who took part are added (two undated visits by different people
      differ).
    - Content that cannot tell events apart is not enough: an event of which nothing is known
      of who took part (no party, no person), an undated event with no person, and a numbered
      event with no party, are known only within the article that tells of it — the article's
      key is added, so such events of two articles never merge.
    """
    party_list = sorted(set(parties))
    person_list = sorted(set(persons))
    if ordinal:
        parts = [kind, f"no{ordinal}", *party_list]
        if not party_list and fallback:
            parts.append(fallback)
        return slugify("-".join(parts))
    parts = [_date_token(when), kind, *party_list]
    if where and where not in party_list:
        parts.append(where)
    if when is None or when.year is None or not party_list:
        parts.extend(person_list[:2])
    if fallback and ((not party_list and not person_list) or (when is None and not person_list)):
        parts.append(fallback)
    return slugify("-".join(parts))


def agreement_key(kind: str, plural: bool, parties: Iterable[str], years: tuple[int, int] | None,
                  signed: PartialDate | None, fallback: str) -> str:
    """"programme-russia-vietnam-2019-2021", "mou-russia-vietnam-2017-07-25", "mou-russia-vietnam".

    What identifies an agreement is its content: its kind, its parties (``party_tokens``: each
    party's country, or the organization's own key when it has none or shares its country with
    another party), then its validity period or, without one, the day it was signed. Two
    articles that report the same MoU between the same parties give it the same IRI, whatever
    their files are called; the build refuses to merge them if their facts clash (a period, a
    class, the parties).

    Only when the parties are not known — fewer than two found — is the article's key
    (``fallback``, made from the article's file name) added: a work plan for 2026-2027 of
    unnamed parties is not every work plan for 2026-2027, so such an agreement is one resource
    per article that mentions it (possibly one thing under two IRIs, never two things under
    one), with a review note for a person to name its parties. A collective reference ("the
    agreements signed by the two ministries") follows the same rules, with "-set" after its kind.
    """
    party_list = sorted(set(parties))
    parts = [kind + ("-set" if plural else ""), *party_list]
    if years:
        parts.append(f"{years[0]}-{years[1]}")
    elif signed is not None:
        parts.append(_date_token(signed))
    if len(party_list) < 2:
        parts.append(fallback)
    return slugify("-".join(parts))


def party_tokens(parties: Iterable[tuple[str, str | None]], *, distinct: bool = True) -> list[str]:
    """What stands for each party (organization key, its country or None) in a key: its
    country, or the organization's own key when it has none (Interpol); with ``distinct`` (for
    agreements) also when another party has the same country (an MoU of two agencies of one
    country). In the parties' order, each once."""
    pairs = list(dict.fromkeys(parties))
    countries = [c for _, c in pairs if c is not None]
    out: list[str] = []
    for org_key, country in pairs:
        token = country if country is not None and (not distinct or countries.count(country) == 1) else org_key
        if token not in out:
            out.append(token)
    return out


#: the ASCII characters RFC 3987 lets an IRI hold: unreserved, reserved and "%" of an escape
_IRI_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
#: and the other code points it may hold (ucschar and iprivate), as inclusive ranges
_UCSCHAR = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF), *((p << 16, (p << 16) + 0xFFFD) for p in range(1, 15)))
#: private-use code points, which only the query part may hold
_IPRIVATE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))


def _in(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _iri_char(c: str, *, in_query: bool = False) -> bool:
    if c in _IRI_ASCII:
        return True
    code = ord(c)
    return code > 0x7F and (_in(code, _UCSCHAR) or (in_query and _in(code, _IPRIVATE)))


def iri_problem(text: str) -> str | None:
    """Why ``text`` is not an absolute IRI (RFC 3987) a store takes (None: it is one). Checked
    before any IRI from a request reaches a store: an IRI is written between ``<`` and ``>`` in a
    query, so it may hold none of the characters that would end it."""
    fragment_at = text.find("#") if "#" in text else len(text)
    query_at = text.find("?", 0, fragment_at)
    bad = next((c for i, c in enumerate(text) if not _iri_char(c, in_query=0 <= query_at < i < fragment_at)), None)
    if bad is not None:
        return f"it holds the character {bad!r}, which an IRI cannot"
    for i, c in enumerate(text):
        if c == "%" and not all(h in "0123456789abcdefABCDEF" for h in text[i + 1:i + 3].ljust(2, "x")):
            return "a '%' in it does not begin an escape of two hexadecimal digits"
    try:
        parts = urlsplit(text)
        _ = parts.port  # a port that is not a number
    except ValueError as exc:
        return str(exc)
    if not parts.scheme or not text.lower().startswith(parts.scheme + ":"):
        return "it is not absolute (no scheme such as https:)"
    if any(c in "[]" for c in parts.path + parts.query + parts.fragment):
        return "it holds '[' or ']' outside its host"
    if "#" in parts.fragment:
        return "it holds a second '#'"
    userinfo, _, host = parts.netloc.rpartition("@")
    if "@" in userinfo or "[" in userinfo or "]" in userinfo:
        return "its user information holds '@', '[' or ']'"
    if "[" in host or "]" in host:
        after = host.partition("]")[2]
        if not host.startswith("[") or host.count("[") != 1 or host.count("]") != 1 \
                or not (after in ("", ":") or (after.startswith(":") and after[1:].isdigit())):
            return "its host is not a bracketed IP address"
    return None


def is_absolute_iri(text: str) -> bool:
    return iri_problem(text) is None
