"""Worked examples (`cases`) walk every decision tree: each case answers the questions on its path by id and must
reach its `expect` code; a guide answer that names a comparison continues into that comparison's tree. The walk
is run in-process over the bundled content, through `statusdocs check` (rule C014) on broken copies, and the
rendered pages show every case as a worked example."""

from __future__ import annotations

import copy
import itertools
import json
import re
from pathlib import Path

import pytest
from conftest import CONTENT, run_cli

from statusdocs.content.load import load_content
from statusdocs.content.model import Content, Decision, walk
from statusdocs.diagnostics import Report

# The comparisons whose trees issue 24 corrected (412-vs-428, 406-vs-415 and 304-vs-412 sent a passing
# precondition or an acceptable request to an error code too), then all the others: each carries at least five
# cases covering every leaf.
CASED = ["204-vs-304", "408-vs-504", "409-vs-412", "405-vs-501", "401-vs-403", "425-vs-429", "429-vs-503", "304-vs-412",
         "412-vs-428", "406-vs-415",
         "200-vs-204", "400-vs-422", "401-vs-407", "403-vs-404", "404-vs-410", "500-vs-503", "502-vs-504",
         "200-vs-201", "201-vs-202", "301-vs-302", "301-vs-308", "302-vs-303", "302-vs-307", "307-vs-308",
         "400-vs-409", "409-vs-422", "409-vs-423", "410-vs-451", "413-vs-414", "500-vs-502"]


@pytest.fixture(scope="module")
def content() -> Content:
    report = Report()
    loaded = load_content(str(CONTENT), report)
    assert loaded is not None and not report.items, [d.text() for d in report.items]
    return loaded


def _trees(content: Content) -> list[tuple[str, Decision, list]]:
    out = [(slug, comp.decision, comp.cases) for slug, comp in sorted(content.comparisons.items())]
    if content.guide is not None:
        out.append(("guide", content.guide.tree, content.guide.cases))
    return out


def _failures(content: Content) -> list[str]:
    """Every case whose walk stops or ends elsewhere, named by its tree and index and, when an answer is
    missing, by the question."""
    grafts = {slug: comp.decision for slug, comp in content.comparisons.items()}
    out = []
    for name, tree, cases in _trees(content):
        for i, case in enumerate(cases):
            reached, why = walk(tree, case.answers, grafts)
            if reached is None:
                out.append(f"{name} cases[{i}]: {why}")
            elif reached != case.expect:
                out.append(f"{name} cases[{i}]: expects {case.expect}, reaches {reached}")
    return out


def _leaf_paths(node: Decision, path: str = "") -> list[tuple[str, int | str]]:
    return node.leaves(path)


