"""Articles to records: rule-based extraction driven by the data files in ``mappings/``."""

from __future__ import annotations

from typing import Any

from coopld.articles import Article
from coopld.extract.assemble import Extraction, Extractor
from coopld.extract.lexicon import Lexicon, load_lexicon
from coopld.extract.nlp import DEFAULT_NLP_MODEL
from coopld.extract.record import to_record

__all__ = ["Extraction", "Extractor", "Lexicon", "extract_record", "load_lexicon"]


_EXTRACTORS: dict[tuple[int, str], tuple[Lexicon, Extractor]] = {}


def extract_record(article: Article, lexicon: Lexicon, nlp_model: str = DEFAULT_NLP_MODEL) -> dict[str, Any]:
    """The record of one article. The extractor of a lexicon is made once and kept: it compiles
    the lexicon's patterns (thousands of names) on first use, which costs more than an article."""
    key = (id(lexicon), nlp_model)
    kept = _EXTRACTORS.get(key)
    if kept is None or kept[0] is not lexicon:
        kept = _EXTRACTORS[key] = (lexicon, Extractor(lexicon, nlp_model))
    return to_record(kept[1].run(article))
