"""mypy finds no error in the package (issue 23: "mypy clean on generator/"), with pyproject.toml's [tool.mypy].

The import name is statusdocs but the folder is generator/: mypy checks it from a folder where statusdocs links
to generator/, with a cache of its own (a cold run, whatever ran before)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_mypy_finds_no_error_in_the_package(tmp_path: Path):
    (tmp_path / "statusdocs").symlink_to(ROOT / "generator", target_is_directory=True)
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                             "--cache-dir", str(tmp_path / "mypy-cache"), "-p", "statusdocs"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
