"""The check of a build, file by file: a build after an edit checks again only the files that changed.

A rule of scope "file" (checks/registry.py) finds in a file what it finds there from that file alone, the site's
outline (`registry.outline`) and the generator; so a file's findings by those rules are kept from the last build
while the file's bytes and the outline are the same, and the rules run only on the files that changed. The rules
of scope "site" (the guide's cases through the comparisons' trees; V005, sentences repeated across files) run over
the whole site every time, V005 from each file's sentence records, kept too. The findings are those of a full
check (tests/test_check_scope.py proves it, edit after edit), in the same order.

`Checked` is what a build keeps of its check for the next one (in the build cache's manifest): the outline, and
each file's content hash, findings by the rules of scope "file" and V005's records of its sentences (each keyed by
a digest of what masking keeps of it: the same in every process), so that V005 reads again only the sentences of
the files that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from statusdocs.content.model import Content
from statusdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from statusdocs.content.load import Workers
    from statusdocs.diagnostics import Report


@dataclass
class Checked:
    outline: str = ""
    files: dict[str, tuple[str, list[Diagnostic]]] = field(default_factory=dict)  # source -> (hash, findings)
    # source -> V005's sentence records of the file (registry.Run.sentence_records), for a file with a hash
    sentences: dict[str, bytes] = field(default_factory=dict)


def sources(content: Content) -> list[str]:
    """Every file of the content as findings name it (`checks.registry.sources`), the rules' registry imported only
    now: a build whose check runs in a child unpickles `Checked` here without importing the checks."""
    from statusdocs.checks import registry

    return registry.sources(content)


def check(content: Content, hashes: Mapping[str, str], previous: Checked | None, jobs: int = 1,
          workers: Workers | None = None) -> tuple[list[Diagnostic], Checked]:
    """The findings of every rule, and what the next build keeps. `hashes`: each file's content hash by its source
    path (a file without one is always checked); `previous`: what the last build kept (None: check everything)."""
    from statusdocs.checks.registry import check_rules, load_rules, outline

    files = sources(content)
    now = Checked(outline(content))
    if previous is None or previous.outline != now.outline:
        done = check_rules(content, jobs=jobs, workers=workers, want_sentences=True)
        per_file = [d for d in done.findings if load_rules()[d.rule].scope == "file"]
        cross = [d for d in done.findings if load_rules()[d.rule].scope == "site"]
        changed = set(files)
        records = done.sentences
    else:
        changed = {s for s in files if s not in hashes or previous.files.get(s, ("",))[0] != hashes[s]}
        per_file, cross, records = _again(content, files, changed, previous, jobs, workers)
    now.sentences = {s: r for s, r in records.items() if s in hashes}
    fresh: dict[str, list[Diagnostic]] = {}
    for d in per_file:
        fresh.setdefault(d.loc.path, []).append(d)
    for s in files:
        kept_findings = fresh.get(s, []) if s in changed or previous is None else previous.files[s][1]
        if s in hashes:
            now.files[s] = (hashes[s], kept_findings)
        fresh[s] = kept_findings
    return merged(files, fresh, cross), now


def _again(content: Content, files: list[str], changed: set[str], previous: Checked, jobs: int,
           workers: Workers | None) -> tuple[list[Diagnostic], list[Diagnostic], dict[str, bytes]]:
    """The check after an edit: the rules of scope "file" on the `changed` files, then those of scope "site",
    V005 with the unchanged files' sentence records from the last build. Their findings and every file's records."""
    from statusdocs.checks.registry import check_rules

    per_file, records = [], {}
    if changed:
        done = check_rules(content, jobs=jobs, workers=workers, scope="file", files=changed, want_sentences=True)
        per_file, records = done.findings, done.sentences
    kept = {s: previous.sentences[s] for s in files if s not in changed and s in previous.sentences}
    site = check_rules(content, jobs=jobs, workers=workers, scope="site", sentences={**kept, **records},
                       want_sentences=True)
    return per_file, site.findings, site.sentences


def merged(files: list[str], by_file: dict[str, list[Diagnostic]], cross: list[Diagnostic]) -> list[Diagnostic]:
    """The findings in a full check's order: by rule, and within a rule the files in the cells' order."""
    by_rule: dict[str, list[Diagnostic]] = {}
    for s in files:
        for d in by_file.get(s, ()):
            by_rule.setdefault(d.rule, []).append(d)
    for d in cross:
        by_rule.setdefault(d.rule, []).append(d)
    return [d for rule in sorted(by_rule) for d in by_rule[rule]]


def load_and_check_in_shares(content_dir: str, select: set[str] | None, ignore: set[str] | None, jobs: int,
                             workers: Workers | None = None) -> tuple[Content, Report] | None:
    """`statusdocs check` on a large site in `jobs` processes: the entries (and the rest but the comparisons) are
    loaded here first, for the outline every process's rules read; then each process loads a share of the
    comparisons and checks its share of the files, sending back findings and sentence records, never models.
    The findings are those of a load and check in one process, in the same order. None when the site is too
    small for processes to pay, or not as the shares assume (a comparison that does not load): the caller loads
    and checks the whole site then."""
    from statusdocs.build.workers import can_fork
    from statusdocs.content.load import WORKERS, load_but_comparisons, load_comparisons
    from statusdocs.diagnostics import Report

    def meanwhile() -> None:  # the rules imported here, not before: a worker parses the entries meanwhile
        from statusdocs.checks.registry import prepare

        prepare(select, ignore)

    if not can_fork():
        return None
    loaded = load_but_comparisons(content_dir, jobs, workers, meanwhile=meanwhile)
    if loaded is None or len(loaded.comparison_files) < (workers or WORKERS).min_files:
        return None
    from statusdocs.checks import filter_loader
    from statusdocs.checks.registry import check_in_shares

    base = loaded.base
    done = check_in_shares(base, loaded.comparison_files, lambda paths, report: load_comparisons(paths, base, report),
                           jobs, select, ignore)
    if done is None:
        return None
    report = Report([*loaded.head, *done[0], *loaded.tail])
    report.items = filter_loader(report, select, ignore)
    report.extend(done[1])
    return base, report
