"""The rule registry: ids, docs with a bad and a good example, what each rule reads, and the runner.

A rule is a function from a `Run` (the content, its prose cells and, if on, the prefilter's index) to findings,
registered with `@rule`. Its declaration says what it reads (`reads`, for the docs and a reviewer) and which of
the prefilter's tests it uses (`keywords`, the patterns whose words it needs; `index`, true if it reads the
index at all; `concepts`, true if it reads each cell's knowledge concepts, which the prefilter's pass finds from
the runs of letters it reads anyway): the runner makes the index only when a chosen rule declares it.

Adding a rule family: add a module to `statusdocs/checks/rules/` (e.g. `knowledge.py`) whose rules are decorated
with `@rule`; `statusdocs.checks.rules` imports every module of that folder, so the rules register themselves,
`statusdocs rules` lists them and `statusdocs check` runs them. Ids are a family letter and three digits; each
rule's bad example must fire it and its good example must not (tests/test_rule_examples.py runs them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from statusdocs.checks.cells import Cell, all_cells
from statusdocs.checks.text import Keyed
from statusdocs.content.model import Comparison, Content, Entry
from statusdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from statusdocs.content.load import Workers

_T = TypeVar("_T")


class Run:
    """What the rules of one check read: the content, its prose cells (made once) and the prefilter's index
    (None when off). The `may`/`unless`/`may_at` tests fall back to "every cell" without an index, so a rule
    written with them gives the same findings either way."""

    def __init__(self, content: Content, prefilter: bool = True):
        from statusdocs.checks import prefilter as PF

        self.content = content
        self.prefilter = prefilter
        self.index: PF.Index | None = None
        self._derived: dict[str, object] = {}

    def derived(self, key: str, make: Callable[[], _T]) -> _T:
        """Data rules derive from the content once per run and share (each cell's concepts, say). A key always
        names the same `make`, so what is kept under it has the type `make` returns."""
        if key not in self._derived:
            self._derived[key] = make()
        return cast(_T, self._derived[key])

    @cached_property
    def cells(self) -> list[Cell]:
        return all_cells(self.content)

    def make_index(self, patterns: list[Keyed], jobs: int = 1, concepts: bool = False) -> None:
        if self.prefilter:
            from statusdocs.checks.prefilter import build_index

            self.index = build_index(self.content, self.cells, patterns, jobs, concepts)

    def may(self, *patterns: Keyed) -> list[int]:
        """Indices of the cells in which one of the patterns may match."""
        return list(range(len(self.cells))) if self.index is None else self.index.may(*patterns)

    def may_at(self, i: int, pattern: Keyed) -> bool:
        return self.index is None or self.index.may_at(i, pattern)

    def unless(self, fact: str) -> list[int]:
        """Indices of the cells of which the prefilter does not know the fact (see prefilter.FACTS)."""
        return list(range(len(self.cells))) if self.index is None else self.index.unless(fact)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    summary: str
    bad: str
    good: str
    func: Callable[[Run], Iterator[Diagnostic]] | None = None
    reads: str = ""                   # what of the content the rule reads
    keywords: tuple[Keyed, ...] = ()  # patterns whose declared words the prefilter indexes for it
    index: bool = False               # reads the prefilter's index (Run.may, Run.unless, Run.index)
    concepts: bool = False            # reads each cell's knowledge concepts (meaning.cell_bits)


RULES: dict[str, Rule] = {}


def rule(id: str, name: str, summary: str, bad: str, good: str, severity: str = "error", *, reads: str,
         keywords: tuple[Keyed, ...] = (), index: bool = False, concepts: bool = False):
    def decorate(func: Callable[[Run], Iterator[Diagnostic]]):
        assert id not in RULES, f"rule {id} is registered twice"
        RULES[id] = Rule(id, name, severity, summary, bad, good, func, reads, keywords,
                         index or bool(keywords) or concepts, concepts)
        return func
    return decorate


def document(id: str, name: str, summary: str, bad: str, good: str, severity: str = "error") -> None:
    """Rules reported by the loader (S) or the renderer (T) have docs but no function here."""
    RULES[id] = Rule(id, name, severity, summary, bad, good)


def load_rules() -> dict[str, Rule]:
    """Every rule, once each family module has registered its own."""
    from statusdocs.checks import rules  # noqa: F401 - importing registers the rules

    return RULES


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
              jobs: int = 1, prefilter: bool = True, workers: Workers | None = None) -> list[Diagnostic]:
    """Every selected rule over the content, in `jobs` processes on a large site (`workers.min_files`): the
    prefilter's pass over the cells split among them first, then the rules handed out one at a time. Findings
    come in the order of the rule ids. `prefilter=False`: every rule reads every cell (the same findings, slower)."""
    from statusdocs.content.load import WORKERS

    min_files = (workers or WORKERS).min_files

    owners: dict[str, Entry | Comparison] = {e.source: e for e in content.entries.values()}
    owners.update({c.source: c for c in content.comparisons.values()})
    chosen = [r for _, r in sorted(load_rules().items()) if r.func is not None and selected(r.id, select, ignore)]
    run = Run(content, prefilter)

    def apply(group: list[Rule]) -> list[Diagnostic]:
        return [diag for r in group if r.func is not None for diag in r.func(run)
                if not _ignored(diag, owners.get(diag.loc.path))]

    parallel = jobs > 1 and len(content.entries) + len(content.comparisons) >= min_files
    if parallel:
        from statusdocs.build.workers import can_fork

        parallel = can_fork()
    if any(r.index for r in chosen):
        run.make_index([k for r in chosen for k in r.keywords], jobs if parallel else 1,
                       concepts=any(r.concepts for r in chosen))
    if parallel:
        from statusdocs.build.workers import run_chunks

        return [d for part in run_chunks(apply, [[r] for r in chosen], jobs - 1) for d in part]
    return apply(chosen)
