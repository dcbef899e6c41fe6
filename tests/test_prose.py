"""statusdocs.pages.prose renders exactly what the original implementation did (frozen in bench/prose_reference.py):
byte for byte, in block and inline mode, for generated Markdown-ish texts and for every text of content/.

The two shortcuts (processors a text cannot use left out of the Markdown instance that converts it, a plain one-line
paragraph written directly) are only right if their analysis of what can match is; these differential tests are
what would catch a wrong one.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import subprocess
import sys
from html import unescape

import pytest
from conftest import CONTENT, PROPERTY_SCALE, ROOT
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from statusdocs.pages import prose, prose_fast, prose_markdown
from statusdocs.pages.highlight import highlight_fences

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CODES = {100, 200, 204, 301, 404, 409, 412, 422, 429, 500, 503, 599}


def _load(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, path))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


reference = _load("prose_reference", "bench/prose_reference.py")
# One pair for the whole run: building a Markdown instance costs milliseconds, and a shared one also checks
# that no state leaks from one text into the next (reused instances, html stash, delimiter stack).
OLD, NEW = reference.Prose(CODES), prose.Prose(CODES)


def assert_same(text: str) -> None:
    for inline in (False, True):
        NEW._cache.clear()  # the uncached path, every time
        assert str(NEW.html(text, inline)) == str(OLD.html(text, inline)), (text, inline)


# ---------------------------------------------------------------- generated texts

WORDS = ["the", "client", "Retry", "status", "instead", "response", "or", "and", "vs.", "when", "é", "日本",
         "naïve", "x"]
CODE_WORDS = ["409", "412", "100", "599", "600", "4090", "40", "1000", "200", "٤٠٩", "409.", "409,", "(409)",
              "409:", "§409", "409%", "409/", "#409", "v409", "409.5", "4.09", "409.x"]
SYNTAX = ["*", "**", "***", "_", "__", "`", "``", "```", "~~~", "\\", "\\`", "\\*", "[", "]", "(", ")", "!", "<",
          ">", "&", "&amp;", "&#52;", "&copy;", "|", "#", "-", "+", "=", ".", ":", ";", "/", "{", "}", "'", '"', "@"]
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\n\n", "  \n", "\r\n", "\r", "\xa0", "\u2028", "\x02", "\x03", "\x0c"]
SNIPPETS = [
    "`code_ref`", "`a < b & c`", "`` x ` y ``", "``` inline ```", "`409`", "`  `",
    "[the spec](https://example.org/x)", "[bad](javascript:alert(1))", "[rel](../409/)", "[deep](../../409/)",
    "![img](a.png)", "![x](javascript:x)", "[ref]", "[ref][]", "\n[ref]: http://example.org/r \"T\"\n",
    "<https://example.org>", "<a@b.co>", "<script>alert(1)</script>", "<b>bold</b>", "<!-- c -->", "<div>\nx\n</div>",
    "&409;", "&#409;", "&amp;409 instead", "&x;",
    "*em*", "**strong**", "_em_", "__strong__", "snake_case_name", "a * b", "2 * 3 * 4",
    "\n- one\n- two 409 instead\n", "\n1. first\n2. second\n", "\n409. Conflict\n", "\n* star\n+ plus\n",
    "\n\n| a | b |\n|---|---|\n| 409 | `x|y` |\n", "\n\n```json\n{\"a\": 1}\n```\n", "\n\n~~~\nraw <b>\n~~~\n",
    "\n\n```\nunclosed\n", "\n\n    indented code\n", "\n> quoted 409 instead\n", "\n# Heading 409\n",
    "\nTitle\n=====\n", "\nSub\n---\n", "\n\n---\n\n", "\n\n* * *\n", "line one\nline two",
    " [^nginx-return].", "[^a-1]", " [^x] [^y-2]", "`[^code]`",  # source citations (issue 24), left as text
]
token = (st.sampled_from(WORDS) | st.sampled_from(CODE_WORDS) | st.sampled_from(SYNTAX) | st.sampled_from(SPACES)
         | st.sampled_from(SNIPPETS) | st.text(max_size=4))
markdownish = st.lists(token, max_size=40).map("".join)
# Mostly what real cells look like (words, codes, code spans), with now and then one character that matters:
# the boundary of the fast path is where a wrong trigger analysis would show.
plain = st.sampled_from(WORDS) | st.sampled_from(CODE_WORDS) | st.sampled_from([" ", " ", ", ", ". ", "; "])
near_simple = st.lists(plain | st.sampled_from(["`x_y`", "`a<b>&c`", "`", "``"]), min_size=1, max_size=20).flatmap(
    lambda parts: st.tuples(st.just(parts), st.integers(0, len(parts)), st.sampled_from(SYNTAX + SPACES + [""]))
).map(lambda t: "".join(t[0][: t[1]]) + t[2] + "".join(t[0][t[1]:]))
paragraphs = st.lists(near_simple | st.sampled_from(SNIPPETS), min_size=1, max_size=4).map("\n\n".join)
# Blocks of `- ` items (now and then another bullet, an indent or a line that is no item), among paragraphs.
bullet = st.sampled_from(["- ", "- ", "- ", "-  ", "* ", "+ ", "  - ", "-", "1. ", ""])
list_block = st.lists(st.tuples(bullet, near_simple).map("".join), min_size=1, max_size=4).map("\n".join)
lists = st.lists(list_block | near_simple, min_size=1, max_size=4).map("\n\n".join)
# Tables: a header, a rule (now and then aligned or short), rows of cells (now and then one too many or few).
cell = near_simple | st.sampled_from(["", " ", "`a|b`", "x_y", "\\|", "`", "409"])
rule = st.sampled_from(["|---|---|", "|---|---|", "|-|-|", "|:---|---:|", "|---|", "| --- | --- |", "|---|---|---|"])
row = st.tuples(st.lists(cell, min_size=1, max_size=3), st.sampled_from([" |", " |", "|", "", " "])).map(
    lambda t: "| " + " | ".join(t[0]) + t[1])
tables = st.tuples(row, rule, st.lists(row, max_size=3)).map(lambda t: "\n".join([t[0], t[1], *t[2]]))


@settings(max_examples=int(1500 * PROPERTY_SCALE), **SETTINGS)
@given(markdownish)
@example("Use 409 instead, or 412.")
@example("`a` 409 `b` 412 instead")
@example("```a` 409 instead")
@example("409. Conflict")
@example("x\n\n```json\n{\"a\": 1}\n```\n")
@example("```\nx\n```")
@example("\x02\n\nx")
@example("!\x02[the spec](https://example.org/x)")  # normalisation drops STX: an image, and a fence below
@example("- *the\n`\x02``\n`\x02``")
@example("- `the\n- \n\nthe")  # `- ` alone under a line is a setext underline: <h2>, not a list
@example("nginx closes the connection [^nginx-return], and curl reports it [^curl-52].")
@example("- one [^a]\n- two [^b-2]\n")
def test_any_markdown_renders_as_before(text: str):
    assert_same(text)


@pytest.mark.parametrize("text", ["nginx closes the connection [^nginx-return].", "- a [^x]\n- b [^y-2]\n",
                                  "| a | b |\n|---|---|\n| x [^s] | y |\n", "One.\n\nTwo 409 instead [^s]."])
def test_source_citations_reach_the_page_as_written(text: str):
    """Both paths leave a `[^id]` citation as text (Python-Markdown has no footnotes here), so the page's view can
    replace it by the numbered link to its Sources list (views.cited)."""
    for inline in (False, True):
        NEW._cache.clear()
        html = str(NEW.html(text, inline))
        assert html == str(OLD.html(text, inline))
        assert all(f"[^{m}]" in html for m in re.findall(r"\[\^([a-z0-9-]+)\]", text)), html


@settings(max_examples=int(1500 * PROPERTY_SCALE), **SETTINGS)
@given(near_simple)
# The one-format shortcut of _paragraph and the cases it must leave to the loop: space to strip in a code span,
# `>` in text and code, `&` or `<` in code, digits that may or may not be a code.
@example("a `x ` b")
@example("a ` x` b `y`")
@example("a `>` b > c `d>e` f")
@example("`a&b` and `c<d`")
@example("wait 200 ms, then `retry` 409 instead")
@example("`409` instead, or `x` 412.")
@example("see `a`>`b`")
def test_near_simple_paragraphs_render_as_before(text: str):
    assert_same(text)
    assert_same(text + "\n")


@settings(max_examples=int(600 * PROPERTY_SCALE), **SETTINGS)
@given(paragraphs, st.sampled_from(["", "\n", "\n\n", "  ", "\n\n```\ncode\n```\n", "\n```http\nGET /\n```"]))
def test_several_blocks_render_as_before(text: str, end: str):
    assert_same(text + end)


@settings(max_examples=int(1000 * PROPERTY_SCALE), **SETTINGS)
@given(lists, st.sampled_from(["", "\n", "\n\n```\ncode\n```\n"]))
@example("- one\n- two 409 instead\n", "")
@example("- a\n\n- b", "")
@example("Lead:\n\n- `x_y` 412\n- b\n\nAfter.", "\n")
def test_lists_render_as_before(text: str, end: str):
    assert_same(text + end)


@settings(max_examples=int(1000 * PROPERTY_SCALE), **SETTINGS)
@given(st.lists(tables | near_simple | list_block, min_size=1, max_size=3).map("\n\n".join))
@example("Fields:\n\n| field | meaning |\n|---|---|\n| `x_y` | 409 instead |\n")
@example("| a | b |\n|---|---|\n| `x|y` | z |")
@example("| a | b |\n|---|---|\n| x | yz")
def test_tables_render_as_before(text: str):
    assert_same(text)


# Fences as _preprocess writes them and as it must leave them to Python-Markdown: languages, {attributes},
# hl_lines, tildes, longer fences, unclosed ones; code holding fence-like lines, tabs, CR, STX, lines of spaces
# and characters to escape; fences next to paragraphs with and without a blank line.
fence_open = st.sampled_from(["```", "```json", "```json", "``` json", "```.json", "```c#", "```c++", "```a.b",
                              "```{.json #x}", "```{}", '```json hl_lines="1"', "```x y", "```<b>", "~~~", "````",
                              "  ```", "```\t"])
fence_line = st.sampled_from(['{"a": 1}', "GET / HTTP/1.1", "<b>&amp;\"'", "", "   ", "`x` 409 instead", "- item",
                              "| a |", "````", "~~~"]) | st.sampled_from(["\tx", "x\r", "\x02x", "```", "```  "])
fence_close = st.sampled_from(["```", "```", "```  ", "````", "~~~", "", "``` x"])
fence = st.tuples(fence_open, st.lists(fence_line, max_size=4), fence_close).map(
    lambda t: "\n".join([t[0], *t[1], t[2]]))
fenced = st.tuples(st.lists(fence | near_simple | list_block, min_size=1, max_size=4),
                   st.sampled_from(["\n", "\n\n", "\n\n", "\n\n\n", "\n  \n"])).map(lambda t: t[1].join(t[0]))


# Inline links as _segment writes them and as it must leave them: safe, unsafe, absolute, relative and
# root-relative URLs, URLs with what only Python-Markdown's link parser handles (spaces, quotes, parentheses,
# `<>&`), link text with syntax, images, references, stray brackets; next to code spans and codes to link.
link_text = st.sampled_from(["the spec", "409", "409 instead", " a ", "x_y", "a*b", "`c`", "a > b", "a & b",
                             "[n]", "é 日本", ""])
link_url = st.sampled_from(["../409/", "../../409/", "https://example.org/a_b", "http://x.org", "/abs", "//evil",
                            "./x", "x/y", "#frag", "mailto:a@b.co", "javascript:alert(1)", "javascript:x",
                            "a b", "a'b", 'a"b', "<u>", "a&b", "u)", "(u", "data:x", "",
                            # read by browsers as `//host`, or a scheme once the mark is "" (issue 21)
                            "/\\evil.example", "/&#47;evil", "&#47;/evil", "\\\\evil", "../javascript:x",
                            "..///evil", "/javascript:x", "/409/", "/", "HTTPS://x.org", "/a:b/"])
link = st.tuples(st.sampled_from(["[", "[", "![", "\\["]), link_text, st.sampled_from(["](", "](", "] (", "]"]),
                 link_url, st.sampled_from([")", ")", ' "t")', ""])).map("".join)
linking = st.lists(st.sampled_from(WORDS + CODE_WORDS + [" ", ", ", ". ", "`x`"]) | link
                   | st.sampled_from(["[", "]", "(", ")", "!", "\\"]), min_size=1, max_size=8).map(" ".join)


@settings(max_examples=int(2000 * PROPERTY_SCALE), **SETTINGS)
@given(linking)
@example("Related codes: [197](../197/), [414](../414/).")
@example("See `x` [the spec](https://example.org/a_b), [a](javascript:x) and [b](../../409/) 409 instead.")
@example("a > [b](c) > `d` ![e](f) [g] (h)")
@example("x ![e](f) y")
@example("[b](/\\evil.example) [c](../javascript:alert(1)) [d](/409/) ![e](/static/x.png)")
@example("x [b](/&#47;evil.example) [c](<../ //evil>) [d](..///evil)")
def test_links_render_as_before(text: str):
    assert_same(text)
    assert_same("Lead " + text)


@settings(max_examples=int(1500 * PROPERTY_SCALE), **SETTINGS)
@given(fenced, st.sampled_from(["", "\n", "\n\n", " "]))
@example("Lead in:\n\n```json\n{\"a\": 1}\n```\n", "")
@example("Lead in:\n```json\n<b> & \"c\"\n```\nAfter 409 instead.", "")
@example("```\n```\n\n```c++\nx\n```", "")
@example("A.\n\n```json\n  \n\tx\n```", "")
@example("A.\n\n```json\n   \nx\n```", "")
def test_fences_render_as_before(text: str, end: str):
    assert_same(text + end)


@settings(max_examples=int(1000 * PROPERTY_SCALE), **SETTINGS)
@given(st.lists(st.sampled_from(["409", "1", "0", "5", " ", ".", ",", "-", ":", "§", "/", "#", "%", "a", "A", "\n",
                                 "instead", "vs.", "é", "٤"]), max_size=20).map("".join))
def test_code_regex_matches_where_the_original_does(text: str):
    assert prose._CODE.split(text) == reference._CODE.split(text)


@pytest.mark.parametrize(("text", "linked"), [
    ("HTTP has a more specific answer: 412.", True), ("Answer 409. Then retry.", True), ("Answer 409...", True),
    ("Version 4.09 of it", False), ("A ratio of 409.5 instead", False), ("It is 409.5.", False),
])
def test_a_code_ending_a_sentence_is_linked(text: str, linked: bool):
    """A code before a sentence's full stop is linked; a dot followed by a digit makes it part of a number."""
    for path in (lambda t: str(NEW.html(t)), lambda t: str(OLD.html(t))):
        NEW._cache.clear()
        OLD._cache.clear()
        assert ('class="code-ref"' in path(text)) is linked, text


