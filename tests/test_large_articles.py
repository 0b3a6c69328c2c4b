"""Extraction time grows in proportion to the article's length, and long articles are still
split into the right sentences.

Times are compared as a ratio of two runs in the same test (a 4× longer article may take at
most about 6× as long: 30 KB against 120 KB), never against an absolute budget, so a slow or busy machine does not
fail them; a quadratic step makes the ratio about 16.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from coopld.articles import (
    DEFAULT_MAX_ARTICLE_BYTES,
    DEFAULT_MAX_ARTICLE_LINES,
    Article,
    parse_article,
    read_article,
)
from coopld.config import load_settings
from coopld.errors import ArticleError
from coopld.extract import Lexicon, extract_record, load_lexicon
from coopld.extract.text import MAX_SENTENCE, sentences, word_before

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = sorted((ROOT / "data" / "articles").glob("*.txt")) + sorted((ROOT / "tests" / "articles").glob("*.txt"))


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    settings = load_settings()
    return load_lexicon(settings.mappings_dir, settings.ontology_dir / "vocab")


def _body_sentences() -> list[str]:
    """The real articles' body sentences that end with a full stop and start with a capital."""
    return [s.text for path in ARTICLES for s in sentences(read_article(path))
            if s.part == "body" and s.text[0].isupper() and s.text.endswith(".")]


def _long_article(size: int) -> Article:
    """The real articles' body sentences, in turn, to ``size`` characters."""
    pool, parts, n = _body_sentences(), list[str](), 0
    while n < size:
        parts.append(pool[len(parts) % len(pool)])
        n += len(parts[-1]) + 1
    return parse_article(Path("long.txt"), ("date 2023-05-04 Caption\n\n" + " ".join(parts)).encode())


