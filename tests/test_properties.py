"""Properties over generated input, in-process for speed (the CLI tests cover the process boundary):

(a) any YAML document, any text, and a valid entry with any field replaced, written as an entry file, either
    loads or is reported with findings; nothing raises;
(b) any Markdown (syntax, raw HTML, <script>, links, code spans, Unicode) in every prose field of an entry and
    a comparison loads, checks and renders without raising, and no page gains a live script;
(c) the atheris harness (tests/fuzz_targets.py) survives a bounded run over mutated entry files.
"""

from __future__ import annotations

import copy
import html.parser
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import PROPERTY_SCALE, ROOT, TEMPLATES
from fuzz_targets import EntrySandbox, check_findings, make_small_content, small_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusdocs.build.builder import Builder
from statusdocs.build.pipeline import load_and_check
from statusdocs.content import schema
from statusdocs.content.model import Content
from statusdocs.diagnostics import Report

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Example counts keep this file near 30 s; STATUSDOCS_PROPERTY_SCALE=20 runs twenty times as many.


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Iterator[EntrySandbox]:
    yield EntrySandbox(tmp_path_factory.mktemp("props") / "content")


# ---------------------------------------------------------------- (a) any YAML, any text

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40) | st.integers(100, 599)
ENTRY_FIELDS = [f.name for f in schema.ENTRY.fields]
keys = st.sampled_from(ENTRY_FIELDS + ["note", "default", "safe", "name", "question", "answer"]) | st.text(max_size=12)
yaml_data = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=6),
                         max_leaves=30)


@settings(max_examples=int(250 * PROPERTY_SCALE), **SETTINGS)
@given(yaml_data)
def test_any_yaml_document_loads_or_is_reported(sandbox: EntrySandbox, data: object):
    sandbox.load(yaml.safe_dump(data, allow_unicode=True).encode())


@settings(max_examples=int(250 * PROPERTY_SCALE), **SETTINGS)
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_any_text_loads_or_is_reported(sandbox: EntrySandbox, text: str):
    sandbox.load(text.encode("utf-8", "surrogatepass"))


ENTRY_412 = yaml.safe_load(small_text("codes/412.yaml"))


@settings(max_examples=int(250 * PROPERTY_SCALE), **SETTINGS)
@given(field=st.sampled_from(ENTRY_FIELDS + ["extra"]),
       value=yaml_data | st.lists(st.integers(100, 599), max_size=4) | st.text(min_size=1, max_size=80),
       drop=st.sampled_from([None, *ENTRY_FIELDS]))
def test_valid_entry_with_any_field_replaced_loads_or_is_reported(sandbox: EntrySandbox, field: str, value: object,
                                                                   drop: str | None):
    """Close to a valid entry, so that values of the right type but odd content reach the checks."""
    entry = copy.deepcopy(ENTRY_412)
    entry[field] = value
    if drop:
        entry.pop(drop, None)
    sandbox.load(yaml.safe_dump(entry, allow_unicode=True, sort_keys=False).encode())


# ---------------------------------------------------------------- (b) any Markdown in every prose field

SNIPPETS = [
    "<script>window.__pwned=1</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<scr<script>ipt>x</script>",
    "</p><script>x</script>", "</script><script>x</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "<iframe srcdoc='<script>x</script>'>", "<a href=\"javascript:alert(1)\">a</a>", "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))", "[a](java\tscript:alert(1))", "[a](data:text/html,<script>x</script>)",
    "[a](vbscript:x)", "![i](javascript:alert(1))", "[r][ref]\n\n[ref]: javascript:alert(1)\n", "<javascript:alert(1)>",
    "<https://example.com/>", "[ok](https://example.com/ \"t\")", "[up](../409/)", "`<script>x</script>`",
    "``a ` <b> ``", "```\n<script>x</script>\n```\n", "    <script>indented code</script>\n", "<!-- <script> -->",
    "&lt;script&gt;", "&#60;script&#62;", "\\<script>", "<div onclick=x>d</div>", "<style>*{}</style>",
    "\n\n# Heading <script>\n\n", "\n- item\n- item <b>\n\n", "\n1. one\n2. two\n", "> quote <script>\n",
    "\n| a | b |\n|---|---|\n| <script> | 412 |\n", "**bold**", "_em_", "412 Precondition Failed", "see 409 and 412.",
    "\x1aroot/", "\ue000root/", "\u202e", "\u2028", "\x00", "&", "<", ">", "\"", "'", "\n\n", "   ", "\t",
]
markdown_text = st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=20), min_size=1, max_size=8).map("".join)


