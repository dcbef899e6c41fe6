"""How findings are printed: at the right line and column, with nothing from the user's files reaching the terminal
as a control sequence, and at most MAX_PER_FILE findings shown for one file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from statusdocs.diagnostics import MAX_PER_FILE
from tests.conftest import run_cli
from tests.fuzz_targets import SMALL, make_small_content

# Everything a terminal may act on or that reorders the line: C0, DEL, C1, bidi overrides and isolates.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # \n ends each line


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    return make_small_content(tmp_path / "content")


def _check(content: Path, *args: str):
    return run_cli("check", "--content", str(content), "--jobs", "1", *args, cwd=content.parent, timeout=60)


# ---------------------------------------------------------------- where a control character is

@pytest.mark.parametrize("before,newline", [
    ("plain ", "\n"),
    ("a tab\there ", "\n"),          # a tab is one column
    ("caf\u00e9 \U0001F600 ", "\n"),  # characters, not UTF-8 bytes (libyaml's offset counts bytes)
    ("caf\u00e9\t", "\r\n"),         # CR LF is one line break
])
@pytest.mark.parametrize("char", ["\x1b", "\x7f", "\x80", "\x07"])
def test_a_control_character_is_reported_at_its_line_and_column(content: Path, before: str, newline: str,
                                                                 char: str):
    path = content / "codes/412.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("summary:"))
    lines[number - 1] = f"summary: {before}{char}[2J end"
    column = lines[number - 1].index(char) + 1
    path.write_bytes(newline.join(lines).encode("utf-8"))
    result = _check(content)
    assert result.returncode == 1
    assert re.search(rf"^content/codes/412\.yaml:{number}:{column}: error S001 .*U\+{ord(char):04X}",
                     result.stdout, re.M), result.stdout


def test_a_control_character_in_front_matter_is_at_its_line_in_the_file(content: Path):
    page = content / "pages/about.md"
    page.parent.mkdir()
    page.write_text("---\ntitle: About\ndescription: caf\u00e9 \x1b]0;pwned\x07\n---\n\nBody.\n", encoding="utf-8")
    result = _check(content)
    assert re.search(r"^content/pages/about\.md:3:19: error S001 .*U\+001B", result.stdout, re.M), result.stdout


def test_a_nul_byte_is_reported_at_its_column(content: Path):
    path = content / "codes/412.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: ", "name: caf\u00e9\x00", 1), encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text().split("\n"), 1) if text.startswith("name: "))
    result = _check(content)
    assert re.search(rf"^content/codes/412\.yaml:{line}:11: error S001 ", result.stdout, re.M), result.stdout


# ---------------------------------------------------------------- escape sequences never reach the terminal

HOSTILE = "a\x1b]0;pwned\x07\x1b[2J\u202eb\x9bc"  # sets the window title, clears the screen, reverses the line


def _hostile_page(content: Path) -> str:
    """A page whose file name carries escape sequences (quoted in the path and in the message of S010)."""
    (content / "pages").mkdir()
    (content / "pages" / f"{HOSTILE}.md").write_text("---\ntitle: T\ndescription: D\n---\n\nBody.\n")
    return "a\\x1b]0;pwned\\x07\\x1b[2J\\u202eb\\x9bc"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_control_characters_from_content_are_escaped_in_text_and_github_output(content: Path, fmt: str):
    shown = _hostile_page(content)
    result = _check(content, "--format", fmt)
    assert result.returncode == 1
    assert not RAW.search(result.stdout + result.stderr), repr(result.stdout)
    line = next(ln for ln in result.stdout.splitlines() if "S010" in ln)
    assert shown in line, line  # in the path (and the message quotes the name as repr does)
    if fmt == "text":
        assert line.startswith(f"content/pages/{shown}.md:1:1: error S010 "), line


def test_json_output_escapes_them_and_keeps_the_characters(content: Path):
    _hostile_page(content)
    result = _check(content, "--format", "json")
    assert not RAW.search(result.stdout), repr(result.stdout)
    [finding] = [d for d in json.loads(result.stdout) if d["rule"] == "S010"]
    assert finding["path"] == f"content/pages/{HOSTILE}.md"  # a program reading it gets the real name back


def test_a_build_escapes_them_too(content: Path, tmp_path: Path):
    shown = _hostile_page(content)
    result = run_cli("build", "--content", "content", "--out", "site", cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert not RAW.search(result.stdout + result.stderr), repr(result.stderr)
    assert f"content/pages/{shown}.md:1:1: error S010 " in result.stderr


# ---------------------------------------------------------------- at most MAX_PER_FILE findings of one file

EXTRA = 3 * MAX_PER_FILE


def _many_findings(content: Path) -> int:
    """412.yaml gets EXTRA unknown fields (one S003 each); 409.yaml one: the cap is per file."""
    with open(content / "codes/412.yaml", "a", encoding="utf-8") as fh:
        fh.writelines(f"extra_{i}: 1\n" for i in range(EXTRA))
    with open(content / "codes/409.yaml", "a", encoding="utf-8") as fh:
        fh.write("extra_field: 1\n")
    return EXTRA


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_findings_of_one_file_are_capped_with_a_count_of_the_rest(content: Path, fmt: str):
    many = _many_findings(content)
    result = _check(content, "--format", fmt)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    of_412 = [ln for ln in lines if "412.yaml" in ln]
    assert len(of_412) == MAX_PER_FILE + 1, result.stdout
    rest = many - MAX_PER_FILE
    if fmt == "text":
        assert of_412[-1] == f"content/codes/412.yaml: note: {rest} more findings in this file not shown"
        assert f"checked {len(SMALL)} files: {many + 1} errors, 0 warnings" in lines  # the summary counts every one
    else:
        assert of_412[-1] == f"::notice file=content/codes/412.yaml::{rest} more findings in this file not shown"
    assert sum("409.yaml" in ln and "S003" in ln for ln in lines) == 1  # another file's are not hidden


def test_json_keeps_every_finding(content: Path):
    many = _many_findings(content)
    result = _check(content, "--format", "json")
    assert sum(d["path"].endswith("412.yaml") for d in json.loads(result.stdout)) == many


def test_a_build_caps_them_too(content: Path, tmp_path: Path):
    many = _many_findings(content)
    result = run_cli("build", "--content", "content", "--out", "site", cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert f"content/codes/412.yaml: note: {many - MAX_PER_FILE} more findings in this file not shown" \
        in result.stderr.splitlines()
    assert len(re.findall(r"^content/codes/412\.yaml:\d+:\d+: error ", result.stderr, re.M)) == MAX_PER_FILE
