"""The dependency declarations and `.ci/run` agree with each other and with README (issue 22, item 1)."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:  # 8 == 8.0.0
        parts.pop()
    return tuple(parts)


def _lower_bounds() -> dict[str, str]:
    project = PYPROJECT["project"]
    bounds = {}
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        spec = requirement.split(";")[0].replace(" ", "")
        name = re.match(r"[A-Za-z0-9_.-]+", spec).group(0)
        lower = re.search(r">=([0-9][0-9.]*)", spec)
        assert lower, f"{requirement}: every dependency has a lower bound"
        bounds[_name(name)] = lower.group(1)
    return bounds


def _pins(path: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path}: {line} is pinned with =="
            pins[_name(name)] = version
    return pins


def test_lowest_constraints_pin_every_declared_lower_bound():
    bounds, pins = _lower_bounds(), _pins("constraints/lowest.txt")
    assert set(pins) == set(bounds), "constraints/lowest.txt pins exactly the declared dependencies"
    for name, version in bounds.items():
        assert _version(pins[name]) == _version(version), f"{name}: pinned {pins[name]}, declared >={version}"


def test_ci_runs_readme_test_command_and_the_fast_part_at_the_lowest():
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"Run the whole test suite.*?```sh\n(.*?)\n```", readme, re.S).group(1).strip()
    run = (ROOT / ".ci" / "run").read_text()
    assert f'stage latest "$newest_python" "{command}"' in run, ".ci/run runs exactly README's test command"
    assert "-c constraints/lowest.txt" in run
    assert 'FAST=(-m "not browser and not slow")' in run
    markers = {m.split(":")[0] for m in PYPROJECT["tool"]["pytest"]["ini_options"]["markers"]}
    assert {"browser", "slow"} <= markers


def test_the_compatibility_stages_leave_out_only_named_files_and_latest_runs_everything():
    """COMPAT_SKIP (lowest) names test files that exist (a renamed file would otherwise drop out of the list unseen
    and run everywhere, or a typo leave nothing out), a minority of the suite, never the files that prove the package
    works at other versions: loading, checking, building, rendering, serving, searching, the CLI and the public
    APIs. The interpreters in between run BETWEEN, existing files that include every one of those. README's command
    (latest) leaves nothing out."""
    run = (ROOT / ".ci" / "run").read_text()

    def files(name: str, prefix: str) -> list[str]:
        listed = re.search(rf"^{name}=\((.*?)\)$", run, re.S | re.M).group(1).split()
        assert listed and all(s.startswith(f"{prefix}tests/test_") for s in listed), listed
        assert all((ROOT / s.removeprefix(prefix)).is_file() for s in listed), listed
        return [s.removeprefix(f"{prefix}tests/") for s in listed]

    compat, between = files("COMPAT_SKIP", "--ignore="), files("BETWEEN", "")
    assert len(compat) <= len(list((ROOT / "tests").glob("test_*.py"))) // 3, "a minority of the suite"
    proving = {"test_build.py", "test_check_cli.py", "test_cli.py", "test_prose.py", "test_render.py",
               "test_highlight.py", "test_serve.py", "test_search.py", "test_public_apis.py", "test_bad_input.py",
               "test_properties.py", "test_package.py", "test_faults.py", "test_parallel.py", "test_rules.py"}
    assert not proving & set(compat)
    assert proving | {"test_publishing.py"} <= set(between) and not set(between) & set(compat)  # and deploying
    lowest = re.search(r'^\s*stage lowest .*?&&( .*?)"', run, re.M | re.S).group(1)
    assert lowest.split() == ["$fast", "${COMPAT_SKIP[*]@Q}"], "lowest leaves out COMPAT_SKIP only"
    assert re.search(r'stage "\$minor" .*', run).group(0).endswith('&& $fast ${BETWEEN[*]@Q}"')
    assert "--ignore" not in re.search(r"^\s*stage latest .*$", run, re.M).group(0)


def test_supported_pythons_agree():
    """requires-python's minimum is the oldest Python classifier, the one .ci/run tests the lowest versions on."""
    project = PYPROJECT["project"]
    minors = [c.rsplit(" ", 1)[1] for c in project["classifiers"] if re.fullmatch(r"Programming Language :: "
                                                                                 r"Python :: 3\.\d+", c)]
    assert project["requires-python"] == f">={minors[0]}"
    assert minors == [f"3.{n}" for n in range(int(minors[0][2:]), int(minors[0][2:]) + len(minors))]