def _text_slots(node: yaml.Node, kind: schema.Kind, field: str = "") -> Iterator[tuple[str, yaml.ScalarNode]]:
    """Every free-text scalar (Markdown or plain, no pattern) of a composed document with its field path,
    found by walking the schema alongside it."""
    if isinstance(kind, schema.Str) and not (kind.pattern or kind.enum) and isinstance(node, yaml.ScalarNode):
        yield field, node
    elif isinstance(kind, schema.Branch) and isinstance(node, yaml.MappingNode):
        yield from _text_slots(node, kind.node, field)  # type: ignore[arg-type]
    elif isinstance(kind, (schema.Obj, schema.MapOf)) and isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = kind.field(key.value) if isinstance(kind, schema.Obj) else kind.value
            sub_kind = sub.kind if isinstance(sub, schema.Field) else sub
            if sub_kind is not None:
                yield from _text_slots(value, sub_kind, f"{field}.{key.value}".lstrip("."))
    elif isinstance(kind, schema.ListOf) and isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _text_slots(item, kind.item, f"{field}[{i}]")


class _LiveScript(html.parser.HTMLParser):
    """Collects what a browser would run: scripts that are not the site's own, event handlers, script URLs."""

    OWN_SCRIPTS = ("static/theme.js", "static/site.js", "search-index.js")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._jsonld: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            if a.get("type") == "application/ld+json":
                self._jsonld = []
            elif not a.get("src", "").endswith(self.OWN_SCRIPTS):
                self.problems.append(f"<script {a}>")
        if tag in ("iframe", "object", "embed", "frame", "base"):
            self.problems.append(f"<{tag}>")
        for name, value in a.items():
            url = re.sub(r"[\t\n\r]", "", value).strip().lower()  # browsers drop these inside a URL
            if name.startswith("on") or (name in ("href", "src", "action", "formaction", "xlink:href") and
                                         url.startswith(("javascript:", "vbscript:", "data:"))):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if self._jsonld is not None:
            self._jsonld.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._jsonld is not None:
            try:
                json.loads("".join(self._jsonld))  # an injected </script> would cut it short
            except ValueError:
                self.problems.append("JSON-LD cut short")
            self._jsonld = None


def _script_problems(outputs: dict[str, bytes], baseline: dict[str, int]) -> list[str]:
    problems = []
    for path, data in outputs.items():
        if path.endswith(".html"):
            text = data.decode("utf-8")
            parser = _LiveScript()
            parser.feed(text)
            parser.close()
            problems += [f"{path}: {p}" for p in parser.problems]
            if text.lower().count("<script") != baseline.get(path, 0):
                problems.append(f"{path}: {text.lower().count('<script')} <script tags, not {baseline.get(path)}")
        elif path == "search-index.js":
            text = data.decode("utf-8")
            assert text.startswith("window.STATUSDOCS_SEARCH=") and text.endswith(";\n"), text[:200]
            json.loads(text[len("window.STATUSDOCS_SEARCH="):-2])  # data, never code
    return problems


