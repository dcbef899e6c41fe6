"""The rule registry: ids, docs with a bad and a good example, what each rule reads, and the runner.

A rule is a function from a `Run` (the content, its prose cells and, if on, the prefilter's index) to findings,
registered with `@rule`. Its declaration says what it reads (`reads`, for the docs and a reviewer) and which of
the prefilter's tests it uses (`keywords`, the patterns whose words it needs; `index`, true if it reads the
index at all; `concepts`, true if it reads each cell's knowledge concepts, which the prefilter's pass finds from
the runs of letters it reads anyway): the runner makes the index only when a chosen rule declares it. A rule
that reads every file's sentences (V005) declares `sentences` and reads `Run.sentence_records`: per file, a record
of each sentence keyed by a digest that is the same in every process, so that records made in another process or
kept by an earlier build (build/checking.py) are read alike.

Each rule also declares its `scope`: "file" when its findings for a file (an entry, a comparison, the guide, a
page, site.yaml) are a function of that file alone and of the site's outline (`outline` below: which codes,
comparisons and pages exist, each entry's path, name, registration and cacheable/retry defaults, site.yaml) and
the generator's own data (knowledge, the reference data); "site" (the default, and the answer when in doubt)
when they read other files' prose or trees (V005 compares sentences across files). A build after an edit runs the
"file" rules only on the files that changed (`Run(files=...)`), and keeps the other files' findings; a rule of
that scope reads the files it checks through `Run.cells`, `Run.entries()`, `Run.comparisons()` and `Run.mine`.
tests/test_check_scope.py proves each declaration: run file by file, a rule finds what it finds over the site, and
editing one file changes no other file's findings unless the outline changes.

`statusdocs check` on a large site (`check_in_shares`) loads the comparisons in shares, each process checking the
share it loaded: a rule of scope "file" reads the other comparisons only through `Run.compared` (their slugs), and
a rule of scope "site" there either reads sentence records (V005) or only grafts decision trees (C014, `grafts`).

Adding a rule family: add a module to `statusdocs/checks/rules/` (e.g. `knowledge.py`) whose rules are decorated
with `@rule`; `statusdocs.checks.rules` imports every module of that folder, so the rules register themselves,
`statusdocs rules` lists them and `statusdocs check` runs them. Ids are a family letter and three digits; each
rule's bad example must fire it and its good example must not (tests/test_rule_examples.py runs them).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from statusdocs.checks import prefilter as PF
from statusdocs.checks.cells import Cell, all_cells, cell_owners, owner_cells
from statusdocs.checks.text import Keyed
from statusdocs.content.model import Comparison, Content, Entry
from statusdocs.diagnostics import Diagnostic, Report

if TYPE_CHECKING:
    from statusdocs.content.load import Workers

_T = TypeVar("_T")


class Run:
    """What the rules of one check read: the content, its prose cells (made once) and the prefilter's index
    (None when off). The `may`/`unless`/`may_at` tests fall back to "every cell" without an index, so a rule
    written with them gives the same findings either way."""

    def __init__(self, content: Content, prefilter: bool = True, files: Collection[str] | None = None,
                 sentences: Mapping[str, bytes] | None = None, *, compared: Collection[str] | None = None,
                 order: list[str] | None = None, universe: PF.Universe | None = None):
        """`files`: the source paths of the files to check (None: every file); rules of scope "site" need all.
        `sentences`: V005's records of files whose records are known (kept from an earlier check of the same
        bytes and outline), by source path: `sentence_records` makes only the others'. `compared` and `order`
        are for a content that holds only some of the site's comparisons (a worker's share, `check_in_shares`):
        the slugs of every comparison of the site, and every file with prose cells in the cells' order (the
        records of those missing from the content are among `sentences`). `universe`: the content's
        `prefilter.Universe` if already made (it reads only the entries: one serves every share of a site)."""
        self.content = content
        self.prefilter = prefilter
        self.files = None if files is None else frozenset(files)
        self.compared: Collection[str] = content.comparisons if compared is None else compared
        self.order = order
        self.index: PF.Index | None = None
        self.supplied: Mapping[str, bytes] = sentences or {}
        self._derived: dict[str, object] = {}
        if universe is not None:
            self._derived["universe"] = universe
        self._file_cells: dict[str, list[Cell]] = {}

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
        return list(self._entries)

    def comparisons(self) -> list[Comparison]:
        """The comparisons this run checks, in the content's order."""
        return list(self._comparisons)

    @cached_property
    def _entries(self) -> list[Entry]:
        files = self.files
        return list(self.content.entries.values()) if files is None else \
            [e for e in self.content.entries.values() if e.source in files]

    @cached_property
    def _comparisons(self) -> list[Comparison]:
        files = self.files
        return list(self.content.comparisons.values()) if files is None else \
            [c for c in self.content.comparisons.values() if c.source in files]

    @cached_property
    def cells(self) -> list[Cell]:
        """The prose cells of the files this run checks, in the order of all the site's cells."""
        content = self.content
        if self.files is not None:  # the same order, of a content holding only these files
            guide = content.guide if content.guide is not None and self.mine(content.guide.source) else None
            content = dataclasses.replace(content, entries={e.code: e for e in self.entries()},
                                          comparisons={c.slug: c for c in self.comparisons()}, guide=guide)
        return all_cells(content)

    def file_cells(self, source: str) -> list[Cell]:
        """The prose cells of one file (of any file, not only this run's), as `cells` lists them."""
        if source not in self._file_cells:
            self._file_cells[source] = owner_cells(self.derived("owners", lambda: cell_owners(self.content))[source])
        return self._file_cells[source]

    def sentence_records(self, mine: bool = False) -> dict[str, bytes]:
        """V005's records (`prefilter.RECORD`: group key, cell index in the file, sentence index) of every file
        with prose cells (`mine`: of the files this run checks), in the cells' order: those supplied, those the
        index's scan made, and the others made now. A file's records are a function of its bytes and the outline."""
        made = self._index_records() if self.index is not None else {}
        universe = self.universe()
        out: dict[str, bytes] = {}
        # The files of this run's cells (what the index's records cover), or every file with cells.
        files = dict.fromkeys(c.owner.source for c in self.cells) if mine else \
            self.order if self.order is not None else self.derived("owners", lambda: cell_owners(self.content))
        for source in files:
            known = self.supplied.get(source, made.get(source))
            if known is None and self.order is not None and source not in self.derived(
                    "owners", lambda: cell_owners(self.content)):
                continue  # a file with no prose cells, in another process's share
            out[source] = known if known is not None else \
                PF.sentence_records(self.content, self.file_cells(source), universe, exact=not self.prefilter)
        return out

    def _index_records(self) -> dict[str, bytes]:
        """The index's sentence records by file, each cell's index made relative to its file's first cell."""
        from statusdocs.checks.prefilter import RECORD

        assert self.index is not None
        cells = self.cells
        first: dict[str, int] = {}
        for i, cell in enumerate(cells):
            first.setdefault(cell.owner.source, i)
        by_file: dict[str, list[bytes]] = {s: [] for s in first}
        pack = RECORD.pack
        for key, i, si in self.index.sentences:
            source = cells[i].owner.source
            by_file[source].append(pack(key, i - first[source], si))
        return {s: b"".join(records) for s, records in by_file.items()}

    def universe(self) -> PF.Universe:
        """What masking can remove from any cell of the content (`prefilter.Universe`), made once."""
        return self.derived("universe", lambda: PF.Universe(self.content))

    def make_index(self, patterns: list[Keyed], jobs: int = 1, concepts: bool = False) -> None:
        if self.prefilter:
            self.index = PF.build_index(self.content, self.cells, patterns, jobs, concepts, self.universe())

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
    sentences: bool = False           # reads V005's sentence records of every file (Run.sentence_records)
    # Of scope "site" only through the guide's grafts: a comparison's findings read that comparison alone while
    # its tree grafts no other (a comparison's tree ends in codes: C012), the guide's the comparisons it grafts.
    grafts: bool = False


