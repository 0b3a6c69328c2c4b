"""Properties of the article reader, the extractor and the record mapping, with hypothesis:
whatever the input, the result is an article, a record or a graph — or one of coopld's own
errors (``CoopldError``), never a crash in some later stage.

Mapping a record and checking it (OWL RL, then SHACL) costs seconds, so those properties run
few examples; the cheap ones run hundreds.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coopld.articles import Article, parse_article, read_article
from coopld.build import map_and_check
from coopld.build_inputs import Resources, load_resources
from coopld.config import load_settings
from coopld.errors import ArticleError, CoopldError, RecordError
from coopld.extract import extract_record
from coopld.extract.text import MAX_SENTENCE, sentences, word_before
from coopld.mapping import record_to_graph
from coopld.shacl import Report

ROOT = Path(__file__).resolve().parent.parent
RECORDS = sorted((ROOT / "data" / "records").glob("*.json"))
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# the slow properties do not shrink: shrinking a failure of a seconds-long check takes many minutes
SLOW = settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
EXAMPLES: Counter[str] = Counter()  # examples run per property, printed at the end (pytest -s)


@pytest.fixture(scope="module")
def resources() -> Resources:
    return load_resources(load_settings())


@pytest.fixture(scope="module", autouse=True)
def _report_examples() -> Any:
    yield
    for name, count in sorted(EXAMPLES.items()):
        print(f"\nhypothesis examples: {name}: {count}")


# --- articles -------------------------------------------------------------------------------

_ARTICLE_BYTES = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda t: t.encode("utf-8")),
    st.builds(lambda d, rest: f"date {d}{rest}".encode(),
              st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True), st.text(max_size=100)),
)


@FAST
@given(raw=_ARTICLE_BYTES)
def test_any_bytes_parse_to_an_article_or_an_article_error(raw: bytes) -> None:
    EXAMPLES["test_any_bytes_parse_to_an_article_or_an_article_error"] += 1
    try:
        article = parse_article(Path("any.txt"), raw)
    except ArticleError as exc:
        assert "any.txt" in str(exc)
        return
    assert article.body.start < article.body.end
    assert article.text[article.body.start:article.body.end].strip()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=_ARTICLE_BYTES, max_bytes=st.none() | st.integers(0, 500), max_lines=st.none() | st.integers(0, 20))
def test_any_file_reads_to_an_article_or_an_article_error(tmp_path: Path, raw: bytes, max_bytes: int | None,
                                                          max_lines: int | None) -> None:
    EXAMPLES["test_any_file_reads_to_an_article_or_an_article_error"] += 1
    path = tmp_path / "any.txt"
    path.write_bytes(raw)
    try:
        article = read_article(path, max_bytes=max_bytes, max_lines=max_lines)
    except ArticleError as exc:
        assert str(path) in str(exc)
        return
    assert max_bytes is None or len(raw) <= max_bytes
    assert article == parse_article(path, raw)


# --- extraction -----------------------------------------------------------------------------

_NEWS_WORDS = [
    "Ministry of Public Security", "Ministry of Internal Affairs", "the Ministry", "Vietnamese", "Russian",
    "Vietnam", "Laos", "Cambodia", "Australia", "Korea", "China", "Indonesia", "Thailand", "Hanoi", "Moscow",
    "Gen.", "Lieut. Gen.", "Sen. Lieut. Gen.", "Maj. Gen.", "Col.", "Deputy Minister", "Minister", "Director",
    "To Lam", "Bui Van Nam", "V. Putin", "President", "Memorandum of Understanding", "MoU", "(MoU)",
    "cooperation agreement", "action programme", "2021-2025", "held talks", "signed", "received", "visit",
    "conference", "the two sides", "cybercrime", "drug trafficking", "terrorism", "on September 5",
    "September 5, 2018", "5 September 2018", "in 2019", "last year", "this month", "on Monday, April 3",
    "from April 21 to 24", "early March", "2024-04-03", "Hanoi (VNA) -", "–VNA", "Photo:", "(L)", "KNPA's",
    "the 8th", "first", "under the", "of the", "and", ",", ".", ";", ":", "!", "?", "\n", "\n\n", "\t", " ",
    "“", "”", "’s", "-", "—", "Việt Nam", "Ünïcödé", "\u00a0", "\u2028", "日本", "A.", "U.S.", "p.m.",
]
_NEWS_TEXT = st.lists(st.one_of(st.sampled_from(_NEWS_WORDS), st.text(max_size=8)), max_size=80).map(" ".join)


def _article(text: str, dated: bool) -> Article | None:
    head = "date 2023-05-04 A caption\n\n" if dated else "A headline\n"
    try:
        return parse_article(Path("news.txt"), (head + text).encode("utf-8"))
    except ArticleError:
        return None


@FAST
@given(text=_NEWS_TEXT, dated=st.booleans())
def test_any_news_text_extracts_to_a_record_that_maps(resources: Resources, text: str, dated: bool) -> None:
    EXAMPLES["test_any_news_text_extracts_to_a_record_that_maps"] += 1
    article = _article(text, dated)
    if article is None:
        return
    try:
        record = extract_record(article, resources.lexicon)
        json.dumps(record)
        graph = record_to_graph(record, resources.context, resources.settings.id_base)
    except CoopldError:
        return
    assert len(graph) > 0


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab A.!?\n\t \"”)_é1"), max_size=300))
def test_sentences_are_trimmed_slices_in_order(text: str) -> None:
    EXAMPLES["test_sentences_are_trimmed_slices_in_order"] += 1
    article = _article(text, dated=False)
    if article is None:
        return
    found = sentences(article)
    assert [s.index for s in found] == list(range(len(found)))
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start
    for s in found:
        assert s.text == article.text[s.start:s.end] == s.text.strip()
        assert len(s.text) <= MAX_SENTENCE


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), data=st.data())
def test_word_before_agrees_with_the_regular_expression(text: str, data: st.DataObject) -> None:
    EXAMPLES["test_word_before_agrees_with_the_regular_expression"] += 1
    pos = data.draw(st.integers(0, len(text)))
    old = re.compile(r"(\w+)$").search(text, 0, pos)
    assert word_before(text, pos) == (old.group(1) if old else "")


@SLOW
@given(text=_NEWS_TEXT)
def test_an_extracted_record_is_checked_with_a_report(resources: Resources, text: str) -> None:
    EXAMPLES["test_an_extracted_record_is_checked_with_a_report"] += 1
    article = _article(text, dated=True)
    if article is None:
        return
    try:
        record = extract_record(article, resources.lexicon)
        _asserted, _inferred, report = map_and_check(record, resources)
    except CoopldError:
        return
    assert isinstance(report, Report)


# --- records --------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**20, max_value=10**400)
    | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["abc", "", "2024-13-45", "--13-40", "20x4", "-1", "1.5", "org/a b", "http://[x",
                       "topics:nope", "person/", "article/", "_:b0", "mailto:x", "\x00", "@id", "@type"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["@id", "@type", "@value", "@list", "@graph", "label", "beginIndex", "x"]) | st.text(max_size=5),
        inner, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value that may be replaced (not the record's own key)."""
    out = [here] if here else []
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "_coopld":
                out.extend(_paths(item, (*here, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_paths(item, (*here, i)))
    return out


@st.composite
def _mutated_records(draw: st.DrawFn) -> tuple[Path, dict[str, Any]]:
    path = draw(st.sampled_from(RECORDS))
    record = copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))
    places = _paths(record)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(places))
        value = draw(_JSON)
        try:
            parent = record
            for step in where[:-1]:
                parent = parent[step]
            parent[where[-1]] = value
        except (IndexError, KeyError, TypeError):
            continue  # an earlier change removed this place
    return path, record