def test_a_built_page_links_a_code_at_a_sentence_end(built_site):
    """/409/'s FAQ answer ends with "HTTP has a more specific answer: 412.": the 412 is a link to its page."""
    page = (built_site / "409" / "index.html").read_text()
    assert re.search(r'more specific answer: <a class="code-ref" href="\.\./412/">412</a>\.</p>', page)


# The shortcut for a plain paragraph: texts of words, codes and punctuation with one character of Markdown syntax
# (or whitespace, or a control character) now and then, at any place, the start and the end included.
plain_line = st.lists(plain, min_size=1, max_size=12).flatmap(
    lambda parts: st.tuples(st.just(parts), st.integers(0, len(parts)),
                            st.sampled_from(SYNTAX + SPACES + ["", "", "", "1. ", "2) ", "  ", "!", "]"]))
).map(lambda t: "".join(t[0][: t[1]]) + t[2] + "".join(t[0][t[1]:]))


@settings(max_examples=int(2000 * PROPERTY_SCALE), **SETTINGS)
@given(plain_line, st.sampled_from(["", "", "\n", "\n\n", " ", "\n "]))
@example("Plain words, 409 instead.", "")
@example("409 Conflict: the request conflicts with the state of the resource.", "\n")
@example("1. first", "")
@example("Title", "\n===")
@example("a | b", "")
@example("C# and ~~~ fences, 409 or 412.", "")
def test_the_plain_paragraph_shortcut_is_what_markdown_makes(text: str, end: str):
    """_plain_paragraph answers only for a text Markdown makes one plain paragraph of, and then exactly that."""
    text += end
    shortcut = prose._plain_paragraph(text, CODES)
    if shortcut is not None:
        OLD._cache.clear()
        assert shortcut == str(OLD.html(text)), text
    assert_same(text)


