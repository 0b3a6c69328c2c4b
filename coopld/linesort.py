"""Sorting a build's statements on disk, not in memory.

A dump of a large corpus holds millions of lines, and a set of them in Python costs several
times their size; GNU ``sort`` (Debian's coreutils, on every machine) sorts files of any size
in bounded memory, spilling to temporary files, on several cores. Lines are compared byte by
byte (``LC_ALL=C``), which for UTF-8 text is the order of the characters' code points, the
order Python gives to the same strings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from coopld.errors import CoopldError

#: memory GNU sort may hold before it spills to temporary files
SORT_MEMORY = "200M"


def sort_unique(sources: Sequence[Path], out: Path, *, temp: Path, jobs: int = 2) -> None:
    """Write the lines of ``sources``, sorted and each once, to ``out``."""
    program = shutil.which("sort")
    if program is None:
        raise CoopldError("GNU sort is needed to write the dumps and was not found on PATH (Debian: coreutils)")
    temp.mkdir(parents=True, exist_ok=True)
    command = [program, "-u", "-S", SORT_MEMORY, f"--parallel={max(1, jobs)}", "-T", str(temp), "-o", str(out),
               "--", *map(str, sources)]
    run = subprocess.run(command, env={**os.environ, "LC_ALL": "C"}, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise CoopldError(f"sorting the statements failed: {run.stderr.strip() or f'exit code {run.returncode}'}",
                          path=out)
