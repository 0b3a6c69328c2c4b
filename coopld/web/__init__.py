"""The coopld web application: SPARQL endpoint, pages and downloads, served from the
embedded store a build wrote.

``create_app()`` is the factory gunicorn runs (``gunicorn 'coopld.web:create_app()'``);
nothing happens at import time. Settings come from the defaults, then the ``[web]`` section
of the TOML file named by ``COOPLD_CONFIG`` (``query_timeout = 10``), then ``COOPLD_*``
environment variables (``COOPLD_QUERY_TIMEOUT=10``), then ``overrides`` (tests).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from flask import Flask
from flask_cors import CORS

from coopld.config import load_settings
from coopld.errors import ConfigError
from coopld.mapping import load_context
from coopld.store.remote import remote_config
from coopld.vocab import PREFIXES
from coopld.web import generation

DEFAULTS: dict[str, Any] = {
    "COOPLD_FEDERATION_ENDPOINTS": [],  # the only endpoints SERVICE may call (none: no SERVICE, no network)
    "COOPLD_QUERY_SANDBOX": True,    # run public queries only in a process without network (seccomp)
    "COOPLD_QUERY_TIMEOUT": 10.0,    # seconds a query may run
    "COOPLD_QUERY_WORKERS": 4,       # query processes per server process (each runs one query at a time)
    "COOPLD_QUERY_QUEUE": 16,        # queries that may wait for one; more get 503 with Retry-After
    "COOPLD_DOCUMENT_CACHE_MB": 128,  # documents and pages kept per server process, made once per version
    "COOPLD_RESULT_CACHE_MB": 64,    # added to the above: what the in-process HTTP cache keeps (coopld.web.front)
    "COOPLD_DOCUMENT_CACHE_DIR": "",  # a folder documents are kept in for every process of one server
    "COOPLD_MAX_RESULT_BYTES": 50_000_000,  # size of a query's serialized result
    "COOPLD_MAX_QUERY_LENGTH": 100_000,     # characters in a query
    "COOPLD_QUERY_MEMORY_MB": 4096,         # address space of the process that runs public queries
    "COOPLD_PAGE_SIZE": 1000,        # statements per page of a resource's description
    "COOPLD_STORE": "",              # a remote store's SPARQL query endpoint (empty: the build's embedded store)
    "COOPLD_STORE_POLL": 5.0,        # seconds between asking a remote store whether a new version is published
    "COOPLD_DOWNLOADS_CACHE": "",    # where the dumps of a remote store's data are written (empty: the temp folder)
    "COOPLD_RECONCILE_TYPES": [      # the kinds of things the reconciliation service matches names against
        "http://xmlns.com/foaf/0.1/Person", "http://www.w3.org/ns/org#Organization",
        "https://w3id.org/coopld/ontology#Place", "https://w3id.org/coopld/ontology#Agreement",
        "https://w3id.org/coopld/ontology#CooperationEvent"],
}

#: the settings an environment variable may give, without their COOPLD_ prefix
_SETTINGS = {key.removeprefix("COOPLD_") for key in DEFAULTS} | {"BUILD", "BASE_IRI"}


#: prefixes for the kinds of thing the data mint IRIs for, each a folder under the base
#: (``<base>id/event/``); organizations are "organization:" since "org:" is the W3C ontology's
DATA_PREFIXES = {"event": "event/", "person": "person/", "organization": "org/", "agreement": "agreement/",
                 "place": "place/", "article": "article/", "participation": "participation/", "post": "post/",
                 "period": "period/", "instant": "instant/"}


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    config_file = os.environ.get("COOPLD_CONFIG")
    if config_file:  # the [web] section of the same coopld.toml the build reads
        try:
            web = tomllib.loads(Path(config_file).read_text(encoding="utf-8")).get("web", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read the configuration: {exc}", path=config_file) from exc
        app.config.update({f"COOPLD_{key.upper()}": value for key, value in web.items()})
    app.config.from_prefixed_env("COOPLD")  # values parsed as JSON where they are, else kept as text
    for key in _SETTINGS & set(app.config):  # from_prefixed_env strips the prefix; keep one spelling
        app.config["COOPLD_" + key] = app.config.pop(key)
    app.config.update(overrides or {})
    settings = load_settings(out_dir=app.config.get("COOPLD_BUILD"))
    remote = remote_config(app.config.get("COOPLD_STORE") or None)
    source: generation.Source = (generation.RemotePublication(remote, float(app.config["COOPLD_STORE_POLL"]), settings.out)
                                 if remote is not None else generation.BuildFolder(settings.out))
    first = source.open()  # fails here, clearly, when nothing is published
    # the data are served under the base they were minted under, wherever the server runs
    minted = str(first.summary["base_iri"])
    base = app.config.get("COOPLD_BASE_IRI") or minted
    settings = load_settings(out_dir=settings.out, base_iri=base)
    app.config["COOPLD_SETTINGS"] = settings
    published = generation.Published(source, minted, first)
    generation.install(app, published)
    app.extensions["coopld_context"] = load_context(settings.mappings_dir)
    # the data's own namespaces too, so the query page writes event:2017-… rather than a full IRI
    app.extensions["coopld_prefixes"] = {**{name: settings.id_base + folder for name, folder in DATA_PREFIXES.items()},
                                         **PREFIXES}

    from coopld.web import (
        charts,
        dereference,
        downloads,
        errors,
        examples,
        headers,
        openapi,
        pages,
        reconcile,
        sparql,
        vendor,
        void,
    )

    errors.register(app)
    headers.init_app(app)  # security headers on every response; request bodies bounded before they are read
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(dereference.bp)
    app.register_blueprint(void.bp)
    app.register_blueprint(examples.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(charts.bp)
    app.register_blueprint(reconcile.bp)
    app.register_blueprint(openapi.bp)

    # any site may read (and only read): simple requests and the preflight a POST of
    # application/sparql-query needs
    CORS(app, origins="*", methods=["GET", "HEAD", "POST", "OPTIONS"], allow_headers=["Accept", "Content-Type"],
         expose_headers=headers.CORS_EXPOSE, max_age=86400,
         send_wildcard=True)  # "*", not the Origin echoed: a kept answer is the same for every site
    # what the app made once is sent again before Flask (coopld.web.front); it holds the very
    # bytes the document cache holds, so it is bounded by the two caches' sum; a GET query from
    # a program is answered before Flask too (coopld.web.query_protocol)
    from coopld.web.front import ResponseCache
    from coopld.web.query_protocol import QueryLane

    limit = (int(app.config["COOPLD_DOCUMENT_CACHE_MB"]) + int(app.config["COOPLD_RESULT_CACHE_MB"])) * 1024 * 1024
    app.wsgi_app = ResponseCache(QueryLane(app.wsgi_app, published, app.config), published,  # type: ignore[method-assign]
                                 limit)
    return app

