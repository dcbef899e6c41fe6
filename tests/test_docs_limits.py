"""The documentation states the limits the code enforces (issue 23: "the docs and the code agree on every limit
they both state"). Each number is read from the code (the schema, the rules' tables) and looked up where
docs/writing-entries.md or README states it, so that changing one without the other fails here."""

from __future__ import annotations

import re

import pytest

from statusdocs import diagnostics
from statusdocs.checks.cells import MIN_WORDS
from statusdocs.content import schema
from tests.conftest import ROOT

WRITING = (ROOT / "docs" / "writing-entries.md").read_text()
README = (ROOT / "README.md").read_text()

# The cells the V008 line names, by the words it names them with: its cell kinds (cells.MIN_WORDS).
V008_NAMES = {
    "summary": {"summary"}, "definition": {"definition"}, "when_to_use": {"when_to_use"},
    "when_not_to_use": {"when_not_to_use"}, "client_behavior": {"client_behavior"}, "mistakes": {"mistake"},
    "cacheable.note": {"cacheable.note"}, "retry.note": {"retry.note"}, "scenarios": {"scenario"},
    "FAQ answers": {"faq_answer"}, "decision notes": {"decision_note"}, "header notes": {"header"},
    "FAQ questions": {"question"}, "decision questions": {"question"},
    "a comparison's summary": {"comp_summary"}, "decision_rule": {"decision_rule"}, "row cells": {"row"},
}


def _one(pattern: str, text: str) -> re.Match[str]:
    found = list(re.finditer(pattern, text, re.M))
    assert len(found) == 1, f"the docs state this once: {pattern!r} (found {len(found)})"
    return found[0]


def _yaml_block(after: str) -> str:
    """The first ```yaml block after the heading `after`: the annotated example of a content file."""
    return _one(rf"^{re.escape(after)}\n[\s\S]*?```yaml\n([\s\S]*?)\n```", WRITING).group(1)


def _stated_minimum(comment: str) -> int | None:
    """The number of items a field's comment says it needs at least ("at least 3", "3 or more", "exactly 2",
    "may be empty")."""
    found = re.search(r"\b(?:at least|exactly) (\d+)\b|\b(\d+) or more\b", comment)
    if found:
        return int(found.group(1) or found.group(2))
    return 0 if "may be empty" in comment else None


@pytest.mark.parametrize("heading,kind", [("## Schema", schema.ENTRY), ("## Comparisons", schema.COMPARISON)])
def test_list_fields_state_the_schemas_minimum(heading: str, kind: schema.Obj):
    block = _yaml_block(heading)
    checked = 0
    for field in kind.fields:
        if not isinstance(field.kind, schema.ListOf):
            continue
        line = re.search(rf"^{field.name}:.*?#(.*)$", block, re.M)
        stated = _stated_minimum(line.group(1)) if line else None
        if stated is None:
            assert field.kind.min_items == 0, f"{heading}: {field.name} needs {field.kind.min_items} items: say so"
            continue
        assert stated == field.kind.min_items, f"{heading}: {field.name}: docs {stated}, schema {field.kind.min_items}"
        checked += 1
    assert checked >= 2  # the parse found the comments at all


def test_comparison_codes_are_exactly_two():
    codes = schema.COMPARISON.by_name["codes"].kind
    assert isinstance(codes, schema.ListOf)
    stated = int(_one(r"^codes: \[.*?# exactly (\d+),", _yaml_block("## Comparisons")).group(1))
    assert stated == codes.min_items == codes.max_items


def test_status_code_range():
    found = _one(r"^code: \d+ +#.*?(\d+)\.\.(\d+)", _yaml_block("## Schema"))
    assert (int(found.group(1)), int(found.group(2))) == (schema.CODE.minimum, schema.CODE.maximum)


def test_summary_word_minimum_in_the_example():
    assert int(_one(r"^summary: .*at least (\d+) words", WRITING).group(1)) == MIN_WORDS["summary"]


def test_too_short_line_states_every_kinds_minimum_words():
    line = _one(r"^- \*\*Too short\*\* \(V008\): .*?to inform: (.*)\.$", WRITING).group(1)
    stated: dict[str, int] = {}
    for part in line.split("; "):
        names, number = re.fullmatch(r"(.+) (\d+)", part).groups()
        for name in re.split(r", | and ", names):
            assert name in V008_NAMES, f"the V008 line names {name!r}: add it to V008_NAMES with its cell kind"
            for kind in V008_NAMES[name]:
                assert stated.setdefault(kind, int(number)) == int(number), f"{kind}: two different numbers"
    assert stated == MIN_WORDS


def test_decision_depth():
    branch = schema.DECISION.by_name["yes"].kind
    assert isinstance(branch, schema.Branch)
    assert int(_one(r"decisions nest at most (\d+) questions deep", WRITING).group(1)) == branch.max_depth


def test_findings_shown_per_file():
    assert int(_one(r"show at most (\d+) findings of one file", README).group(1)) == diagnostics.MAX_PER_FILE
