"""An accelerator for prose.Prose: the HTML of a one-line paragraph of text and code spans, written directly.

Most prose cells are one sentence with a few code spans (`` `retry_after` ``). Python-Markdown spends tens of
microseconds of fixed cost on each (preprocessors, block parser, inline processor, serializer); this module writes
the same HTML in a few. It uses no Python-Markdown code at all: the pairing of backticks below is written from the
behaviour of Python-Markdown's backtick pattern in the releases CHECKED_RELEASES names (an opening run of backticks
is closed by the next run of the same length; failing that, by the first of the longest shorter runs after it,
the surplus opening backticks becoming code; failing that, the run is text, and so is as long a stretch after it).
On any other release ENABLED is False and prose.Prose renders every text with Python-Markdown.

`paragraph` answers only for a text it can prove Markdown makes one paragraph of, with no inline syntax but code
spans (or such a paragraph and a fenced code block after it), and returns None for any other: the caller then
converts it with Python-Markdown. tests/test_prose.py
compares the two on every text of the bundled content, on generated texts around the boundaries, and
bench/prose_bench.py on the 5,000-page corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import markdown

from statusdocs.pages.highlight import fenced_block

# The Python-Markdown releases (major, minor) this module was checked against.
CHECKED_RELEASES = {(3, 11)}
ENABLED = tuple(markdown.__version_info__[:2]) in CHECKED_RELEASES

# A line that starts a block of another kind than a paragraph (indent or code block, header, quote, list, rule,
# reference definition, fence) starts with one of these; a single or double backtick starts a paragraph.
_OTHER_BLOCK = re.compile(r"[\s#>+*=_~\[-]|```|\d+[.)]")
_TICKS = re.compile(r"`+")
# Outside code spans: what starts another inline pattern (escape, emphasis, link, image, reference, autolink,
# entity; raw HTML is off) or what the serializer escapes.
_TEXT_SYNTAX = re.compile(r"[\\*_\[<>&]")


def paragraph(text: str, link: Callable[[str], str]) -> str | None:
    """Python-Markdown's HTML for `text` if it is one line (and trailing newlines) of printable characters, with no
    space at its end, starting as only a paragraph does, of plain text and code spans, or such a line, a blank line
    and a fenced code block; None otherwise. `link` is how the sanitizer writes a run of text (status codes
    linked); a code span's text is escaped as Markdown does."""
    if "`" not in text:
        return None
    body = text.rstrip("\n")
    if "\n" in body:
        return _paragraph_and_fence(body, link)
    return _paragraph(body, link)


# A line, a blank line and a fence of backticks with a language of letters (or none) closed at the text's end.
_AND_FENCE = re.compile(r"([^\n]+)\n\n```([a-z]*)\n((?:[^\n]*\n)*?)```")
# A line of code that could close the fence, or that whitespace normalisation changes (a line of spaces).
_CODE_LINE_CHANGED = re.compile(r"^(?:```|~~~| +$)", re.M)


def _paragraph_and_fence(body: str, link: Callable[[str], str]) -> str | None:
    """A one-line paragraph, a blank line and a fenced code block, as Markdown writes them: the paragraph, and the
    block as fenced_code stores it (its code escaped, `"` too) in place of a paragraph of its own, or highlighted
    as prose's postprocessor highlights it (a language Pygments knows)."""
    m = _AND_FENCE.fullmatch(body)
    if m is None:
        return None
    line, lang, code = m.groups()
    if not code.replace("\n", "").isprintable() or _CODE_LINE_CHANGED.search(code):
        return None
    first = _paragraph(line, link)
    if first is None:
        return None
    block = fenced_block(lang, code)
    if block is not None:
        return f"{first}\n{block}"
    attr = f' class="language-{lang}"' if lang else ""
    escaped = _code_html(code).replace('"', "&quot;")
    return f"{first}\n<pre><code{attr}>{escaped}</code></pre>"


def _paragraph(body: str, link: Callable[[str], str]) -> str | None:
    """A one-line paragraph of plain text and code spans, or None."""
    if not body or "\\" in body or body[-1] == " " or not body.isprintable() or _OTHER_BLOCK.match(body):
        return None
    parts = _split(body)
    if parts is None:
        return None
    out = ["<p>"]
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{_code_html(part.strip())}</code>")
        elif part:
            out.append(link(part))
    out.append("</p>")
    return "".join(out)


def _split(body: str) -> list[str] | None:
    """The body as alternating text and code span contents (text first and last), or None if a text part holds
    inline syntax other than code spans."""
    if "``" not in body:
        # Every run is one backtick: each closes the one before it (the next run of its length), and a last one
        # left unclosed is text, as is everything after it. The loop below finds the same parts one by one.
        parts = body.split("`")
        if len(parts) % 2 == 0:
            parts[-2:] = [parts[-2] + "`" + parts[-1]]
    else:
        parts = _runs(body)
    if any(_TEXT_SYNTAX.search(part) for part in parts[::2]):
        return None
    return parts


def _runs(body: str) -> list[str]:
    """The body as alternating text and code span contents (text first and last), run by run of backticks."""
    parts: list[str] = []
    text_start = search = 0
    while True:
        opening = _TICKS.search(body, search)
        if opening is None:
            break
        span = _pair(body, opening.start(), opening.end())
        if span is None:
            # No closing run: the backticks are text, and the search goes on as many characters again after them
            # (Python-Markdown 3.11 skips that far; a backtick within them opens nothing).
            search = opening.end() + (opening.end() - opening.start())
            continue
        content_start, content_end, end = span
        parts.append(body[text_start:opening.start()])
        parts.append(body[content_start:content_end])
        text_start = search = end
    parts.append(body[text_start:])
    return parts


def _pair(body: str, begin: int, start: int) -> tuple[int, int, int] | None:
    """For an opening run of backticks body[begin:start]: where the code's content starts and ends and where the
    closing run ends, or None if no later run closes it."""
    ticks = start - begin
    longest = longest_end = 0
    for run in _TICKS.finditer(body, start):
        length = run.end() - run.start()
        if length == ticks:
            return start, run.start(), run.end()
        if length > longest:
            longest, longest_end = length, run.end()
    if 0 < longest < ticks:
        return begin + longest, longest_end - longest, longest_end
    return None


def _code_html(code: str) -> str:
    """A code span's text as Markdown writes it: `&<>` as references (the serializer leaves those alone)."""
    return code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
