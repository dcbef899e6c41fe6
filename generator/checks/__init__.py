"""Check: rules over the loaded model. Each rule module registers its rules in `registry.RULES`."""

from __future__ import annotations

from statusdocs.checks.registry import RULES, Rule, run_rules
from statusdocs.content.model import Content
from statusdocs.diagnostics import Diagnostic, Report

__all__ = ["RULES", "Rule", "check_content"]


def check_content(content: Content, select: set[str] | None = None, ignore: set[str] | None = None,
                  jobs: int = 1) -> list[Diagnostic]:
    return run_rules(content, select=select, ignore=ignore, jobs=jobs)


def filter_loader(report: Report, select: set[str] | None, ignore: set[str] | None) -> list[Diagnostic]:
    from statusdocs.checks.registry import selected

    return [d for d in report.items if selected(d.rule, select, ignore)]
