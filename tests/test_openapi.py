"""The OpenAPI description (/openapi.json) covers every route of the app, and schemathesis, driving
the real app on the seed build with requests generated from it (valid ones and ones that break
the description), never gets a server error, and gets answers that follow the description."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from coopld.web import create_app
from tests.conftest import Built

EXAMPLES = 10  # generated requests per operation and per mode (valid, invalid): the run stays near 20 s


@pytest.fixture(scope="module")
def app(seeds: Built) -> Iterator[Flask]:
    yield create_app({"COOPLD_BUILD": str(seeds.settings.out), "COOPLD_QUERY_TIMEOUT": 3})


def _openapi_path(rule: str) -> str:
    """A Werkzeug rule as an OpenAPI path: ``/ontology.<any(html,...):ext>`` → ``/ontology.{ext}``."""
    return re.sub(r"<(?:[^:<>]+(?:\([^)]*\))?:)?([^<>:]+)>", r"{\1}", rule)


def test_every_route_is_described(app: Flask) -> None:
    described = schemathesis.openapi.from_wsgi("/openapi.json", app).raw_schema["paths"]
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        routes.setdefault(_openapi_path(rule.rule), set()).update((rule.methods or set()) - {"HEAD", "OPTIONS"})
    assert set(routes) == set(described), (sorted(set(routes) - set(described)), sorted(set(described) - set(routes)))
    for path, methods in routes.items():
        assert {m.lower() for m in methods} == set(described[path]), path


def test_the_description_is_served_with_this_server(app: Flask) -> None:
    answer = app.test_client().get("/openapi.json", base_url="http://example.test:8123")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.json is not None and answer.json["servers"] == [{"url": "http://example.test:8123"}]
    assert answer.json["openapi"].startswith("3.")


# schemathesis reads a WSGI response's body but never closes it: a file sent by send_from_directory
# (a dump, the JSON-LD context) is closed by the garbage collector instead
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_generated_requests_get_no_server_error(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    cases = 0
    server_errors: list[str] = []
    nonconforming: list[str] = []
    started = time.monotonic()

    def run(case: Any) -> None:
        nonlocal cases
        cases += 1
        request = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.300}"
        try:
            response = case.call()
        except Exception as exc:  # the app raised instead of answering: a 500 under a server
            server_errors.append(f"{request} -> {type(exc).__name__}: {exc}")
            return
        if response.status_code == 503 and case.path == "/sparql":
            return  # the query time limit, as described (a generated query may be slow on a busy machine)
        if response.status_code >= 500:
            server_errors.append(f"{request} -> {response.status_code} {response.text[:300]}")
            return
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except Exception as exc:  # schemathesis reports every failed check as one exception
            nonconforming.append(f"{request}: {str(exc)[:300]}")

    caplog.set_level(logging.ERROR)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            test = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                            phases=[Phase.explicit, Phase.generate],
                            suppress_health_check=list(HealthCheck))(given(operation.as_strategy(mode))(run))
            try:
                test()
            except Unsatisfiable:  # nothing of this operation can be made invalid (no parameters)
                continue
    took = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations, {cases} cases in {took:.0f} s; "
          f"{len(server_errors)} server errors, {len(nonconforming)} answers not as described")
    for line in server_errors:
        print("server error:", line[:600])
    tracebacks = [r.getMessage() + "\n" + (r.exc_text or "") for r in caplog.records if r.levelno >= logging.ERROR]
    assert not server_errors, server_errors[:10] + tracebacks[:3]
    assert not nonconforming, nonconforming[:10]
    assert len(operations) >= 28 and cases >= len(operations) * EXAMPLES
