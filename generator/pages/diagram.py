"""Decision trees drawn as inline SVG at build time: no JavaScript, no external files.

The layout is an outline, not a fanned-out tree: each question is a box, and its two answers hang
below it, indented, on elbow connectors labelled Yes and No. Width grows only with depth, so a
diagram stays narrow enough for a phone. Colours come from the page's CSS variables (classes `dg-*`),
so light and dark mode and print follow the stylesheet.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from statusdocs.content.model import Decision

# Drawn at most as wide as a phone's column (390 px less the page's margins), so it is never scaled down there and
# its 14px text stays 14px; on wider screens it keeps this width.
WIDTH = 340        # viewBox width
INDENT = 52        # from a box's left edge to its answers' left edge
TRUNK = 14         # x offset of the vertical connector inside the parent box
PAD = 10
LINE = 18          # line height for 14px text
CHAR = 7.4         # average advance of a 14px sans-serif character, for wrapping questions
NARROW, WIDE = set("iljtfr.,:;'|!() "), set("MWmw@%")


def text_width(text: str, bold: bool) -> float:
    """A generous estimate of rendered width at 14px (no font metrics at build time): wide sans fonts
    such as DejaVu must still fit inside the box."""
    em = sum(0.36 if c in NARROW else 0.95 if c in WIDE else 0.74 if c.isupper() or c.isdigit() else 0.62
             for c in text)
    return em * 14 * (1.1 if bold else 1.0)
GAP = 12


def wrap(text: str, width: int) -> list[str]:
    """textwrap.wrap(text, width, break_on_hyphens=False), with its greedy loop written out for the usual text:
    words between single spaces, none longer than a line (then each line takes words while they fit with one
    space before each, as textwrap's chunk loop does). Anything else goes to textwrap itself."""
    words = text.split(" ")
    if not text or " ".join(text.split()) != text or max(map(len, words)) > width:
        return textwrap.wrap(text, width, break_on_hyphens=False)
    lines = []
    line = words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines


@functools.lru_cache(maxsize=4096)
def _layout(text: str, css: str, max_w: float) -> tuple[tuple[str, ...], str, int]:
    """A box's lines (escaped), width (as written) and height. Answers repeat across diagrams (the same few
    codes), so they are wrapped and measured once."""
    bold = css != "dg-q"
    chars = max(12, int((max_w - 2 * PAD) / (CHAR * (1.1 if bold else 1.0))))
    lines = tuple(wrap(text, chars)) or ("",)
    w = max_w if not bold else min(max_w, max(text_width(s, True) for s in lines) + 2 * PAD)
    return tuple(escape(s) for s in lines), f"{w:g}", 2 * PAD + LINE * len(lines) - 4


@dataclass
class _Canvas:
    """Draws a decision; coordinates are whole numbers except a box's width (written by _layout), written
    with the format "g" as always. _WholeCanvas draws the same where fewer formats do."""

    parts: list[str]
    labels: Callable[[int], str]
    href: Callable[[int], str | None] = lambda code: None  # where an answer links (a code's page), if anywhere

    def box(self, x: int, y: int, text: str, css: str) -> int:
        """A rounded box with wrapped text; returns its height."""
        lines, w, h = _layout(text, css, WIDTH - x - 1)
        tx, ty = x + PAD, y + PAD + 13
        self.parts.append(f'<rect class="{css}" x="{x:g}" y="{y:g}" width="{w}" height="{h:g}" rx="8"/>')
        spans = "".join(f'<tspan x="{tx:g}" y="{ty + i * LINE:g}">{s}</tspan>' for i, s in enumerate(lines))
        self.parts.append(f'<text class="{css}-t">{spans}</text>')
        return h

    def edge(self, trunk: int, top: int, mid: int, child_x: int, answer: str) -> None:
        """The elbow connector from a question's trunk to an answer, and its label."""
        self.parts.append(f'<path class="dg-edge" d="M{trunk:g} {top:g}V{mid:g}H{child_x - 2:g}"/>')
        self.parts.append(f'<text class="dg-label" x="{trunk + 8:g}" y="{mid - 5:g}">{answer}</text>')

    def node(self, branch: Decision | int | str, x: int, y: int) -> int:
        """Draw a question (with its answers) or an answer at (x, y); returns the height used."""
        if not isinstance(branch, Decision):
            if not isinstance(branch, int):
                return self.box(x, y, str(branch), "dg-leaf")
            link = self.href(branch)
            if link is None:
                return self.box(x, y, self.labels(branch), "dg-leaf")
            # The root mark is written as it is (render replaces it); a quote could only come from a caller's URL.
            self.parts.append(f'<a class="dg-link" href="{link.replace(chr(34), "&quot;")}">')
            h = self.box(x, y, self.labels(branch), "dg-leaf")
            self.parts.append("</a>")
            return h
        h = self.box(x, y, branch.question.replace("`", ""), "dg-q")
        top, cursor, trunk = y + h, y + h + GAP, x + TRUNK
        for child, answer in ((branch.yes, "Yes"), (branch.no, "No")):
            child_x = x + INDENT
            # The connector meets the child's first line, whatever the child's height.
            mid = cursor + PAD + 9
            used = self.node(child, child_x, cursor)
            self.edge(trunk, top, mid, child_x, answer)
            cursor += used + GAP
        return cursor - GAP - y


class _WholeCanvas(_Canvas):
    """_Canvas for a diagram whose coordinates are all below 10**6, where "g" writes a whole number as str()
    does: each box's markup is made once per text and column as a %-format of its y coordinates (_box_form),
    which is much quicker than formatting it in full every time."""

    def box(self, x: int, y: int, text: str, css: str) -> int:
        form, h, lines = _box_form(text, css, x)
        ty = y + PAD + 13
        self.parts.append(form % ((y, ty) if lines == 1 else (y, *range(ty, ty + lines * LINE, LINE))))
        return h

    def edge(self, trunk: int, top: int, mid: int, child_x: int, answer: str) -> None:
        self.parts.append(f'<path class="dg-edge" d="M{trunk} {top}V{mid}H{child_x - 2}"/>'
                          f'<text class="dg-label" x="{trunk + 8}" y="{mid - 5}">{answer}</text>')


@functools.lru_cache(maxsize=4096)
def _box_form(text: str, css: str, x: int) -> tuple[str, int, int]:
    """What _Canvas.box writes for a box at column x, with %d for its y and each line's; its height; its lines."""
    lines, w, h = _layout(text, css, WIDTH - x - 1)
    tx = x + PAD
    spans = "".join(f'<tspan x="{tx}" y="%d">{s.replace("%", "%%")}</tspan>' for s in lines)
    form = f'<rect class="{css}" x="{x}" y="%d" width="{w}" height="{h}" rx="8"/><text class="{css}-t">{spans}</text>'
    return form, h, len(lines)


def flatten(node: Decision | int | str, labels: Callable[[int], str], nested: bool = False) -> str:
    """The decision as one line of text, for the SVG's accessible name."""
    if not isinstance(node, Decision):
        return labels(node) if isinstance(node, int) else str(node)
    text = (f"{node.question.replace('`', '')} Yes: {flatten(node.yes, labels, True)}; "
            f"no: {flatten(node.no, labels, True)}")
    return f"({text})" if nested else text


def decision_svg(decision: Decision, labels: Callable[[int], str], ident: str,
                 href: Callable[[int], str | None] | None = None) -> str:
    """The whole diagram as an `<svg>` element; `ident` makes its ids unique within the page. With `href`, each
    answer for which it gives a URL links there (the diagram is then a group of links, not one image)."""
    where = href or (lambda code: None)
    canvas: _Canvas = _WholeCanvas([], labels, where)
    height = canvas.node(decision, 1, 1) + 2
    if height >= 1_000_000:  # every coordinate is at most the height or WIDTH: below this, str() writes as "g"
        canvas = _Canvas([], labels, where)
        height = canvas.node(decision, 1, 1) + 2
    title = escape(flatten(decision, labels))
    role = "group" if href else "img"
    return (f'<svg class="decision-diagram" viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" height="{height:g}" '
            f'role="{role}" aria-labelledby="{ident}-title" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{ident}-title">{title}</title>' + "".join(canvas.parts) + "</svg>")
