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


def test_a_document_one_worker_made_is_sent_by_the_others(seeds: Built, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Two apps stand for two worker processes of one server, sharing its document folder: what
    the first made, the second sends as it is, without making it again; the folders of
    versions no longer served are removed."""
    import coopld.web.dereference as dereference

    folder = tmp_path / "documents"
    stale = folder / ("0" * 64)
    stale.mkdir(parents=True)
    (stale / "old").write_bytes(b"a document of an earlier version")
    settings = {"COOPLD_BUILD": str(seeds.settings.out), "COOPLD_DOCUMENT_CACHE_DIR": str(folder)}
    path = "/doc/event/2017-07-25-talks-russia-vietnam-hanoi"
    first = create_app(settings).test_client()
    made = {ext: first.get(f"{path}.{ext}") for ext in ("html", "ttl")}
    assert all(r.status_code == 200 for r in made.values())
    assert not stale.exists()

    def unmade(_path: str) -> None:
        raise AssertionError("the second worker made the document again")

    monkeypatch.setattr(dereference, "_document", unmade)
    second = create_app(settings).test_client()
    for ext, response in made.items():
        sent = second.get(f"{path}.{ext}")
        assert sent.status_code == 200 and sent.data == response.data
        assert sent.headers["Content-Type"] == response.headers["Content-Type"]
        assert sent.headers["ETag"] == response.headers["ETag"]