def _set_leaf(node: Decision, path: str, value: int | str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        node = getattr(node, part)
    setattr(node, last, value)


def test_every_case_reaches_its_code(content: Content):
    assert _failures(content) == []


def test_every_comparison_has_five_cases_each_with_a_source(content: Content):
    assert sorted(CASED) == sorted(content.comparisons)
    for slug in CASED:
        cases = content.comparisons[slug].cases
        assert len(cases) >= 5, slug
        assert all(c.source.strip() for c in cases), slug


def test_cases_cover_every_leaf_of_their_tree(content: Content):
    """A case reaches every leaf of the corrected comparisons' trees, and every code or comparison the guide
    names directly; so moving any leaf moves some case's answer."""
    grafts = {slug: comp.decision for slug, comp in content.comparisons.items()}
    trees = [(slug, content.comparisons[slug].decision, content.comparisons[slug].cases) for slug in CASED]
    assert content.guide is not None
    trees.append(("guide", content.guide.tree, content.guide.cases))
    for name, tree, cases in trees:
        for path, _ in tree.leaves():
            reached = [c for c in cases if _passes(tree, path, c.answers, grafts)]
            assert reached, f"{name}: no case reaches {path}"


def _passes(tree: Decision, path: str, answers: dict[str, bool], grafts: dict[str, Decision]) -> bool:
    node: Decision | int | str = tree
    for part in path.split("."):
        if not isinstance(node, Decision) or not node.id or node.id not in answers:
            return False
        if answers[node.id] != (part == "yes"):
            return False
        node = node.yes if part == "yes" else node.no
    return True


def test_guide_cases_end_at_every_code_the_guide_can_reach(content: Content):
    assert content.guide is not None
    codes: set[int] = set()
    for _, leaf in content.guide.tree.leaves():
        if isinstance(leaf, str):
            codes |= {c for _, c in content.comparisons[leaf].decision.leaves() if isinstance(c, int)}
        else:
            codes.add(leaf)
    assert codes - {c.expect for c in content.guide.cases} == set()
    assert len(content.guide.cases) >= 60 and all(c.source.strip() for c in content.guide.cases)


@pytest.mark.parametrize("name", [*CASED, "guide"])
def test_swapping_any_two_leaves_is_caught(content: Content, name: str):
    """The walker is not a formality: in a copy of the tree, every swap of two leaves that differ sends some
    case to the wrong code."""
    for a, b in itertools.combinations(range(len(_tree_of(content, name).leaves())), 2):
        moved = copy.deepcopy(content)
        tree = _tree_of(moved, name)
        leaves = tree.leaves()
        (pa, va), (pb, vb) = leaves[a], leaves[b]
        if va == vb:
            continue
        _set_leaf(tree, pa, vb)
        _set_leaf(tree, pb, va)
        assert _failures(moved), f"{name}: swapping {pa} and {pb} went unnoticed"


def _tree_of(content: Content, name: str) -> Decision:
    if name == "guide":
        assert content.guide is not None
        return content.guide.tree
    return content.comparisons[name].decision


def test_a_missing_answer_fails_naming_the_case_and_question(content: Content):
    broken = copy.deepcopy(content)
    case = broken.comparisons["409-vs-412"].cases[3]
    del case.answers["state-conflict"]
    assert _failures(broken) == ["409-vs-412 cases[3]: no answer for question 'state-conflict'"]


# ---------------------------------------------------------------- the same through `statusdocs check` (C014)
def _c014(result) -> list[tuple[str, int, str]]:
    return [(Path(f["path"]).name, f["line"], f["field"]) for f in json.loads(result.stdout) if f["rule"] == "C014"]


def _line(path: Path, pattern: str, nth: int = 0) -> int:
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if re.search(pattern, line)]
    return hits[nth]


def test_check_reports_a_moved_leaf_at_each_case_it_misleads(content_copy: Path):
    path = content_copy / "comparisons" / "409-vs-412.yaml"
    text = path.read_text()
    moved = text.replace("  yes: 412\n", "  yes: 409\n", 1).replace("    yes: 409\n", "    yes: 412\n", 1)
    assert moved.count("yes: 412") == 1 and moved != text
    path.write_text(moved)
    result = run_cli("check", "--content", str(content_copy), "--select", "C014", "--format", "json")
    assert result.returncode == 1
    expects = [i for i, line in enumerate(moved.splitlines(), 1) if re.match(r"    expect: (409|412)$", line)]
    assert _c014(result) == [("409-vs-412.yaml", line, f"cases[{i}].expect") for i, line in enumerate(expects)]


def test_check_reports_a_missing_answer_and_an_unknown_question_id(content_copy: Path):
    path = content_copy / "comparisons" / "409-vs-412.yaml"
    text = path.read_text()
    text = text.replace("answers: {precondition-false: false, state-conflict: true}",
                        "answers: {precondition-false: false}", 1)
    text = text.replace("answers: {precondition-false: true}", "answers: {precondition-fails: true}", 1)
    path.write_text(text)
    result = run_cli("check", "--content", str(content_copy), "--select", "C014")
    assert result.returncode == 1
    name = re.escape(str(path))
    assert re.search(rf"{name}:{_line(path, r'precondition-fails')}:\d+: error C014 cases\[0\]\.answers names "
                     r"'precondition-fails', which is no question id", result.stdout), result.stdout
    missing = _line(path, re.escape("answers: {precondition-false: false}"))
    assert re.search(rf"{name}:{missing}:\d+: error C014 cases\[3\] "
                     r"stops: no answer for question 'state-conflict'", result.stdout), result.stdout


def test_check_reports_a_question_id_used_twice(content_copy: Path):
    path = content_copy / "comparisons" / "409-vs-412.yaml"
    path.write_text(path.read_text().replace("id: state-conflict", "id: precondition-false"))
    result = run_cli("check", "--content", str(content_copy), "--select", "C014")
    assert result.returncode == 1
    assert re.search(rf"{re.escape(str(path))}:{_line(path, r'^decision:')}:\d+: error C014 question id "
                     r"'precondition-false' is used more than once", result.stdout), result.stdout


