"""Recorded dependencies: every field of an entry, a comparison, a page, guide.yaml and site.yaml, and a template,
is changed in turn; after each change the incremental rebuild (the preview's, and the cached `statusdocs build`'s)
must equal a clean build byte for byte, render every page whose bytes changed, and render no other page but a
small set, named below with the reason, for each change (dependencies are recorded per field: a page that shows
an entry's name but not its summary is not made again when the summary changes)."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from statusdocs.build import pipeline
from statusdocs.build.preview import Session
from tests.conftest import CONTENT, PROPERTY_SCALE, TEMPLATES
from tests.sitecheck import tree_bytes

FILES = ["codes/412.yaml", "comparisons/409-vs-412.yaml", "pages/about.md", "guide.yaml", "site.yaml"]


def build(*args, **kwargs):  # the pages alone, as the CLI builds here (run_cli: --no-search)
    return pipeline.build(*args, search=False, **kwargs)


SCALAR = re.compile(r"^(?P<head>\s*(?:- )?(?P<key>[A-Za-z_]+): )(?P<value>.+)$")
ITEM = re.compile(r"^(?P<head>\s*- )(?P<value>[^:]+)$")


def _mutated(value: str) -> str | None:
    """A scalar as written, changed; None for what decides which pages exist (codes, answers) or has no text."""
    if value in ("|", ">", ">-", "|-") or re.fullmatch(r"\d+|\[.*\]|\{.*\}", value):
        return None
    if value in ("true", "false"):
        return "false" if value == "true" else "true"
    if value[0] in "\"'":
        return value[0] + "Mutated " + value[1:]
    if value.startswith("http"):
        return value.rstrip("/") + "/mutated"
    return value + " mutated"


def _field_edits(text: str) -> list[tuple[str, str]]:
    """(field, the text with it changed): the first line of each field name (a block scalar's first line of
    text), and the first item of each list of plain items."""
    lines = text.split("\n")
    seen: set[str] = set()
    out = []
    for i, line in enumerate(lines):
        m = SCALAR.match(line) or ITEM.match(line)
        if m is None:
            continue
        name = m.groupdict().get("key") or f"item after {lines[i - 1].strip()[:20]}"
        value = m.group("value")
        if value in ("|", ">", ">-", "|-") and i + 1 < len(lines):
            indent = len(lines[i + 1]) - len(lines[i + 1].lstrip())  # first: excerpts and first sentences show it
            target, new = i + 1, lines[i + 1][:indent] + "Mutated in a test. " + lines[i + 1][indent:]
        else:
            changed = _mutated(value)
            if changed is None:
                continue
            target, new = i, m.group("head") + changed
        if name in seen:
            continue
        seen.add(name)
        edited = list(lines)
        edited[target] = new
        out.append((name, "\n".join(edited)))
    return out


@dataclass
class Rendered:
    outputs: dict[str, bytes]   # the preview's whole site
    rendered: list[str]         # pages rendered this time
    written: list[str]          # files whose bytes changed


def _render(ws: Path, session: Session, changed: set[str] | None) -> Any:
    """One of the preview's builds (`serve`'s: the pipeline with the preview's options) into live/; None if the
    content does not load."""
    ctx = pipeline.preview_context(str(ws / "content"), str(ws / "templates"), str(ws / "live"), None, session,
                                   changed)
    result = pipeline.run(ctx)
    if not result.ok and ctx.builder is None:
        return None
    assert result.ok, [d.text() for d in result.diagnostics]
    return Rendered(tree_bytes(str(ws / "live")), [p.output for p in ctx.todo], result.changed)


def _clean(ws: Path) -> dict[str, bytes]:
    """A clean build of the same content (no cache, no search index, no check: a mutated field may have findings,
    which change no byte of the site)."""
    out = ws / "clean"
    ctx = pipeline.BuildContext(str(ws / "content"), str(ws / "templates"), str(out), jobs=1, use_cache=False,
                                search=False, check=False)
    assert pipeline.run(ctx).ok
    return tree_bytes(str(out))


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    return tmp_path


def _mutations(ws: Path, scale: float = 1) -> list[tuple[str, str, str]]:
    """(file, field, the file's text with that field changed) for every field of FILES (below scale 1, an even
    sample of each file's fields, its first among them); and a template."""
    out = []
    step = max(1, round(1 / scale)) if scale < 1 else 1
    for rel in FILES:
        text = (ws / "content" / rel).read_text()
        out += [(rel, name, edited) for name, edited in _field_edits(text)[::step]]
        if rel.endswith(".md"):  # the body, after the front matter
            out.append((rel, "body", text + "\nA paragraph added in a test.\n"))
    template = (ws / "templates" / "compare.html").read_text()
    out.append(("../templates/compare.html", "", template.replace("</h1>", "</h1><!-- mutated -->", 1)))
    return out


def _needless(workspace: Path, rel: str, leaf: str, rendered: set[str], differ: set[str]) -> set[str]:
    """The pages a change rendered although their bytes stay the same, less those it may render, each for its
    reason: a comparison's context holds both entries' whole views, which its page shows in part; the guide's
    leaves hold a first sentence of each code's `when_to_use`, which the guide does not show; the home page reads
    the guide's tree for the comparisons it reaches (its "common decisions"), not for its wording; what is in the
    shared context (a code's name in every page's navigation, the site's title) makes every page that lists the
    site again (the sitemap, robots.txt, the code list, the search index); an entry's JSON shows the whole file."""
    extra = rendered - differ
    if rel.startswith("codes/"):
        code = Path(rel).stem
        extra -= {f"compare/{p.stem}/index.html" for p in (workspace / "content" / "comparisons").glob("*.yaml")
                  if code in p.stem.split("-vs-")}
        extra -= {"guide/index.html", f"api/{code}.json", "api/codes.json"}
    if rel == "guide.yaml":
        extra -= {"index.html"}
    if leaf in ("name", "title", "description", "base_url"):
        extra -= {"sitemap.xml", "robots.txt", "api/codes.json", "search-index.js"}
    return extra


PICKED = {"summary", "decision_rule", "title", ""}  # the fields the cached build is also run after


def _renders_only_what_shows_it(workspace: Path, rel: str, leaf: str, rendered: Rendered,
                                original: dict[str, bytes]) -> None:
    """A change makes again every page whose bytes it changed, and no page that does not show the changed field
    beyond the few named in `_needless`; a code's summary, shown in every link to the code, exactly those pages."""
    differ = {p for p in rendered.outputs if rendered.outputs[p] != original.get(p)}
    assert differ <= set(rendered.rendered), (rel, leaf, sorted(differ - set(rendered.rendered)))
    assert not _needless(workspace, rel, leaf, set(rendered.rendered), differ), \
        (rel, leaf, sorted(_needless(workspace, rel, leaf, set(rendered.rendered), differ)))
    if leaf == "summary" and rel.startswith("codes/"):
        assert set(rendered.rendered) == differ, sorted(set(rendered.rendered) - differ)


def _equals_a_clean_build(rel: str, leaf: str, rendered: Rendered, clean: dict[str, bytes],
                          original: dict[str, bytes]) -> None:
    """The preview's rebuild equals a clean build byte for byte and rewrote exactly the files whose bytes
    changed, each made again this time."""
    assert rendered.outputs == clean, (rel, leaf, sorted(k for k in clean if clean[k] != rendered.outputs.get(k)))
    differ = {p for p in clean if clean[p] != original.get(p)}
    assert differ <= set(rendered.rendered), (rel, leaf, sorted(differ - set(rendered.rendered)))
    assert set(rendered.written) == differ, (rel, leaf)


@pytest.mark.slow  # every field, each against a clean build
def test_each_field_rebuilds_exactly_the_pages_that_show_it(workspace: Path, tmp_path: Path):
    """Every field of FILES and a template is changed in turn, then restored, in the preview (one session):
    - each rebuild renders only the pages that show the changed field (`_renders_only_what_shows_it`), and the
      rebuild after the restore equals the first build;
    - for an even sample of the fields (all of them at the full property scale) and every field of PICKED, the
      rebuild equals a clean build and rewrote exactly what changed (`_equals_a_clean_build`);
    - for the fields of PICKED, the cached `statusdocs build` keys pages by the same recorded dependencies: after
      the change it renders as many pages as the preview and writes what the clean build writes, and it builds
      again after the restore.
    (One loop for the three: each clean build serves both comparisons; the preview's rebuilds are made once.)"""
    out = tmp_path / "site"
    templates, content = str(workspace / "templates"), str(workspace / "content")
    assert build(content, templates, str(out), jobs=1).ok
    session = Session()
    original = _render(workspace, session, None).outputs
    sampled = {(rel, leaf) for rel, leaf, _ in _mutations(workspace, PROPERTY_SCALE)}
    seen, compared, cached = set(), 0, 0
    for rel, leaf, text in _mutations(workspace):
        path = workspace / "content" / rel
        before = path.read_text()
        path.write_text(text)
        changed = {str(path.resolve())}
        rendered = _render(workspace, session, changed)
        if rendered is None:  # a value the loader refuses (an enum, a pattern): not a field a page can show
            assert leaf not in PICKED, (rel, leaf)
            path.write_text(before)  # and the preview is told, as its watcher tells it
            assert _render(workspace, session, changed).outputs == original, (rel, leaf)
            continue
        seen.add(rel)
        _renders_only_what_shows_it(workspace, rel, leaf, rendered, original)
        if (rel, leaf) in sampled or leaf in PICKED:
            compared += 1
            clean = _clean(workspace)
            _equals_a_clean_build(rel, leaf, rendered, clean, original)
            if leaf in PICKED:
                cached += 1
                result = build(content, templates, str(out), jobs=1)
                assert result.ok and result.rendered == len(rendered.rendered), (rel, leaf)
                assert tree_bytes(str(out)) == clean, (rel, leaf)
        path.write_text(before)
        back = _render(workspace, session, changed)
        assert back.outputs == original, (rel, leaf)
        if leaf in PICKED:
            assert build(content, templates, str(out), jobs=1).ok
    assert set(FILES) <= seen, seen
    assert compared >= 60 * min(1, PROPERTY_SCALE), compared
    assert cached >= 4, cached


def test_a_theme_that_passes_a_summary_through_filters_has_its_pages_made_again(workspace: Path):
    """A summary is recorded when a template looks it up, whatever it then does with it: a user's theme that shows
    it only through `tojson` and `wordcount` (which read the text without making it a string) gets the page made
    again when the summary changes, as a clean build makes it."""
    macros = workspace / "templates" / "_macros.html"
    text = macros.read_text()
    assert "{{ e.summary }}" in text
    macros.write_text(text.replace("{{ e.summary }}", "{{ e.summary|tojson }} ({{ e.summary|wordcount }} words)"))
    session = Session()
    _render(workspace, session, None)
    entry = workspace / "content" / "codes" / "412.yaml"
    source = entry.read_text()
    edited = re.sub(r"^summary: .*$", "summary: A summary edited in a test, in more words than it had before.",
                    source, count=1, flags=re.M)
    assert edited != source
    entry.write_text(edited)
    rendered = _render(workspace, session, {str(entry.resolve())})
    assert "4xx/index.html" in rendered.rendered
    assert rendered.outputs == _clean(workspace)


def test_the_preview_keeps_its_views_only_while_what_they_read_is_unchanged(workspace: Path):
    """The preview keeps the views' shared pieces (links, descriptions, the search index's items, entries' JSON)
    from one rebuild to the next while the fields they read or hold keep their digests. After an edit of a field
    they hold for a template to show (a summary, in every link to its code), of one they read (a name, in every
    link to a comparison of its code), of a comparison's summary (its description), across a failed rebuild, and
    after the site's structure changed (a comparison removed, then back), each rebuild equals a clean build."""
    from statusdocs.serve.server import Preview

    content = workspace / "content"
    entry, other = content / "codes" / "412.yaml", content / "codes" / "409.yaml"
    comparison, removable = content / "comparisons" / "409-vs-412.yaml", content / "comparisons" / "301-vs-302.yaml"
    preview = Preview(str(content), str(workspace / "templates"), str(workspace / "live"), None)

    def edit(path: Path, pattern: str, new: str) -> None:
        text = path.read_text()
        edited = re.sub(pattern, new, text, count=1, flags=re.M)
        assert edited != text
        path.write_text(edited)

    def build(*paths: Path) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            preview.build({str(p.resolve()) for p in paths} if paths else None)

    def rebuilt(*paths: Path) -> None:
        build(*paths)
        assert not preview.failed, preview.problems
        live, clean = tree_bytes(str(workspace / "live")), _clean(workspace)
        assert live == clean, sorted(k for k in clean.keys() | live.keys() if clean.get(k) != live.get(k))

    try:
        build()
        edit(entry, r"^summary: .*$", "summary: A summary edited in a test, shown by the links to this code.")
        rebuilt(entry)
        edit(entry, r"^name: .*$", "name: Precondition Edited")
        rebuilt(entry)
        edit(comparison, r"^summary: \|\n  ", "summary: |\n  Edited in a test. ")
        rebuilt(comparison)
        edit(entry, r"^summary: .*$", "summary: Edited with a comparison, in one rebuild.")
        edit(comparison, r"^summary: \|\n  ", "summary: |\n  Edited with its entry. ")
        rebuilt(entry, comparison)
        good = other.read_text()
        edit(entry, r"^name: .*$", "name: Precondition Edited Again")
        other.write_text(good + "\nbroken: [\n")
        build(entry, other)
        assert preview.failed
        other.write_text(good)
        rebuilt(other)  # the entry edited in the failed rebuild is built with it
        kept = removable.read_text()
        removable.unlink()
        rebuilt(removable)
        removable.write_text(kept)
        edit(entry, r"^summary: .*$", "summary: Edited again while a comparison came back.")
        rebuilt(removable, entry)
    finally:
        preview.linter.close()
        preview.worker.shutdown(wait=False, cancel_futures=True)
