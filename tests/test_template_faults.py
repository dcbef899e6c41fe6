"""Faults in templates are findings at the template's line (T001) or the file's path (T002), never a Python
traceback, and never a build that hangs: the CLI's `build` (in one process and with render workers) and the
preview, which renders through the same builder."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CONTENT, TEMPLATES, run_cli
from tests.fuzz_targets import make_small_content


def _insert(path: Path, line: int, text: str) -> None:
    """Put `text` on line `line` (1-based) of the file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines), encoding="utf-8")


def _include_loop(t: Path) -> str:
    (t / "loop.html").write_text('<p>once more</p>\n{% include "loop.html" %}\n', encoding="utf-8")
    _insert(t / "code.html", 6, '{% include "loop.html" %}')
    return "loop.html:2"


def _extends_itself(t: Path) -> str:
    (t / "code.html").write_text('{# a comment #}\n{% extends "code.html" %}\n', encoding="utf-8")
    return "code.html:2"


def _mutual_extends(t: Path) -> str:
    (t / "code.html").write_text('\n{% extends "other.html" %}\n', encoding="utf-8")
    (t / "other.html").write_text('\n\n\n{% extends "code.html" %}\n', encoding="utf-8")
    return "code.html:2"  # where the loop starts: the page's own template


def _recursive_macro(t: Path) -> str:
    _insert(t / "code.html", 7, "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}")
    _insert(t / "code.html", 9, "{{ down(0) }}")
    return "code.html:7"  # the macro's line, where it calls itself


def _division_by_zero(t: Path) -> str:
    _insert(t / "code.html", 8, "<p>{{ 1/0 }}</p>")
    return "code.html:8"


def _invalid_utf8(t: Path) -> str:
    path = t / "code.html"
    lines = path.read_bytes().split(b"\n")
    lines.insert(4, b"<p>caf\xe9</p>")
    path.write_bytes(b"\n".join(lines))
    return "code.html:5"


def _wrong_type(t: Path) -> str:
    _insert(t / "code.html", 9, '<p>{{ e.code + "x" }}</p>')
    return "code.html:9"


def _too_deep_for_python(t: Path) -> str:
    """25 nested loops: Jinja's code for it is more than Python compiles ("too many statically nested blocks")."""
    _insert(t / "code.html", 6, "{% for x in [1] %}" * 25 + "x" + "{% endfor %}" * 25)
    return "code.html"  # a file-wide finding: the line Python names is one of the generated code


FAULTS = {
    "include loop": _include_loop,
    "template extends itself": _extends_itself,
    "mutual extends": _mutual_extends,
    "recursive macro": _recursive_macro,
    "1/0": _division_by_zero,
    "invalid UTF-8": _invalid_utf8,
    "wrong type": _wrong_type,
    "too deep for Python": _too_deep_for_python,
}


def _templates(tmp_path: Path) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    return templates


def _assert_finding(result: subprocess.CompletedProcess, where: str, rule: str = "T001") -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and not re.search(r"^\w+(Error|Exception)\b", result.stderr, re.M), \
        result.stderr
    # The path the user gave (relative to the working folder), the line in the template, the rule.
    match = re.search(rf"^templates/{re.escape(where)}(:\d+)?: error {rule} ", result.stderr, re.M)
    assert match, result.stderr


@pytest.mark.parametrize("fault", FAULTS)
def test_a_template_fault_is_a_finding_at_its_line(tmp_path: Path, fault: str):
    where = FAULTS[fault](_templates(tmp_path))
    make_small_content(tmp_path / "content")
    result = run_cli("build", "--content", "content", "--templates", "templates", "--out", "site", cwd=tmp_path,
                     timeout=60)
    _assert_finding(result, where)
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("fault", ["include loop", "recursive macro", "1/0"])
def test_a_template_fault_in_render_workers_is_the_same_finding(tmp_path: Path, fault: str):
    """The bundled content has enough pages for forked render workers: each worker reports the fault as the
    parent does, at the same line (the recursion bound does not depend on where a page is rendered)."""
    where = FAULTS[fault](_templates(tmp_path))
    shutil.copytree(CONTENT, tmp_path / "content")
    result = run_cli("build", "--content", "content", "--templates", "templates", "--out", "site", "--jobs", "2",
                     "--no-cache", cwd=tmp_path, timeout=120)
    _assert_finding(result, where)
    assert len(re.findall(r"error T001", result.stderr)) == 1, result.stderr  # one finding, not one per worker


