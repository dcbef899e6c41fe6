"""Bad content gives every error, compiler-style, exit 1, and leaves the previous site untouched."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import CONTENT, ROOT, TEMPLATES, run_cli
from fuzz_targets import SMALL, make_small_content
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


RELATED = SMALL["codes/412.yaml"]  # the small content's `related:` line of 412


@pytest.fixture()
def small_content(tmp_path) -> Path:
    """Two entries that relate to each other, their comparison and site.yaml: a build takes 0.4 s instead of
    1.5 s for the bundled content, and the loader treats every file alike."""
    return make_small_content(tmp_path / "content")


def _write_bytes(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def _alias_bomb(content: Path) -> None:
    """"Billion laughs": nine anchors, each a list of nine aliases to the previous one (9**9 leaves if expanded)."""
    items = ["  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    items += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    _replace(content / "codes/412.yaml", "mistakes:\n", "mistakes:\n" + "\n".join(items) + "\n  - *l8\n")


def _sparse_50mb(content: Path) -> None:
    """50 MB of zeros, written sparse: if it were read, the NUL-byte error would show instead of the size one."""
    with open(content / "codes/412.yaml", "wb") as fh:
        fh.truncate(50_000_000)


def _block_nesting(depth: int) -> Callable[[Path], None]:
    return lambda c: _replace(c / "codes/412.yaml", RELATED,
                              "related:\n  " + "- " * depth + "x")


def _symlink_loop(content: Path) -> None:
    path = content / "codes/412.yaml"
    path.unlink()
    path.symlink_to("412.yaml")


def _symlink_outside(content: Path) -> None:
    path = content / "codes/412.yaml"
    outside = content.parent / "outside-412.yaml"  # a valid entry, but not the writer's content folder
    shutil.copy(path, outside)
    path.unlink()
    path.symlink_to(outside)


def _folder_named_412(content: Path) -> None:
    (content / "codes/412.yaml").unlink()
    (content / "codes/412.yaml").mkdir()


def _fifo_named_412(content: Path) -> None:
    (content / "codes/412.yaml").unlink()
    os.mkfifo(content / "codes/412.yaml")


class Case(NamedTuple):
    """A broken input and where its error must be reported: the file (relative to the content folder), the line
    (a number, or text whose first line in the mutated file it is), the column (None where it is the YAML
    parser's to choose: libyaml's versions differ) and the rule. Never a library's wording."""
    mutate: Callable[[Path], object]
    path: str | None              # None: a usage error, reported before any file is read
    line: int | str = 1
    col: int | None = 1
    rule: str = "S001"
    args: tuple[str, ...] = ()    # extra `build` arguments
    status: int = 1               # 1: content error, 2: usage error
    absent: str | None = None     # a rule that must not be reported (a misleading follow-on error)


# A file that did not load must not also be reported as missing from every page that links to it.
NO_FOLLOW_ON = "C010"
NESTING = "related:"  # the line where the cases below nest deeply

