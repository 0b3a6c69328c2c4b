"""Reading article files: the two layouts, and a clear refusal of what is not an article."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from coopld.articles import article_paths, read_article
from coopld.errors import ArticleError

SEEDS = Path(__file__).resolve().parent.parent / "data" / "articles"


def test_date_line_gives_publication_date_and_caption() -> None:
    article = read_article(SEEDS / "001_d8ef363ee950f39f.txt")
    assert article.published == date(2018, 9, 6)
    assert article.caption is not None
    assert article.slice(article.caption).startswith("Vietnamese Deputy Minister of Public Security Bui Van Nam (L)")
    assert article.headline is None
    assert article.slice(article.body).startswith("– The Vietnamese Ministry of Public Security (MPS)")


def test_headline_article_has_no_date() -> None:
    article = read_article(SEEDS / "003_aebcca7f72621cea.txt")
    assert article.published is None and article.caption is None
    assert article.headline is not None
    assert article.slice(article.headline) == "Public Security Minister upbeat about fruitful ties with Russia"
    assert article.slice(article.body).startswith("VOV.VN - Minister of Public Security")


def test_offsets_count_in_the_file_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    text = " date 2020-01-02 Caption ünïcode\n\nBody — with dashes.\n"
    path.write_text(text, encoding="utf-8")
    article = read_article(path)
    assert article.text == text
    assert article.slice(article.caption) == "Caption ünïcode"  # type: ignore[arg-type]
    assert article.slice(article.body) == "Body — with dashes."


def test_the_seeds_are_kept_verbatim() -> None:
    shared = SEEDS.parent.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for seed in shared.glob("*.txt"):
        assert (SEEDS / seed.name).read_bytes() == seed.read_bytes()


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"   \n\n  ", "empty"),
    (b" date 2020-01-02 A caption\n\n", "no body"),
    (b"Only a headline\n", "no body"),
    (b"Headline\n\xff\xfe broken bytes", "not UTF-8"),
    (b" date 2020-13-45 Caption\n\nBody.", "invalid date"),
    (b"Headline\n\x00\x00\x00", "NUL"),
])
def test_bad_articles_are_refused_with_the_file_and_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleError) as info:
        read_article(path)
    assert str(path) in info.value.message and reason in info.value.message


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "folder.txt"
    path.mkdir()
    with pytest.raises(ArticleError, match="cannot read"):
        read_article(path)


def test_articles_are_taken_in_name_order(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", ".hidden.txt", "notes.md"):
        (tmp_path / name).write_text("x\ny", encoding="utf-8")
    assert [p.name for p in article_paths(tmp_path)] == ["a.txt", "b.txt"]
    with pytest.raises(ArticleError, match="does not exist"):
        article_paths(tmp_path / "missing")
