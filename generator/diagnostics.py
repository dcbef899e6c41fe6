"""Findings and errors, reported the way a compiler does: every one, with file:line:col and a rule id."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Loc:
    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        parts = [display_path(self.path)]
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
        hint = f" [hint: {self.hint}]" if self.hint else ""
        return f"{self.loc}: {self.severity} {self.rule} {self.message}{hint}"

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
        # Workflow-command values must escape %, CR and LF; properties also escape ':' and ','.
        def esc(value: str, prop: bool = False) -> str:
            value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return value.replace(":", "%3A").replace(",", "%2C") if prop else value

        level = "error" if self.severity == "error" else "warning"
        props = [f"file={esc(display_path(self.loc.path), True)}"]
        if self.loc.line:
            props.append(f"line={self.loc.line}")
        if self.loc.col:
            props.append(f"col={self.loc.col}")
        props.append(f"title={esc(self.rule, True)}")
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"::{level} {','.join(props)}::{esc(self.message + hint)}"


@dataclass
class Report:
    """Collects diagnostics so that a run reports all of them, not just the first."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diag: Diagnostic) -> None:
        self.items.append(diag)

    def error(self, rule: str, loc: Loc, message: str, *, hint: str = "", field: str = "",
              codes: tuple[int, ...] = ()) -> None:
        self.items.append(Diagnostic(rule, "error", loc, message, hint, field, codes))

    def warning(self, rule: str, loc: Loc, message: str, *, hint: str = "", field: str = "",
                codes: tuple[int, ...] = ()) -> None:
        self.items.append(Diagnostic(rule, "warning", loc, message, hint, field, codes))

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=Diagnostic.sort_key)


def format_report(diags: list[Diagnostic], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([d.as_json() for d in diags], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(d.github() for d in diags)
    return "\n".join(d.text() for d in diags)


def summary_line(diags: list[Diagnostic], files: int) -> str:
    errors = sum(1 for d in diags if d.severity == "error")
    warnings = len(diags) - errors
    if not diags:
        return f"checked {files} file{'s' if files != 1 else ''}: no findings"
    return (f"checked {files} file{'s' if files != 1 else ''}: "
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