def test_a_fault_in_one_template_leaves_the_others_working(tmp_path: Path):
    """A page that hit the recursion bound leaves the process as it was: the other templates' pages render and
    their findings are reported too (one per broken template), in the same run."""
    templates = _templates(tmp_path)
    where = _recursive_macro(templates)
    _insert(templates / "class.html", 4, "{{ 1/0 }}")
    make_small_content(tmp_path / "content")
    result = run_cli("build", "--content", "content", "--templates", "templates", "--out", "site", "--jobs", "1",
                     cwd=tmp_path, timeout=60)
    _assert_finding(result, where)
    _assert_finding(result, "class.html:4")
    assert len(re.findall(r"error T001", result.stderr)) == 2, result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_preview_shows_a_template_loop_as_a_finding_and_recovers(tmp_path: Path):
    """The preview renders in one long-lived process: after a page hit the recursion bound, the fixed template
    renders as before, with the overlay gone."""
    from tests.browser import ServeProcess

    shutil.copytree(TEMPLATES, tmp_path / "templates")
    make_small_content(tmp_path / "content")
    good = (tmp_path / "templates/code.html").read_text(encoding="utf-8")
    server = ServeProcess(tmp_path)
    try:
        _, before, _ = server.get("/statusdocs/409/")
        start = len(server.lines)
        _include_loop(tmp_path / "templates")
        server.wait_for(r"templates have errors", 30, start)
        server.wait_for(r"templates/loop\.html:2: error T001 ", 5, start)
        status, body, _ = server.get("/statusdocs/409/")  # the last good page, with the overlay over it
        assert status == 200 and b"templates/loop.html:2: error T001 " in body
        start = len(server.lines)
        fixed = good.replace("</h1>", " Fixed</h1>", 1)
        assert fixed != good
        (tmp_path / "templates/code.html").write_text(fixed, encoding="utf-8")
        server.wait_for(r"rebuilt \d+ page", 30, start)
        status, body, _ = server.get("/statusdocs/409/")
        assert status == 200 and b"error T001" not in body
        main = re.compile(rb"<main.*</main>", re.S)  # the page itself; the preview's script around it counts reloads
        assert main.search(body).group() == main.search(before).group().replace(b"</h1>", b" Fixed</h1>", 1)
        assert server.proc.poll() is None
    finally:
        server.stop()
    assert not any("Traceback" in line for line in server.lines), "\n".join(server.lines)


# ---------------------------------------------------------------- files under templates/ (T002)

def _build_bounded(tmp_path: Path) -> subprocess.CompletedProcess:
    """A build that would block on a FIFO must not hang the test: a bounded wait, a failure if it runs out."""
    try:
        return run_cli("build", "--content", "content", "--templates", "templates", "--out", "site", "--jobs", "1",
                       cwd=tmp_path, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("the build blocked (on a FIFO?) for 30 s")


def test_static_files_that_are_not_plain_files_inside_the_theme_are_findings(tmp_path: Path):
    templates = _templates(tmp_path)
    make_small_content(tmp_path / "content")
    static = templates / "static"
    secret = tmp_path / "secret.txt"
    secret.write_text("API_KEY=hunter2\n")
    os.mkfifo(static / "pipe.css")
    (static / "leak.txt").symlink_to(secret)
    (static / "broken.js").symlink_to(tmp_path / "nowhere")
    (static / "folder").symlink_to(tmp_path, target_is_directory=True)
    (static / "fine.html").symlink_to(templates / "base.html")  # inside the theme: copied
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(static / "sock"))
        result = _build_bounded(tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for name in ("pipe.css", "leak.txt", "broken.js", "folder", "sock"):
        assert re.search(rf"^templates/static/{name}: error T002 ", result.stderr, re.M), (name, result.stderr)
    assert "fine.html" not in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    assert not (tmp_path / "site").exists()


def test_a_static_symlink_inside_the_theme_is_copied(tmp_path: Path):
    templates = _templates(tmp_path)
    make_small_content(tmp_path / "content")
    (templates / "static" / "copy.css").symlink_to(templates / "static" / "style.css")
    result = _build_bounded(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site/static/copy.css").read_bytes() == (templates / "static/style.css").read_bytes()


def test_a_template_that_is_a_fifo_or_leads_outside_is_a_finding(tmp_path: Path):
    templates = _templates(tmp_path)
    make_small_content(tmp_path / "content")
    secret = tmp_path / "secret.html"
    secret.write_text("<p>API_KEY=hunter2</p>\n")
    os.mkfifo(templates / "pipe.html")
    _insert(templates / "code.html", 6, '{% include "pipe.html" %}')
    (templates / "page.html").unlink()
    (templates / "page.html").symlink_to(secret)
    (templates / "class.html").write_text('{% extends "base.html" %}{% block main %}{% include "page.html" %}'
                                          '{% endblock %}\n')
    result = _build_bounded(tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"^templates/pipe\.html: error T002 ", result.stderr, re.M), result.stderr
    assert re.search(r"^templates/page\.html: error T002 ", result.stderr, re.M), result.stderr
    assert "hunter2" not in result.stderr