def test_the_plain_paragraph_shortcut_is_taken_for_plain_cells():
    """Guards the speed: most prose cells without code spans or links take it; any syntax leaves it."""
    for text in ["Plain words, 409 instead.", "Send it again (after 412) when the cache is stale: 100% sure.\n",
                 "C# clients read #fragments, a|b and ~tilde~ as text!"]:
        assert prose._plain_paragraph(text, CODES) is not None, text
    for text in ["Send `x` now.", "a_b", "Line one\nline two", "# Heading", "- item", "1. item", " indented",
                 "[link](x)", "a < b", "a & b", "a > b", "tab\there", "trailing  "]:
        assert prose._plain_paragraph(text, CODES) is None, text


def test_the_installed_markdown_release_is_checked():
    """The shortcuts run only on the releases CHECKED_RELEASES names; on another the site is right but slow. To add
    one: set CHECKED to True for it, run this file (its differential tests compare the shortcuts with plain
    Python-Markdown of that release) and bench/prose_bench.py, and add the release if every text agrees."""
    import markdown

    assert prose_markdown.CHECKED, f"Python-Markdown {markdown.__version__} is not in prose_markdown.CHECKED_RELEASES"
    assert prose.Prose().shortcuts


def test_processors_a_text_cannot_use_are_left_out():
    """A text is converted by a Markdown instance without the processors that need a string it lacks: a code
    span alone leaves out links, emphasis, entities and the block kinds it has no marker for."""
    md = prose.Prose(CODES)._markdown("Send `x` now.")
    assert "backtick" in md.inlinePatterns and "link" not in md.inlinePatterns and "em_strong" not in md.inlinePatterns
    assert "paragraph" in md.parser.blockprocessors and "table" not in md.parser.blockprocessors
    full = prose.Prose(CODES)._markdown("`x` [a](b) ![i](j) <a@b.c> &amp; *e* _u_ \\ | # = - . + > ]: ``` ~~~\n")
    assert all(name in full.inlinePatterns for name in prose._NEEDS["inlinePatterns"])
    assert all(name in full.parser.blockprocessors for name in prose._NEEDS["blockprocessors"])


