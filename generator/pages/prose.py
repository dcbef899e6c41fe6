"""Prose fields: Python-Markdown with raw HTML escaped, unsafe links dropped and status codes linked.

Rendered HTML is cached per distinct text, since many fields repeat across pages (a code's definition
appears on its own page and on every comparison that includes it).
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from html import unescape
from typing import Any

import markdown
from markdown.extensions import Extension

from statusdocs._imports import without_module

# fenced_code imports codehilite, which imports Pygments if it can: its lexer registry and plugin lookup (through
# importlib.metadata) take ~15 ms. Highlighting only runs with codehilite among the extensions, which it is not
# here, so the output is the same without Pygments.
with without_module("pygments"):
    from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.serializers import _escape_attrib_html
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER, HTML_PLACEHOLDER_RE, code_escape
from markupsafe import Markup, escape

ProseKey = tuple[str, bool]  # (Markdown text, inline)

# Internal links in prose are written against this marker; the renderer replaces it by the page's
# relative path to the site root, so one cached rendering serves pages at every depth. An ASCII control
# character (never valid in HTML text) rather than a private-use one: a page of ASCII and Latin-1 is held by
# Python one byte per character, which its joins, the replace and the encoding run through in half the time
# (the templates write their other characters as references for the same reason).
# Content must never make one: its `'` is escaped in every other value a page writes (`{{ value }}`, the
# diagram's text, spec labels; JSON-LD escapes the control character), and Prose.html turns the control
# character of a text into U+FFFD before rendering it, so the only marks in a page are the links prose made.
ROOT_MARK = "\x1a'root/"
MARK_CHAR = ROOT_MARK[0]
# Markup(text) for a str `text`: the object Markup.__new__ makes of one, without its Python-level tests first
# (0.3 us -> 0.1 us; rendered prose and macro output make ~150,000 of them at 5,000 pages).
as_markup: Callable[[str], Markup] = functools.partial(str.__new__, Markup)
# Links a writer may use: web and mail, fragments, site paths and relative ones; not another scheme, and not
# a protocol-relative `//host` (it leaves the site like an absolute URL, without rel=noopener).
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|#|/(?!/)|\.{1,2}/|[\w.-]+(?:/|$|#))", re.I)
# A code is linked when it reads as a status code: followed by its phrase, a clause boundary or a
# word that names a response; "100 requests" or "200 ms" stay plain. The test on the character before
# the code sits after its first digit, so that the regex starts with a character class and the engine
# skips ahead to digits (3x faster); it matches exactly where `(?<![\w.§/#:-])([1-5]\d\d)` would.
_CODE = re.compile(
    r"([1-5](?<![\w.§/#:-][1-5])\d\d)(?![\w.%/:-])(?=(?:[,;:)!?]|\.(?!\d)|$|\s+(?:[A-Z]|instead|response|"
    r"responses|status|error|errors|or|and|vs\.?|not|when|if|for|is|with|because|only)\b))")


class _Sanitize(Treeprocessor):
    def __init__(self, md: markdown.Markdown, codes: Callable[[], set[int]]):
        super().__init__(md)
        self.codes = codes

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            src = el.get("src")
            if src is not None:
                image = _link_target(src)
                if image is None:
                    del el.attrib["src"]
                else:
                    el.set("src", image)
            href = el.get("href")
            if href is None:
                continue
            target = _link_target(href)
            if target is None:
                del el.attrib["href"]
                continue
            el.set("href", target)
            if _leaves_site(target):
                el.set("rel", "noopener")
        self._link_codes(root, self.codes())

    def _link_codes(self, parent: etree.Element, codes: set[int]) -> None:
        if parent.tag in ("a", "code", "pre"):
            return
        for child in list(parent):
            self._link_codes(child, codes)
        self._split(parent, "text", codes)
        for child in list(parent):
            self._split(child, "tail", codes, parent)

    def _split(self, el: etree.Element, which: str, codes: set[int], parent: etree.Element | None = None) -> None:
        text = getattr(el, which)
        if not text or not codes:
            return
        pieces = _CODE.split(text)
        if len(pieces) == 1 or not any(int(p) in codes for p in pieces[1::2]):
            return
        # Rebuild: text before the first link stays where it was; each link carries the following text as tail.
        container = parent if which == "tail" else el
        index = list(container).index(el) + 1 if which == "tail" else 0
        setattr(el, which, pieces[0])
        buffer = None
        for i in range(1, len(pieces), 2):
            code, after = pieces[i], pieces[i + 1]
            if int(code) in codes:
                link = etree.Element("a", {"href": f"{ROOT_MARK}{code}/", "class": "code-ref"})
                link.text = code
                link.tail = after
                container.insert(index, link)
                index += 1
                buffer = link
            elif buffer is None:
                setattr(el, which, (getattr(el, which) or "") + code + after)
            else:
                buffer.tail = (buffer.tail or "") + code + after


class _SafeExtension(Extension):
    def __init__(self, codes: Callable[[], set[int]]):
        super().__init__()
        self.codes = codes

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API name
        # Raw HTML becomes text: content authors never inject markup or script.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Sanitize(md, self.codes), "statusdocs_sanitize", 0)


class Prose:
    """Markdown -> HTML with a cache keyed by text (and inline/block mode).

    The output is Python-Markdown's, byte for byte; two shortcuts get there faster (see _simple and _convert,
    and tests/test_prose.py, which compares them with the original on generated and real texts).
    """

    def __init__(self, codes: set[int] | None = None):
        self.codes: set[int] = set(codes or ())
        # Extensions as objects: named by string, Markdown scans every installed package's entry points (~30 ms).
        self._md = markdown.Markdown(extensions=[SaneListExtension(), FencedCodeExtension(), TableExtension(),
                                                 _SafeExtension(lambda: self.codes)], output_format="html")
        # Python-Markdown's own backtick pairing, so that the fast path pairs code spans exactly as it does.
        self._code_spans = self._md.inlinePatterns["backtick"].find_code_spans
        # _simple argues from this set of inline patterns; with any other, Python-Markdown does it all.
        self._fast = all(name in self._md.inlinePatterns for name in _INLINE_PATTERNS) and \
            len(self._md.inlinePatterns) == len(_INLINE_PATTERNS)
        self._inline = self._md.treeprocessors["inline"]
        # _preprocess does what these preprocessors do, and the postprocessors then, for the texts it accepts.
        self._fences = self._md.preprocessors["fenced_code_block"]
        names = [type(p).__name__ for p in (*self._md.preprocessors, *self._md.postprocessors)]
        self._preprocess_fast = names == ["NormalizeWhitespace", "FencedBlockPreprocessor", "RawHtmlPostprocessor",
                                          "AndSubstitutePostprocessor"] and \
            not any(type(e).__name__ in ("CodeHiliteExtension", "AttrListExtension")  # they change a fence's HTML
                    for e in self._md.registeredExtensions)
        self._parser = self._md.parser
        # Every inline pattern and block processor in the order they run; _convert runs the ones that can match.
        self._all_inline = list(self._md.inlinePatterns)
        self._all_blocks = list(self._parser.blockprocessors)
        self._needs = {id(registry[name]): chars
                       for registry, needs in ((self._md.inlinePatterns, _INLINE_NEEDS),
                                               (self._parser.blockprocessors, _BLOCK_NEEDS))
                       for name, chars in needs.items() if name in registry}
        self._pipelines: dict[frozenset[str], tuple[list[Any], list[Any]]] = {}
        self._cache: dict[ProseKey, str] = {}
        # Rendered by earlier builds for this set of codes (the build cache's); used as if rendered here.
        self.stored: dict[ProseKey, str] = {}
        # The keys of `_cache` in the order this process first used them, so that the build cache can record
        # what each render process used without being sent all of it (cache.ProseLog).
        self.used: list[ProseKey] = []

    def html(self, text: str, inline: bool = False) -> Markup:
        key = (text, inline)
        cached = self._cache.get(key)
        if cached is None:
            cached = self.stored.get(key)
            if cached is None:
                if MARK_CHAR in text:  # never a root mark from content (see ROOT_MARK)
                    text = text.replace(MARK_CHAR, "\ufffd")
                cached = self._simple(text)
                if cached is None:
                    cached = self._convert(text) if too_complex(text) is None else None
                    if cached is None:  # reported by the check (S011); rendered in linear time, inert
                        cached = plain_html(text)
                if inline and cached.startswith("<p>") and cached.endswith("</p>") and cached.count("<p>") == 1:
                    cached = cached[3:-4]
            self._cache[key] = cached
            self.used.append(key)
        return as_markup(cached)

    def rendered(self, keys: list[ProseKey]) -> dict[ProseKey, str]:
        """The HTML of keys in `used`, by key."""
        return dict(zip(keys, map(self._cache.__getitem__, keys), strict=True))

    def _convert(self, text: str) -> str | None:
        """Python-Markdown's convert (None if it recursed too deep), running only the inline patterns and block
        processors that can match.

        One left out needs a character that `text` lacks (_INLINE_NEEDS, _BLOCK_NEEDS). Every string it would
        be given is made of characters of `text` (whitespace normalisation only drops STX/ETX and turns CR and
        tab into newline and spaces; block processors only cut text up) and of Python-Markdown's placeholders
        (STX, ETX, letters, digits, ':'), so it could not match, and a pattern or test that does not match
        changes nothing. The others run in the same order, so the output is the same.
        """
        present = frozenset(c for c in _TRIGGERS if c in text)
        pipeline = self._pipelines.get(present)
        if pipeline is None:
            # Plain lists: the inline processor and block parser only take len(), index and iterate them,
            # which a list does without Registry's sort check on every access.
            def needed(processor: Any) -> bool:
                needs = self._needs.get(id(processor))
                return needs is None or not present.isdisjoint(needs)

            pipeline = ([p for p in self._all_inline if needed(p)], [p for p in self._all_blocks if needed(p)])
            self._pipelines[present] = pipeline
        self._inline.inlinePatterns, self._parser.blockprocessors = pipeline
        try:
            return self._md.reset().convert(text)
        except RecursionError:  # nesting too_complex did not see: still an answer, never a traceback
            return None

    def _simple(self, text: str) -> str | None:
        """Python-Markdown's output for a text made only of one-line paragraphs (plain text and code spans) and
        fenced code blocks, or None for anything else. Most prose cells are such a text, and building the HTML
        directly skips most of the fixed cost of a convert (~50 us).

        One line (the common case; trailing newlines only add empty blocks, which EmptyBlockProcessor drops):
        NormalizeWhitespace and FencedBlockPreprocessor change nothing (no control character, no second line),
        so the block parser gets this one line, and _paragraph knows what it makes of it.

        Several lines: the preprocessors run (fences become placeholder lines for stashed HTML), as _preprocess
        does them for most texts or else themselves, then the blocks are split as BlockParser does.
        EmptyBlockProcessor drops leading newlines of a block (its filler goes nowhere: no sibling is a <pre>);
        each other block must be one line, either a placeholder (ParagraphProcessor wraps it in <p>,
        RawHtmlPostprocessor swaps <p>placeholder</p> for the stashed HTML) or a paragraph _paragraph accepts.
        Siblings change no test for such blocks (no indent, no list). Prettify puts a newline after each <p>; the
        postprocessors run on the joined result (or, after _preprocess, have nothing left to do).
        """
        if type(text) is not str or not self._fast:  # a Markup's methods escape their arguments
            return None
        body = text.rstrip("\n")
        if "\n" not in body:
            return self._paragraph(body) if body else None
        if not body.strip():
            return None
        preprocessed = self._preprocess(text)
        if preprocessed is None:
            md = self._md.reset()
            lines = text.split("\n")
            for prep in md.preprocessors:
                lines = prep.run(lines)
            source, stash = "\n".join(lines), None
        else:
            source, stash = preprocessed
        out = []
        after_list = False
        for block in source.split("\n\n"):
            block = block.lstrip("\n")
            if not block:
                continue
            placeholder = HTML_PLACEHOLDER_RE.fullmatch(block)
            if placeholder:
                html: str | None = f"<p>{block}</p>" if stash is None else stash[int(placeholder.group(1))]
            elif block.startswith("- "):
                # A list right after a list continues it as a loose one (<p> in each item): not here.
                html = None if after_list else self._list(block)
            elif block.startswith("|"):
                html = self._table(block)
            else:
                html = self._paragraph(block)
            if html is None:
                return None
            after_list = html.startswith("<ul>")
            out.append(html)
        if not out:
            return None
        output = "\n".join(out)
        if stash is None:
            for post in md.postprocessors:
                output = post.run(output)
        return output.strip()

    def _preprocess(self, text: str) -> tuple[str, list[str]] | None:
        """What NormalizeWhitespace and FencedBlockPreprocessor make of a text without CR, tab, STX or ETX and
        whose fences have no `{attributes}` or `hl_lines`, as one string, with the HTML of each fence (what
        _simple puts for its placeholder block, as RawHtmlPostprocessor would put it for `<p>placeholder</p>`).
        None for any other text. Without STX and ETX in the text, a placeholder left anywhere else makes
        _paragraph refuse its block, and AndSubstitutePostprocessor has nothing to replace. Skips the ~13 us the
        preprocessors and postprocessors take with Markdown's general machinery (a text with a code block)."""
        if not self._preprocess_fast or _NOT_NORMALIZED.search(text):
            return None
        source = text + "\n\n"
        if " \n" in source:
            source = _BLANK_LINE.sub("\n", source)
        stash: list[str] = []
        fences = self._fences
        index = 0
        while (m := fences.FENCED_BLOCK_RE.search(source, index)) is not None:
            if m.group("attrs") or m.group("hl_lines"):
                return None
            lang = m.group("lang")
            code = fences._escape(m.group("code"))
            lang_attr = f' class="{fences.config.get("lang_prefix", "language-")}{_escape_attrib_html(lang)}"' \
                if lang else ""
            placeholder = HTML_PLACEHOLDER % len(stash)
            stash.append(f"<pre><code{lang_attr}>{code}</code></pre>")
            source = f"{source[:m.start()]}\n{placeholder}\n{source[m.end():]}"
            index = m.start() + 1 + len(placeholder)
        return source, stash

    def _list(self, block: str) -> str | None:
        """What Python-Markdown makes of a block of `- ` lines, each a one-line item, or None for anything else.

        No line of such a block (each has text after `- `) can start a header, a setext underline or a rule, so
        UListProcessor takes it (with sane_lists, as the first list here: no `ul` sibling before it) and makes an
        item of each line's
        text after `- ` (CHILD_RE; no line is a continuation or an indented sublist). Each item's text is parsed
        as a block in a tight list: if _paragraph accepts it, no block processor before ParagraphProcessor
        takes it either, and that one puts it in the item as text, where the inline patterns and the sanitizer
        treat it as they treat a paragraph's. Prettify puts each item on a line of its own."""
        items = []
        for line in block.split("\n"):
            # `- ` with nothing after it under another line is a setext underline (SetextHeaderProcessor): refused
            html = self._paragraph(line[2:]) if line.startswith("- ") and line[2:].strip(" ") else None
            if html is None:
                return None
            items.append(f"<li>{html[3:-4]}</li>")
        return "<ul>\n" + "\n".join(items) + "\n</ul>"

    def _table(self, block: str) -> str | None:
        """What the tables extension makes of a block of `|`-bordered rows whose second line is a rule of `-`
        (no alignment), every row with as many cells as the header, or None for anything else.

        The table processor runs before any other that could take a block starting with `|`, and its test holds
        for these first two rows. Cells are split at every `|`, as TableProcessor._split does when no backslash
        escapes one and no code span holds one (each cell has whole pairs of single backticks, and they pair
        with each other in order across the row, so no pipe falls between a pair). Each cell's text, stripped of
        spaces, gets the inline patterns and the sanitizer as a paragraph's does (if _paragraph accepts it: the
        block-start conditions it also checks only make it refuse more). Prettify puts each element on a line."""
        lines = block.split("\n")
        if len(lines) < 3 or not _TABLE_RULE.fullmatch(lines[1]) or "\\" in block:
            return None
        width = lines[1].count("|") - 1
        out = ["<table>\n<thead>\n"]
        for n, line in enumerate(lines):
            if n == 1:
                out.append("</thead>\n<tbody>\n")
                continue
            cells = line[1:-1].split("|") if line.startswith("|") and line.endswith("|") else ()
            if len(cells) != width:
                return None
            out.append("<tr>\n")
            tag = "th" if n == 0 else "td"
            for cell in cells:
                cell = cell.strip(" ")
                html = self._paragraph(cell) if cell and "``" not in cell and not cell.count("`") % 2 else None
                if html is None:
                    return None
                out.append(f"<{tag}>{html[3:-4]}</{tag}>\n")
            out.append("</tr>\n")
        out.append("</tbody>\n</table>")
        return "".join(out)

    def _paragraph(self, body: str) -> str | None:
        """What Python-Markdown makes of `body` as a block of its own: one <p> with its text, code spans and
        linked codes, or None if `body` could be anything else.

        - No control character (so no newline: no setext header, table, fence or line break; no tab, CR, STX,
          ETX) and no backslash (no escapes; every backtick can open a code span).
        - It does not start with whitespace (code block, list indent, and the paragraph's lstrip), nor with what
          starts a header, quote, list or rule (`#>+-*_`), an ordered list (`N. `) or a reference (`[`). So no
          block processor before ParagraphProcessor accepts it: one <p> with `body` as its text.
        - Code spans are paired by BacktickInlineProcessor.find_code_spans itself; the content is stripped and
          code_escape'd, and nothing touches it again (AtomicString; the sanitizer skips <code>).
        - Between code spans none of `*_&<[` occurs, so no later inline pattern (escape, links, images,
          references, autolink, automail, entity, emphasis) can match. That text is serialized with `>` escaped
          (no `&` or `<` there) and its codes linked segment by segment, as _Sanitize._split does. Or `[` and
          `]` occur only in inline links of plain text to a plain URL (_segment).
        """
        # _NOT_SIMPLE's test; printable text has no control character (`in` and isprintable run in C without
        # the regex engine's per-character steps: a third of the time).
        if ("\\" in body if body.isprintable() else _NOT_SIMPLE.search(body)) or _BLOCK_START.match(body):
            return None
        codes = self.codes
        if "``" not in body and not body.count("`") % 2:
            # Single backticks, an even number of them: find_code_spans pairs each with the next one, so the
            # pieces between backticks are text and code in turn (the loop below, without a call per span).
            pieces = body.split("`")
            if _has_inline_syntax("`".join(pieces[::2])):  # links, or something else (then None)
                out = ["<p>"]
                for i, piece in enumerate(pieces):
                    html = f"<code>{code_escape(piece.strip())}</code>" if i % 2 else _segment(piece, codes)
                    if html is None:
                        return None
                    out.append(html)
                out.append("</p>")
                return "".join(out)
            # Most cells: no code to link (no three digits from 100 anywhere, or no codes at all), nothing to escape
            # in code spans but `>` (text has none of `&<` by the test above), and no space to strip around one.
            # Then the loop below only swaps `>` and puts the pieces in <code> in turn: one format does that.
            if (not codes or not _has_code_digits(body)) and "&" not in body and "<" not in body:
                code = pieces[1::2]
                if list(map(str.strip, code)) == code:
                    if ">" in body:
                        pieces = body.replace(">", "&gt;").split("`")
                    form = _PARAGRAPH_FORMS.get(len(pieces))
                    if form is None:
                        form = _PARAGRAPH_FORMS[len(pieces)] = "<p>" + "<code>{}</code>".join(
                            ["{}"] * (len(pieces) // 2 + 1)) + "</p>"
                    return form.format(*pieces)
            out = ["<p>"]
            for i, piece in enumerate(pieces):
                out.append(f"<code>{code_escape(piece.strip())}</code>" if i % 2 else _linked(piece, codes))
            out.append("</p>")
            return "".join(out)
        out = ["<p>"]
        last = pos = 0
        while (begin := body.find("`", pos)) != -1:
            start, end = self._code_spans(begin, body)
            if end is None:  # an unpaired run of backticks stays text
                pos = start
                continue
            outside = _segment(body[last:begin], codes)
            if outside is None:
                return None
            out.append(outside)
            out.append(f"<code>{code_escape(body[start:end].strip())}</code>")
            last = pos = end + (start - begin)
        outside = _segment(body[last:], codes)
        if outside is None:
            return None
        out.append(outside)
        out.append("</p>")
        return "".join(out)


# What an inline pattern needs in the text to possibly match (its regex); patterns not listed always run.
_INLINE_NEEDS: dict[str, str] = {
    "backtick": "`",                            # (?<!\\)` , or \\ pairs followed by `
    "escape": "\\",                             # \\(.)
    "reference": "[", "link": "[", "short_reference": "[",                      # (?<!\!)\[
    "image_link": "[", "image_reference": "[", "short_image_ref": "[",          # \!\[
    "autolink": "<", "automail": "<",           # <...>
    "entity": "&",                              # &...;
    "em_strong": "*_",                          # DelimiterProcessor: \*|_
}
# The same for block processors (their test, or for `reference` the regex its run needs before it accepts).
_BLOCK_NEEDS: dict[str, str] = {
    "table": "|", "hashheader": "#", "setextheader": "=-", "hr": "-_*", "olist": ".", "ulist": "*+-",
    "quote": ">", "reference": "[",
}
_TRIGGERS = "".join(sorted(set("".join([*_INLINE_NEEDS.values(), *_BLOCK_NEEDS.values()]))))


# The inline patterns _paragraph accounts for: Python-Markdown's own, less raw HTML (see _SafeExtension).
_INLINE_PATTERNS = ("backtick", "escape", "reference", "link", "image_link", "image_reference", "short_reference",
                    "short_image_ref", "autolink", "automail", "linebreak", "entity", "em_strong")
# _paragraph's conditions: anywhere, at the start, and between code spans.
_NOT_SIMPLE = re.compile(r"[\x00-\x1f\\]")
_NOT_NORMALIZED = re.compile(r"[\r\t\x02\x03]")  # what NormalizeWhitespace changes, but for blank lines of spaces
_BLANK_LINE = re.compile(r"(?<=\n) +\n")  # NormalizeWhitespace's own
_BLOCK_START = re.compile(r"\s|[#>+\-*_\[]|\d+\.[ ]")
_TABLE_RULE = re.compile(r"\|(?:-+\|){2,}")  # a table's second row: two columns or more, no alignment
_CODE_LINK = '<a class="code-ref" href="' + ROOT_MARK + '{0}/">{0}</a>'
_CODE_DIGITS = re.compile(r"[1-5]\d\d")  # where _CODE can match: without it, a text links no code
_PARAGRAPH_FORMS: dict[int, str] = {}  # by number of pieces (odd): "<p>{}<code>{}</code>{}...</p>"


# Tests of characters as `in` tests, which run in C without the regex engine's per-character steps.
def _has_inline_syntax(text: str) -> bool:
    """Whether `text` has a character that starts an inline pattern other than a code span: `*_&<[` (a fifth of
    the time of a regex's scan)."""
    return "*" in text or "_" in text or "&" in text or "<" in text or "[" in text


def _has_code_digits(text: str) -> bool:
    """_CODE_DIGITS.search(text), with the regex only run on a text that has one of its first digits (most prose
    has none): five `in` tests take a third of the time of the regex's scan."""
    return ("1" in text or "2" in text or "3" in text or "4" in text or "5" in text) and \
        _CODE_DIGITS.search(text) is not None


# An inline link of plain text (none of the characters of any other inline pattern, no brackets, no `>`) to a
# URL without spaces, quotes, brackets, parentheses, `<>&`, backslash or backtick, not preceded by `!` (an image).
_LINK = re.compile(r"(?<!!)\[([^\[\]`*_&<>\\!]+)\]\(([^\s()<>\"'`\\&\[\]]+)\)")


def _segment(text: str, codes: set[int]) -> str | None:
    """Text between code spans as Python-Markdown writes it (see _paragraph), or None. Besides plain text, inline
    links of _LINK's form: no reference can be defined in the texts _paragraph is given (a definition starts a
    line), so the reference patterns that run first leave `[text]` alone and the link pattern takes `[text](url)`
    whole (getText and getLink, with nothing nested, quoted or escaped); link text is not searched for codes
    (_Sanitize skips `a`), text around a link is, on its own (it is the text or tail of another element); and
    its target is what _Sanitize makes of it (_link_target, _leaves_site)."""
    if not _has_inline_syntax(text):
        return _linked(text, codes)
    parts = _LINK.split(text)  # plain text, then link text, URL and plain text again, for each link
    if len(parts) == 1:
        return None
    out = []
    for i in range(0, len(parts), 3):
        plain = parts[i]
        if _has_inline_syntax(plain) or "]" in plain:
            return None
        out.append(_linked(plain, codes))
        if i + 1 < len(parts):
            label, target = parts[i + 1], _link_target(parts[i + 2])
            if target is None:
                out.append(f"<a>{label}</a>")
            else:
                rel = ' rel="noopener"' if _leaves_site(target) else ""
                out.append(f'<a href="{target}"{rel}>{label}</a>')
    return "".join(out)


def _link_target(href: str) -> str | None:
    """Where a link (or image) in prose goes, as _Sanitize leaves it: None for a target it drops (another scheme,
    `//host`, judged as a browser reads the attribute: `/\\host` and `/&#47;host` are `//host`); a site path
    (`/409/`) and `../x`, which writers write as from a code page, against the site root, so that they are right
    at every page depth and under a base path; any other as it is."""
    read = _as_read(href)
    if not _SAFE_URL.match(read):
        return None
    if read.startswith("/"):
        prefix = "/"
    elif read.startswith("../") and not read.startswith("../../"):
        prefix = "../"
    else:
        return href
    if not href.startswith(prefix):  # the prefix written as a reference, a backslash or after spaces
        return None
    rest = href[len(prefix):]
    # At the site root the mark is "": what follows must not read as a scheme or a `/`-path there.
    rest_read = _as_read(rest)
    if rest_read.startswith("/") or ":" in rest_read.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        rest = "./" + rest
    return ROOT_MARK + rest


_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def _as_read(url: str) -> str:
    """An attribute's URL as a browser reads it in an http(s) page: references decoded (the serializer keeps
    them), tabs and line breaks dropped, C0 controls and spaces stripped at the ends, `\\` read as `/`."""
    if "&" in url or "\\" in url or not url.isprintable():
        url = _TAB_OR_NEWLINE.sub("", unescape(url)).replace("\\", "/")
    return url.strip(_C0_OR_SPACE)


def _leaves_site(target: str) -> bool:
    """A link target off the site, which gets rel="noopener"."""
    return _as_read(target)[:8].lower().startswith(("http://", "https://"))


def _linked(text: str, codes: set[int]) -> str:
    """A text segment as the serializer writes it after _Sanitize._split: `>` escaped, codes linked."""
    pieces = _CODE.split(text) if codes and text and _has_code_digits(text) else [text]
    if len(pieces) == 1 or not any(int(p) in codes for p in pieces[1::2]):
        return text.replace(">", "&gt;")
    out = [pieces[0].replace(">", "&gt;")]
    for i in range(1, len(pieces), 2):
        code = pieces[i]
        out.append(_CODE_LINK.format(code) if int(code) in codes else code)
        out.append(pieces[i + 1].replace(">", "&gt;"))
    return "".join(out)


# Python-Markdown's time on hostile text. Each inline match and each block it splits off rebuilds the rest of the
# text (O(length) each: ~2.5 ns a character at worst, `=` underlines, ~1 ns for inline markup); each `[` is
# scanned from by the link, image and reference patterns to its `]` (nesting counted) or to the end, and the
# `(` after a `]` to its `)`, character by character in Python (~1 us a character at worst, `[` repeated);
# lists nest by recursion, ~3 frames a level. Bounds for ~1 s a text at worst, far above any real text
# (bundled content: 1.6 KB at most, 2 brackets a field). A text past one is rendered as plain paragraphs and
# reported (S011).
MARKUP = "\n*_`\\&<>["  # what the work of the first kind is counted in (line breaks twice)
MAX_REBUILD_WORK = 400_000_000  # markup characters x length
MAX_SCAN_WORK = 1_000_000  # characters scanned for brackets and parentheses
MAX_INDENT = 128  # list and quote markers and indentation at a line's start (a level takes two or more)
_DEEP = re.compile(rf"(?:[ \t>]|[-*+](?=[ \t])|\d{{1,9}}[.)](?=[ \t])){{{MAX_INDENT}}}")
_OPENERS = " \t>*+-0123456789"
_OPENER = re.compile(r"\n[ \t>*+\-0-9]")
_BRACKET = re.compile(r"[\[\]]")
_PAREN = re.compile(r"[()]")


def too_complex(text: str) -> str | None:
    """Why Python-Markdown could not render `text` in bounded time (see MAX_REBUILD_WORK), or None. Cheap for
    real text: counts in C, and the bracket scan only when a bound says it could matter."""
    n = len(text)
    if n * n > MAX_REBUILD_WORK:
        marks = sum(map(text.count, MARKUP)) + text.count("\n")  # a line break counts twice (underlines)
        if marks * n > MAX_REBUILD_WORK:
            return (f"{n:,} characters with {marks:,} line breaks (counted twice) and markup characters "
                    f"({MARKUP[1:]}): Markdown would take too long to render it")
    if "[" in text and text.count("[") * n > MAX_SCAN_WORK:
        scanned = _scan_work(text)
        if scanned > MAX_SCAN_WORK:
            return (f"{text.count('['):,} brackets that open no link close enough ({scanned:,} characters to scan): "
                    "Markdown would take too long to render it")
    if n >= MAX_INDENT:
        deep = _deep_line(text)
        if deep is not None:
            line = text.count("\n", 0, deep) + 1
            return (f"line {line} of the text starts with {MAX_INDENT} or more list or quote markers and spaces: lists "
                    "this deep exhaust Markdown's recursion")
    return None


def _deep_line(text: str) -> int | None:
    """Where the first line that starts with MAX_INDENT list or quote markers and spaces starts, or None. Only the
    lines that start with one are tried (the text's first line, and a line break followed by one)."""
    if text[:1] in _OPENERS and _DEEP.match(text):
        return 0
    if "\n" in text:
        for m in _OPENER.finditer(text):
            if _DEEP.match(text, m.start() + 1):
                return m.start() + 1
    return None


def _scan_work(text: str) -> int:
    """The characters Python-Markdown's link patterns scan in `text`: from each `[` to the `]` that closes it, or to
    the end; from each `(` right after a `]` that closed a `[` to its `)`, or to the end."""
    n, work, opened, closed = len(text), 0, [], set()
    for m in _BRACKET.finditer(text):
        pos = m.start()
        if text[pos] == "[":
            opened.append(pos)
        elif opened:
            work += pos - opened.pop()
            closed.add(pos + 1)
    work += sum(n - pos for pos in opened)
    opened = []
    for m in _PAREN.finditer(text):
        pos = m.start()
        if text[pos] == "(":
            opened.append(pos)
        elif opened:
            start = opened.pop()
            if start in closed:
                work += pos - start
    return work + sum(n - pos for pos in opened if pos in closed)


def plain_html(text: str) -> str:
    """A text as escaped paragraphs, nothing interpreted: what a text too complex for Markdown renders as."""
    return "\n".join(f"<p>{escape(part.strip())}</p>" for part in re.split(r"\n[ \t]*\n", text) if part.strip())


def first_sentence(text: str) -> str:
    """The first sentence of a Markdown cell's first paragraph, markup kept (for one-line summaries such as
    guide leaves). A sentence that introduces a list ends at its colon."""
    text = re.split(r"\n\s*\n|\n\s*(?:[-*+]|\d+\.)\s", text.strip(), maxsplit=1)[0]
    text = re.sub(r"^(?:[-*+]|\d+\.)\s+", "", text)  # a cell that starts with a list: its first item
    text = " ".join(text.split())
    if text.endswith(":"):
        text = text[:-1] + "."
    m = re.search(r"(?<=[a-z)`'\"])[.!?](?=\s+[A-Z`(])", text)
    return text[: m.end()] if m else text


# Tags that end a run of text (a block, a cell, a line break); other tags (code, a, em...) sit inside words.
_BREAKING_TAG = re.compile(r"</?(?:p|li|ul|ol|pre|table|thead|tbody|tr|td|th|br|div|h\d|blockquote|hr)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def text_of(html: str) -> str:
    """Rendered prose as the reader sees it, as one line of plain text (meta descriptions, structured data,
    search): tags dropped, entities read, whitespace collapsed. `peros_slot` stays `peros_slot`."""
    return " ".join(unescape(_TAG.sub("", _BREAKING_TAG.sub(" ", html))).split())


_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def excerpt(text: str, limit: int = 160) -> str:
    """Plain text cut for a meta description or a search result: the sentences that fit, if they fill half the
    room, or else the words that fit and an ellipsis. Never a word cut in two."""
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
    if ends and ends[-1] >= limit // 2:
        return text[:ends[-1]]
    words = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit - 1]
    return words.rstrip(" ,;:") + "\u2026"

