from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"


def run_cli(*args: str, cwd: Path | str = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run statusdocs as a user does: a separate process, output captured."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "statusdocs", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The bundled content built once, with the default base URL."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture()
def content_copy(tmp_path) -> Path:
    """A writable copy of the bundled content, for tests that break it."""
    dest = tmp_path / "content"
    shutil.copytree(CONTENT, dest)
    return dest