def test_an_unchecked_markdown_release_renders_with_every_processor():
    """The tables of what each processor needs were checked against one Python-Markdown release; on another
    (`shortcuts` defaults to whether the installed release is a checked one), nothing is left out and no shortcut
    is taken, so the output is that release's own."""
    other = prose.Prose(CODES, shortcuts=False)
    for text in ["Plain 409 instead.", "Send `x` now."]:
        assert str(other.html(text)) == str(OLD.html(text))
    assert len(other._by_left_out) == 1 and frozenset() in other._by_left_out


@pytest.mark.parametrize("module", ["prose.py", "prose_fast.py", "prose_markdown.py"])
def test_prose_uses_only_public_python_markdown(module: str):
    """No underscore name of another package is imported or reached, and no library method is overridden
    but the documented ones (issue 23)."""
    import ast

    source = (ROOT / "generator" / "pages" / module).read_text()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not (node.module or "").startswith("statusdocs"):
            assert not any(a.name.startswith("_") for a in node.names), ast.unparse(node)
            assert not any(p.startswith("_") and not p.startswith("__") for p in (node.module or "").split(".")), \
                ast.unparse(node)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            assert isinstance(node.value, ast.Name) and node.value.id in ("self", "prose", "prose_fast"), \
                ast.unparse(node)
        if isinstance(node, ast.ClassDef) and node.bases:  # subclasses of Markdown's classes
            bases = [getattr(prose_markdown, ast.unparse(b).split(".")[0]) for b in node.bases]
            for f in node.body:
                if isinstance(f, ast.FunctionDef) and f.name.startswith("_") and not f.name.startswith("__"):
                    assert not any(hasattr(b, f.name) for b in bases), (node.name, f.name)
    for name in ("find_code_spans", "_escape", "_escape_attrib_html", "inlinePatterns =", "blockprocessors ="):
        assert name not in source, name


