"""What an article's build depends on, as digests, so that a rebuild redoes only what changed.

An article's data (its record, triples, inferred triples and report) are a function of the
article's bytes, its record file's bytes (a corrected record is built as it stands) and of
everything the build reads or runs the same way for every article: the ontology, mappings
and shapes, coopld's own code, the versions of the libraries that read and reason, and the
settings that change what is minted. :func:`inputs_digest` covers the last group once per
build; :func:`article_digest` adds one article's own bytes. A later build that finds an
article's part with the same digest in the last generation takes it as it is, which gives
what building it again would give: nothing it depends on has changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from importlib import metadata
from pathlib import Path

from coopld.config import Settings

#: the libraries whose versions change what an article becomes
LIBRARIES = ("rdflib", "pyshacl", "owlrl", "spacy")
_PACKAGE = Path(__file__).resolve().parent
#: the code and data files under a folder that a build reads (not caches, not editor files)
#: the settings that change nothing an article becomes
_NOT_INPUTS = frozenset({"root", "articles_dir", "records_dir", "out_dir", "article_timeout"})
_SUFFIXES = frozenset({".py", ".ttl", ".rq", ".jsonld", ".json", ".toml", ".txt", ".csv", ".tsv", ".yaml", ".yml"})


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in _SUFFIXES and "__pycache__" not in p.parts)


def inputs_digest(settings: Settings) -> str:
    """The digest of what every article's build shares: files, code, library versions, settings."""
    digest = hashlib.sha256()
    for folder in (settings.ontology_dir, settings.mappings_dir, settings.shapes_dir, _PACKAGE):
        for path in _files(folder):
            digest.update(f"{path.relative_to(folder)}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in (*LIBRARIES, settings.nlp_model):
        digest.update(f"{name}={_version(name)}\0".encode())
    # every setting but where the folders are and how long an article may take
    chosen = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name not in _NOT_INPUTS}
    digest.update(repr(sorted(chosen.items())).encode())
    return digest.hexdigest()


def article_digest(inputs: str, article: bytes, record: bytes | None) -> str:
    """One article's digest: the shared inputs, its bytes, and its record file's bytes as they
    stood after the build read it (None: there was none)."""
    digest = hashlib.sha256(inputs.encode())
    digest.update(hashlib.sha256(article).digest())
    digest.update(b"no record" if record is None else hashlib.sha256(record).digest())
    return digest.hexdigest()
