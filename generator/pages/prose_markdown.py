"""Python-Markdown as prose.Prose configures it: raw HTML escaped, unsafe links dropped, site paths pointed at the
site root, status codes linked and fenced code highlighted, through its public API (an Extension, a Treeprocessor, a
Postprocessor, Registry.deregister).

Imported only when a text must be rendered: a build whose texts were all rendered before (the build cache's
Markdown) does not import Python-Markdown.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable

import markdown
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import Registry

from statusdocs.pages.highlight import highlight_fences
from statusdocs.pages.prose import _CODE, ROOT_MARK, _leaves_site, _link_target

# The Python-Markdown releases prose._NEEDS and prose._plain_paragraph were checked against (tests/test_prose.py
# compares them with plain Python-Markdown on the installed release). On any other, every text gets all of
# Python-Markdown.
CHECKED_RELEASES = {(3, 11)}
CHECKED = tuple(markdown.__version_info__[:2]) in CHECKED_RELEASES


class _Sanitize(Treeprocessor):
    """Drops unsafe link and image targets, points site paths at the site root, marks links that leave the site,
    and links the status codes in text (those `codes()` names)."""

    def __init__(self, md: markdown.Markdown, codes: Callable[[], set[int] | frozenset[int]]):
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
        codes = self.codes()
        if codes:
            self._link_codes(root, codes)

    def _link_codes(self, parent: etree.Element, codes: set[int] | frozenset[int]) -> None:
        if parent.tag in ("a", "code", "pre"):
            return
        for child in list(parent):
            self._link_codes(child, codes)
        self._split(parent, "text", codes)
        for child in list(parent):
            self._split(child, "tail", codes, parent)

    def _split(self, el: etree.Element, which: str, codes: set[int] | frozenset[int],
               parent: etree.Element | None = None) -> None:
        text = getattr(el, which)
        if not text:
            return
        pieces = _CODE.split(text)
        if len(pieces) == 1 or not any(int(p) in codes for p in pieces[1::2]):
            return
        # Rebuild: text before the first link stays where it was; each link carries the following text as tail.
        container = el if parent is None else parent  # a tail is passed with its element's parent
        index = 0 if parent is None else list(parent).index(el) + 1
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


class _Highlight(Postprocessor):
    """Highlights fenced code in a language Pygments knows, as the examples are (highlight.fenced_block). It runs
    on the finished HTML: fenced_code keeps its blocks in the stash, out of the tree's reach."""

    def run(self, text: str) -> str:
        return highlight_fences(text)


class _SafeExtension(Extension):
    def __init__(self, codes: Callable[[], set[int] | frozenset[int]]):
        super().__init__()
        self.codes = codes

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API name
        # Raw HTML becomes text: content authors never inject markup or script.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Sanitize(md, self.codes), "statusdocs_sanitize", 0)
        # After raw_html (30) has put the fenced blocks back and amp_substitute (20) its ampersands.
        md.postprocessors.register(_Highlight(md), "statusdocs_highlight", 5)


def configured(linkable: Callable[[], set[int] | frozenset[int]], left_out: frozenset[tuple[str, str]]) \
        -> markdown.Markdown:
    """A Markdown instance with every extension prose uses, without the processors `left_out` names (by registry
    and name, see prose._NEEDS); `linkable()`: the codes to link in the text being converted."""
    # Extensions as objects: named by string, Markdown looks them up among installed packages' entry points.
    md = markdown.Markdown(extensions=[SaneListExtension(), FencedCodeExtension(), TableExtension(),
                                       _SafeExtension(linkable)], output_format="html")
    registries = _registries(md)
    for registry, name in left_out:
        registries[registry].deregister(name)
    return md


def _registries(md: markdown.Markdown) -> dict[str, Registry]:
    return {"preprocessors": md.preprocessors, "inlinePatterns": md.inlinePatterns,
            "blockprocessors": md.parser.blockprocessors, "treeprocessors": md.treeprocessors,
            "postprocessors": md.postprocessors}
