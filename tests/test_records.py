"""Records: written by the extractor, corrected by people, and never overwritten once corrected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from coopld.build import build
from coopld.config import load_settings
from coopld.records import META, body_digest, is_curated
from tests.conftest import ROOT, iri

SEED = "000_fbf71168363b4ba4"
TALKS = iri("event/2024-04-03-talks-russia-vietnam-hanoi")


def _corpus(tmp: Path) -> tuple[Path, Path, Path]:
    articles, records, out = tmp / "articles", tmp / "records", tmp / "build"
    articles.mkdir()
    shutil.copy(ROOT / "data" / "articles" / f"{SEED}.txt", articles)
    return articles, records, out


def _build(articles: Path, records: Path, out: Path) -> tuple[int, Graph, list[str]]:
    result = build(load_settings(articles_dir=articles, records_dir=records, out_dir=out), progress=False)
    graph = Graph()
    if result.written:
        dataset = Dataset()
        dataset.parse(out / "coopld.nq", format="nquads")
        for g in dataset.graphs():
            graph += g
    return result.exit_code, graph, result.notices


def test_the_committed_records_are_what_the_extractor_writes() -> None:
    for path in sorted((ROOT / "data" / "records").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        assert record[META]["generated_sha256"] == body_digest(record), f"{path.name} was edited by hand"
        assert record["@context"] == "https://w3id.org/coopld/context.jsonld"


def test_a_corrected_record_survives_every_rebuild(tmp_path: Path) -> None:
    articles, records, out = _corpus(tmp_path)
    code, _graph, _ = _build(articles, records, out)
    assert code == 0
    path = records / f"{SEED}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    talks = next(e for e in record["reportsEvent"] if e["@id"] == "event/2024-04-03-talks-russia-vietnam-hanoi")
    talks["label"] = "Talks between the Hanoi and Moscow police (corrected by hand)"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    assert is_curated(json.loads(path.read_text(encoding="utf-8")))
    corrected = path.read_bytes()
    for _ in range(2):
        code, graph, notices = _build(articles, records, out)
        assert code == 0 and notices == []
        assert path.read_bytes() == corrected
        assert (URIRef(TALKS), RDFS.label, Literal("Talks between the Hanoi and Moscow police (corrected by hand)")) in graph


def test_a_changed_article_under_a_corrected_record_is_reported(tmp_path: Path) -> None:
    articles, records, out = _corpus(tmp_path)
    _build(articles, records, out)
    path = records / f"{SEED}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["caption"] = "Corrected caption"
    path.write_text(json.dumps(record), encoding="utf-8")
    text = articles / f"{SEED}.txt"
    text.write_text(text.read_text(encoding="utf-8") + "\nA sentence added later.\n", encoding="utf-8")
    code, _graph, notices = _build(articles, records, out)
    assert code == 0
    assert len(notices) == 1 and str(path) in notices[0] and "article changed" in notices[0]
    assert json.loads(path.read_text(encoding="utf-8"))["caption"] == "Corrected caption"


def test_an_unedited_record_follows_the_article(tmp_path: Path) -> None:
    articles, records, out = _corpus(tmp_path)
    _build(articles, records, out)
    text = articles / f"{SEED}.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("on April 3 held talks", "on April 2 held talks"),
                    encoding="utf-8")
    code, graph, _ = _build(articles, records, out)
    assert code == 0
    assert (URIRef(iri("event/2024-04-02-talks-russia-vietnam-hanoi")), None, None) in graph
    assert not is_curated(json.loads((records / f"{SEED}.json").read_text(encoding="utf-8")))


def test_a_broken_record_is_reported_and_left_alone(tmp_path: Path) -> None:
    articles, records, out = _corpus(tmp_path)
    records.mkdir()
    path = records / f"{SEED}.json"
    path.write_text('{"@id": "article/x", "@type": "Article", ', encoding="utf-8")
    result = build(load_settings(articles_dir=articles, records_dir=records, out_dir=out), progress=False)
    assert result.exit_code == 2
    assert len(result.errors) == 1 and str(path) in result.errors[0] and "not valid JSON" in result.errors[0]
    assert path.read_text(encoding="utf-8") == '{"@id": "article/x", "@type": "Article", '


def test_the_committed_records_are_up_to_date_with_the_extractor() -> None:
    """Records are data: when the extractor changes, `coopld build` rewrites them, and the
    result is committed with the change."""
    from coopld.articles import read_article
    from coopld.extract import extract_record, load_lexicon

    lexicon = load_lexicon(ROOT / "mappings", ROOT / "ontology" / "vocab")
    for article in sorted((ROOT / "data" / "articles").glob("*.txt")):
        committed = json.loads((ROOT / "data" / "records" / f"{article.stem}.json").read_text(encoding="utf-8"))
        fresh = extract_record(read_article(article), lexicon)
        assert body_digest(fresh) == body_digest(committed), f"run 'coopld build' and commit {article.stem}.json"
