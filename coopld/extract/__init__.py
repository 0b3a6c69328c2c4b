"""Articles to records: rule-based extraction driven by the data files in ``mappings/``."""

from __future__ import annotations

from typing import Any

from coopld.articles import Article
from coopld.extract.assemble import Extraction, Extractor
from coopld.extract.lexicon import Lexicon, load_lexicon
from coopld.extract.record import to_record

__all__ = ["Extraction", "Extractor", "Lexicon", "extract_record", "load_lexicon"]


def extract_record(article: Article, lexicon: Lexicon) -> dict[str, Any]:
    """The record of one article."""
    return to_record(Extractor(lexicon).run(article))
