"""Findings and errors, reported the way a compiler does: every one, with file:line:col and a rule id.

What a finding quotes comes from the user's files, and a terminal runs what it is sent: text and github output
escape every control character (C0, DEL, C1) and the bidi overrides and isolates (U+202A-202E, U+2066-2069) in
paths, messages and hints, as `\\x1b`, `\\n` or `\\u202e`; JSON escapes the same ones as `\\u001b`. Text and github
output show at most MAX_PER_FILE findings of one file and say how many more there are (one hostile file made
300,000); JSON, read by programs, has every finding."""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

MAX_PER_FILE = 50  # findings of one file shown in text and github output

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_VISIBLE = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {c: f"\\u{c:04x}" for c in _BIDI} | \
    {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_JSON = {c: f"\\u{c:04x}" for c in (*range(0x7F, 0xA0), *_BIDI)}  # json.dumps escapes C0 itself


def visible(text: str) -> str:
    """`text` with every character that could drive a terminal or reorder the line escaped, `\\x1b`, `\\u202e`."""
    return text.translate(_VISIBLE) if _UNSAFE.search(text) else text


@dataclass(frozen=True, order=True)
class Loc:
    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        parts = [visible(display_path(self.path))]
        if self.line:
            parts.append(str(self.line))
            if self.col:
                parts.append(str(self.col))
        return ":".join(parts)


def display_path(path: str) -> str:
    """Paths relative to the working directory when under it, as editors and CI annotations expect."""
    if not path or not os.path.isabs(path):
        return path
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


@dataclass(frozen=True)
class Diagnostic:
    rule: str
    severity: str  # "error" | "warning"
    loc: Loc
    message: str
    hint: str = ""
    field: str = ""
    codes: tuple[int, ...] = ()

    def sort_key(self) -> tuple:
        return (display_path(self.loc.path), self.loc.line, self.loc.col, self.rule, self.message)

    def text(self) -> str:
        hint = f" [hint: {visible(self.hint)}]" if self.hint else ""
        return f"{self.loc}: {self.severity} {self.rule} {visible(self.message)}{hint}"

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": display_path(self.loc.path),
            "line": self.loc.line,
            "column": self.loc.col,
            "field": self.field,
            "codes": list(self.codes),
            "message": self.message,
            "hint": self.hint,
        }

    def github(self) -> str:
        level = "error" if self.severity == "error" else "warning"
        props = [f"file={_github(display_path(self.loc.path), True)}"]
        if self.loc.line:
            props.append(f"line={self.loc.line}")
        if self.loc.col:
            props.append(f"col={self.loc.col}")
        props.append(f"title={_github(self.rule, True)}")
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"::{level} {','.join(props)}::{_github(self.message + hint)}"


def _github(value: str, prop: bool = False) -> str:
    """A workflow command's value: % CR and LF escaped (none are left after `visible`), and in a property : and ,."""
    value = visible(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


@dataclass
class Report:
    """Collects diagnostics so that a run reports all of them, not just the first."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diag: Diagnostic) -> None:
        self.items.append(diag)

    def error(self, rule: str, loc: Loc, message: str, *, hint: str = "", field: str = "",
              codes: tuple[int, ...] = ()) -> None:
        self.items.append(Diagnostic(rule, "error", loc, message, hint, field, codes))

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=Diagnostic.sort_key)


def format_report(diags: list[Diagnostic], fmt: str) -> str:
    """The findings (sorted, as Report.sorted gives them) in `fmt`: text and github at most MAX_PER_FILE a file."""
    if fmt == "json":
        return json.dumps([d.as_json() for d in diags], indent=2, ensure_ascii=False).translate(_JSON)
    return "\n".join(report_lines(diags, fmt))


def report_lines(diags: Iterable[Diagnostic], fmt: str = "text") -> Iterator[str]:
    """One line a finding in text or github format, at most MAX_PER_FILE for one file, then a note of the rest."""
    for path, group in itertools.groupby(diags, key=lambda d: d.loc.path):
        for n, d in enumerate(group):
            if n < MAX_PER_FILE:
                yield d.github() if fmt == "github" else d.text()
                continue
            rest = 1 + sum(1 for _ in group)
            note = f"{rest} more finding{'s' if rest != 1 else ''} in this file not shown"
            if fmt == "github":
                yield f"::notice file={_github(display_path(path), True)}::{note}"
            else:
                yield f"{Loc(path)}: note: {note}"
            break


def summary_line(diags: list[Diagnostic], files: int) -> str:
    errors = sum(1 for d in diags if d.severity == "error")
    warnings = len(diags) - errors
    if not diags:
        return f"checked {files} file{'s' if files != 1 else ''}: no findings"
    return (f"checked {files} file{'s' if files != 1 else ''}: "
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
