"""The code checks the project holds itself to: ruff's lint and mypy in strict mode."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff() -> None:
    result = run("ruff", "check", "coopld", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_stages_only_import_earlier_stages() -> None:
    """Data flows one way: nothing before the web layer imports it, and extraction knows
    nothing of RDF building, inference or validation."""
    later = {"coopld.extract": ("coopld.mapping", "coopld.infer", "coopld.shacl", "coopld.build", "coopld.dumps",
                                "coopld.store", "coopld.web", "coopld.cli"),
             "coopld.mapping": ("coopld.infer", "coopld.shacl", "coopld.build", "coopld.web"),
             "coopld.infer": ("coopld.shacl", "coopld.build", "coopld.web"),
             "coopld.shacl": ("coopld.build", "coopld.web")}
    for package, forbidden in later.items():
        path = ROOT / package.replace(".", "/")
        files = list(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
        for file in files:
            text = file.read_text(encoding="utf-8")
            for name in forbidden:
                assert f"from {name}" not in text and f"import {name}" not in text, (file, name)


def test_only_the_embedded_store_imports_pyoxigraph() -> None:
    """Everything else reads the data through the store interface (``coopld.store.Store``), so
    the application runs the same over a remote SPARQL store. Read from each module's syntax
    tree, not its text: a docstring may name pyoxigraph."""
    import ast

    importers = []
    for file in sorted((ROOT / "coopld").rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] == "pyoxigraph" for n in names):
                importers.append(str(file.relative_to(ROOT)))
    assert importers == ["coopld/store/embedded.py"]
