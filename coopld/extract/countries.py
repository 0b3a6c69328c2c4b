"""Every country, from maintained datasets rather than a hand list: names and ISO codes from
``pycountry`` (ISO 3166-1), demonyms and other spellings from ``countryinfo``.

``mappings/gazetteer/places.toml`` still wins where it says something (its keys, names and
demonyms: "Philippine" as well as "Filipino"); this module adds what it does not list, so that
an article about Ghana and Nigeria is read as well as one about Vietnam and Laos.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from slugify import slugify

from coopld.extract.lexicon import Country

# alternative spellings that are codes or native-language forms an English article never uses
_CODE = re.compile(r"^[A-Z]{2,3}$")


def _inverted(name: str) -> str:
    """"Korea, Republic of" → "Republic of Korea"; ISO writes some names that way."""
    if ", " in name:
        head, _, tail = name.partition(", ")
        return f"{tail} {head}"
    return name


@cache
def _countryinfo() -> dict[str, dict[str, Any]]:
    """countryinfo's records by ISO alpha-2 code."""
    from countryinfo import all_countries

    out: dict[str, dict[str, Any]] = {}
    for country in all_countries():
        info: dict[str, Any] = dict(country.info())
        code = (info.get("ISO") or {}).get("alpha2")
        if isinstance(code, str):
            out[code.upper()] = info
    return out


def _names(country: Any, info: dict[str, Any]) -> list[str]:
    names = [country.name, getattr(country, "common_name", None), getattr(country, "official_name", None),
             info.get("name")]
    names += [n for n in info.get("altSpellings") or [] if isinstance(n, str)]
    out: list[str] = []
    for name in names:
        if not name or _CODE.match(name) or (not name.isascii() and not any(c.isascii() for c in name)):
            continue
        for form in {name, _inverted(name)}:
            form = form.strip()
            if form.lower().startswith("the "):
                form = form[4:]
            if form and form not in out and not _CODE.match(form):
                out.append(form)
    return out


def with_world(countries: dict[str, Country]) -> dict[str, Country]:
    """The gazetteer's countries with ISO codes added, and every other ISO 3166-1 country."""
    import pycountry

    by_name = {n.lower(): c.key for c in countries.values() for n in (c.name, *c.aliases, c.state)}
    # a demonym says one country: the gazetteer's first, then the first ISO country that has it
    # ("Chinese" is China's, not Macao's); a word that is a demonym is no country's name ("Thai")
    claimed = {d.lower() for c in countries.values() for d in c.demonyms}
    claimed |= {str(i.get("demonym")).lower() for i in _countryinfo().values() if i.get("demonym")}
    taken: set[str] = {d.lower() for c in countries.values() for d in c.demonyms}
    out = dict(countries)
    infos = _countryinfo()
    for iso in pycountry.countries:
        info = infos.get(iso.alpha_2, {})
        names = [n for n in _names(iso, info) if n.lower() not in claimed]
        demonyms = [d for d in [info.get("demonym")] if isinstance(d, str) and d and d.lower() not in taken]
        taken.update(d.lower() for d in demonyms)
        known = next((by_name[n.lower()] for n in names if n.lower() in by_name), None)
        if known is not None:
            c = out[known]
            aliases = tuple(dict.fromkeys([*c.aliases, *(n for n in names if n != c.name)]))
            out[known] = Country(c.key, c.name, aliases, tuple(dict.fromkeys([*c.demonyms, *demonyms])), c.state,
                                 iso.alpha_2)
            continue
        name = getattr(iso, "common_name", None) or _inverted(iso.name)
        key = slugify(name)
        if key in out:
            key = iso.alpha_2.lower()
        state = getattr(iso, "official_name", None) or name
        out[key] = Country(key, name, tuple(n for n in names if n != name), tuple(demonyms), state, iso.alpha_2)
    return out
