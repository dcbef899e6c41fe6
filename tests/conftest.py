from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"
# The budget of the randomised tests (Hypothesis examples, fault and edit rounds): 1 in README's command, a fraction
# in .ci/run's runs on other versions (what a version breaks shows in any round), more for a deep run.
PROPERTY_SCALE = float(os.environ.get("STATUSDOCS_PROPERTY_SCALE", "1"))


def scaled(rounds: int, least: int) -> int:
    """`rounds` times the property scale, and never fewer than `least`."""
    return max(least, round(rounds * PROPERTY_SCALE))


def budgeted(rounds: int, least: int, seconds: float) -> Iterator[int]:
    """Round numbers for a randomised loop: `scaled(rounds, least)` of them, ending early once `seconds` (times
    the property scale, so a deep run gets the time its rounds need) have passed, never before `least` rounds: a
    slow or busy machine runs fewer rounds, never fewer than the floor."""
    deadline = time.monotonic() + seconds * max(1.0, PROPERTY_SCALE)
    for n in range(scaled(rounds, least)):
        if n >= least and time.monotonic() > deadline:
            return
        yield n


def run_cli(*args: str, cwd: Path | str = ROOT, timeout: float = 120, search: bool = False) \
        -> subprocess.CompletedProcess:
    """Run statusdocs as a user does: a separate process, output captured. A build skips the full-text index
    (`--no-search`) unless `search`: Pagefind takes a second or more a build, and the tests of search ask for it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    extra = ["--no-search"] if args[:1] == ("build",) and not search and "--help" not in args else []
    return subprocess.run([sys.executable, "-m", "statusdocs", *args, *extra], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)


# The files started first, then the longest: README's command gives each worker a file at a time in collection
# order (--dist loadfile), so a long file collected late would run alone at the end while the other cores idle.
# Lighthouse's file comes first, a file of short tests second: its test marked `alone` waits for the test the other
# worker is running, a few seconds at the start, where one of test_recorded_deps' would keep a core idle for minutes.
LONGEST_FILES = ("test_lighthouse.py", "test_build_cache.py", "test_recorded_deps.py", "test_incremental.py",
                 "test_check_scope.py", "test_prose.py", "test_faults.py", "test_properties.py",
                 "test_check_speed_equivalence.py", "test_publishing.py")


def pytest_configure(config: pytest.Config) -> None:
    """Files go to the workers in collection order: pytest-xdist sorts them by their number of tests (its
    --loadscope-reorder, on by default), which sends the files of a few long tests last; this is its
    --no-loadscope-reorder (pytest-xdist 3.8.0 and later, as pyproject.toml requires)."""
    if getattr(config.option, "loadscopereorder", None):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of LONGEST_FILES first, in that order; every other test keeps its place (a stable sort)."""
    rank = {name: n for n, name in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The bundled content built once, with the default base URL."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = run_cli("build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out),
                     search=True)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(autouse=True)
def _machine_turn(request, tmp_path_factory):
    """Under pytest-xdist (README's command runs `-n auto`), a test marked `alone` runs while no other test does:
    Lighthouse's performance score times the page on this machine. Every test holds a shared lock on a file of this
    run's temporary folder while it runs, an `alone` test an exclusive one; a turnstile taken before either lets a
    waiting exclusive lock in ahead of the tests that start after it. Without xdist, one test runs at a time anyway."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    import fcntl  # xdist's workers are POSIX processes here; the import is not available on Windows

    folder = tmp_path_factory.getbasetemp().parent  # one folder for all the workers of this run
    alone = request.node.get_closest_marker("alone") is not None
    with open(folder / "turnstile.lock", "a") as turnstile, open(folder / "machine.lock", "a") as machine:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(machine, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:  # explicitly: a process the test forks shares the open file, and with it the lock
            fcntl.flock(machine, fcntl.LOCK_UN)


def set_field(obj: object, field: str, value: object) -> None:
    """Set a field of a loaded model object by the path findings use (`faq[1].answer`, `cacheable.note`)."""
    target = obj
    parts = field.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else getattr(target, part)  # type: ignore[index]
    if parts[-1].isdigit():
        target[int(parts[-1])] = value  # type: ignore[index]
    else:
        setattr(target, parts[-1], value)


@pytest.fixture()
def content_copy(tmp_path) -> Path:
    """A writable copy of the bundled content, for tests that break it."""
    dest = tmp_path / "content"
    shutil.copytree(CONTENT, dest)
    return dest
