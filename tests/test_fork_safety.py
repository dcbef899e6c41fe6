"""A build forks its workers (the check's child, the render workers) while no other thread of statusdocs runs:
a child forked beside a running thread may inherit a lock that thread held and wait on it forever. Python 3.12 and
newer warn at such a fork (a DeprecationWarning); here that warning is always shown, in a build process of its own.
(Under pytest-xdist, README's command, every fork in a worker process draws the warning for xdist's own thread,
which is not ours: that is why this runs the CLI in a process of its own.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import CONTENT, TEMPLATES, run_cli


@pytest.mark.skipif(sys.version_info < (3, 12), reason="Python warns at a fork beside a thread from 3.12 on")
def test_a_parallel_build_forks_beside_no_thread_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Only the warning whose message starts so (as -W matches it) is shown: no library's own deprecation.
    monkeypatch.setenv("PYTHONWARNINGS", "always:This process:DeprecationWarning")
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out",
                     str(tmp_path / "site"), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "DeprecationWarning" not in result.stderr, result.stderr
