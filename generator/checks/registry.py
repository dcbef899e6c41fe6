"""The rule registry: ids, docs with a bad and a good example, what each rule reads, and the runner.

A rule is a function from a `Run` (the content, its prose cells and, if on, the prefilter's index) to findings,
registered with `@rule`. Its declaration says what it reads (`reads`, for the docs and a reviewer) and which of
the prefilter's tests it uses (`keywords`, the patterns whose words it needs; `index`, true if it reads the
index at all; `concepts`, true if it reads each cell's knowledge concepts, which the prefilter's pass finds from
the runs of letters it reads anyway): the runner makes the index only when a chosen rule declares it.

Each rule also declares its `scope`: "file" when its findings for a file (an entry, a comparison, the guide, a
page, site.yaml) are a function of that file alone and of the site's outline (`outline` below: which codes,
comparisons and pages exist, each entry's path, name, registration and cacheable/retry defaults, site.yaml) and
the generator's own data (knowledge, the reference data); "site" (the default, and the answer when in doubt)
when they read other files' prose or trees (V005 compares sentences across files). A build after an edit runs the
"file" rules only on the files that changed (`Run(files=...)`), and keeps the other files' findings; a rule of
that scope reads the files it checks through `Run.cells`, `Run.entries()`, `Run.comparisons()` and `Run.mine`.
tests/test_check_scope.py proves each declaration: run file by file, a rule finds what it finds over the site, and
editing one file changes no other file's findings unless the outline changes.

Adding a rule family: add a module to `statusdocs/checks/rules/` (e.g. `knowledge.py`) whose rules are decorated
with `@rule`; `statusdocs.checks.rules` imports every module of that folder, so the rules register themselves,
`statusdocs rules` lists them and `statusdocs check` runs them. Ids are a family letter and three digits; each
rule's bad example must fire it and its good example must not (tests/test_rule_examples.py runs them).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Collection, Iterator
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

    def __init__(self, content: Content, prefilter: bool = True, files: Collection[str] | None = None):
        """`files`: the source paths of the files to check (None: every file); rules of scope "site" need all."""
        from statusdocs.checks import prefilter as PF

        self.content = content
        self.prefilter = prefilter
        self.files = None if files is None else frozenset(files)
        self.index: PF.Index | None = None
        self._derived: dict[str, object] = {}

    def derived(self, key: str, make: Callable[[], _T]) -> _T:
        """Data rules derive from the content once per run and share (each cell's concepts, say). A key always
        names the same `make`, so what is kept under it has the type `make` returns."""
        if key not in self._derived:
            self._derived[key] = make()
        return cast(_T, self._derived[key])

    def mine(self, source: str) -> bool:
        """Whether the file at `source` is one this run checks."""
        return self.files is None or source in self.files

    def entries(self) -> list[Entry]:
        """The entries this run checks, in the content's order."""
        return [e for e in self.content.entries.values() if self.mine(e.source)]

    def comparisons(self) -> list[Comparison]:
        """The comparisons this run checks, in the content's order."""
        return [c for c in self.content.comparisons.values() if self.mine(c.source)]

    @cached_property
    def cells(self) -> list[Cell]:
        """The prose cells of the files this run checks, in the order of all the site's cells."""
        content = self.content
        if self.files is not None:  # the same order, of a content holding only these files
            guide = content.guide if content.guide is not None and self.mine(content.guide.source) else None
            content = dataclasses.replace(content, entries={e.code: e for e in self.entries()},
                                          comparisons={c.slug: c for c in self.comparisons()}, guide=guide)
        return all_cells(content)

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
    scope: str = "site"               # "file": a file's findings need only that file and the outline


SCOPES = ("file", "site")
RULES: dict[str, Rule] = {}


def rule(id: str, name: str, summary: str, bad: str, good: str, severity: str = "error", *, reads: str,
         keywords: tuple[Keyed, ...] = (), index: bool = False, concepts: bool = False, scope: str = "site"):
    def decorate(func: Callable[[Run], Iterator[Diagnostic]]):
        assert id not in RULES, f"rule {id} is registered twice"
        assert scope in SCOPES, f"rule {id}: scope is one of {SCOPES}"
        RULES[id] = Rule(id, name, severity, summary, bad, good, func, reads, keywords,
                         index or bool(keywords) or concepts, concepts, scope)
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


def outline(content: Content) -> str:
    """What a rule of scope "file" may read of files other than the one it checks, as one string: which codes
    (also those whose file failed to load), comparisons and pages exist, whether there is a guide, each entry's
    path, name, official, registration, cacheable.default and retry.safe, and site.yaml's settings. A file's
    findings by those rules are a function of the file and this (and the generator)."""
    entries = [[e.code, e.source, e.name, e.official, e.registration, e.cacheable.default, e.retry.safe]
               for e in content.entries.values()]
    return json.dumps([entries, sorted(content.unloadable), sorted(content.comparisons), sorted(content.pages),
                       content.guide is not None, repr(content.site)], default=repr)


def _parallel(run: Run, jobs: int, workers: Workers | None) -> bool:
    """Whether to check in `jobs` processes: on a site (or a share of files) large enough to pay for them
    (`workers.min_files`)."""
    from statusdocs.content.load import WORKERS

    content = run.content
    checked = len(content.entries) + len(content.comparisons) if run.files is None else len(run.files)
    if jobs <= 1 or checked < (workers or WORKERS).min_files:
        return False
    from statusdocs.build.workers import can_fork

    return can_fork()


def run_rules(content: Content, select: set[str] | None = None, ignore: set[str] | None = None,
              jobs: int = 1, prefilter: bool = True, workers: Workers | None = None, *, scope: str | None = None,
              files: Collection[str] | None = None) -> list[Diagnostic]:
    """Every selected rule over the content, in `jobs` processes on a large site: the prefilter's pass over the
    cells split among them first, then the rules handed out one at a time. Findings come in the order of the
    rule ids. `prefilter=False`: every rule reads every cell (the same findings, slower). `scope`: only the rules
    of that scope; `files`: only these files' findings (source paths), by the rules of scope "file"."""
    assert files is None or scope == "file", "only the rules of scope \"file\" can check some files alone"
    owners: dict[str, Entry | Comparison] = {e.source: e for e in content.entries.values()}
    owners.update({c.source: c for c in content.comparisons.values()})
    chosen = [r for _, r in sorted(load_rules().items()) if r.func is not None and selected(r.id, select, ignore)
              and scope in (None, r.scope)]
    run = Run(content, prefilter, files)

    def apply(group: list[Rule]) -> list[Diagnostic]:
        found = [diag for r in group if r.func is not None for diag in r.func(run)
                 if not _ignored(diag, owners.get(diag.loc.path))]
        # A rule of scope "file" reports only in the files it checks (else it reads files outside them).
        assert run.files is None or all(d.loc.path in run.files for d in found), [r.id for r in group]
        return found

    parallel = _parallel(run, jobs, workers)
    if any(r.index for r in chosen):
        run.make_index([k for r in chosen for k in r.keywords], jobs if parallel else 1,
                       concepts=any(r.concepts for r in chosen))
    if parallel:
        from statusdocs.build.workers import run_chunks

        return [d for part in run_chunks(apply, [[r] for r in chosen], jobs - 1) for d in part]
    return apply(chosen)
