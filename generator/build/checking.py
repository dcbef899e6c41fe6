"""The check of a build, file by file: a build after an edit checks again only the files that changed.

A rule of scope "file" (checks/registry.py) finds in a file what it finds there from that file alone, the site's
outline (`registry.outline`) and the generator; so a file's findings by those rules are kept from the last build
while the file's bytes and the outline are the same, and the rules run only on the files that changed. The rules
of scope "site" (sentences repeated across files, the guide's cases through the comparisons' trees) run over the
whole site every time. The findings are those of a full check (tests/test_check_scope.py proves it, edit after
edit), in the same order.

`Checked` is what a build keeps of its check for the next one (in the build cache's manifest): the outline, and
each file's content hash and findings by the rules of scope "file".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from statusdocs.content.model import Content
from statusdocs.diagnostics import Diagnostic

if TYPE_CHECKING:
    from statusdocs.content.load import Workers


@dataclass
class Checked:
    outline: str = ""
    files: dict[str, tuple[str, list[Diagnostic]]] = field(default_factory=dict)  # source -> (hash, findings)


def sources(content: Content) -> list[str]:
    """Every file whose findings a rule may report, in the order of the rules' findings (the cells' order)."""
    out = [e.source for e in content.entries.values()]
    out += [c.source for c in content.comparisons.values()]
    if content.guide is not None:
        out.append(content.guide.source)
    out += [p.source for p in content.pages.values()]
    out.append(content.site.source)
    return out


def check(content: Content, hashes: Mapping[str, str], previous: Checked | None, jobs: int = 1,
          workers: Workers | None = None) -> tuple[list[Diagnostic], Checked]:
    """The findings of every rule, and what the next build keeps. `hashes`: each file's content hash by its source
    path (a file without one is always checked); `previous`: what the last build kept (None: check everything)."""
    from statusdocs.checks.registry import load_rules, outline, run_rules

    files = sources(content)
    now = Checked(outline(content))
    if previous is None or previous.outline != now.outline:
        found = run_rules(content, jobs=jobs, workers=workers)
        per_file = [d for d in found if load_rules()[d.rule].scope == "file"]
        cross = [d for d in found if load_rules()[d.rule].scope == "site"]
        changed = set(files)
    else:
        changed = {s for s in files if s not in hashes or previous.files.get(s, ("",))[0] != hashes[s]}
        per_file = run_rules(content, jobs=jobs, workers=workers, scope="file", files=changed) if changed else []
        cross = run_rules(content, jobs=jobs, workers=workers, scope="site")
    fresh: dict[str, list[Diagnostic]] = {}
    for d in per_file:
        fresh.setdefault(d.loc.path, []).append(d)
    for s in files:
        kept = fresh.get(s, []) if s in changed or previous is None else previous.files[s][1]
        if s in hashes:
            now.files[s] = (hashes[s], kept)
        fresh[s] = kept
    return merged(files, fresh, cross), now


def merged(files: list[str], by_file: dict[str, list[Diagnostic]], cross: list[Diagnostic]) -> list[Diagnostic]:
    """The findings in a full check's order: by rule, and within a rule the files in the cells' order."""
    by_rule: dict[str, list[Diagnostic]] = {}
    for s in files:
        for d in by_file.get(s, ()):
            by_rule.setdefault(d.rule, []).append(d)
    for d in cross:
        by_rule.setdefault(d.rule, []).append(d)
    return [d for rule in sorted(by_rule) for d in by_rule[rule]]