def _map(record: dict[str, Any], resources: Resources, path: Path) -> None:
    try:
        graph = record_to_graph(record, resources.context, resources.settings.id_base, source=path)
    except RecordError as exc:
        assert str(path) in str(exc)
        return
    graph.serialize(format="nt")  # the dumps must be writable
    for term in graph.all_nodes():
        getattr(term, "ill_typed", None)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(case=_mutated_records())
def test_a_mutated_record_maps_or_is_a_record_error(resources: Resources, case: tuple[Path, dict[str, Any]]) -> None:
    EXAMPLES["test_a_mutated_record_maps_or_is_a_record_error"] += 1
    path, record = case
    _map(record, resources, path)


@settings(SLOW, max_examples=8)
@given(case=_mutated_records())
def test_a_mutated_record_is_checked_with_a_report_or_refused(resources: Resources,
                                                               case: tuple[Path, dict[str, Any]]) -> None:
    EXAMPLES["test_a_mutated_record_is_checked_with_a_report_or_refused"] += 1
    path, record = case
    try:
        _asserted, _inferred, report = map_and_check(record, resources, source=path)
    except RecordError as exc:
        assert str(path) in str(exc)
        return
    assert isinstance(report, Report)


# --- the failures the properties found, kept as examples -----------------------------------------