# The accelerator (prose_fast): one-line paragraphs of text and code spans. Generated around its boundaries: runs of
# one to four backticks (closed, unclosed, closed by a shorter or longer run), spaces inside spans, escapes, `<>&`
# in and out of code, emphasis and links, block starts, characters it must leave to Python-Markdown.
FAST_PIECES = ["the", "client", "x_y", "a|b", "é", "409", "412", "599", "200 ms", " ", " ", " ", ", ", ". ", ":", "(",
               ")", "\\", "\\`", "\\\\`", "<", ">", "&", "&amp;", "&lt;", "&#52;", "<b>", "<a@b.co>", "*", "**", "_",
               "*e*", "_u_", "[", "]", "[a](b)", "[^x]", "!", "#", "-", "+", "1.", "=", "~~~", "\xa0", "\t", "\x02",
               "\n", "\n\n", "  ", "|", "\"", "'", "\u2028"]
ticks = st.integers(1, 4).map(lambda n: "`" * n)
fast_text = st.lists(st.sampled_from(FAST_PIECES) | ticks | st.sampled_from(["`x_y`", "`a<b>&c`", "`` a`b ``", "` `"]),
                     min_size=1, max_size=16).map("".join)


def fast(text: str) -> str | None:
    return prose_fast.paragraph(text, functools.partial(prose._linked, codes=CODES))


