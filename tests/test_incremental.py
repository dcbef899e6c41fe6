"""Incremental rebuilds (what `serve` does) must equal a clean full build, byte for byte, after any
sequence of edits: to entries, comparisons, the site config, templates, static files; adding and
deleting entries; breaking a file and fixing it again. The preview builds through `statusdocs build`'s own
pipeline (`pipeline.run` with `preview_context`): these tests drive it so, as `serve` does."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from statusdocs.build.pipeline import BuildContext, BuildResult, preview_context, run
from statusdocs.build.preview import Session
from tests.conftest import CONTENT, TEMPLATES, budgeted, run_cli
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


def _preview(ws: Path, session: Session, changed: set[str] | None) -> tuple[BuildContext, BuildResult]:
    """One of the preview's builds, as `serve` makes it: into live/, with the session's state."""
    ctx = preview_context(str(ws / "content"), str(ws / "templates"), str(ws / "live"), None, session, changed)
    return ctx, run(ctx)


def _clean(ws: Path, out: Path) -> dict[str, bytes]:
    """A clean build of the same content, without the cache (and, as the preview, without the search index and
    the check: the edits' made-up entries have findings, which do not change a byte of the site)."""
    result = run(BuildContext(str(ws / "content"), str(ws / "templates"), str(out), jobs=1, use_cache=False,
                              search=False, check=False))
    assert result.ok, [d.text() for d in result.diagnostics]
    return tree_bytes(out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edit_sequences_equal_a_clean_build(workspace: Path, seed: int):
    rng = random.Random(seed)
    live = workspace / "live"
    session = Session()
    assert _preview(workspace, session, None)[1].ok
    pending: set[str] = set()
    kinds = []
    for _step in budgeted(8, 4, 40):  # conftest: 8 steps (a fraction in .ci/run's other stages), at least 4
        touched, kind = _edits(workspace, rng)
        kinds.append(kind)
        pending |= touched
        if kind == "break" and rng.random() < 0.5:
            pending |= _fix_broken(workspace)  # fixed before the preview got to it
        before = tree_bytes(live)
        ctx, result = _preview(workspace, session, pending)
        if not result.ok:
            assert kind == "break" and ctx.builder is None, [d.text() for d in result.diagnostics]  # a load error
            assert tree_bytes(live) == before  # the last good site stays
            pending |= _fix_broken(workspace)
            continue  # the preview keeps the last good site and carries the changes over
        pending = set()
        clean = _clean(workspace, workspace / "clean")
        site = tree_bytes(live)
        assert site == clean, (kinds, sorted(k for k in clean.keys() | site.keys() if clean.get(k) != site.get(k)))


def test_an_entry_edit_renders_only_the_pages_that_show_it(workspace: Path):
    session = Session()
    _preview(workspace, session, None)
    path = workspace / "content" / "codes" / "409.yaml"
    _replace(path, r"^summary: .*$", "summary: A changed one-line summary of the conflict status code here.")
    ctx, result = _preview(workspace, session, {str(path.resolve())})
    rendered = [p.output for p in ctx.todo]
    assert "409/index.html" in result.changed and "api/409.json" in result.changed
    assert "compare/409-vs-412/index.html" in rendered
    assert "index.html" in result.changed  # the index shows summaries
    for unrelated in ("200/index.html", "5xx/index.html", "api/200.json", "static/style.css"):
        assert unrelated not in rendered
    assert len(rendered) < len(session.site) / 3

    template = workspace / "templates" / "code.html"
    _replace(template, r">Definition</a></h2>", ">What it means</a></h2>")
    ctx, result = _preview(workspace, session, {str(template.resolve())})
    rendered = [p.output for p in ctx.todo]
    kinds = {p.split("/")[0] for p in rendered}
    assert all(p.split("/")[0].isdigit() for p in rendered), kinds
    assert len(rendered) == len(list((workspace / "content" / "codes").glob("*.yaml")))
    assert os.sep not in "".join(result.removed)


def test_a_preview_rebuild_writes_what_statusdocs_build_writes(workspace: Path):
    """One pipeline: after edits to an entry, a template and a static file, and then an entry deleted, the preview's
    folder holds, file for file and byte for byte, what `statusdocs build` writes for the edited content."""
    codes = workspace / "content" / "codes"
    gone = codes / "231.yaml"
    text = re.sub(r"^code: 226$", "code: 231", (codes / "226.yaml").read_text(), flags=re.M)
    gone.write_text(text.replace("official: true", "official: false\norigin: a test"))
    session = Session()
    assert _preview(workspace, session, None)[1].ok and (workspace / "live" / "231" / "index.html").exists()
    entry = codes / "409.yaml"
    _replace(entry, r"^summary: .*$", "summary: A changed one-line summary of the conflict status code here.")
    template = workspace / "templates" / "code.html"
    _replace(template, r">Definition</a></h2>", ">What it means</a></h2>")
    style = workspace / "templates" / "static" / "style.css"
    style.write_text(style.read_text() + "\n/* edited */\n")
    ctx, result = _preview(workspace, session, {str(p.resolve()) for p in (entry, template, style)})
    assert result.ok and "409/index.html" in result.changed and len(ctx.todo) < len(session.site)
    assert "api/231.json" not in {p.output for p in ctx.todo}  # kept: in place from the build before
    gone.unlink()  # then, in a build of its own, the entry whose pages were kept is deleted
    ctx, result = _preview(workspace, session, {str(codes.resolve() / gone.name)})
    assert result.ok and {"231/index.html", "api/231.json"} <= set(result.removed)
    out = workspace / "built"
    done = run_cli("build", "--content", str(workspace / "content"), "--templates", str(workspace / "templates"),
                   "--out", str(out), "--no-cache")
    assert done.returncode == 0, done.stderr
    site, built = tree_bytes(workspace / "live"), tree_bytes(out)
    assert site.keys() == built.keys(), sorted(site.keys() ^ built.keys())
    assert [rel for rel in sorted(built) if site[rel] != built[rel]] == []


def test_templates_added_and_removed_beside_the_theme_are_seen_at_once(tmp_path: Path):
    """The preview knows its inputs from the files the watcher names, not by looking at every file: a template
    added to the user's folder takes the built-in one's place on the next build, a deleted one gives it back, an
    edited one is read again, and the site equals a clean build each time."""
    shutil.copytree(CONTENT, tmp_path / "content")
    theme = tmp_path / "templates"
    theme.mkdir()
    (theme / "notes.txt").write_text("not a template the site uses\n")
    session = Session()
    assert _preview(tmp_path, session, None)[1].ok
    page = tmp_path / "live" / "404.html"
    builtin = page.read_bytes()
    mine = theme / "404.html"
    for step, text in enumerate(['{% extends "base.html" %}{% block main %}<p>Lost, step 1</p>{% endblock %}',
                                 '{% extends "base.html" %}{% block main %}<p>Lost, step 2</p>{% endblock %}',
                                 None]):
        if text is None:
            mine.unlink()
        else:
            mine.write_text(text)
        ctx, result = _preview(tmp_path, session, {str(mine)})
        assert result.ok, [d.text() for d in result.diagnostics]
        shown = page.read_bytes()
        assert (f"Lost, step {step + 1}".encode() in shown) if text else shown == builtin
        assert tree_bytes(tmp_path / "live") == _clean(tmp_path, tmp_path / f"clean{step}")


@pytest.mark.parametrize("spelling", ["relative", "symlink"])
def test_files_the_watcher_names_otherwise_are_still_read_again(workspace: Path, monkeypatch, spelling: str):
    """The preview reads again only the content files the watcher names, taking the others as it parsed them: when
    the content folder is given by another name than the watcher's (a relative path, a symlink to it), every file's
    state is looked at, and an edit is never missed."""
    monkeypatch.chdir(workspace)
    if spelling == "symlink":
        (workspace / "linked").symlink_to(workspace / "content")
    given = "content" if spelling == "relative" else str(workspace / "linked")
    session = Session()

    def preview(changed: set[str] | None) -> BuildResult:
        return run(preview_context(given, str(workspace / "templates"), str(workspace / "live"), None, session,
                                   changed))

    assert preview(None).ok
    entry = workspace / "content" / "codes" / "409.yaml"
    _replace(entry, r"^summary: .*$", "summary: A changed one-line summary of the conflict status code here.")
    result = preview({str(entry.resolve())})
    assert result.ok and "409/index.html" in result.changed
    assert b"A changed one-line summary" in (workspace / "live" / "409" / "index.html").read_bytes()
