"""The rule registry: ids, docs with a bad and a good example, and the runner with per-entry ignores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..model import Comparison, Content, Entry


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    summary: str
    bad: str
    good: str
    func: Callable[[Content], Iterator[Diagnostic]] | None = None


RULES: dict[str, Rule] = {}


def rule(id: str, name: str, summary: str, bad: str, good: str, severity: str = "error"):
    def decorate(func: Callable[[Content], Iterator[Diagnostic]]):
        RULES[id] = Rule(id, name, severity, summary, bad, good, func)
        return func
    return decorate


def document(id: str, name: str, summary: str, bad: str, good: str, severity: str = "error") -> None:
    """Rules reported by the loader (S) or the renderer (T) have docs but no function here."""
    RULES[id] = Rule(id, name, severity, summary, bad, good)


def selected(rule_id: str, select: set[str] | None, ignore: set[str] | None) -> bool:
    def hit(patterns: set[str]) -> bool:
        return any(rule_id == p or (p.isalpha() and rule_id.startswith(p)) or p == "ALL" for p in patterns)
    if select and not hit(select):
        return False
    return not (ignore and hit(ignore))


def _ignored(diag: Diagnostic, owner: Entry | Comparison | None) -> bool:
    if owner is None:
        return False
    for item in owner.ignore:
        if item.rule == diag.rule and (diag.field == item.field or diag.field.startswith(item.field + ".")
                                       or diag.field.startswith(item.field + "[")):
            return True
    return False


def run_rules(content: Content, select: set[str] | None = None, ignore: set[str] | None = None) -> list[Diagnostic]:
    from . import rules  # importing registers the rules

    owners: dict[str, Entry | Comparison] = {e.source: e for e in content.entries.values()}
    owners.update({c.source: c for c in content.comparisons.values()})
    from ..load import gc_paused

    out = []
    with gc_paused(), rules.cells_memo():
        for r in RULES.values():
            if r.func is None or not selected(r.id, select, ignore):
                continue
            for diag in r.func(content):
                if not _ignored(diag, owners.get(diag.loc.path)):
                    out.append(diag)
    return out

