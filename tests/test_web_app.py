"""The app factory's configuration sources, and `coopld serve`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coopld.errors import StoreError
from coopld.web import create_app
from tests.conftest import ROOT, Built, free_port, stop_group, wait_until_answering
from tests.test_web_sparql import http


def test_settings_come_from_a_file_then_the_environment_then_overrides(seeds: Built, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "coopld.toml"
    config.write_text(f'[coopld]\nbase_iri = "https://w3id.org/coopld/"\n\n[web]\nbuild = "{seeds.settings.out}"\n'
                      'query_timeout = 4.5\npage_size = 7\n', encoding="utf-8")
    monkeypatch.setenv("COOPLD_CONFIG", str(config))
    monkeypatch.setenv("COOPLD_PAGE_SIZE", "9")
    app = create_app({"COOPLD_FEDERATION_ENDPOINTS": []})
    assert app.config["COOPLD_QUERY_TIMEOUT"] == 4.5
    assert app.config["COOPLD_PAGE_SIZE"] == 9, "the environment wins over the file"
    assert app.config["COOPLD_SETTINGS"].out == seeds.settings.out
    overridden = create_app({"COOPLD_PAGE_SIZE": 3})
    assert overridden.config["COOPLD_PAGE_SIZE"] == 3


def test_a_missing_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run 'coopld build' first"):
        create_app({"COOPLD_BUILD": str(tmp_path / "nothing")})


def test_coopld_serve(seeds: Built) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "coopld", "serve", "--port", str(port), "--build",
                             str(seeds.settings.out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        assert f"http://127.0.0.1:{port}/" in proc.stdout.readline()
        wait_until_answering(proc, f"http://127.0.0.1:{port}/", 30)
        status, _h, body = http(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D",
                                headers={"Accept": "application/sparql-results+json"})
        assert status == 200 and b"true" in body
    finally:
        stop_group(proc)
        if proc.stdout is not None:
            proc.stdout.close()
