"""A rebuild redoes only the articles that changed (``coopld.digests``), and what it publishes is
what a build of every article would publish: the same dumps, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopld.build import BuildResult, build
from coopld.config import load_settings
from tests.conftest import ROOT

SEEDS = sorted((ROOT / "data" / "articles").glob("*.txt"))
DUMPS = ("coopld.nq", "coopld.ttl", "coopld.trig", "coopld.jsonld", "validation-report.ttl", "build.json")


def _build(articles: Path, records: Path, out: Path, *, reuse: bool = True, **settings: str) -> BuildResult:
    return build(load_settings(articles_dir=articles, records_dir=records, out_dir=out, **settings), progress=False,
                 reuse=reuse)


def _folder(tmp: Path, name: str, seeds: list[Path]) -> Path:
    folder = tmp / name
    folder.mkdir()
    for path in seeds:
        shutil.copy(path, folder)
    return folder


def _same_dumps(one: Path, other: Path) -> None:
    for name in DUMPS:
        assert (one / name).read_bytes() == (other / name).read_bytes(), name


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Three seed articles built once: their folder, records and output."""
    tmp = tmp_path_factory.mktemp("incremental")
    articles = _folder(tmp, "articles", SEEDS[:3])
    result = _build(articles, tmp / "records", tmp / "out")
    assert result.written and not result.reused, "a first build builds every article"
    return articles, tmp / "records", tmp / "out"


def test_a_rebuild_of_the_same_articles_builds_none_and_publishes_the_same(first: tuple[Path, Path, Path],
                                                                          tmp_path: Path) -> None:
    articles, records, out = first
    before = {name: (out / name).read_bytes() for name in DUMPS}
    again = _build(articles, records, out)
    assert again.written and len(again.reused) == 3 and again.generation is not None
    assert all(a.reused_from and a.reused_from != again.generation.name for a in again.reused)
    assert {name: (out / name).read_bytes() for name in DUMPS} == before


def test_an_added_article_is_the_only_one_built_and_equals_a_full_build(first: tuple[Path, Path, Path],
                                                                        tmp_path: Path) -> None:
    _, records, out = first
    grown = _folder(tmp_path, "grown", SEEDS[:4])
    shutil.copytree(records, tmp_path / "records")
    shutil.copytree(out, tmp_path / "out", symlinks=True)
    added = _build(grown, tmp_path / "records", tmp_path / "out")
    assert added.written and len(added.articles) == 4 and len(added.reused) == 3
    assert {a.path.name for a in added.articles if not a.reused_from} == {SEEDS[3].name}
    full = _build(grown, tmp_path / "full-records", tmp_path / "full")
    assert full.written and not full.reused
    _same_dumps(tmp_path / "out", tmp_path / "full")


def test_a_changed_article_is_built_again_and_the_rest_are_not(first: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, records, out = first
    edited = _folder(tmp_path, "edited", SEEDS[:3])
    changed = edited / SEEDS[1].name
    changed.write_text(changed.read_text(encoding="utf-8").rstrip("\n") + "\n\nThe talks ended in the evening.\n",
                       encoding="utf-8")
    shutil.copytree(records, tmp_path / "records")
    shutil.copytree(out, tmp_path / "out", symlinks=True)
    rebuilt = _build(edited, tmp_path / "records", tmp_path / "out")
    assert rebuilt.written
    assert {a.path.name for a in rebuilt.articles if not a.reused_from} == {SEEDS[1].name}
    assert _build(edited, tmp_path / "full-records", tmp_path / "full", reuse=False).written
    _same_dumps(tmp_path / "out", tmp_path / "full")


def test_changed_inputs_or_full_build_every_article(first: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """What every article's build reads (here a setting that changes every IRI) is in each
    digest; and ``reuse=False`` (``coopld build --full``) takes nothing from the last build."""
    articles, records, out = first
    shutil.copytree(records, tmp_path / "records")
    shutil.copytree(out, tmp_path / "out", symlinks=True)
    other_base = _build(articles, tmp_path / "records", tmp_path / "out", base_iri="https://example.org/coop/")
    assert other_base.written and not other_base.reused
    assert b"https://example.org/coop/" in (tmp_path / "out" / "coopld.nq").read_bytes()
    full = _build(articles, tmp_path / "records", tmp_path / "out", reuse=False, base_iri="https://example.org/coop/")
    assert full.written and not full.reused