def test_a_test_marked_alone_runs_while_no_other_test_does(tmp_path):
    """Under README's `-n auto`, Lighthouse's test (marked alone) has the machine to itself: the other worker waits
    for it, and it waits for the other's running test (tests/conftest.py)."""
    import shutil
    import subprocess
    import sys

    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    alone: alone\n")
    log = tmp_path / "times.log"
    (tmp_path / "test_turns.py").write_text(f"""
import os, time, pytest

def _run(name):
    start = time.monotonic()
    time.sleep(0.6 if name == "alone" else 0.2)
    with open({str(log)!r}, "a") as f:
        f.write(f"{{name}} {{start}} {{time.monotonic()}}\\n")

@pytest.mark.parametrize("i", range(6))
def test_before(i):
    _run(f"before{{i}}")

@pytest.mark.alone
def test_alone():
    _run("alone")

@pytest.mark.parametrize("i", range(6))
def test_after(i):
    _run(f"after{{i}}")
""")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider",
                             f"--basetemp={tmp_path / 'base'}"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    runs = {name: (float(a), float(b)) for name, a, b in (line.split() for line in log.read_text().splitlines())}
    assert len(runs) == 13
    start, end = runs.pop("alone")
    overlapping = [name for name, (a, b) in runs.items() if a < end and b > start]
    assert overlapping == []


def test_budgeted_rounds_keep_the_floor_and_stop_at_the_budget():
    """conftest.budgeted: every round within the time, the floor past it, never a round beyond the count."""
    import time

    from tests.conftest import budgeted, scaled

    assert list(budgeted(5, 2, 60)) == list(range(scaled(5, 2)))
    assert list(budgeted(1, 0, 60)) == list(range(scaled(1, 0)))
    slow = []
    for n in budgeted(50, 3, 0.05):
        slow.append(n)
        time.sleep(0.03)
    assert slow == [0, 1, 2]


def test_the_longest_files_are_collected_first_and_exist():
    """conftest.LONGEST_FILES name files of tests/ (a renamed one would silently go back to its place), and the
    collection hook puts them first in that order, leaving the others in theirs."""
    from pathlib import Path
    from types import SimpleNamespace

    from tests.conftest import LONGEST_FILES, pytest_collection_modifyitems

    assert all((ROOT / "tests" / name).is_file() for name in LONGEST_FILES), LONGEST_FILES
    names = ["test_a.py", LONGEST_FILES[1], "test_b.py", LONGEST_FILES[0], "test_a.py"]
    items = [SimpleNamespace(path=Path("tests") / name, n=n) for n, name in enumerate(names)]
    pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert [item.n for item in items] == [3, 1, 0, 2, 4]


def test_the_workers_take_the_files_in_collection_order(tmp_path):
    """Under README's `--dist loadfile`, a file of few tests collected first runs first: pytest-xdist's own
    reordering (by number of tests, on by default) would send the files of a few long tests, and
    Lighthouse's, to the end (tests/conftest.py turns it off)."""
    import shutil
    import subprocess
    import sys

    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    alone: alone\n")
    (tmp_path / "test_few.py").write_text("def test_one():\n    pass\n")
    (tmp_path / "test_many.py").write_text("import pytest\n\n\n@pytest.mark.parametrize('i', range(9))\n"
                                           "def test_one(i):\n    pass\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-v", "-n", "1", "--dist", "loadfile",
                             "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'base'}", "test_few.py",
                             "test_many.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    ran = [line.split()[-1] for line in result.stdout.splitlines() if "PASSED" in line]
    assert len(ran) == 10 and ran[0] == "test_few.py::test_one", ran