def test_an_answer_key_that_is_not_an_id_is_a_schema_error(content_copy: Path):
    path = content_copy / "guide.yaml"
    path.write_text(path.read_text().replace("answers: {carried-out: true, see-other: true}",
                                             "answers: {Carried Out: true, see-other: true}", 1))
    result = run_cli("check", "--content", str(content_copy))
    assert result.returncode == 1
    assert re.search(rf"{re.escape(str(path))}:{_line(path, 'Carried Out')}:\d+: error S004 ", result.stdout)
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- what the reader sees
def _worked_examples(html: str) -> list[tuple[int, int]]:
    """(number of questions shown, code reached) for each worked example on a page."""
    section = re.search(r'<section id="worked-examples">.*?</section>', html, re.S)
    assert section, "no worked examples"
    items = re.findall(r'<li class="case">(.*?)</li>\s*(?=<li class="case">|</ol>\s*</section>)', section.group(0),
                       re.S)
    out = []
    for item in items:
        steps = re.search(r'<ol class="case-steps">(.*?)</ol>', item, re.S)
        code = re.search(r'class="case-result">Answer: (?:<a [^>]*>)?<span class="num">(\d{3})</span>', item)
        assert steps and code, item
        out.append((steps.group(1).count("<li>"), int(code.group(1))))
    return out


def test_comparison_and_guide_pages_show_the_worked_examples(built_site: Path, content: Content):
    for slug in CASED:
        html = (built_site / "compare" / slug / "index.html").read_text()
        shown = _worked_examples(html)
        cases = content.comparisons[slug].cases
        assert [code for _, code in shown] == [c.expect for c in cases], slug
        assert all(steps >= 1 for steps, _ in shown), slug
        assert '<a href="#worked-examples">Worked examples</a>' in html
        assert html.count('class="case-source">Source: ') == len(cases)
    assert content.guide is not None
    shown = _worked_examples((built_site / "guide" / "index.html").read_text())
    assert [code for _, code in shown] == [c.expect for c in content.guide.cases]
    # The PRG case passes two questions (carried out: yes; redirect to a result page: yes) and ends at 303.
    assert shown[0] == (2, 303)


# ---------------------------------------------------------------- the guide's two routes issue 24 found missing
NOT_CARRIED_OUT = {"carried-out": False, "elsewhere": False, "server-side": False}


@pytest.mark.parametrize("answers,expect", [
    # Post/Redirect/Get: the write was carried out (a truthful "yes" at the root), then the client is sent on.
    ({"carried-out": True, "see-other": True}, 303),
    # Anonymous and refused for reasons unrelated to credentials (IP block, WAF, CSRF): signing in would not
    # help, yet the answer is 403, not 400 (RFC 9110 section 15.5.4).
    ({**NOT_CARRIED_OUT, "needs-credentials": False, "refused-by-rule": True, "resource-exists": True,
      "may-know": True}, 403),
])
def test_guide_reaches_303_and_403_by_truthful_answers(content: Content, answers: dict[str, bool], expect: int):
    assert content.guide is not None
    grafts = {slug: comp.decision for slug, comp in content.comparisons.items()}
    assert walk(content.guide.tree, answers, grafts) == (expect, "")


def test_a_cached_rebuild_refreshes_a_comparison_whose_exit_code_changed(tmp_path: Path, content_copy: Path):
    """408-vs-504 exits to 500 (an origin's own handler timed out), which is neither of its codes nor in another
    comparison of them: editing 500's entry must re-render that comparison, as a build without the cache would."""
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    assert run_cli("build", "--content", str(content_copy), "--out", str(out)).returncode == 0
    path = content_copy / "codes" / "500.yaml"
    # The comparison shows each answer's summary (its decision as text): edit 500's.
    path.write_text(path.read_text().replace("  The server ran into a fault it did not anticipate,",
                                             "  The server (edited) ran into a fault it did not anticipate,", 1))
    assert run_cli("build", "--content", str(content_copy), "--out", str(out)).returncode == 0
    assert run_cli("build", "--content", str(content_copy), "--out", str(fresh), "--no-cache").returncode == 0
    page = Path("compare", "408-vs-504", "index.html")
    assert "(edited)" in (fresh / page).read_text()
    assert (out / page).read_bytes() == (fresh / page).read_bytes()
