"""mappings/ is data a user extends without touching code; a mistake in it is named precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopld.articles import read_article
from coopld.errors import MappingError
from coopld.extract import extract_record, load_lexicon
from tests.conftest import ROOT

ARTICLE = ROOT / "data" / "articles" / "003_aebcca7f72621cea.txt"


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    target = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", target)
    return target


def _topics(record: dict) -> set[str]:  # type: ignore[type-arg]
    return {t for e in record.get("reportsEvent", []) for t in e.get("topic", [])}


def test_a_new_trigger_phrase_adds_a_topic_without_code(mappings: Path) -> None:
    vocab = ROOT / "ontology" / "vocab"
    before = extract_record(read_article(ARTICLE), load_lexicon(mappings, vocab))
    assert "topics:maritime-security" not in _topics(before)
    path = mappings / "topics.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "patterns = ['maritime security', 'piracy', 'at sea']",
        "patterns = ['maritime security', 'piracy', 'at sea', 'comprehensive strategic partnership']"), encoding="utf-8")
    after = extract_record(read_article(ARTICLE), load_lexicon(mappings, vocab))
    assert "topics:maritime-security" in _topics(after)


def test_a_gazetteer_entry_gives_an_unknown_person_one_identity(mappings: Path) -> None:
    vocab = ROOT / "ontology" / "vocab"
    path = mappings / "gazetteer" / "persons.toml"
    text = path.read_text(encoding="utf-8").replace(
        '[persons.vladimir-kolokoltsev]\nname = "Vladimir Kolokoltsev"',
        '[persons.v-kolokoltsev]\nname = "V. A. Kolokoltsev"')
    path.write_text(text, encoding="utf-8")
    record = extract_record(read_article(ARTICLE), load_lexicon(mappings, vocab))
    assert "person/v-kolokoltsev" in record["mentions"] and "person/vladimir-kolokoltsev" not in record["mentions"]


def test_without_any_person_gazetteer_officials_are_still_found(mappings: Path) -> None:
    (mappings / "gazetteer" / "persons.toml").write_text("# empty\n", encoding="utf-8")
    record = extract_record(read_article(ROOT / "data" / "articles" / "001_d8ef363ee950f39f.txt"),
                            load_lexicon(mappings, ROOT / "ontology" / "vocab"))
    assert {"person/bui-van-nam", "person/aleksandr-gorovoy"} <= set(record["mentions"])


@pytest.mark.parametrize("file, change, message", [
    ("topics.toml", lambda t: t + "\n[topics.not-a-concept]\npatterns = ['x']\n", "topics.not-a-concept: not a concept"),
    ("topics.toml", lambda t: t + "\n[topics.cybercrime2\n", "cannot read the mapping file"),
    ("events.toml", lambda t: t.replace("'\\btalks\\b'", "'(unclosed'"), "kinds.talks: invalid pattern"),
    ("titles.toml", lambda t: t + "\n[ranks.field-marshal]\nforms = ['Field Marshal']\n",
     "ranks.field-marshal: not a concept of the ranks vocabulary"),
    ("gazetteer/organizations.toml", lambda t: t.replace('country = "vietnam"\nfunction = "public-security-ministry"',
                                                         'country = "atlantis"\nfunction = "public-security-ministry"'),
     "unknown country 'atlantis'"),
    ("gazetteer/places.toml", lambda t: t.replace('name = "Hanoi"\n', ''), "cities.hanoi: 'name' is required"),
])
def test_mistakes_name_the_file_and_the_entry(mappings: Path, file: str, change: object, message: str) -> None:
    path = mappings / file
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(MappingError) as info:
        load_lexicon(mappings, ROOT / "ontology" / "vocab")
    assert str(path) in info.value.message and message in info.value.message
