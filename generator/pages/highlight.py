"""HTTP examples for the page: a JSON body pretty-printed, the whole message highlighted at build time by Pygments;
and fenced code in prose with a language Pygments knows (```json, ```http) highlighted the same way (fenced_block).

Only whitespace changes in a body (a body that would change otherwise, such as one with a duplicate key or a
number JSON would write differently, stays as written), so the copy button copies what the entry says. Token
classes are Pygments' short names (`na`, `s2`...); the theme's stylesheet colours them for light and dark.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from html import unescape as html_unescape
from typing import Any

from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import HttpLexer, find_lexer_class, get_all_lexers, get_lexer_by_name
from pygments.token import Text
from pygments.util import ClassNotFound

from statusdocs.pages import highlight_fast

_JSON_TYPE = re.compile(r"^content-type:[ \t]*application/(?:[\w.-]+\+)?json\b", re.I | re.M)
# Whitespace outside JSON strings is what a pretty-printed body may differ from its original by, and nothing else:
# the text without it is its strings and the runs of other characters between them (a lone quote kept as it is).
_NOT_WHITESPACE = re.compile(r'"(?:\\.|[^"\\])*"|[^\s"]+|"')


def _squeezed(text: str) -> str:
    return "".join(_NOT_WHITESPACE.findall(text))


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def pretty_body(message: str) -> str:
    """An HTTP message with a one-line JSON body indented by two spaces; any other message as it is."""
    head, sep, body = message.partition("\n\n")
    if not sep or not body.strip() or not _JSON_TYPE.search(head) or "\n" in body.strip():
        return message
    try:
        data = json.loads(body, object_pairs_hook=_no_duplicates)
    except ValueError:
        return message
    # 1e3, 1.50, \u escapes: anything but whitespace would change. The pretty-printed text squeezed is the
    # compact one: they differ only in the whitespace json.dumps puts between tokens.
    compact = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if compact != _squeezed(body):
        return message
    return head + sep + indented(compact)


# A compact JSON text's tokens: strings, empty containers, punctuation, and the scalars between them.
_JSON_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\{\}|\[\]|[{}\[\],:]|[^"{}\[\],:]+')


def indented(compact: str) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False)` of the data whose compact text (separators `,` and `:`,
    no whitespace outside strings) is `compact`: the same tokens, with the whitespace json.dumps puts between
    them. Not json.dumps itself: with an indent it runs its encoder in Python, as closures that refer to one
    another, a reference cycle per call that only the cyclic garbage collector frees (off in `statusdocs build`:
    one per JSON body of every page would stay until the build ends)."""
    out: list[str] = []
    level = 0
    for token in _JSON_TOKEN.findall(compact):
        if token == "{" or token == "[":
            level += 1
            out.append(token + "\n" + "  " * level)
        elif token == "}" or token == "]":
            level -= 1
            out.append("\n" + "  " * level + token)
        elif token == ",":
            out.append(",\n" + "  " * level)
        elif token == ":":
            out.append(": ")
        else:
            out.append(token)
    return "".join(out)


@functools.cache
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(nowrap=True)


@functools.cache
def _builtin_mimetypes() -> dict[str, str]:
    """Each mimetype of Pygments' built-in lexers, to the name of the first lexer that has it (the one
    `get_lexer_for_mimetype` returns)."""
    names: dict[str, str] = {}
    for name, _, _, mimetypes in get_all_lexers(plugins=False):
        for mimetype in mimetypes:
            names.setdefault(mimetype, name)
    return names


def _body_lexer(content_type: str) -> Lexer | None:
    """The lexer of a body of this type, as Pygments' HttpLexer finds it (the type, then `type/suffix` for a
    `type/x+suffix`), among Pygments' built-in lexers only."""
    candidates = [content_type]
    if "+" in content_type:
        candidates.append(re.sub(r"^(.*)/.*\+(.*)$", r"\1/\2", content_type))
    for mimetype in candidates:
        name = _builtin_mimetypes().get(mimetype)
        found = find_lexer_class(name) if name is not None else None  # a built-in name: found before any plugin
        if found is not None:
            return found()
    return None


class _HttpMessageLexer(HttpLexer):
    """Pygments' HttpLexer, whose body lexer is one of Pygments' built-in lexers. HttpLexer looks the body's type
    up with `get_lexer_for_mimetype`, which, for a type no built-in lexer has (application/problem+json), asks
    every installed plugin: that imports the packages that offer one (IPython's lexers, among others), and what a
    page shows would depend on what else is installed. A lexer's states are its `tokens`; this one replaces the
    body's state only (Pygments merges a subclass's states with its base's)."""

    def body_callback(self, match: re.Match[str]) -> Iterator[tuple[int, Any, str]]:
        content_type = getattr(self, "content_type", None)  # the message's, set by HttpLexer's header callback
        content, offset = match.group(), match.start()
        lexer = _body_lexer(content_type) if content_type else None
        if lexer is None:
            yield offset, Text, content
            return
        for index, token, value in lexer.get_tokens_unprocessed(content):
            yield offset + index, token, value

    tokens = {"content": [(r".+", body_callback)]}


