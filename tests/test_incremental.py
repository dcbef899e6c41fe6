"""Incremental rebuilds (what `serve` does) must equal a clean full build, byte for byte, after any
sequence of edits: to entries, comparisons, the site config, templates, static files; adding and
deleting entries; breaking a file and fixing it again."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from statusdocs.build.builder import Builder
from statusdocs.build.output import update_site, write_site
from statusdocs.content.load import load_content
from statusdocs.diagnostics import Report
from tests.conftest import CONTENT, TEMPLATES
from tests.sitecheck import tree_bytes


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    with open(tmp_path / "content" / "pages" / "about.md", "a") as fh:
        fh.write("\nSome servers answer 218 when a test says so.\n")
    return tmp_path


def _replace(path: Path, pattern: str, repl: str) -> None:
    text = path.read_text()
    new = re.sub(pattern, repl, text, count=1, flags=re.M)
    assert new != text, (path, pattern)
    path.write_text(new)


def _edits(ws: Path, rng: random.Random):
    """One random edit; returns the paths it touched."""
    codes = ws / "content" / "codes"
    entries = sorted(codes.glob("*.yaml"))
    n = rng.randrange(1000)
    kind = rng.choice(["summary", "summary", "name-of-related", "comparison", "site", "template", "macro",
                       "static", "add", "delete", "toggle", "toggle", "break", "page"])
    if kind == "summary":
        path = rng.choice(entries)
        _replace(path, r"^summary: .*$", f"summary: Edited summary number {n} for this code, written in a test.")
    elif kind == "name-of-related":  # a name shows on neighbours, related pages, comparisons, indexes
        path = codes / "412.yaml"
        _replace(path, r"^name: .*$", f"name: Precondition Failed {n}")
    elif kind == "comparison":
        path = ws / "content" / "comparisons" / "409-vs-412.yaml"
        _replace(path, r"^decision_rule: \|\n  ", f"decision_rule: |\n  Edit {n}. ")
    elif kind == "site":
        path = ws / "content" / "site.yaml"
        _replace(path, r"^description: .*$", f"description: A reference for HTTP status codes, edit {n}.")
    elif kind == "template":
        path = ws / "templates" / "code.html"
        _replace(path, r">Definition</a></h2>", f">Definition</a></h2><!-- {n} -->")
    elif kind == "macro":
        path = ws / "templates" / "_macros.html"
        _replace(path, r'<pre class="http"', f'<pre class="http" data-n="{n}"')
    elif kind == "static":
        path = ws / "templates" / "static" / "style.css"
        path.write_text(path.read_text() + f"\n/* {n} */\n")
    elif kind == "add":
        code = rng.choice([c for c in range(230, 299) if not (codes / f"{c}.yaml").exists()])
        path = codes / f"{code}.yaml"
        text = (codes / "226.yaml").read_text()
        text = re.sub(r"^code: 226$", f"code: {code}", text, flags=re.M)
        path.write_text(text.replace("official: true", "official: false\norigin: a test"))
    elif kind == "delete":
        added = [p for p in entries if 230 <= int(p.stem) < 299]
        if not added:
            return _edits(ws, rng)
        path = rng.choice(added)
        path.unlink()
    elif kind == "toggle":  # the About page names 218: whether it links there depends on the entry existing
        path = codes / "218.yaml"
        if path.exists():
            path.unlink()
        else:
            text = re.sub(r"^code: 226$", "code: 218", (codes / "226.yaml").read_text(), flags=re.M)
            path.write_text(text.replace("official: true", "official: false\norigin: a test"))
    elif kind == "break":
        path = rng.choice(entries)
        path.write_text(path.read_text() + "\nname: [unclosed\n")
    else:
        path = ws / "content" / "pages" / "about.md"
        path.write_text(path.read_text() + f"\nOne more paragraph, number {n}.\n")
    return {str(path.resolve())}, kind


def _fix_broken(ws: Path) -> set[str]:
    fixed = set()
    for path in (ws / "content" / "codes").glob("*.yaml"):
        text = path.read_text()
        if text.endswith("\nname: [unclosed\n"):
            path.write_text(text[: -len("\nname: [unclosed\n")])
            fixed.add(str(path.resolve()))
    return fixed


def _full(ws: Path, out: Path) -> dict[str, bytes]:
    report = Report()
    content = load_content(str(ws / "content"), report)
    assert content is not None and not report.errors, [d.text() for d in report.items]
    rendered = Builder(str(ws / "templates")).render(content, report)
    assert rendered is not None
    write_site(str(out), rendered.outputs)
    return rendered.outputs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edit_sequences_equal_a_clean_build(workspace: Path, seed: int):
    rng = random.Random(seed)
    live = workspace / "live"
    builder = Builder(str(workspace / "templates"))
    report = Report()
    content = load_content(str(workspace / "content"), report)
    write_site(str(live), builder.render(content, report).outputs)
    pending: set[str] = set()
    kinds = []
    for _step in range(8):
        touched, kind = _edits(workspace, rng)
        kinds.append(kind)
        pending |= touched
        if kind == "break" and rng.random() < 0.5:
            pending |= _fix_broken(workspace)  # fixed before the preview got to it
        report = Report()
        content = load_content(str(workspace / "content"), report)
        if content is None or report.errors:
            assert kind == "break"
            pending |= _fix_broken(workspace)
            continue  # the preview keeps the last good site and carries the changes over
        rendered = builder.render(content, report, pending)
        assert rendered is not None
        pending = set()
        update_site(str(live), {p: rendered.outputs[p] for p in rendered.written}, rendered.removed)
        clean = _full(workspace, workspace / "clean")
        assert rendered.outputs == clean, (kinds, sorted(k for k in clean if clean[k] != rendered.outputs.get(k)))
        assert tree_bytes(live) == tree_bytes(workspace / "clean"), kinds


def test_an_entry_edit_renders_only_the_pages_that_show_it(workspace: Path):
    builder = Builder(str(workspace / "templates"))
    report = Report()
    builder.render(load_content(str(workspace / "content"), report), report)
    path = workspace / "content" / "codes" / "409.yaml"
    _replace(path, r"^summary: .*$", "summary: A changed one-line summary of the conflict status code here.")
    report = Report()
    rendered = builder.render(load_content(str(workspace / "content"), report), report, {str(path.resolve())})
    assert "409/index.html" in rendered.written and "api/409.json" in rendered.written
    assert "compare/409-vs-412/index.html" in rendered.rendered
    assert "index.html" in rendered.written  # the index shows summaries
    for unrelated in ("200/index.html", "5xx/index.html", "api/200.json", "static/style.css"):
        assert unrelated not in rendered.rendered
    assert len(rendered.rendered) < len(rendered.outputs) / 3

    template = workspace / "templates" / "code.html"
    _replace(template, r">Definition</a></h2>", ">What it means</a></h2>")
    rendered = builder.render(load_content(str(workspace / "content"), report), report, {str(template.resolve())})
    kinds = {p.split("/")[0] for p in rendered.rendered}
    assert all(p.split("/")[0].isdigit() for p in rendered.rendered), kinds
    assert len(rendered.rendered) == len(list((workspace / "content" / "codes").glob("*.yaml")))
    assert os.sep not in "".join(rendered.removed)