CASES = {
    "yaml syntax": Case(lambda c: _replace(c / "codes/412.yaml", "name: Precondition Failed",
                                           "name: [Precondition Failed"), "codes/412.yaml", 3, None),
    "tab indentation": Case(lambda c: _replace(c / "codes/412.yaml", "\n  default:", "\n\tdefault:"),
                            "codes/412.yaml", "\tdefault:", None),
    "duplicate key": Case(lambda c: _replace(c / "codes/412.yaml", "official: true", "official: true\nofficial: false"),
                          "codes/412.yaml", 4, 1, "S002"),
    "unknown field": Case(lambda c: _replace(c / "codes/412.yaml", "client_behavior:", "client_behaviour:"),
                          "codes/412.yaml", "client_behaviour:", 1, "S003"),
    "wrong type": Case(lambda c: _replace(c / "codes/412.yaml", "code: 412", 'code: "412"'),
                       "codes/412.yaml", 1, 7, "S004"),
    "bool where text": Case(lambda c: _replace(c / "codes/412.yaml", "name: Precondition Failed", "name: yes"),
                            "codes/412.yaml", 2, 7, "S004"),
    "missing field": Case(lambda c: _replace(c / "codes/412.yaml", "official: true\n", ""),
                          "codes/412.yaml", 1, 1, "S005"),
    "file name mismatch": Case(lambda c: (c / "codes/412.yaml").rename(c / "codes/413x.yaml"),
                               "codes/413x.yaml", 1, 1, "S006"),
    "two entries for one code": Case(lambda c: shutil.copy(c / "codes/412.yaml", c / "codes/412.yml"),
                                     "codes/412.yml", 1, 1, "S007"),
    "comparison names a missing code": Case(lambda c: _drop_entry(c, 412), "comparisons/409-vs-412.yaml",
                                            "codes:", 14, "S008"),
    "empty file": Case(lambda c: (c / "codes/412.yaml").write_text(""), "codes/412.yaml", 1, 1),
    "top-level list": Case(lambda c: (c / "codes/412.yaml").write_text("- 412\n"), "codes/412.yaml", 1, 1, "S004"),
    "python tag": Case(lambda c: _replace(c / "codes/412.yaml", "name: Precondition Failed",
                                          "name: !!python/object/apply:os.system ['true']"),
                       "codes/412.yaml", 2, 7),
    "code out of range": Case(lambda c: _replace(c / "codes/412.yaml", "related: [", "related: [99, "),
                              "codes/412.yaml", "related: [99", 11, "S004"),
    "python object tag": Case(lambda c: _replace(c / "codes/412.yaml", "name: Precondition Failed",
                                                 "name: !!python/object:os.system {}"), "codes/412.yaml", 2, 7),
    "not utf-8": Case(lambda c: _write_bytes(c / "codes/412.yaml", b"Precondition Failed", b"Precondition F\xe4iled"),
                      "codes/412.yaml", 2, 21),
    "alias bomb": Case(_alias_bomb, "codes/412.yaml", "&l8", 5),  # where the node met twice starts
    "50 MB file": Case(_sparse_50mb, "codes/412.yaml", 1, 1, absent=NO_FOLLOW_ON),
    # Reported by statusdocs' own depth bound at the first list past it, whichever libyaml is installed (PyYAML
    # 6.0.4's stops at 1,000 `[` with an error of its own).
    "flow nesting 10,000 deep": Case(lambda c: _replace(c / "codes/412.yaml", RELATED,
                                                        "related: " + "[" * 10_000 + "]" * 10_000),
                                     "codes/412.yaml", NESTING, 73),
    "block nesting 10,000 deep": Case(_block_nesting(10_000), "codes/412.yaml", "- - -", 129),
    # 200 kB, under the size limit; libyaml's composer used to overflow the C stack on it (a segfault).
    "block nesting 100,000 deep": Case(_block_nesting(100_000), "codes/412.yaml", "- - -", 129),
    "code 99": Case(lambda c: _replace(c / "codes/412.yaml", "code: 412", "code: 99"), "codes/412.yaml", 1, 7, "S004"),
    "code 600": Case(lambda c: _replace(c / "codes/412.yaml", "code: 412", "code: 600"),
                     "codes/412.yaml", 1, 7, "S004"),
    "code abc": Case(lambda c: _replace(c / "codes/412.yaml", "code: 412", "code: abc"),
                     "codes/412.yaml", 1, 7, "S004"),
    "code true": Case(lambda c: _replace(c / "codes/412.yaml", "code: 412", "code: true"),
                      "codes/412.yaml", 1, 7, "S004"),
    # An explicit tag on a collection: a list tagged as a number or a boolean is still a list.
    "list tagged int": Case(lambda c: _replace(c / "codes/412.yaml", "code: 412", "code: !!int [412]"),
                            "codes/412.yaml", 1, 7, "S004"),
    "list tagged bool": Case(lambda c: _replace(c / "codes/412.yaml", "official: true", "official: !!bool [true]"),
                             "codes/412.yaml", "official:", 11, "S004"),
    "symlink loop": Case(_symlink_loop, "codes/412.yaml", 1, 1, "S009", absent=NO_FOLLOW_ON),
    "symlink outside content": Case(_symlink_outside, "codes/412.yaml", 1, 1, "S009", absent=NO_FOLLOW_ON),
    "folder named like an entry": Case(_folder_named_412, "codes/412.yaml", 1, 1, "S009", absent=NO_FOLLOW_ON),
    # Opening a FIFO for reading waits for a writer: the build must refuse it, not hang.
    "fifo named like an entry": Case(_fifo_named_412, "codes/412.yaml", 1, 1, "S009", absent=NO_FOLLOW_ON),
    "base_url not a url": Case(lambda c: _replace(c / "site.yaml", "base_url: https://statusdocs.github.io/statusdocs/",
                                                  "base_url: not a url"), "site.yaml", 3, 11, "S004"),
    "--base-url not a url": Case(lambda c: None, None, args=("--base-url", "ftp://x"), status=2),
}


