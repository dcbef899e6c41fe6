"""The rule registry: ids, docs with a bad and a good example, and the runner with per-entry ignores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from statusdocs.content.model import Comparison, Content, Entry
from statusdocs.diagnostics import Diagnostic


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


def run_rules(content: Content, select: set[str] | None = None, ignore: set[str] | None = None,
              jobs: int = 1) -> list[Diagnostic]:
    """Every selected rule over the content, in `jobs` processes on a large site: the shared pass over the cells
    split among them first, then the rules handed out one at a time. Findings come in the order of RULES."""
    from statusdocs.checks import rules  # importing registers the rules
    from statusdocs.content.load import PARALLEL_MIN_FILES, gc_paused

    owners: dict[str, Entry | Comparison] = {e.source: e for e in content.entries.values()}
    owners.update({c.source: c for c in content.comparisons.values()})
    chosen = [r for r in RULES.values() if r.func is not None and selected(r.id, select, ignore)]

    def apply(group: list[Rule]) -> list[Diagnostic]:
        return [diag for r in group for diag in r.func(content)  # type: ignore[misc]
                if not _ignored(diag, owners.get(diag.loc.path))]

    with gc_paused(), rules.cells_memo():
        if jobs > 1 and len(content.entries) + len(content.comparisons) >= PARALLEL_MIN_FILES:
            from statusdocs.build.workers import can_fork, run_chunks

            if can_fork():
                # The rules that read the shared pass name it in their code: make it before they run.
                if any("scan" in r.func.__code__.co_names for r in chosen):  # type: ignore[union-attr]
                    rules.scan_in_parallel(content, jobs)
                return [d for part in run_chunks(apply, [[r] for r in chosen], jobs - 1) for d in part]
        return apply(chosen)