SCOPES = ("file", "site")
RULES: dict[str, Rule] = {}


def rule(id: str, name: str, summary: str, bad: str, good: str, severity: str = "error", *, reads: str,
         keywords: tuple[Keyed, ...] = (), index: bool = False, concepts: bool = False, scope: str = "site",
         sentences: bool = False, grafts: bool = False):
    def decorate(func: Callable[[Run], Iterator[Diagnostic]]):
        assert id not in RULES, f"rule {id} is registered twice"
        assert scope in SCOPES, f"rule {id}: scope is one of {SCOPES}"
        RULES[id] = Rule(id, name, severity, summary, bad, good, func, reads, keywords,
                         index or bool(keywords) or concepts, concepts, scope, sentences, grafts)
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


def sources(content: Content) -> list[str]:
    """Every file whose findings a rule may report, in the order of the rules' findings (the cells' order)."""
    out = [e.source for e in content.entries.values()]
    out += [c.source for c in content.comparisons.values()]
    if content.guide is not None:
        out.append(content.guide.source)
    out += [p.source for p in content.pages.values()]
    out.append(content.site.source)
    return out


@dataclass
class Outcome:
    findings: list[Diagnostic]    # in the order of the rule ids
    sentences: dict[str, bytes]   # V005's records of the files checked, if asked for (`Run.sentence_records`)


