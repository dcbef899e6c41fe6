"""An accelerator for highlight: the HTML Pygments writes for an HTTP message of headers and a JSON body (or no
body), and for a JSON text, written directly.

Pygments spends most of an example's highlighting on its generic machinery (a regex lexer's state loop, a generator
per token, a lexer looked up by MIME type for each body, the formatter's per-token work); the examples are a handful
of lines each, and a build highlights tens of thousands of them. This module writes the same HTML in a fraction of
that. It calls no Pygments code: the lexing below follows HttpLexer's rules (its regexes, copied) and JsonLexer's
character classes, and the HTML follows HtmlFormatter's `_format_lines` with `nowrap` (token classes as short names,
adjacent tokens of one class in one span, a span closed at each line's end), in the releases CHECKED_RELEASES names.
On any other release ENABLED is False and highlight uses Pygments for everything.

`http_message` and `json_text` answer only for a text they can prove the token classes of (a start line, header
lines, a blank line and a body that is JSON of strings, numbers, constants and punctuation, or no Content-Type),
and return None for any other: the caller then highlights it with Pygments. tests/test_highlight.py compares both
with Pygments on every example of the bundled content, the 5,000-page corpus's and generated messages.
"""

from __future__ import annotations

import re

import pygments

# The Pygments releases (major, minor) this module was checked against.
CHECKED_RELEASES = {(2, 21)}
ENABLED = tuple(int(p) if p.isdigit() else -1 for p in pygments.__version__.split(".")[:2]) in CHECKED_RELEASES

Tokens = list[tuple[str, str]]  # (CSS class, "" for none; text)

# HttpLexer's rules (flags: DOTALL), by state. The start line: a request line or a status line.
_REQUEST = re.compile(r'([a-zA-Z][-_a-zA-Z]+)( +)([^ ]+)( +)(HTTP)(/)(1\.[01]|2(?:\.0)?|3)(\r?\n|\Z)', re.S)
_STATUS = re.compile(r'(HTTP)(/)(1\.[01]|2(?:\.0)?|3)( +)(\d{3})(?:( +)([^\r\n]*))?(\r?\n|\Z)', re.S)
# Headers: a field, a continuation line, or the blank line before the body.
_HEADER = re.compile(r'([^\s:]+)( *)(:)( *)([^\r\n]*)(\r?\n|\Z)', re.S)
_CONTINUATION = re.compile(r'([\t ]+)([^\r\n]+)(\r?\n|\Z)', re.S)

# The MIME type whose body is lexed as JSON: a built-in lexer's (JsonLexer), found before any plugin's. Any other
# type (one Pygments may find among plugins, or another language) is left to Pygments.
_JSON_TYPE = "application/json"

# JsonLexer's tokens, by the character classes it reads them with: a string (an escape takes the next character; a
# \u four hex digits, else JsonLexer reads on differently: no match here), whitespace, punctuation (a colon starts a
# run but does not continue one), a number (an integer unless it has one of `.eE+`), a constant. Anything else (a
# comment, an error) is no match.
_JSON_TOKEN = re.compile(r'("(?:[^"\\]|\\[^u]|\\u[0-9a-fA-F]{4})*")|([ \n\r\t]+)|([{}\[\],:][{}\[\],]*)'
                         r'|([-0-9][-0-9.eE+]*)|([fnt][aeflnrstu]*)', re.S)
_FLOAT_CHARS = re.compile(r"[.eE+]")