@settings(max_examples=int(3000 * PROPERTY_SCALE), **SETTINGS)
@given(fast_text, st.sampled_from(["", "", "\n", "\n\n", " "]))
@example("Send `x_y` now, 409 instead.", "")
@example("```a` 409 instead", "")
@example("``a`b`` and ```c``` `", "\n")
@example("a `` b ``` c `", "")
@example("`a` `` `b` ``", "")
@example("`x_y``` a`b ```` a`b `````x_y`", "")  # after an unclosed run, as many characters are text
@example("x ` ` y `  z  ` 412.", "")
@example("`<b>&amp;` & `c`", "")
@example("``x``", "")
@example("```x```", "")
@example("\\``x`", "")
@example("`x` *y*", "")
def test_the_accelerator_is_what_markdown_makes(text: str, end: str):
    """prose_fast answers only for a text Python-Markdown makes one paragraph of text and code spans of, and then
    exactly what it makes (plain Python-Markdown, the frozen bench/prose_reference.py)."""
    text += end
    html = fast(text)
    if html is not None:
        OLD._cache.clear()
        assert html == str(OLD.html(text)), text
    assert_same(text)


# A line, a blank line (or not) and a fence (of another language, unclosed, closed by a longer or indented fence,
# holding lines that could close it, tabs, lines of spaces, `<>&"`).
fast_fence = st.tuples(
    fast_text, st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n", "\n \n"]),
    st.sampled_from(["json", "json", "", "http", "c#", " json", "JSON", "{.x}", "a b", "~"]),
    st.lists(fence_line | st.sampled_from(FAST_PIECES + ["`x`", " ```", "    x", ""]), max_size=4),
    st.sampled_from(["```", "```", "````", "~~~", "``` ", " ```", ""]), st.sampled_from(["", "\n", "\n\n", " ", "\nx"]),
).map(lambda t: f"{t[0]}{t[1]}```{t[2]}\n" + "".join(line + "\n" for line in t[3]) + t[4] + t[5])