def run_rules(content: Content, select: set[str] | None = None, ignore: set[str] | None = None,
              jobs: int = 1, prefilter: bool = True, workers: Workers | None = None, *, scope: str | None = None,
              files: Collection[str] | None = None) -> list[Diagnostic]:
    """Every selected rule over the content, in `jobs` processes on a large site (see `check_rules`). Findings
    come in the order of the rule ids. `prefilter=False`: every rule reads every cell (the same findings,
    slower). `scope`: only the rules of that scope; `files`: only these files' findings (source paths), by the
    rules of scope "file"."""
    return check_rules(content, select, ignore, jobs, prefilter, workers, scope=scope, files=files).findings


def check_rules(content: Content, select: set[str] | None = None, ignore: set[str] | None = None,
                jobs: int = 1, prefilter: bool = True, workers: Workers | None = None, *, scope: str | None = None,
                files: Collection[str] | None = None, sentences: Mapping[str, bytes] | None = None,
                want_sentences: bool = False) -> Outcome:
    """`run_rules`, and V005's sentence records of the files checked (`want_sentences`), which a later check may
    pass as `sentences` for the files it does not check again. On a large site and `jobs` > 1, the rules of
    scope "file" run on chunks of the files in `jobs` processes (each with the prefilter's index of its own
    cells), sending back only their findings and sentence records; then the rules of scope "site" run here."""
    assert files is None or scope == "file", "only the rules of scope \"file\" can check some files alone"
    rules = _Chosen(content, select, ignore, scope)
    run = Run(content, prefilter, files, sentences)
    if not (rules.per_file and _parallel(run, jobs, workers)):
        found = rules.apply(rules.indexed(run, rules.chosen), rules.chosen)
        return Outcome([d for part in found for d in part], run.sentence_records(mine=True) if want_sentences else {})
    need = want_sentences or any(r.sentences for r in rules.cross)
    return _in_chunks(rules, run, [s for s in sources(content) if run.mine(s)], jobs, need, sentences or {})