def http_message(text: str) -> str | None:
    """`highlight(text, HttpLexer(), HtmlFormatter(nowrap=True))`, or None for a message this module leaves to
    Pygments."""
    text = _prepared(text)
    out: list[str] = []
    m = _REQUEST.match(text)
    if m is not None:
        method, sp1, target, sp2, _, _, version, _ = m.groups()
        if "\n" in target:  # a request target across lines: left to Pygments
            return None
        out.append(f'<span class="nf">{method}</span>{sp1}<span class="nn">{_escape(target)}</span>{sp2}'
                   f'<span class="kr">HTTP</span><span class="o">/</span><span class="m">{version}</span>\n')
    else:
        m = _STATUS.match(text)
        if m is None:
            return None
        _, _, version, sp1, code, sp2, reason, _ = m.groups()
        out.append(f'<span class="kr">HTTP</span><span class="o">/</span><span class="m">{version}</span>{sp1}'
                   f'<span class="m">{code}</span>{sp2 or ""}')
        out.append(f'<span class="ne">{_escape(reason)}</span>\n' if reason else "\n")
    # Every line ends with its newline (the text ends with one, and no group before it holds one): each line's
    # HTML is its own, every span closed before its newline.
    pos, end = m.end(), len(text)
    content_type = None
    while pos < end:
        m = _HEADER.match(text, pos)
        if m is not None:
            name, sp1, _, sp2, value, _ = m.groups()
            out.append(f'<span class="na">{_escape(name)}</span>{sp1}<span class="o">:</span>{sp2}'
                       + (f'<span class="l">{_escape(value)}</span>\n' if value else "\n"))
            if name.lower() == "content-type":
                content_type = value.strip()
                if ";" in content_type:
                    content_type = content_type[:content_type.find(";")].strip()
        else:
            m = _CONTINUATION.match(text, pos)
            if m is not None:
                space, value, _ = m.groups()
                out.append(f'{space}<span class="l">{_escape(value)}</span>\n')
            else:
                if text[pos] != "\n":  # no rule matches: Pygments would mark an error, left to it
                    return None
                body = text[pos + 1:]
                out.append("\n")
                if content_type:
                    if content_type != _JSON_TYPE:
                        return None
                    tokens: Tokens = []
                    if not _json_tokens(tokens, body):
                        return None
                    out.append(lines_html(tokens))
                elif body:
                    out.append(_escape(body))  # text of no class, ending with a newline
                break
        pos = m.end()
    return "".join(out)


def json_text(code: str) -> str | None:
    """`highlight(code, JsonLexer(stripnl=False, ensurenl=False), HtmlFormatter(nowrap=True))`, or None for a text
    this module leaves to Pygments."""
    tokens: Tokens = []
    return lines_html(tokens) if _json_tokens(tokens, _newlines(code)) else None


def _newlines(text: str) -> str:
    """The text with no byte-order mark and its newlines as `\\n`, as every lexer reads it."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _prepared(text: str) -> str:
    """The text as a lexer with the default options reads it (Lexer.get_tokens): no byte-order mark, newlines as
    `\\n`, no newlines at either end, then one at the end."""
    text = _newlines(text).strip("\n")
    return text if text.endswith("\n") else text + "\n"


def _json_tokens(tokens: Tokens, text: str) -> bool:
    """JsonLexer's tokens of `text` appended to `tokens`; False if the text has one this module does not read.
    A string is a key (`nt`) when, past any whitespace and strings, a colon follows it; else a string (`s2`)."""
    pos, end = 0, len(text)
    pending: list[int] = []  # the strings (their places in tokens) no punctuation, number or constant followed yet
    match = _JSON_TOKEN.match
    while pos < end:
        # Matched where the last token ended, never searched for: a search past an unclosed string would try the
        # string again from each later quote (time quadratic in the text's length).
        m = match(text, pos)
        if m is None:
            return False
        pos = m.end()
        value = m.group()
        kind = m.lastindex
        if kind == 2:
            tokens.append(("w", value))
            continue
        if kind == 1:
            pending.append(len(tokens))
            tokens.append(("s2", value))
            continue
        if pending:
            if kind == 3 and value[0] == ":":
                for i in pending:
                    tokens[i] = ("nt", tokens[i][1])
            pending.clear()
        if kind == 3:
            tokens.append(("p", value))
        elif kind == 4:
            tokens.append(("mf" if _FLOAT_CHARS.search(value) else "mi", value))
        else:
            tokens.append(("kc", value))
    return True


def _escape(text: str) -> str:
    """As HtmlFormatter escapes a token's text (quotes as they are)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def lines_html(tokens: Tokens) -> str:
    """What HtmlFormatter(nowrap=True) writes for tokens of these classes: the text of each run of adjacent tokens
    of one class, escaped, each line of it (a line break ends every span) in a span of that class unless empty;
    and a line break after the last line if it has text. (`_format_lines` writes line by line; a run's span stays
    open across its tokens, and is closed and opened again around each line break.)"""
    out: list[str] = []
    cls, run = "", ""
    for token_cls, value in tokens:
        if not value:  # no text: the run goes on past it
            continue
        if token_cls == cls:
            run += value
            continue
        if run:
            out.append(_run_html(cls, run))
        cls, run = token_cls, value
    if run:
        out.append(_run_html(cls, run))
    html = "".join(out)
    return html + "\n" if html and not html.endswith("\n") else html


def _run_html(cls: str, text: str) -> str:
    text = _escape(text)
    if not cls:
        return text
    if "\n" not in text:
        return f'<span class="{cls}">{text}</span>'
    return "\n".join(f'<span class="{cls}">{part}</span>' if part else "" for part in text.split("\n"))