class ProseSandbox:
    """The small content folder with every free-text field of 412 and of 409-vs-412 (prose, and plain text
    such as FAQ questions, which go into JSON-LD) replaced by generated text."""

    def __init__(self, root: Path):
        self.root = make_small_content(root)
        self.docs = []
        for name, kind in (("codes/412.yaml", schema.ENTRY), ("comparisons/409-vs-412.yaml", schema.COMPARISON)):
            node = yaml.compose((self.root / name).read_text(encoding="utf-8"))
            self.docs.append((self.root / name, node, list(_text_slots(node, kind))))
        self.builder = Builder(str(TEMPLATES))
        content, report = load_and_check(str(self.root))
        assert content is not None and not report.errors, report.items
        self.baseline = {p: d.decode("utf-8").lower().count("<script") for p, d in _render_all(
            self.builder, content, Report()).items() if p.endswith(".html")}

    def write(self, texts: list[str]) -> dict[str, str]:
        """Fill every slot with the texts in turn; returns what the entry's fields were given."""
        i, given = 0, {}
        for path, node, slots in self.docs:
            for field, slot in slots:
                # Double quotes escape everything, so any text round-trips (plain and block styles fold
                # U+0085 and friends, which are YAML line breaks).
                slot.value, slot.style = texts[i % len(texts)], '"'
                if path.name == "412.yaml":
                    given[field] = slot.value
                i += 1
            path.write_text(yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True), encoding="utf-8")
        return given


def _render_all(builder: Builder, content: Content, report: Report) -> dict[str, bytes]:
    """Every page of the site, in memory (a template failure raises, with its finding in `report`)."""
    return {page.output: builder.render_page(page) for page in builder.prepare(content, report)}


@pytest.fixture(scope="module")
def prose_sandbox(tmp_path_factory) -> ProseSandbox:
    return ProseSandbox(tmp_path_factory.mktemp("prose") / "content")


@settings(max_examples=int(150 * PROPERTY_SCALE), **SETTINGS)
@given(st.lists(markdown_text.map(lambda s: s if s.strip() else "x" + s), min_size=1, max_size=5))
def test_any_markdown_in_every_text_field_renders_without_live_script(prose_sandbox: ProseSandbox, texts: list[str]):
    given = prose_sandbox.write(texts)
    content, report = load_and_check(str(prose_sandbox.root))
    check_findings(report.items, prose_sandbox.root)
    assert content is not None and 412 in content.entries and "409-vs-412" in content.comparisons, \
        [d.text() for d in report.items if d.severity == "error"]
    entry = content.entries[412]
    assert (entry.definition, entry.faq[0].question) == (given["definition"], given["faq[0].question"])
    render_report = Report()
    outputs = _render_all(prose_sandbox.builder, content, render_report)
    assert not render_report.items, [d.text() for d in render_report.items]
    assert _script_problems(outputs, prose_sandbox.baseline) == []


def test_live_script_detector_sees_a_script(prose_sandbox: ProseSandbox):
    """The detector itself must fail on what it exists to catch."""
    page = "412/index.html"
    good = {page: b'<script src="../static/site.js"></script><p>x</p>'}
    assert _script_problems(good, {page: 1}) == []
    for bad in (b"<script>x</script>", b'<a href=" java\tscript:x">a</a>', b"<img src=x onerror=y>",
                b'<script type="application/ld+json">{"a": "</script><p>"}</script>'):
        assert _script_problems({page: good[page] + bad}, {page: 1 + bad.count(b"<script")}), bad
    assert _script_problems({page: good[page] + b"<script>"}, {page: 1})


# ---------------------------------------------------------------- (c) the atheris harness, bounded

FUZZ_SECONDS = int(os.environ.get("STATUSDOCS_FUZZ_SECONDS", "20"))


@pytest.mark.slow
def test_atheris_harness_survives_a_bounded_run(tmp_path: Path):
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = make_small_content(tmp_path / "seed")
    (corpus / "entry.yaml").write_bytes((seeds / "codes/412.yaml").read_bytes())
    (corpus / "flow.yaml").write_bytes(b"code: 412\nrelated: [[[[409]]]]\n")
    (corpus / "alias.yaml").write_bytes(b"code: &c 412\nname: *c\nofficial: !!python/object:x {}\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/fuzz_targets.py"), str(corpus), f"-max_total_time={FUZZ_SECONDS}",
         "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, timeout=FUZZ_SECONDS + 120, cwd=tmp_path)
    runs = re.search(r"Done (\d+) runs", result.stderr)
    assert result.returncode == 0 and runs, result.stderr[-4000:]
    print(f"atheris: {runs.group(1)} inputs in {FUZZ_SECONDS} s, no crash")
    assert int(runs.group(1)) > 100