@settings(max_examples=int(2000 * PROPERTY_SCALE), **SETTINGS)
@given(fast_fence)
@example('Send `x_y`:\n\n```json\n{"a": "<b> & c"}\n```\n')
@example("Send `x_y`:\n\n```\n\n```")
@example("Send `x_y`:\n\n```json\n  \n```")
@example("Send `x_y`:\n\n```json\n```\n```")
def test_the_accelerator_writes_a_paragraph_and_fence_as_markdown_does(text: str):
    html = fast(text)
    if html is not None:
        OLD._cache.clear()
        assert html == str(OLD.html(text)), text
    assert_same(text)


@settings(max_examples=int(3000 * PROPERTY_SCALE), **SETTINGS)
@given(st.lists(st.sampled_from(["`", "`", "a", " ", "x_y", "\\", "<", "é"]), max_size=14).map("".join))
@example("`a` b `")
@example("`")
def test_single_backtick_runs_split_as_the_run_by_run_pairing_splits_them(body: str):
    """prose_fast's shortcut for a text whose backtick runs are all one long (split at each) finds the parts its
    run-by-run pairing finds (the rule that the Markdown comparisons above check)."""
    expected = prose_fast._runs(body)
    if any(prose_fast._TEXT_SYNTAX.search(part) for part in expected[::2]):
        expected = None
    assert prose_fast._split(body) == expected


def test_the_accelerator_is_taken_for_code_span_cells():
    """Guards the speed: the commonest cells (a sentence with code spans, codes to link) take it; other syntax
    leaves it to Python-Markdown."""
    for text in ["Send `x_y` now.", "`PUT /a.md` creates it, 409 instead.\n", "The `a<b>&c` and `` x`y `` fields.",
                 'The `x_y` body:\n\n```json\n{"x_y": 1}\n```\n']:
        assert fast(text) is not None, text
    for text in ["Plain words.", "`x` and *y*", "`x` [a](b)", "`x` a_b", "```x```", "- `x`", "`x`\ny", "`x` a & b",
                 "`x` <b>", " `x`", "`x`  ", "\\`x`", "`x`\tb"]:
        assert fast(text) is None, text


