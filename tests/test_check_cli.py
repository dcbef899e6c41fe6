"""`statusdocs check` and `rules` as a user runs them: formats, exit codes, selection, reviewed exceptions."""

from __future__ import annotations

import json
import re

from conftest import run_cli


def _break_412(content):
    path = content / "codes" / "412.yaml"
    text = path.read_text()
    text = re.sub(r"(?ms)^client_behavior:.*?(?=^\w)", "client_behavior: The client handles 412 according to "
                                                       "the client-errors semantics.\n", text, count=1)
    path.write_text(text)
    return path


def test_clean_content_passes_strict():
    result = run_cli("check", "--strict")
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("no findings")


def test_text_json_and_github_formats(content_copy):
    _break_412(content_copy)
    text = run_cli("check", "--content", str(content_copy))
    assert text.returncode == 1
    assert re.search(r"codes/412\.yaml:\d+:\d+: error V002 client_behavior .*\[hint: .*\]", text.stdout)
    assert re.search(r"^checked \d+ files: \d+ errors?, \d+ warnings?$", text.stdout.splitlines()[-1])

    js = json.loads(run_cli("check", "--content", str(content_copy), "--format", "json").stdout)
    item = next(f for f in js if f["rule"] == "V002")
    assert set(item) == {"rule", "severity", "path", "line", "column", "field", "codes", "message", "hint"}
    assert item["field"] == "client_behavior" and item["codes"] == [412] and item["severity"] == "error"

    gh = run_cli("check", "--content", str(content_copy), "--format", "github").stdout
    assert re.search(r"^::error file=.*codes/412\.yaml,line=\d+,col=\d+,title=V002::", gh, re.M)


def test_select_and_ignore(content_copy):
    _break_412(content_copy)
    assert run_cli("check", "--content", str(content_copy), "--ignore", "V002,V001").returncode == 0
    assert run_cli("check", "--content", str(content_copy), "--select", "F").returncode == 0
    assert run_cli("check", "--content", str(content_copy), "--select", "V").returncode == 1


def test_reviewed_exception_needs_a_reason(content_copy):
    path = _break_412(content_copy)
    path.write_text(path.read_text() + "ignore:\n  - {rule: V002, field: client_behavior}\n")
    result = run_cli("check", "--content", str(content_copy))
    assert result.returncode == 1 and "missing required field 'reason'" in result.stdout
    path.write_text(path.read_text().replace("field: client_behavior}", "field: client_behavior, reason: test}"))
    result = run_cli("check", "--content", str(content_copy), "--ignore", "V001")
    assert result.returncode == 0, result.stdout


def test_build_strict_refuses_findings(content_copy, tmp_path):
    _break_412(content_copy)
    result = run_cli("build", "--content", str(content_copy), "--out", str(tmp_path / "site"), "--strict")
    assert result.returncode == 1 and "V002" in result.stderr
    assert not (tmp_path / "site").exists()


def test_rules_lists_every_rule_with_examples():
    result = run_cli("rules", "--format", "json")
    rules = json.loads(result.stdout)
    ids = {r["id"] for r in rules}
    assert {"S001", "S002", "V001", "V002", "V003", "V004", "V005", "V006", "V007", "V008", "V009", "C001", "C002",
            "C003", "C004", "C005", "F001", "F002", "F003", "F004"} <= ids
    assert all(r["bad"] and r["good"] and r["bad"] != r["good"] for r in rules)
    md = run_cli("rules", "--format", "markdown").stdout
    assert "## V004 tautology" in md and "Bad:" in md and "Good:" in md
