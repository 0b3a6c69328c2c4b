"""Dates as a person reads them, as precise as the data are: a report often gives a day and a
month but no year ("on 31 October"), and the data keep it so (``xsd:gMonthDay`` "--10-31");
a page says "31 October, year not stated" rather than show the raw lexical form."""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import XSD

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

_FORMS: dict[str, re.Pattern[str]] = {
    str(XSD.date): re.compile(r"(?P<y>-?\d{4,})-(?P<m>\d\d)-(?P<d>\d\d)"),
    str(XSD.dateTime): re.compile(r"(?P<y>-?\d{4,})-(?P<m>\d\d)-(?P<d>\d\d)T(?P<t>\d\d:\d\d)"),
    str(XSD.gYearMonth): re.compile(r"(?P<y>-?\d{4,})-(?P<m>\d\d)"),
    str(XSD.gYear): re.compile(r"(?P<y>-?\d{4,})"),
    str(XSD.gMonthDay): re.compile(r"--(?P<m>\d\d)-(?P<d>\d\d)"),
    str(XSD.gMonth): re.compile(r"--(?P<m>\d\d)"),
}


def is_date(value: object) -> bool:
    return isinstance(value, Literal) and str(value.datatype) in _FORMS


def for_people(value: Literal) -> str:
    """The date in words ("25 July 2017", "July 2017", "31 October, year not stated"); a value
    that is not a valid date of its type is given as it is written."""
    form = _FORMS.get(str(value.datatype))
    found = form.match(str(value)) if form else None
    if found is None:
        return str(value)
    parts = found.groupdict()
    month = int(parts.get("m") or 0)
    if parts.get("m") is not None and not 1 <= month <= 12:
        return str(value)
    words = []
    if parts.get("d") is not None:
        words.append(str(int(parts["d"])))
    if parts.get("m") is not None:
        words.append(MONTHS[month - 1])
    if parts.get("y") is not None:
        words.append(str(int(parts["y"])))
    text = " ".join(words)
    if parts.get("y") is None:
        text += ", year not stated"
    if parts.get("t") is not None:
        text += f", {parts['t']}"
    return text
