"""Structure (S) and templates (T): the loader's and the renderer's findings, documented here, and the one
structure rule run over the model, S011 (prose that cannot be rendered in bounded time)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

from statusdocs.checks.registry import Run, document, rule
from statusdocs.diagnostics import Diagnostic, Loc
from statusdocs.pages.prose_limits import too_complex

document("S001", "yaml-syntax", "The file is not readable YAML: a syntax error, tabs for indentation, bad "
         "encoding, an empty file, aliases, tags, or nesting too deep.",
         "code: 412\nname: [Precondition Failed", "code: 412\nname: Precondition Failed")
document("S002", "duplicate-key", "A key appears twice in one mapping; YAML would silently keep the last.",
         "summary: A precondition in the request evaluated to false.\n"
         "summary: The server refused to apply the request.",
         "summary: A precondition in the request evaluated to false.")
document("S003", "unknown-field", "A field the schema does not know, usually a typo.",
         "client_behaviour: ...", "client_behavior: ...")
document("S004", "wrong-type", "A value of the wrong type or outside its allowed values; a status code is "
         "written as three decimal digits (YAML 1.1 reads 0634, 0x19c and 6:52 as 412).",
         "code: \"412\"", "code: 412")
document("S005", "missing-field", "A required field is missing.", "code: 412\nname: Precondition Failed",
         "code: 412\nname: Precondition Failed\nofficial: true\nsummary: ...")
document("S006", "file-name", "The file name must equal the entry's code (or `<a>-vs-<b>` for comparisons).",
         "content/codes/413.yaml containing code: 412", "content/codes/412.yaml containing code: 412")
document("S007", "duplicate-entry", "Two files define the same code or comparison.",
         "412.yaml and 412.yml", "412.yaml")
document("S008", "unknown-code", "A comparison names a code that has no entry.",
         "codes: [409, 999]", "codes: [409, 412]")
document("S009", "unreadable-file", "A content file or folder cannot be read: permissions, a file where codes/, "
         "comparisons/ or pages/ belongs, a broken or looping symlink, or a symlink leading outside the content "
         "folder.", "codes/412.yaml -> /etc/passwd", "codes/412.yaml")
document("S010", "page-slug", "A page file name must be a URL slug that does not clash with codes or reserved "
         "folders.", "pages/404.md", "pages/about.md")
document("T001", "template-error", "A template cannot be compiled or rendered: a syntax error, an undefined name, "
         "text that is not UTF-8, an exception raised at its line ({{ 1/0 }}), or templates that include, extend "
         "or call themselves without end.", "{{ entry.nmae }}", "{{ entry.name }}")
document("T002", "template-file", "A file under the templates folder (a template or a static file) is not read: a "
         "symlink that is broken or leads outside the folder, a symlinked folder under static/, or not a plain file "
         "(a named pipe, a socket, a device).", "templates/static/site.css -> /etc/passwd", "templates/static/site.css")


@rule("S011", "prose-too-complex", "A Markdown text so long and dense in markup, so full of unclosed brackets or "
      "so deeply nested that rendering it would take too long (or exhaust Markdown's recursion). Until it is split "
      "or simplified it is shown as plain text.",
      "definition: \"![![![![![ ... (a thousand unclosed brackets)\"",
      "definition: The origin server has no current representation; see [410](../410/).",
      scope="file", reads="every prose cell, the guide's intro, pages' bodies, the site's class descriptions")
def prose_too_complex(run: Run) -> Iterator[Diagnostic]:
    content = run.content
    hint = "split the text, or close or escape (\\[) the brackets it leaves open"
    for cell in run.cells:  # the location only for a finding: a large site has very many cells, few of them bad
        why = too_complex(cell.text)
        if why is not None:
            yield cell.diag("S011", f"{cell.field} cannot be rendered in bounded time: {why}", hint)
    others: list[tuple[str, Callable[[], Loc], str]] = []
    if content.guide is not None and run.mine(content.guide.source):
        guide = content.guide
        others.append((guide.intro, lambda: guide.loc("intro"), "intro"))
    for page in (p for p in content.pages.values() if run.mine(p.source)):
        others.append((page.body, functools.partial(Loc, page.source, page.body_line, 1), "body"))
    for klass, info in content.site.classes.items() if run.mine(content.site.source) else ():
        field = f"classes.{klass}.description"
        others.append((info.description, functools.partial(content.site.loc, field), field))
    for text, loc, field in others:
        why = too_complex(text)
        if why is not None:
            yield Diagnostic("S011", "error", loc(), f"{field} cannot be rendered in bounded time: {why}", hint,
                             field=field)
