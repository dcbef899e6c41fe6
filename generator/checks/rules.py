"""Rules over the model. Ids are stable: S (schema, from the loader), C (contradiction), V (vague), F (facts)."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic
from ..model import Content
from .registry import document, rule

document("S001", "yaml-syntax", "The file is not readable YAML: a syntax error, tabs for indentation, bad "
         "encoding, an empty file, aliases, tags, or nesting too deep.",
         "code: 412\nname: [Precondition Failed", "code: 412\nname: Precondition Failed")
document("S002", "duplicate-key", "A key appears twice in one mapping; YAML would silently keep the last.",
         "summary: A\nsummary: B", "summary: A")
document("S003", "unknown-field", "A field the schema does not know, usually a typo.",
         "client_behaviour: ...", "client_behavior: ...")
document("S004", "wrong-type", "A value of the wrong type or outside its allowed values.",
         "code: \"412\"", "code: 412")
document("S005", "missing-field", "A required field is missing.", "code: 412\nname: Precondition Failed",
         "code: 412\nname: Precondition Failed\nofficial: true\nsummary: ...")
document("S006", "file-name", "The file name must equal the entry's code (or `<a>-vs-<b>` for comparisons).",
         "content/codes/413.yaml containing code: 412", "content/codes/412.yaml containing code: 412")
document("S007", "duplicate-entry", "Two files define the same code or comparison.",
         "412.yaml and 412.yml", "412.yaml")
document("S008", "unknown-code", "A comparison names a code that has no entry.",
         "codes: [409, 999]", "codes: [409, 412]")
document("S009", "unreadable-file", "A content file cannot be read: permissions, a broken or looping symlink, "
         "or a symlink leading outside the content folder.", "codes/412.yaml -> /etc/passwd", "codes/412.yaml")
document("S010", "page-slug", "A page file name must be a URL slug that does not clash with codes or reserved "
         "folders.", "pages/404.md", "pages/about.md")
document("T001", "template-error", "A template cannot be compiled or rendered (syntax error, undefined name).",
         "{{ entry.nmae }}", "{{ entry.name }}")


@rule("C010", "dangling-related", "A related code has no entry, so its link would lead nowhere.",
      "related: [409, 999]", "related: [409, 428]")
def dangling_related(content: Content) -> Iterator[Diagnostic]:
    for entry in content.entries.values():
        for i, code in enumerate(entry.related):
            field = f"related[{i}]"
            if code == entry.code:
                yield Diagnostic("C010", "error", entry.loc(field), f"related lists the entry's own code {code}",
                                 field=field, codes=(entry.code,))
            elif code not in content.entries and code not in content.unloadable:
                yield Diagnostic("C010", "error", entry.loc(field), f"related code {code} has no entry",
                                 hint=f"add content/codes/{code}.yaml or remove it", field=field,
                                 codes=(entry.code,))
