"""Check: rules over the loaded model. Each family module in checks/rules/ registers its rules in
`registry.RULES` (see registry.py for how to add one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from statusdocs.checks.registry import RULES, Rule, run_rules, selected
from statusdocs.content.model import Content
from statusdocs.diagnostics import Diagnostic, Report

if TYPE_CHECKING:
    from statusdocs.content.load import Workers

__all__ = ["RULES", "Rule", "check_content"]


def check_content(content: Content, select: set[str] | None = None, ignore: set[str] | None = None,
                  jobs: int = 1, prefilter: bool = True, workers: Workers | None = None) -> list[Diagnostic]:
    """The findings of the selected rules. `prefilter=False` runs every rule on every cell, and every text the
    exact way (no ASCII shortcut): the same findings. `workers`: when `jobs` processes pay (load.WORKERS)."""
    return run_rules(content, select=select, ignore=ignore, jobs=jobs, prefilter=prefilter, workers=workers)


def filter_loader(report: Report, select: set[str] | None, ignore: set[str] | None) -> list[Diagnostic]:
    return [d for d in report.items if selected(d.rule, select, ignore)]
