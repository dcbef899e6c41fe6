"""Markdown that renders other than its writer meant, silently: Python-Markdown's rules, not CommonMark's.

M001: a list right under a paragraph line stays part of the paragraph (Python-Markdown needs a blank line).
M002: a list item indented by fewer than four spaces under another is not nested in it.
M003: a link to a site path that is no page of the site (on a project site it resolves under the base path).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from statusdocs.checks.cells import Cell
from statusdocs.checks.registry import Run, rule
from statusdocs.content.model import Content
from statusdocs.diagnostics import Diagnostic

LIST_ITEM = re.compile(r"( *)(?:[-*+]|\d{1,9}[.)]) +\S")
# A line of a text that LIST_ITEM matches: a text without one has no list, so no pitfall (one search in C instead
# of a loop over the lines in Python).
_ANY_ITEM = re.compile("^" + LIST_ITEM.pattern, re.M)
FENCE = re.compile(r" {0,3}(```|~~~)")
# A Markdown link or image target written as a site path: `/x`, `../x`, `./x` (the renderer reads them from the
# site root, see pages/prose.py). `/\\host` and `/&#47;host` are no site paths: browsers read them as another host,
# and the renderer drops them.
SITE_LINK = re.compile(r"\]\(\s*<?((?:/(?![/\\&])|\.\./|\./)[^)\s>\\]*)(?=[)\s>])")
CODE_PAGE = re.compile(r"\d{3}/?")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines of a text outside fenced code blocks, numbered from 0."""
    fenced = False
    for i, line in enumerate(text.split("\n")):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield i, line


def _list_pitfall(text: str) -> tuple[str, int] | None:
    """("M001" or "M002", the line) of the first list that Python-Markdown will not render as written."""
    previous = ""
    in_list = False
    for i, line in _lines(text):
        item = LIST_ITEM.match(line)
        if item:
            indent = len(item.group(1))
            if not in_list and previous.strip() and indent < 4:
                return "M001", i
            if in_list and 0 < indent < 4:
                return "M002", i
            in_list = in_list or indent < 4
        elif not line.strip():
            pass
        elif not line.startswith((" ", "\t")):
            in_list = False  # a paragraph line: a list after it needs a blank line again
        previous = line if not item else ""
        if item:
            previous = ""
    return None


@rule("M001", "list-needs-blank-line", "A list written right under a paragraph line, with no blank line between: "
      "Python-Markdown keeps it in the paragraph, so the items run together in one line.",
      "code: 413\nwhen_to_use: |\n  Refuse the upload with it in these cases:\n  - the file is over the configured "
      "maximum size\n  - the server cannot stage a body of that length",
      "code: 413\nwhen_to_use: |\n  Refuse the upload with it in these cases:\n\n  - the file is over the configured "
      "maximum size\n  - the server cannot stage a body of that length", scope="file", reads="every prose cell")
def list_needs_blank_line(run: Run) -> Iterator[Diagnostic]:
    yield from _list_rule(run, "M001", "starts a list with no blank line before it: it renders as "
                          "part of the paragraph above", "put a blank line before the list")


@rule("M002", "nested-list-indent", "A list item indented by one to three spaces under another: Python-Markdown "
      "nests only at four spaces, so it renders as a sibling, not a sub-item.",
      "code: 412\nclient_behavior: |\n  Clients react in two ways:\n\n  - editors fetch the resource again\n    - and "
      "show the user what changed since their copy\n  - sync tools merge and resend with the new ETag",
      "code: 412\nclient_behavior: |\n  Clients react in two ways:\n\n  - editors fetch the resource again\n\n"
      "      - and show the user what changed since their copy\n\n  - sync tools merge and resend with the new ETag",
      scope="file", reads="every prose cell")
def nested_list_indent(run: Run) -> Iterator[Diagnostic]:
    yield from _list_rule(run, "M002", "indents a list item by fewer than four spaces: it is not nested",
                          "indent nested items by four spaces")


def _list_rule(run: Run, rule_id: str, message: str, hint: str) -> Iterator[Diagnostic]:
    for cell in run.cells:
        if "\n" not in cell.text or _ANY_ITEM.search(cell.text) is None:
            continue
        found = _list_pitfall(cell.text)
        if found is not None and found[0] == rule_id:
            yield cell.diag(rule_id, f"{cell.field} line {found[1] + 1} {message}", hint=hint)


def site_paths(content: Content, compared: Iterable[str] | None = None) -> set[str]:
    """The pages a prose link may name by a site path, as paths below the root without a trailing slash.
    `compared`: the slugs of the site's comparisons (default: the content's)."""
    paths = {"", "compare", "guide"}
    paths |= {str(code) for code in content.entries}
    paths |= {f"{code // 100}xx" for code in content.entries}
    paths |= {f"compare/{slug}" for slug in (content.comparisons if compared is None else compared)}
    paths |= set(content.pages)
    return paths


def _target_path(target: str) -> str:
    path = target.split("#", 1)[0].split("?", 1)[0]
    while path.startswith(("../", "./", "/")):
        path = path[3:] if path.startswith("../") else path[2:] if path.startswith("./") else path[1:]
    return path.rstrip("/")


@rule("M003", "link-leaves-site", "A link to a site path (`/x/`, `../x/`) that is no page of this site. Site paths "
      "are read from the site root, so on a project site (`https://user.github.io/repo/`) `/docs/` becomes "
      "`/repo/docs/`: link to a full URL for anything outside the site.",
      "code: 412\nclient_behavior: Fetch the resource again, reapply the edit and resend it with the new ETag, as [our "
      "client guide](/docs/retries/) shows.", "code: 412\nclient_behavior: Fetch the resource again, reapply the edit "
      "and resend it with the new ETag, as [our client guide](https://example.com/docs/retries/) shows.",
      scope="file", reads="every prose cell; the site's pages")
def link_leaves_site(run: Run) -> Iterator[Diagnostic]:
    for cell in run.cells:
        if "](" not in cell.text:
            continue
        for m in SITE_LINK.finditer(cell.text):
            path = _target_path(m.group(1))
            if CODE_PAGE.fullmatch(path + "/") or path.startswith(("static/", "api/", "schema/")):
                continue  # code pages are C011's; files of the theme and the data exist in every site
            # Made once per run, and only when a cell links a site path (a run may check a few files).
            if path not in run.derived("site_paths", lambda: site_paths(run.content, run.compared)):
                yield _link_diag(cell, m.group(1))
                break


def _link_diag(cell: Cell, target: str) -> Diagnostic:
    return cell.diag("M003", f"{cell.field} links to {target}, which is no page of this site",
                     hint="link to a page of the site, or to a full https:// URL")