def _in_chunks(rules: _Chosen, run: Run, todo: list[str], jobs: int, need: bool,
               sentences: Mapping[str, bytes]) -> Outcome:
    """`check_rules` in `jobs` processes: the rules of scope "file" on chunks of the files `todo`, then the
    others over the whole site here. `need`: the chunks send back their files' sentence records."""
    from statusdocs.build.workers import run_chunks

    content, prefilter, universe = run.content, run.prefilter, run.universe()  # made once, before the fork
    step = max(1, -(-len(todo) // (8 * jobs)))  # several chunks per process: whoever is done first takes more

    def chunk(part: list[str]) -> tuple[list[list[Diagnostic]], dict[str, bytes]]:
        mine = rules.indexed(Run(content, prefilter, part, universe=universe), rules.per_file)
        return rules.apply(mine, rules.per_file), mine.sentence_records(mine=True) if need else {}

    # The first file here first: what the rules load once (knowledge, patterns, caches) is then loaded before the
    # fork, not in every process; the knowledge's patterns all, not only those the first file's cells use.
    _compile_knowledge()
    parts = [chunk(todo[:1])]
    parts += run_chunks(chunk, [todo[i:i + step] for i in range(1, len(todo), step)], jobs - 1)
    records = {s: r for _, made in parts for s, r in made.items()}
    by_rule = {r.id: [d for found, _ in parts for d in found[n]] for n, r in enumerate(rules.per_file)}
    if rules.cross:
        site = rules.indexed(Run(content, prefilter, None, {**sentences, **records}, universe=universe), rules.cross)
        by_rule.update((r.id, found) for r, found in zip(rules.cross, rules.apply(site, rules.cross), strict=True))
    return Outcome([d for r in rules.chosen for d in by_rule[r.id]], records)


Share = tuple[list[Diagnostic], list[list[Diagnostic]], list[list[Diagnostic]], dict[str, bytes]]


def check_in_shares(base: Content, comparison_files: list[str],
                    load: Callable[[list[str], Report], dict[str, Comparison]], jobs: int,
                    select: set[str] | None = None, ignore: set[str] | None = None,
                    prefilter: bool = True) -> tuple[list[Diagnostic], list[Diagnostic]] | None:
    """`check_rules` on a site whose comparisons each process loads (`load`: the comparisons of some files, their
    loader's findings into the report) and checks in shares: `base` holds the rest of the site. Returns the
    loader's findings of the comparisons and the rules' findings, each in a full load and check's order; None
    (the caller loads and checks the whole site instead) unless every comparison loads as its file's name says,
    which the shares' outline assumes, and every rule of scope "site" reads sentence records or grafts."""
    from statusdocs.build.workers import run_chunks

    rules = _Chosen(base, select, ignore, None)
    stems = [os.path.splitext(os.path.basename(p))[0] for p in comparison_files]
    if len(set(stems)) != len(stems) or not all(r.sentences or r.grafts for r in rules.cross):
        return None
    share = _Share(base, rules, comparison_files, frozenset(stems), load, prefilter)
    todo = share.owners + [p.source for p in base.pages.values()] + [base.site.source]
    # The first file here first: what the rules load once (knowledge, patterns, caches) is then loaded before the
    # fork, not in every process; the knowledge's patterns all, not only those the first file's cells use.
    _compile_knowledge()
    parts = [share(todo[:1])] + run_chunks(share, _guided(todo, 1, jobs), jobs - 1)
    done = [p for p in parts if p is not None]
    return _gathered(share, stems, done) if len(done) == len(parts) else None


def _compile_knowledge() -> None:
    from statusdocs.checks.knowledge import knowledge

    knowledge().compile_patterns()


def prepare(select: set[str] | None = None, ignore: set[str] | None = None) -> None:
    """Make what the rules make once per process and keep (the knowledge's compiled patterns, the libraries'
    constant tables), if a rule is chosen: a caller runs this where its core would idle (while a worker loads
    files), before it forks the processes that check, which then have it."""
    from statusdocs.checks.knowledge import knowledge
    from statusdocs.reference import constant_tables

    if any(r.func is not None and selected(r.id, select, ignore) for r in load_rules().values()):
        knowledge().compile_patterns()
        constant_tables()


def _guided(todo: list[str], start: int, jobs: int, least: int = 20) -> list[list[str]]:
    """`todo[start:]` in shares for `jobs` processes that take the next as they finish one: each share a quarter
    of what is left per process, so that the last are small and the processes finish together, and few."""
    shares = []
    while start < len(todo):
        size = max(least, -(-(len(todo) - start) // (4 * jobs)))
        shares.append(todo[start:start + size])
        start += size
    return shares


def _gathered(share: _Share, stems: list[str], done: list[Share]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """`check_in_shares`'s findings from the shares' (in order), with those of the rules of scope "site"."""
    rules = share.rules
    by_rule = {r.id: [d for _, found, _, _ in done for d in found[n]] for n, r in enumerate(rules.per_file)}
    if rules.cross:
        records = {s: r for _, _, _, made in done for s, r in made.items()}
        by_rule.update(_cross_in_parent(share, stems, records))
        for n, r in enumerate(share.trees):  # the comparisons' findings from the shares, the guide's from here
            by_rule[r.id] = [d for _, _, grafted, _ in done for d in grafted[n]] + by_rule[r.id]
    return [d for loaded, _, _, _ in done for d in loaded], [d for r in rules.chosen for d in by_rule[r.id]]


class _Share:
    """A process's share of `check_in_shares`: load the comparisons among its files, then run the rules of scope
    "file" on the files (with the prefilter's index of their cells) and the rules that `grafts` on the
    comparisons. Sends back the loader's findings, each rule's, and the files' sentence records; None when a
    comparison did not load as its file's name says, or its tree grafts another (the shares' outline is wrong)."""

    def __init__(self, base: Content, rules: _Chosen, comparison_files: list[str], compared: frozenset[str],
                 load: Callable[[list[str], Report], dict[str, Comparison]], prefilter: bool):
        self.base, self.rules, self.comparison_files, self.compared = base, rules, comparison_files, compared
        self.load, self.prefilter = load, prefilter
        self.loaded_here = set(comparison_files)
        self.trees = [r for r in rules.cross if r.grafts]
        self.universe = PF.Universe(base)  # it reads the entries only: the same for every share
        # Every file with prose cells, in the cells' order, as the whole site's content would list them.
        self.owners = [e.source for e in base.entries.values()] + comparison_files
        self.owners += [base.guide.source] if base.guide is not None else []

    def __call__(self, part: list[str]) -> Share | None:
        report = Report()
        paths = [p for p in part if p in self.loaded_here]
        comparisons = self.load(paths, report)
        if len(comparisons) != len(paths) or \
                any(isinstance(leaf, str) for c in comparisons.values() for _, leaf in c.decision.leaves()):
            return None
        content = dataclasses.replace(self.base, comparisons=comparisons)
        rules = self.rules
        run = rules.indexed(Run(content, self.prefilter, part, compared=self.compared, universe=self.universe),
                            rules.per_file)
        grafted = [[d for d in found if d.loc.path in self.loaded_here] for found in
                   rules.apply(Run(content, self.prefilter, compared=self.compared, universe=self.universe),
                               self.trees)] if paths else \
            [[] for _ in self.trees]
        return report.items, rules.apply(run, rules.per_file), grafted, run.sentence_records(mine=True)


def _cross_in_parent(share: _Share, stems: list[str], records: dict[str, bytes]) -> dict[str, list[Diagnostic]]:
    """The findings of the rules of scope "site" of `check_in_shares`, with the comparisons they read loaded
    here (again): those the guide grafts, and the files of V005's repeated sentences. A rule that `grafts` finds
    here only what it finds in the guide."""
    from statusdocs.checks.rules.vague import boilerplate_sources, keep_groups, repeated_groups

    base, rules = share.base, share.rules
    wanted: set[str] = set()
    if base.guide is not None:
        wanted = {leaf for _, leaf in base.guide.tree.leaves() if isinstance(leaf, str)}
    groups = repeated_groups(records) if any(r.sentences for r in rules.cross) else None
    if groups is not None:
        repeated = boilerplate_sources(groups)
        wanted |= {stem for path, stem in zip(share.comparison_files, stems, strict=True) if path in repeated}
    paths = [p for p, stem in zip(share.comparison_files, stems, strict=True) if stem in wanted]
    content = dataclasses.replace(base, comparisons=share.load(paths, Report()))
    site = rules.indexed(Run(content, share.prefilter, None, records, compared=share.compared, order=share.owners,
                             universe=share.universe), rules.cross)
    if groups is not None:
        keep_groups(site, records, groups)
    out: dict[str, list[Diagnostic]] = {}
    guide = base.guide.source if base.guide is not None else None
    for r, found in zip(rules.cross, rules.apply(site, rules.cross), strict=True):
        out[r.id] = [d for d in found if d.loc.path == guide] if r.grafts else found
    return out


class _Chosen:
    """The rules a check runs (selected, of the scope asked for, in the order of their ids), and how a run of
    some of them goes: the prefilter's index first if one reads it, then each rule's findings, less ignored ones."""

    def __init__(self, content: Content, select: set[str] | None, ignore: set[str] | None, scope: str | None):
        self.owners: dict[str, Entry | Comparison] = {e.source: e for e in content.entries.values()}
        self.chosen = [r for _, r in sorted(load_rules().items()) if r.func is not None
                       and selected(r.id, select, ignore) and scope in (None, r.scope)]
        self.per_file = [r for r in self.chosen if r.scope == "file"]
        self.cross = [r for r in self.chosen if r.scope != "file"]

    def indexed(self, run: Run, group: list[Rule]) -> Run:
        if any(r.index for r in group):
            run.make_index([k for r in group for k in r.keywords], concepts=any(r.concepts for r in group))
        return run

    def apply(self, run: Run, group: list[Rule]) -> list[list[Diagnostic]]:
        """Each rule's findings, in the order of `group`."""
        owners = {**self.owners, **{c.source: c for c in run.content.comparisons.values()}}
        found = [[diag for diag in r.func(run) if not _ignored(diag, owners.get(diag.loc.path))]
                 for r in group if r.func is not None]
        # A rule of scope "file" reports only in the files it checks (else it reads files outside them).
        assert run.files is None or all(d.loc.path in run.files for part in found for d in part), \
            [r.id for r in group]
        return found