def _with(path: Path, change: Any) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    return record


def _nodes(value: Any) -> list[dict[str, Any]]:
    """Every JSON object in a record, outermost first."""
    if isinstance(value, dict):
        return [value, *(n for v in value.values() for n in _nodes(v))]
    if isinstance(value, list):
        return [n for v in value for n in _nodes(v)]
    return []


def _first_span(record: dict[str, Any]) -> dict[str, Any]:
    span = record["@included"][0]["evidence"][0]
    assert span["@type"] == "TextSpan"
    return span  # type: ignore[no-any-return]


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("beginIndex", "abc", "'beginIndex' has the value 'abc', which is not a valid xsd:nonNegativeInteger"),
    ("endIndex", -5, "'endIndex' has the value '-5', which is not a valid xsd:nonNegativeInteger"),
    ("beginIndex", 1.5, "'beginIndex' has the value '1.5', which is not a valid xsd:nonNegativeInteger"),
])
def test_an_ill_typed_span_index_is_a_record_error(resources: Resources, key: str, value: Any, expected: str) -> None:
    path = RECORDS[0]
    record = _with(path, lambda r: _first_span(r).__setitem__(key, value))
    with pytest.raises(RecordError) as caught:
        map_and_check(record, resources, source=path)
    assert str(caught.value) == f"{path}: {expected}"


def test_a_date_that_is_no_date_is_a_record_error(resources: Resources) -> None:
    path = RECORDS[0]
    with pytest.raises(RecordError, match=r"'published' has the value '2024-13-45', which is not a valid xsd:date"):
        map_and_check(_with(path, lambda r: r.__setitem__("published", "2024-13-45")), resources, source=path)


@pytest.mark.parametrize("iri", ["http://exa mple.org/<x>", "org/a b", "http://[x", "\\x"])
def test_an_id_that_is_no_iri_is_refused_or_reported(resources: Resources, iri: str) -> None:
    path = RECORDS[0]
    record = _with(path, lambda r: (r["@included"][0].__setitem__("@id", iri), r.__setitem__("publisher", iri)))
    try:
        _asserted, _inferred, report = map_and_check(record, resources, source=path)
    except RecordError as exc:
        assert "which is not a valid IRI" in str(exc)
        return
    assert not report.conforms


def test_a_date_as_a_plain_string_is_a_record_error(resources: Resources) -> None:
    """Found by the properties: a backslash in an undated "date" broke pySHACL's message."""
    path = RECORDS[0]

    def change(record: dict[str, Any]) -> None:
        event = next(n for n in _nodes(record) if "date" in n)
        event["date"] = "\\x"

    with pytest.raises(RecordError, match=r"'date' has the value '\\\\x', which is not a date"):
        map_and_check(_with(path, change), resources, source=path)


def test_a_span_index_of_another_type_is_a_record_error(resources: Resources) -> None:
    """Found by the properties: a decimal span index crashed the span shape's SUBSTR."""
    path = RECORDS[0]
    record = _with(path, lambda r: _first_span(r).__setitem__("beginIndex", {"@value": "1.5", "@type": "xsd:decimal"}))
    with pytest.raises(RecordError, match=r"'beginIndex' has the value '1.5' of type xsd:decimal, not "
                                          r"xsd:nonNegativeInteger"):
        map_and_check(record, resources, source=path)


def test_the_real_records_map_unchanged(resources: Resources) -> None:
    for path in RECORDS:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert len(record_to_graph(record, resources.context, resources.settings.id_base, source=path)) > 0
