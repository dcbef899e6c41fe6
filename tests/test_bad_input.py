"""Bad content gives every error, compiler-style, exit 1, and leaves the previous site untouched."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import TEMPLATES, run_cli
from sitecheck import tree_bytes


def _replace(path, old, new, count=1):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def _drop_entry(content, code):
    """Delete an entry and every `related` reference to it, leaving its comparison dangling."""
    (content / f"codes/{code}.yaml").unlink()
    for path in (content / "codes").glob("*.yaml"):
        text = path.read_text()
        new = re.sub(rf"^(related: \[.*?)\b{code}\b,? ?", r"\1", text, flags=re.M)
        path.write_text(new.replace(", ]", "]"))


def _line_of(path, needle):
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


CASES = {
    "yaml syntax": (lambda c: _replace(c / "codes/412.yaml", "name: Precondition Failed",
                                       "name: [Precondition Failed"),
                    r"codes/412\.yaml:\d+:\d+: error S001 YAML syntax error"),
    "tab indentation": (lambda c: _replace(c / "codes/412.yaml", "\n  default:", "\n\tdefault:"),
                        r"codes/412\.yaml:\d+:\d+: error S001 YAML syntax error.*tabs"),
    "duplicate key": (lambda c: _replace(c / "codes/412.yaml", "official: true", "official: true\nofficial: false"),
                      r"codes/412\.yaml:4:1: error S002 duplicate key 'official' \(first defined on line 3\)"),
    "unknown field": (lambda c: _replace(c / "codes/412.yaml", "client_behavior:", "client_behaviour:"),
                      r"codes/412\.yaml:\d+:1: error S003 unknown field 'client_behaviour' "
                      r"\[hint: did you mean 'client_behavior'\?\]"),
    "wrong type": (lambda c: _replace(c / "codes/412.yaml", "code: 412", 'code: "412"'),
                   r"codes/412\.yaml:1:7: error S004 code must be an integer, not text"),
    "bool where text": (lambda c: _replace(c / "codes/412.yaml", "name: Precondition Failed", "name: yes"),
                        r"codes/412\.yaml:2:7: error S004 name must be text, not a boolean \(put it in quotes\)"),
    "missing field": (lambda c: _replace(c / "codes/412.yaml", "official: true\n", ""),
                      r"codes/412\.yaml:1:1: error S005 missing required field 'official'"),
    "file name mismatch": (lambda c: (c / "codes/412.yaml").rename(c / "codes/413x.yaml"),
                           r"codes/413x\.yaml:1:1: error S006 file name '413x\.yaml' does not match code 412"),
    "two entries for one code": (lambda c: shutil.copy(c / "codes/412.yaml", c / "codes/412.yml"),
                                 r"codes/412\.yml:1:\d+: error S00[67]"),
    "comparison names a missing code": (
        lambda c: _drop_entry(c, 412),
        r"comparisons/409-vs-412\.yaml:\d+:\d+: error S008 comparison names code 412, which has no entry"),
    "empty file": (lambda c: (c / "codes/412.yaml").write_text(""), r"codes/412\.yaml:1:1: error S001 file is empty"),
    "top-level list": (lambda c: (c / "codes/412.yaml").write_text("- 412\n"),
                       r"codes/412\.yaml:1:1: error S004 .* must be a mapping of fields, not a list"),
    "python tag": (lambda c: _replace(c / "codes/412.yaml", "name: Precondition Failed",
                                      "name: !!python/object/apply:os.system ['true']"),
                   r"codes/412\.yaml:2:7: error S001 unsupported YAML tag"),
    "code out of range": (lambda c: _replace(c / "codes/412.yaml", "related: [", "related: [99, "),
                          r"codes/412\.yaml:\d+:\d+: error S004 related\[0\] must be between 100 and 599, not 99"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_reports_file_line_and_keeps_previous_site(name, content_copy, tmp_path):
    out = tmp_path / "site"
    first = run_cli("build", "--content", str(content_copy), "--templates", str(TEMPLATES), "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = tree_bytes(str(out))
    mutate, expected = CASES[name]
    mutate(content_copy)
    result = run_cli("build", "--content", str(content_copy), "--templates", str(TEMPLATES), "--out", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(expected, result.stderr), result.stderr
    assert "left unchanged" in result.stderr
    assert tree_bytes(str(out)) == before


def test_all_errors_are_reported_together(content_copy):
    _replace(content_copy / "codes/412.yaml", "client_behavior:", "client_behaviour:")
    _replace(content_copy / "codes/409.yaml", "code: 409", "code: nine")
    result = run_cli("check", "--content", str(content_copy))
    assert result.returncode == 1
    assert "412.yaml" in result.stdout and "409.yaml" in result.stdout
    lines = [ln for ln in result.stdout.splitlines() if ": error " in ln]
    assert lines == sorted(lines, key=lambda ln: (ln.split(":")[0], int(ln.split(":")[1])))


@pytest.mark.parametrize("template,broken,expected", [
    ("code.html", "{% block main %}", r"templates/code\.html:\d+:? ?error T001 template syntax error"),
    ("code.html", "{{ e.summary }}", r"templates/code\.html:\d+:? ?error T001 undefined name in template"),
])
def test_template_errors_name_template_and_line(tmp_path, template, broken, expected):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / template
    replacement = "{% block main %}{% if %}" if "block" in broken else "{{ e.summmary }}"
    _replace(path, broken, replacement)
    line = _line_of(path, replacement)
    result = run_cli("build", "--templates", str(templates), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    match = re.search(expected, result.stderr)
    assert match, result.stderr
    assert f"{template}:{line}" in result.stderr
    assert not (tmp_path / "site").exists()
