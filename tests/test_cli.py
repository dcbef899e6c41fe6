"""Command-line habits users know from mkdocs, ruff and hugo: -q/-v on every command, --version, and usage
errors (exit 2) for rules that do not exist."""

from __future__ import annotations

import re

import pytest
from conftest import CONTENT, TEMPLATES, run_cli

COMMANDS = ["build", "serve", "check", "rules", "new", "schema", "deploy"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_quiet_and_verbose(command):
    for flag in ("-q", "--quiet", "-v", "--verbose"):
        result = run_cli(command, flag, "--help")
        assert result.returncode == 0, (flag, result.stderr)
    before = run_cli("-q", command, "--help")
    assert before.returncode == 0, before.stderr


def test_quiet_and_verbose_together_are_a_usage_error():
    for args in (("check", "-q", "-v"), ("-q", "check", "-v"), ("-v", "rules", "--quiet")):
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert "-q/--quiet" in result.stderr and result.stdout == ""


def test_version():
    plain = run_cli("--version")
    assert plain.returncode == 0
    assert re.fullmatch(r"statusdocs \d+\.\d+\.\d+\S*\n", plain.stdout)
    for args in (("-v", "--version"), ("--version", "--verbose")):
        verbose = run_cli(*args)
        assert verbose.returncode == 0, verbose.stderr
        lines = verbose.stdout.splitlines()
        assert lines[0] == plain.stdout.strip()
        assert re.match(r"Python 3\.\d+\.\d+", lines[1])
        names = {line.split()[0] for line in lines[2:]}
        assert names == {"jinja2", "markdown", "pyyaml", "markupsafe", "livereload", "tornado"}
        assert all(re.fullmatch(r"\S+ \d+(\.\d+)*\S*", line) for line in lines[2:])


def test_no_command_is_a_usage_error():
    result = run_cli()
    assert result.returncode == 2
    assert "COMMAND" in result.stderr


@pytest.mark.parametrize("option,value", [("--select", "X123"), ("--select", "V,Q"), ("--ignore", "V0O5"),
                                          ("--ignore", "VV")])
def test_unknown_rule_or_family_is_a_usage_error(option, value):
    result = run_cli("check", option, value)
    assert result.returncode == 2, result.stdout
    bad = next(v for v in value.split(",") if v not in ("V",))
    assert f"'{bad}'" in result.stderr and option in result.stderr
    assert re.search(r"known families: C, F, M, S, T, V\b", result.stderr)
    assert "no findings" not in result.stdout


@pytest.mark.parametrize("value", ["V005", "v", "S,T", "ALL", "c003, f"])
def test_known_rules_and_families_are_accepted(value):
    assert run_cli("check", "--select", value).returncode == 0
    assert run_cli("check", "--ignore", value).returncode == 0


def test_check_quiet_prints_findings_only(content_copy):
    assert run_cli("check", "-q").stdout == ""
    path = content_copy / "codes" / "412.yaml"
    path.write_text(path.read_text().replace("official: true", "official: true\nofficial: true"))
    result = run_cli("check", "--quiet", "--content", str(content_copy))
    assert result.returncode == 1
    assert re.fullmatch(r"\S*codes/412\.yaml:\d+:1: error S002 [^\n]*\n", result.stdout)  # no summary line


def test_build_quiet_and_verbose(tmp_path):
    out = tmp_path / "site"
    common = ("--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out), "--no-cache")
    quiet = run_cli("build", "-q", *common)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and quiet.stderr == ""
    assert (out / "index.html").is_file()

    verbose = run_cli("-v", "build", *common)
    assert verbose.returncode == 0, verbose.stderr
    assert re.search(r"^wrote \d+ pages", verbose.stdout, re.M)
    assert f"output: {out}" in verbose.stderr and f"content: {CONTENT}" in verbose.stderr
    assert re.search(r"^load[^\n]*: \d+ ms$", verbose.stderr.replace("cache and load", "load"), re.M)
    assert re.search(r"render[^\n]*: \d+ ms$", verbose.stderr, re.M)


def test_new_quiet(tmp_path):
    result = run_cli("new", "299", "-q", "--content", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "codes" / "299.yaml").is_file()


def test_every_command_is_dispatched_by_the_table():
    """The commands are an explicit table (no lookup of `cmd_*` names): each one answers --help."""
    from statusdocs.cli import COMMANDS, main

    assert set(COMMANDS) == {"build", "serve", "check", "rules", "schema", "new", "init", "deploy"}
    for name in COMMANDS:
        with pytest.raises(SystemExit) as exit_:
            main([name, "--help"])
        assert exit_.value.code == 0, name


def test_library_calls_leave_the_garbage_collector_as_they_found_it(tmp_path):
    """Loading, checking and building tune nothing process-wide: the CLI's top does, for itself."""
    import gc

    from statusdocs.build.pipeline import build, load_and_check

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    content, report = load_and_check(str(CONTENT))
    assert content is not None and not report.errors
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert build(str(CONTENT), str(TEMPLATES), str(tmp_path / "site"), jobs=1).ok
    assert gc.isenabled() and gc.get_freeze_count() == frozen