@functools.cache
def _http_lexer() -> HttpLexer:
    """One lexer for every message: it keeps no state between texts (each starts its own)."""
    return _HttpMessageLexer()


# A request line (any method: WebDAV's PROPFIND, RFC 2324's BREW) or a status line.
_START_LINE = re.compile(r"^(?:[A-Za-z][A-Za-z_-]* \S+ HTTP/\d(?:\.\d)?|HTTP/\d(?:\.\d)? \d{3}\b)")


def http_html(message: str) -> Markup:
    """The message, its JSON body pretty-printed, as highlighted HTML for the inside of `<pre><code>`. A text that
    is no HTTP message (an access log line, "(connection closed, no response)") is shown as it is."""
    if not _START_LINE.match(message):
        return escape(message)
    text = pretty_body(message)
    # Pygments escapes every character it writes (<, >, &, quotes): the result is safe to insert. So does the
    # accelerator, which writes what Pygments would for the messages it answers for.
    html = highlight_fast.http_message(text) if highlight_fast.ENABLED else None
    if html is None:
        html = highlight(text, _http_lexer(), _formatter())
    return Markup(html.rstrip("\n"))  # noqa: S704


@functools.cache
def _builtin_aliases() -> frozenset[str]:
    return frozenset(a for _, aliases, _, _ in get_all_lexers(plugins=False) for a in aliases)


@functools.cache
def _fence_lexer(language: str) -> Lexer | None:
    """Pygments' own lexer for a fence's language, reading the code exactly as written (no newline stripped or
    added), or None for a language it does not know. Only Pygments' built-in lexers: looking a name up among
    plugins imports every installed package that offers one (IPython's, among others), for any unknown name."""
    if language.lower() not in _builtin_aliases():
        return None
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def fenced_block(language: str, code: str) -> str | None:
    """A fenced code block of prose (`code` as written, its lines' newlines kept) in a language Pygments knows, as
    highlighted HTML with the examples' wrapper and classes (the stylesheet colours it, site.js puts the copy
    button in its corner); None for a language Pygments does not know, which stays as fenced_code writes it."""
    lexer = _fence_lexer(language) if language else None
    if lexer is None:
        return None
    # Pygments escapes every character it writes (and so does the accelerator): the result is safe to insert.
    body = highlight_fast.json_text(code) if language == "json" and highlight_fast.ENABLED else None
    if body is None:
        body = highlight(code, lexer, _formatter())
    return (f'<div class="codeblock highlight"><pre tabindex="0"><code class="language-{escape(language)}">'
            f"{body}</code></pre></div>")


# A fenced block as Python-Markdown's fenced_code writes it with a language and no other attribute; raw HTML is
# escaped in prose, so only fenced_code writes one.
_FENCED = re.compile(r'<pre><code class="language-([^"\s]+)">([^<]*)</code></pre>')


def _fenced_sub(m: re.Match[str]) -> str:
    block = fenced_block(html_unescape(m.group(1)), html_unescape(m.group(2)))
    return m.group(0) if block is None else block


def highlight_fences(html: str) -> str:
    """Rendered prose with each fenced block in a language Pygments knows highlighted (fenced_block)."""
    return _FENCED.sub(_fenced_sub, html) if '<pre><code class="' in html else html


# Inline code in rendered prose: `<code>` with text only (a code span); a fenced block's is `<pre><code...>`.
_INLINE_CODE = re.compile(r"(?<!<pre>)<code>([^<]+)</code>")
_BREAK_AFTER = re.compile(r"(?<=[./_=:?&,])(?=.)|(?<=[a-z])(?=[A-Z])")
LONG_TOKEN = 28  # characters: a longer token gets break opportunities, a shorter one never wraps


def _token(token: str) -> str:
    """One whitespace-free piece of a code span, escaped: never broken inside a word. A short one (`If-None-Match`,
    whose hyphens would otherwise be break opportunities) stays on one line; a long one may break after a dot,
    slash or similar and between camel-case humps (`<wbr>`: nothing is added to the copied text)."""
    if len(token) <= LONG_TOKEN:
        text = str(escape(token))
        return f'<span class="nobreak">{text}</span>' if "-" in token else text
    return "<wbr>".join(str(escape(piece)) for piece in _BREAK_AFTER.split(token))


_SPAN_TOKEN = re.compile(r"[^ \t\n]+")


def _span(m: re.Match[str]) -> str:
    text = html_unescape(m.group(1))
    # Whitespace between tokens is kept as written; each token is escaped again by _token.
    if " " in text or "\t" in text or "\n" in text:
        return "<code>" + _SPAN_TOKEN.sub(lambda t: _token(t.group(0)), text) + "</code>"
    return "<code>" + _token(text) + "</code>"  # one token (a span is never empty)


def unbroken_code(html: Markup) -> Markup:
    """Rendered prose with its code spans wrapped only where a reader expects: at spaces, and in long tokens after
    punctuation; never inside `HTTPStatus.CONFLICT` or `If-None-Match` (the stylesheet's code wraps normally)."""
    if "<code>" not in html:
        return html
    return Markup(_INLINE_CODE.sub(_span, html))  # noqa: S704 - every piece of text escaped by _token