def test_an_unchecked_markdown_release_turns_the_accelerator_off():
    """On a Python-Markdown release prose_fast was not checked against, it is off and every text goes through
    Python-Markdown: the page is that release's own rendering."""
    script = (
        "import markdown\n"
        "markdown.__version_info__ = (3, 12, 0, 'final', 0)\n"
        "from statusdocs.pages import prose, prose_fast\n"
        "assert not prose_fast.ENABLED\n"
        "def refuse(*args):\n"
        "    raise AssertionError('the accelerator was consulted')\n"
        "prose_fast.paragraph = refuse\n"
        "print(prose.Prose({409}).html('Send `x_y` now, 409 instead.'))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == str(reference.Prose({409}).html("Send `x_y` now, 409 instead."))
    assert prose_fast.ENABLED  # and the installed release is a checked one (see CHECKED_RELEASES)


# ---------------------------------------------------------------- the bundled content

def test_every_text_of_the_bundled_content_renders_as_before():
    bench = _load("prose_bench", "bench/prose_bench.py")
    codes, pairs, _ = bench.collect(str(CONTENT))
    assert len(pairs) > 1000
    old, new = reference.Prose(codes), prose.Prose(codes)
    bad = [(text, inline) for text, inline in pairs if str(new.html(text, inline)) != str(old.html(text, inline))]
    assert not bad, bad[:3]


@pytest.mark.parametrize("text", [
    "Use 409 instead.", "See [412](../412/) or [x](javascript:alert(1)).", "<b>x</b> & <script>x</script> 409 or",
])
def test_sanitizing_still_holds(text: str):
    html = str(NEW.html(text))
    assert "<script" not in html and "<b>" not in html and "javascript:" not in html
    assert re.search('href="' + re.escape(prose.ROOT_MARK) + '4(09|12)/"', html)


@pytest.mark.parametrize("text", ["[x](//evil.example/a) 409 instead", "See `c` and [x](//evil.example).",
                                  "A\n\n[x](//evil.example \"t\")"])
def test_protocol_relative_links_lose_their_href(text: str):
    """`//host/...` leaves the site as an absolute URL does, without rel=noopener: it is dropped, as other
    schemes are, whichever path renders the text; `./x` stays, and `/path` is rewritten against the site root
    (as `../x` is), so that it works under a base path."""
    html = str(NEW.html(text))
    assert re.search(r"<a( title=\"t\")?>x</a>", html) and "evil" not in html, html
    assert f'href="{prose.ROOT_MARK}abs"' in str(NEW.html("[y](/abs) and [z](./x)"))
    assert 'href="./x"' in str(NEW.html("A [z](./x)"))


def test_fenced_code_reads_as_stock_python_markdown():
    """Fences, with and without a language or attributes, render as Python-Markdown's own fenced_code does, and
    then, for a language Pygments knows, highlighted (issue 26); an unknown language or none stays as it is."""
    import markdown

    text = ("Before:\n\n```python\nprint('<b>')  # 409\n```\n\n~~~ {.json #x}\n{\"a\": 1}\n~~~\n\n"
            "```nosuchlanguage\n<b>409</b>\n```\n\n```\nplain & <b>\n```\n")
    stock = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    html = str(prose.Prose().html(text))
    assert html == highlight_fences(stock) and html != stock
    assert '<pre><code class="language-nosuchlanguage">&lt;b&gt;409&lt;/b&gt;\n</code></pre>' in html
    assert "<pre><code>plain &amp; &lt;b&gt;\n</code></pre>" in html


EXAMPLE_BLOCK = '<div class="codeblock highlight"><pre tabindex="0"><code class="language-{}">'


@pytest.mark.parametrize("text", [
    'Send:\n\n```json\n{"retry_after": 30, "ok": false}\n```\n',  # the accelerator's shape
    'Send *this*:\n\n```json\n{"retry_after": 30, "ok": false}\n```\n',  # Python-Markdown's
    '- a list\n\n```json\n{"retry_after": 30, "ok": false}\n```',
])
def test_fenced_json_in_prose_is_highlighted_as_the_examples_are(text: str):
    """A ```json block gets the examples' wrapper and Pygments' classes (keys .nt, numbers .mi, constants .kc),
    whichever path renders the text, and the same HTML as plain Python-Markdown with the highlighter."""
    for inline in (False, True):
        NEW._cache.clear()
        OLD._cache.clear()
        html = str(NEW.html(text, inline))
        assert html == str(OLD.html(text, inline))
        assert EXAMPLE_BLOCK.format("json") in html, html
        assert '<span class="nt">' in html and '<span class="mi">30</span>' in html and \
            '<span class="kc">false</span>' in html
        code = re.search(r'<code class="language-json">(.*?)</code>', html, re.S)
        assert code and unescape(re.sub(r"<[^>]+>", "", code.group(1))) == '{"retry_after": 30, "ok": false}\n'


def test_a_fenced_http_message_is_highlighted_and_an_unknown_language_is_not():
    html = str(NEW.html("Ask:\n\n```http\nGET /a HTTP/1.1\nIf-Match: \"x\"\n```\n"))
    assert EXAMPLE_BLOCK.format("http") in html and '<span class="nf">GET</span>' in html, html
    assert '<span class="na">If-Match</span>' in html
    plain_fence = str(NEW.html("Ask:\n\n```zzz\nGET /a HTTP/1.1\n```\n"))
    assert plain_fence == '<p>Ask:</p>\n<pre><code class="language-zzz">GET /a HTTP/1.1\n</code></pre>'
