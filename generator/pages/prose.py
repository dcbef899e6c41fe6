"""Prose fields: Python-Markdown with raw HTML escaped, unsafe links dropped and status codes linked.

Rendered HTML is cached per distinct text, since many fields repeat across pages (a code's definition
appears on its own page and on every comparison that includes it).

Everything is rendered through Python-Markdown's public API (an Extension, a Treeprocessor, Registry.deregister,
Markdown.reset and convert), configured in prose_markdown, which is imported only when a text must be rendered (the
build cache's Markdown serves a build after a small edit without it). Two things make that cheaper, and
tests/test_prose.py (bench/prose_bench.py on the benchmark corpus) compares both with plain Python-Markdown, the
frozen bench/prose_reference.py:
- a text is converted by a Markdown instance configured without the processors that need a string the text lacks
  (_NEEDS): one instance for each such set of processors, each reused with reset();
- a one-line text with no Markdown syntax at all is a paragraph of its own (_plain_paragraph).
One accelerator, in a module of its own and only on the Python-Markdown releases it was checked against, writes the
commonest shape of all directly (prose_fast: a one-line paragraph of text and code spans); it answers None for
anything else, and the text goes the plain way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from html import unescape
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from statusdocs.pages.prose_limits import too_complex

if TYPE_CHECKING:
    import markdown

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
# (rendered prose and macro output make a great many of them).
as_markup: Callable[[str], Markup] = functools.partial(str.__new__, Markup)
# Links a writer may use: web and mail, fragments, site paths and relative ones; not another scheme, and not
# a protocol-relative `//host` (it leaves the site like an absolute URL, without rel=noopener).
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|#|/(?!/)|\.{1,2}/|[\w.-]+(?:/|$|#))", re.I)
# A code is linked when it reads as a status code: followed by its phrase, a clause boundary or a
# word that names a response; "100 requests" or "200 ms" stay plain. The test on the character before
# the code sits after its first digit, so that the regex starts with a character class and the engine
# skips ahead to digits; it matches exactly where `(?<![\w.§/#:-])([1-5]\d\d)` would.
_CODE = re.compile(
    r"([1-5](?<![\w.§/#:-][1-5])\d\d)(?![\w%/:-]|\.\d)(?=(?:[,;:)!?]|\.(?!\d)|$|\s+(?:[A-Z]|instead|response|"
    r"responses|status|error|errors|or|and|vs\.?|not|when|if|for|is|with|because|only)\b))")
_CODE_DIGITS = re.compile(r"[1-5]\d\d")  # where _CODE can match: without it, a text links no code
_CODE_LINK = '<a class="code-ref" href="' + ROOT_MARK + '{0}/">{0}</a>'  # as the serializer writes _split's link
_NO_CODES: frozenset[int] = frozenset()


# What each processor needs in a text to change anything: one of these strings (from its regex or test), by registry
# and name, looked for in the text less STX and ETX. Every string a processor is given is made of that text's
# characters, in its order within a line (whitespace normalisation drops STX and ETX and turns CR and tabs into
# newlines and spaces; block processors cut text up and take markers off line starts, never joining two lines; a fence
# becomes a placeholder line) and of Python-Markdown's placeholders (STX, ETX, letters, digits, `:`). So a processor
# whose strings are all absent from a text changes nothing in it, and a Markdown without it renders that text the
# same.
# Processors not listed always run.
_NEEDS: dict[str, dict[str, tuple[str, ...]]] = {
    "preprocessors": {"fenced_code_block": ("```", "~~~")},
    "inlinePatterns": {
        "backtick": ("`",),              # (?<!\\)` , or \\ pairs followed by `
        "escape": ("\\",),               # \\(.)
        "reference": ("[",), "link": ("[",), "short_reference": ("[",),   # (?<!\!)\[
        "image_link": ("![",), "image_reference": ("![",), "short_image_ref": ("![",),   # \!\[
        "autolink": ("<",), "automail": ("<",),
        "linebreak": ("\n", "\r"),       # two spaces (or a tab) before a line break
        "entity": ("&",),
        "em_strong": ("*", "_"),         # the delimiters
    },
    "blockprocessors": {
        "table": ("|",), "hashheader": ("#",), "setextheader": ("=", "-"), "hr": ("-", "_", "*"), "olist": (".",),
        "ulist": ("*", "+", "-"), "quote": (">",), "reference": ("]:",),
    },
    "treeprocessors": {"unescape": ("\\",)},  # what escapes (and escaped backslashes before a backtick) leave
    "postprocessors": {"amp_substitute": ("&", "<"),  # what entities and autolinked mail leave
                       # puts back what fenced_code and entities stashed (nothing else stashes: raw HTML is off);
                       # left out, its run() makes no reference cycle (a closure that calls itself) per text
                       "raw_html": ("```", "~~~", "&"),
                       "statusdocs_highlight": ("```", "~~~")},  # only fenced_code writes a language's class
}
_TRIGGERS = tuple(sorted({s for needs in _NEEDS.values() for strings in needs.values() for s in strings}))


class Prose:
    """Markdown -> HTML with a cache keyed by text (and inline/block mode)."""

    def __init__(self, codes: set[int] | None = None, shortcuts: bool | None = None):
        self.codes: set[int] = set(codes or ())
        # The shortcuts (plain paragraphs, prose_fast, processors a text cannot use left out) are taken only on a
        # Python-Markdown release they were checked against; False: every text gets all of Python-Markdown.
        self._shortcuts = shortcuts
        # The codes the sanitizer links in the text being converted: none if the text has no three digits for one.
        self._linkable: set[int] | frozenset[int] = _NO_CODES
        # Markdown instances: by the trigger strings a text has, and by the processors left out (many sets of
        # strings leave out the same processors).
        self._by_triggers: dict[frozenset[str] | None, markdown.Markdown] = {}
        self._by_left_out: dict[frozenset[tuple[str, str]], markdown.Markdown] = {}
        self._cache: dict[ProseKey, str] = {}
        # Rendered by earlier builds for this set of codes (the build cache's); used as if rendered here.
        # (a dict, or the build cache's ProseStore, which reads what it is asked for)
        self.stored: Mapping[ProseKey, str] = {}
        # The keys of `_cache` in the order this process first used them, so that the build cache can record
        # what each render process used without being sent all of it (cache.ProseLog).
        self.used: list[ProseKey] = []

    @property
    def shortcuts(self) -> bool:
        """Whether the shortcuts are taken: by default, whether the installed Python-Markdown is a release they were
        checked against (known once a text is rendered: a build whose texts are all rendered already, in the build
        cache, does not import Python-Markdown)."""
        if self._shortcuts is None:
            from statusdocs.pages.prose_markdown import CHECKED

            self._shortcuts = CHECKED
        return self._shortcuts

    def html(self, text: str, inline: bool = False) -> Markup:
        key = (text, inline)
        cached = self._cache.get(key)
        if cached is None:
            cached = self.stored.get(key)
            if cached is None:
                cached = self._render(text)
                if inline and cached.startswith("<p>") and cached.endswith("</p>") and cached.count("<p>") == 1:
                    cached = cached[3:-4]
            self._cache[key] = cached
            self.used.append(key)
        return as_markup(cached)

    def rendered(self, keys: list[ProseKey]) -> dict[ProseKey, str]:
        """The HTML of keys in `used`, by key."""
        return dict(zip(keys, map(self._cache.__getitem__, keys), strict=True))

    def _render(self, text: str) -> str:
        """Python-Markdown's HTML for `text`, or, for a text it could not render in bounded time (reported by the
        check, S011), the text as inert paragraphs."""
        text = str(text)  # a Markup's methods would escape their arguments
        if MARK_CHAR in text:  # never a root mark from content (see ROOT_MARK)
            text = text.replace(MARK_CHAR, "\ufffd")
        if too_complex(text) is not None:
            return plain_html(text)
        if self.shortcuts:
            html = _plain_paragraph(text, self.codes)
            if html is not None:
                return html
        fast = _fast_paragraph() if self.shortcuts else None
        if fast is not None:
            html = fast(text, functools.partial(_linked, codes=self.codes))
            if html is not None:
                return html
        self._linkable = self.codes if self.codes and _has_code_digits(text) else _NO_CODES
        try:
            return self._markdown(text).reset().convert(text)
        except RecursionError:  # nesting too_complex did not see: still an answer, never a traceback
            return plain_html(text)

    def _markdown(self, text: str) -> markdown.Markdown:
        """A Markdown instance that renders `text` as the fully configured one would."""
        if self.shortcuts:
            # Whitespace normalisation drops STX and ETX before any processor runs (`!\x02[` is an image): the
            # strings are looked for in what it leaves.
            seen = text.replace("\x02", "").replace("\x03", "") if "\x02" in text or "\x03" in text else text
            triggers: frozenset[str] | None = frozenset(s for s in _TRIGGERS if s in seen)
        else:
            triggers = None
        md = self._by_triggers.get(triggers)
        if md is None:
            left_out = frozenset((registry, name) for registry, needs in _NEEDS.items()
                                 for name, strings in needs.items()
                                 if triggers is not None and triggers.isdisjoint(strings))
            md = self._by_left_out.get(left_out)
            if md is None:
                md = self._by_left_out[left_out] = self._configured(left_out)
            self._by_triggers[triggers] = md
        return md

    def _configured(self, left_out: frozenset[tuple[str, str]]) -> markdown.Markdown:
        from statusdocs.pages.prose_markdown import configured

        return configured(lambda: self._linkable, left_out)


@functools.cache
def _fast_paragraph() -> Callable[[str, Callable[[str], str]], str | None] | None:
    """prose_fast's writer of one-line paragraphs, if it is on: imported with Python-Markdown (it checks the
    release), once a text must be rendered."""
    from statusdocs.pages import prose_fast

    return prose_fast.paragraph if prose_fast.ENABLED else None


# A one-line text that starts a block of no other kind than a paragraph (no indent; no header, quote, list, rule,
# setext underline, fence or reference definition can start with another character) ...
_BLOCK_START = re.compile(r"[\s#>+*=_~`\[-]|\d+[.)]")
# ... and has no character that starts an inline pattern (code, escape, emphasis, link, image, reference,
# autolink, entity; raw HTML is off) or that the serializer escapes (`&<>`).
_INLINE_SYNTAX = re.compile(r"[`\\*_\[<>&]")


def _plain_paragraph(text: str, codes: set[int]) -> str | None:
    """What Python-Markdown makes of a text without Markdown syntax: one line (and any newlines after it: they
    only make empty blocks) of printable characters (so no tab, CR, STX or ETX for the preprocessors to change,
    no line break, table row or underline), no space at either end (nothing for the paragraph to strip, no code
    block), starting as no block but a paragraph does and with no inline syntax, is one <p> of that line as it
    is, with its codes linked as _Sanitize links them. None for any other text."""
    body = text.rstrip("\n")
    if not body or not body.isprintable() or body[-1] == " " or _BLOCK_START.match(body) \
            or _INLINE_SYNTAX.search(body):
        return None
    return f"<p>{_linked(body, codes)}</p>"


def _has_code_digits(text: str) -> bool:
    """_CODE_DIGITS.search(text), with the regex only run on a text that has one of its first digits (most prose
    has none): five `in` tests run in C without the regex engine's steps."""
    return ("1" in text or "2" in text or "3" in text or "4" in text or "5" in text) and \
        _CODE_DIGITS.search(text) is not None


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
    """A text without `&<>` as the serializer writes it after _Sanitize._split: its codes linked."""
    pieces = _CODE.split(text) if codes and _has_code_digits(text) else [text]
    if len(pieces) == 1 or not any(int(p) in codes for p in pieces[1::2]):
        return text
    out = [pieces[0]]
    for i in range(1, len(pieces), 2):
        code = pieces[i]
        out.append(_CODE_LINK.format(code) if int(code) in codes else code)
        out.append(pieces[i + 1])
    return "".join(out)


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