def _one_run_on(size: int) -> Article:
    """One sentence with no full stop at all, ``size`` characters long."""
    piece = ("the Vietnamese Ministry of Public Security and Lieut. Gen. To Lam held talks in Hanoi on "
             "September 5, 2018 on cybercrime, signing a Memorandum of Understanding; ")
    return parse_article(Path("run-on.txt"), ("Headline\n" + piece * (size // len(piece))).encode())


def _seconds(article: Article, lexicon: Lexicon) -> float:
    """The best of two runs, in this process's CPU time: what the extractor costs, not what
    other processes on a busy machine take from it (this tests how the cost grows, not speed)."""
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        extract_record(article, lexicon)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("make", [_long_article, _one_run_on], ids=["many-sentences", "one-run-on"])
def test_extraction_time_grows_linearly(lexicon: Lexicon, make: object) -> None:
    assert callable(make)
    extract_record(make(3_000), lexicon)  # warm up: compile the lexicon's patterns
    small = _seconds(make(10_000), lexicon)
    large = _seconds(make(40_000), lexicon)
    assert large / small < 6.0, f"10 KB took {small:.2f} s, 40 KB {large:.2f} s: not linear"


def test_long_article_splits_into_its_sentences() -> None:
    pool = _body_sentences()
    article = _long_article(300_000)
    found = [s.text for s in sentences(article) if s.part == "body"]
    assert len(found) > 1000
    assert found == [pool[i % len(pool)] for i in range(len(found))]
    for s in sentences(article):
        assert article.text[s.start:s.end] == s.text


def test_abbreviations_do_not_end_sentences_however_far_into_the_text() -> None:
    sentence = "Sen. Lieut. Gen. To Lam met President V. Putin on Sept. 5."
    article = parse_article(Path("a.txt"), ("Headline\n" + " ".join([sentence] * 5000)).encode())
    body = [s.text for s in sentences(article) if s.part == "body"]
    assert body == [sentence] * 5000


def test_a_run_without_boundaries_is_cut_into_bounded_pieces_that_keep_every_word() -> None:
    words = " ".join(f"word{i}" for i in range(60_000))
    article = parse_article(Path("run.txt"), f"Headline\n{words}".encode())
    body = [s for s in sentences(article) if s.part == "body"]
    assert len(body) > 1
    assert all(len(s.text) <= MAX_SENTENCE for s in body)
    assert " ".join(s.text for s in body) == words
    assert [s.index for s in sentences(article)] == list(range(len(body) + 1))


def test_a_run_without_whitespace_is_cut_at_the_limit() -> None:
    article = parse_article(Path("run.txt"), ("Headline\n" + "x" * (3 * MAX_SENTENCE + 7)).encode())
    body = [s for s in sentences(article) if s.part == "body"]
    assert [len(s.text) for s in body] == [MAX_SENTENCE] * 3 + [7]


def test_every_line_is_a_sentence_however_many_lines() -> None:
    text = "Headline\n" + "Police met.\n" * 200_000
    article = parse_article(Path("lines.txt"), text.encode())
    start = time.perf_counter()
    found = sentences(article)
    assert len(found) == 200_001
    assert found[-1].text == "Police met."
    assert time.perf_counter() - start < 60  # generous: a quadratic split would take hours


@pytest.mark.parametrize("text", ["", "abc", "abc.", "abc\n", "a b\n", "x\n\n", "ab_c9\n", "é. Ünï\n", "..\n", "\n"])
def test_word_before_is_what_the_anchored_search_found(text: str) -> None:
    for pos in range(len(text) + 1):
        old = re.compile(r"(\w+)$").search(text, 0, pos)
        assert word_before(text, pos) == (old.group(1) if old else "")


# --- limits ---------------------------------------------------------------------------------


def test_default_limits_are_exported() -> None:
    assert DEFAULT_MAX_ARTICLE_BYTES == 1_000_000
    assert DEFAULT_MAX_ARTICLE_LINES == 20_000


def test_a_50_mb_file_is_refused_by_its_size_without_being_read(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:  # sparse: costs nothing to make
        f.write(b"Headline\n")
        f.truncate(50 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the whole file was read"))
    start = time.perf_counter()
    with pytest.raises(ArticleError) as caught:
        read_article(path, max_bytes=DEFAULT_MAX_ARTICLE_BYTES, max_lines=DEFAULT_MAX_ARTICLE_LINES)
    assert time.perf_counter() - start < 2
    message = str(caught.value)
    assert str(path) in message
    assert "the article is 52,428,800 bytes; the limit is 1,000,000 bytes (setting max_article_bytes)" in message


def test_no_more_than_the_limit_and_one_byte_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that stat() reports small but that grows while it is read is still cut off."""
    path = tmp_path / "growing.txt"
    path.write_bytes(b"Headline\n" + b"x" * 5000)
    sizes: list[int] = []
    real_open = Path.open

    def spying_open(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        real_read = handle.read

        def read(n: int = -1) -> bytes:
            sizes.append(n)
            return bytes(real_read(n))

        handle.read = read
        return handle

    monkeypatch.setattr(Path, "open", spying_open)
    monkeypatch.setattr(Path, "stat", lambda self, **kw: type("S", (), {"st_size": 10})())
    with pytest.raises(ArticleError, match=r"is more than 100 bytes; the limit is 100 bytes \(setting max_article_bytes\)"):
        read_article(path, max_bytes=100)
    assert sizes == [101]


def test_a_million_line_file_is_refused_by_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_bytes(b"Headline\n" + b"x\n" * 999_999)
    start = time.perf_counter()
    with pytest.raises(ArticleError, match="max_article_bytes"):  # a million lines are over a megabyte
        read_article(path, max_bytes=DEFAULT_MAX_ARTICLE_BYTES, max_lines=DEFAULT_MAX_ARTICLE_LINES)
    with pytest.raises(ArticleError) as caught:
        read_article(path, max_bytes=10 * DEFAULT_MAX_ARTICLE_BYTES, max_lines=DEFAULT_MAX_ARTICLE_LINES)
    assert time.perf_counter() - start < 2
    message = str(caught.value)
    assert str(path) in message
    assert "the article is 1,000,000 lines; the limit is 20,000 lines (setting max_article_lines)" in message


def test_articles_within_the_limits_read_as_before(tmp_path: Path) -> None:
    for path in ARTICLES:
        limited = read_article(path, max_bytes=DEFAULT_MAX_ARTICLE_BYTES, max_lines=DEFAULT_MAX_ARTICLE_LINES)
        assert limited == read_article(path)
    exact = tmp_path / "exact.txt"
    exact.write_bytes(b"Headline\nbody\n")
    assert read_article(exact, max_bytes=14, max_lines=2).text == "Headline\nbody\n"
    with pytest.raises(ArticleError, match=r"14 bytes; the limit is 13 bytes"):
        read_article(exact, max_bytes=13)
    with pytest.raises(ArticleError, match="2 lines; the limit is 1 lines"):
        read_article(exact, max_lines=1)


def test_parse_article_applies_the_same_limits() -> None:
    with pytest.raises(ArticleError, match=r"setting max_article_bytes"):
        parse_article(Path("a.txt"), b"Headline\n" + b"x" * 100, max_bytes=50)
    with pytest.raises(ArticleError, match=r"3 lines; the limit is 2 lines \(setting max_article_lines\)"):
        parse_article(Path("a.txt"), b"Headline\nbody\nmore", max_lines=2)
