"""Which prose texts Python-Markdown could not render in bounded time (rule S011, and the renderer, which shows
such a text as plain paragraphs). A module of its own, so that the check reads these bounds without importing
Python-Markdown and Pygments.
"""

from __future__ import annotations

import re

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
