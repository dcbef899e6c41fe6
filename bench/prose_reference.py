"""Prose fields: Python-Markdown with raw HTML escaped, unsafe links dropped and status codes linked.

Rendered HTML is cached per distinct text, since many fields repeat across pages (a code's definition
appears on its own page and on every comparison that includes it).

The frozen original, kept as the oracle that tests/test_prose.py and bench/prose_*.py compare with: one Markdown
with every processor, for every text. statusdocs.pages.prose leaves out, per text, the processors it cannot use
and writes plain one-line paragraphs itself; this file is what those two shortcuts must agree with.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from html import unescape

import markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

# Since issue 26, fenced code in a language Pygments knows is highlighted as the examples are: the same function on
# the finished HTML of every text (statusdocs.pages.prose runs it only on texts with a fence, prose_fast in place).
from statusdocs.pages.highlight import highlight_fences

# Internal links in prose are written against this marker; the renderer replaces it by the page's
# relative path to the site root, so one cached rendering serves pages at every depth. The marker is
# statusdocs.pages.prose's (it changed from "\ue000root/" at stop 17): the rest of this file stays as frozen.
# Since issue 21, links are judged as a browser reads them and site paths are rewritten too (_target), a text's
# control character that starts the mark is replaced, and a text too complex for Markdown in bounded time is
# rendered as plain paragraphs (prose_limits.too_complex and prose.plain_html: a bound, not a rendering).
from statusdocs.pages.prose import MARK_CHAR, ROOT_MARK, plain_html
from statusdocs.pages.prose_limits import too_complex

_SAFE_URL = re.compile(r"^(?:https?://|mailto:|#|/(?!/)|\.{1,2}/|[\w.-]+(?:/|$|#))", re.I)
# A code is linked when it reads as a status code: followed by its phrase, a clause boundary or a
# word that names a response; "100 requests" or "200 ms" stay plain. Since issue 26 a code ending a sentence
# ("answer 409.") is linked: a dot stops it only when a digit follows (4.09, 409.5).
_CODE = re.compile(
    r"(?<![\w.§/#:-])([1-5]\d\d)(?![\w%/:-]|\.\d)(?=(?:[,;:)!?]|\.(?!\d)|$|\s+(?:[A-Z]|instead|response|responses|"
    r"status|error|errors|or|and|vs\.?|not|when|if|for|is|with|because|only)\b))")


class _Sanitize(Treeprocessor):
    def __init__(self, md: markdown.Markdown, codes: Callable[[], set[int]]):
        super().__init__(md)
        self.codes = codes

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is None:
                    continue
                target = _target(value)
                if target is None:
                    del el.attrib[attr]
                    continue
                el.set(attr, target)
                if attr == "href" and _read(target).lower().startswith(("http://", "https://")):
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


def _read(url: str) -> str:
    """The URL a browser reads from the attribute: references decoded, tab/CR/LF dropped, the ends stripped of
    C0 controls and spaces, backslashes as slashes."""
    url = re.sub(r"[\t\n\r]", "", unescape(url)).replace("\\", "/")
    return url.lstrip("".join(map(chr, range(33)))).rstrip("".join(map(chr, range(33))))


def _target(url: str) -> str | None:
    """None for a URL to drop; writers link as from a code page ("../409/") or from the site root ("/409/"): make
    those right at every page depth and under a base path (what follows the mark must stay a relative path)."""
    read = _read(url)
    if not _SAFE_URL.match(read):
        return None
    for prefix in ("/", "../"):
        if read.startswith(prefix) and not read.startswith("../../"):
            if not url.startswith(prefix):
                return None
            rest = url[len(prefix):]
            first = re.split(r"[/?#]", _read(rest), maxsplit=1)[0]
            return ROOT_MARK + ("./" + rest if _read(rest).startswith("/") or ":" in first else rest)
    return url


class _Highlight(Postprocessor):
    def run(self, text: str) -> str:
        return highlight_fences(text)


class _SafeExtension(Extension):
    def __init__(self, codes: Callable[[], set[int]]):
        super().__init__()
        self.codes = codes

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API name
        # Raw HTML becomes text: content authors never inject markup or script.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Sanitize(md, self.codes), "statusdocs_sanitize", 0)
        md.postprocessors.register(_Highlight(md), "statusdocs_highlight", 5)


class Prose:
    """Markdown -> HTML with a cache keyed by text (and inline/block mode)."""

    def __init__(self, codes: set[int] | None = None):
        self.codes: set[int] = set(codes or ())
        self._md = markdown.Markdown(extensions=["sane_lists", "fenced_code", "tables",
                                                 _SafeExtension(lambda: self.codes)], output_format="html")
        self._cache: dict[tuple[str, bool], str] = {}

    def html(self, text: str, inline: bool = False) -> Markup:
        key = (text, inline)
        cached = self._cache.get(key)
        if cached is None:
            text = text.replace(MARK_CHAR, "\ufffd")
            try:
                cached = self._md.reset().convert(text) if too_complex(text) is None else plain_html(text)
            except RecursionError:
                cached = plain_html(text)
            if inline and cached.startswith("<p>") and cached.endswith("</p>") and cached.count("<p>") == 1:
                cached = cached[3:-4]
            self._cache[key] = cached
        return Markup(cached)


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


def plain(text: str) -> str:
    """Markdown source reduced to plain text, for meta descriptions and search: drop markup characters."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[`*_#>]", "", text)
    return " ".join(text.split())