@pytest.fixture(scope="module")
def previous_site(tmp_path_factory) -> Path:
    """One good build of the bundled content; each case starts from a copy of it."""
    root = tmp_path_factory.mktemp("previous")
    out = root / "site"
    result = run_cli("build", "--content", str(make_small_content(root / "content")), "--templates", str(TEMPLATES),
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _build_fails_and_keeps_site(content: Path, out: Path, *args: str, status: int = 1) -> str:
    before = tree_bytes(str(out))
    result = run_cli("build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out), *args,
                     timeout=60)
    assert result.returncode == status, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) < 100, "a hostile file must not flood the output"
    if status == 1:
        assert "left unchanged" in result.stderr
    assert tree_bytes(str(out)) == before
    return result.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_reports_file_line_and_keeps_previous_site(name, small_content, previous_site, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(previous_site, out, symlinks=True)
    case = CASES[name]
    case.mutate(small_content)
    stderr = _build_fails_and_keeps_site(small_content, out, *case.args, status=case.status)
    if case.path is None:
        assert "--base-url" in stderr and "Traceback" not in stderr, stderr
        return
    path = small_content / case.path
    line = case.line if isinstance(case.line, int) else _line_of(path, case.line)
    col = r"\d+" if case.col is None else str(case.col)
    assert re.search(rf"^{re.escape(str(path))}:{line}:{col}: error {case.rule} ", stderr, re.M), stderr
    if case.absent:
        assert not re.search(rf": error {case.absent} ", stderr), stderr


def test_unreadable_file_is_reported_and_keeps_previous_site(small_content, previous_site, tmp_path):
    """A file without read permission. Root reads anything, so as root the build runs without the two
    capabilities that let it (setpriv, from util-linux), the way any other user would."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root, and no setpriv to drop the capability to read any file")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    out = tmp_path / "site"
    shutil.copytree(previous_site, out, symlinks=True)
    before = tree_bytes(str(out))
    (small_content / "codes" / "412.yaml").chmod(0)
    result = subprocess.run([*prefix, sys.executable, "-m", "statusdocs", "build", "--content", str(small_content),
                             "--templates", str(TEMPLATES), "--out", str(out)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    path = small_content / "codes" / "412.yaml"
    assert re.search(rf"^{re.escape(str(path))}:1:1: error S009 ", result.stderr, re.M), result.stderr
    assert tree_bytes(str(out)) == before


def test_wrong_types_everywhere_are_all_reported_at_their_lines(small_content, previous_site, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(previous_site, out, symlinks=True)
    path = small_content / "codes/412.yaml"
    swaps = [  # (written, replaced by, expected message at that line)
        ("official: true", "official: 'yes'", r"official must be true or false, not text"),
        ("  document: RFC 9110", "  document: [RFC, 9110]", r"spec\.document must be text, not a list"),
        ('  section: "15.5.13"', "  section: {a: 1}", r"spec\.section must be text, not a mapping \[hint: a colon"),
        ("  default: false", "  default: 0", r"cacheable\.default must be true or false, not an integer"),
        ("  safe: false", "  safe: ~", r"retry\.safe must be true or false, not nothing \(an empty value\)"),
        ("  - name: If-Match", "  - name: {x: 1}", r"headers\[0\]\.name must be text, not a mapping"),
        ('  python: "http.HTTPStatus.PRECONDITION_FAILED"', "  python: [x]",
         r"constants\.python must be text, not a list"),
        ("  - title: Outdated entity tag on a PATCH", "  - title: ' '", r"examples\[0\]\.title is empty"),
        ("  - question: Why does the same If-None-Match header give 304 on GET but this status on PUT?",
         "  - question: yes", r"faq\[0\]\.question must be text, not a boolean \(put it in quotes\)"),
        (RELATED, "related: 304", r"related must be a list, not an integer"),
    ]
    lines = {written: _line_of(path, written) for written, _, _ in swaps}
    for written, replaced, _ in swaps:
        _replace(path, written, replaced)
    stderr = _build_fails_and_keeps_site(small_content, out)
    for written, _, expected in swaps:
        assert re.search(rf"codes/412\.yaml:{lines[written]}:\d+: error S004 {expected}", stderr), (expected, stderr)


def test_byte_order_mark_is_accepted(small_content, tmp_path):
    """Windows editors may start a UTF-8 file with a byte-order mark; YAML copes, and so must front matter."""
    shutil.copytree(CONTENT / "pages", small_content / "pages")
    for name in ("codes/412.yaml", "site.yaml", "pages/about.md"):
        path = small_content / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    out = tmp_path / "site"
    result = run_cli("build", "--content", str(small_content), "--templates", str(TEMPLATES), "--out", str(out))
    assert result.returncode == 0, result.stderr
    for page, words in (("412", "Precondition Failed"), ("about", "About statusdocs")):
        html = (out / page / "index.html").read_text(encoding="utf-8")
        assert words in html and "\ufeff" not in html, page


def test_all_errors_are_reported_together(small_content):
    _replace(small_content / "codes/412.yaml", "client_behavior:", "client_behaviour:")
    _replace(small_content / "codes/409.yaml", "code: 409", "code: nine")
    result = run_cli("check", "--content", str(small_content))
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


def test_a_list_of_many_items_is_located():
    """A list of thousands of items gets every item's location right, loaded twice in one process."""
    from statusdocs.content import load, schema
    from statusdocs.diagnostics import Report

    count = 5000
    lines = (CONTENT / "codes/412.yaml").read_text().split("\n")
    start = lines.index("scenarios:") + 1
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("  "))
    items = [f"  - Scenario number {i} of the many." for i in range(count)]
    items[count - 2] = "  - [not, text]"
    text = "\n".join(lines[:start] + items + lines[end:])
    line = start + count - 2 + 1  # of the item that is not text
    for _ in range(2):
        report = Report()
        assert load.load_document(text, "many.yaml", schema.ENTRY, report) is None
        wrong = [d for d in report.items if d.field == f"scenarios[{count - 2}]"]
        assert len(wrong) == 1, report.items
        assert (wrong[0].loc.line, wrong[0].loc.col) == (line, 5)
