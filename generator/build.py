"""The build, start to finish: load -> check -> plan -> render -> write."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

from .checks import check_content
from .diagnostics import Diagnostic, Report
from .load import load_content
from .model import Content
from .plan import PlannedPage, plan_site
from .prose import Prose
from .render import Renderer, TemplateFailure
from .views import Views
from .write import write_site

BASE_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


@dataclass
class BuildResult:
    ok: bool
    diagnostics: list[Diagnostic]
    pages: int = 0
    seconds: float = 0.0
    files: int = 0
    outputs: dict[str, bytes] = field(default_factory=dict, repr=False)


def static_pages(templates_dir: str) -> list[PlannedPage]:
    """Files under templates/static/ are copied as they are."""
    root = os.path.join(templates_dir, "static")
    out = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, templates_dir).replace(os.sep, "/")
            out.append(PlannedPage("static", rel, None, path, (path,), in_sitemap=False))
    return out


def load_and_check(content_dir: str, select: set[str] | None = None,
                   ignore: set[str] | None = None) -> tuple[Content | None, Report]:
    from .checks import filter_loader

    report = Report()
    content = load_content(content_dir, report)
    report.items = filter_loader(report, select, ignore)
    if content is not None:
        report.extend(check_content(content, select, ignore))
    return content, report


class Builder:
    """Renders the site, and re-renders it after edits touching only the pages that changed.

    As in Lektor's builder, every page records what it read: its content files (from the plan) and
    its templates (extends, includes, imports). Anything every page shows (the navigation, the set of
    codes that prose links to) is fingerprinted; when that changes, every page is rendered again.
    The same `render` serves `statusdocs build` (everything) and `statusdocs serve` (what changed).
    """

    def __init__(self, templates_dir: str, base_url: str | None = None):
        self.templates_dir = os.path.abspath(templates_dir)
        self.base_url = base_url
        self.outputs: dict[str, bytes] = {}             # the last good site: path below out -> bytes
        self.deps: dict[str, frozenset[str]] = {}       # path below out -> absolute files it was made from
        self.shared: str | None = None
        self.renderer: Renderer | None = None
        self.prose: Prose | None = None

    def render(self, content: Content, report: Report, changed: set[str] | None = None) -> Rendered | None:
        """Render pages whose inputs are in `changed` (absolute paths; None: all of them). Returns what
        changed, or None (and findings in `report`) when a template failed; the last good site is kept."""
        base_url = self.base_url or content.site.base_url
        if self.prose is None or self.prose.codes != set(content.entries):
            self.prose = Prose(set(content.entries))
        views = Views(content, base_url, self.prose)
        pages = plan_site(content) + static_pages(self.templates_dir)
        views.plan = pages
        if self.renderer is None:
            self.renderer = Renderer(self.templates_dir, views, report)
        renderer = self.renderer
        renderer.views, renderer.report = views, report
        if changed is None or any(p.startswith(self.templates_dir + os.sep) for p in changed):
            renderer.forget_deps()  # a template may now extend or include others
        shared = views.shared_fingerprint()
        everything = changed is None or shared != self.shared

        outputs: dict[str, bytes] = {}
        deps: dict[str, frozenset[str]] = {}
        rendered: list[str] = []
        failed: set[str] = set()
        for page in pages:
            if page.template in failed:
                continue  # one finding per broken template, not one per page
            page_deps = frozenset(os.path.abspath(s) for s in page.sources)
            if page.template:
                page_deps |= renderer.template_deps(page.template)
            deps[page.output] = page_deps
            if not (everything or self.deps.get(page.output) != page_deps or page_deps & changed):  # type: ignore
                outputs[page.output] = self.outputs[page.output]
                continue
            try:
                if page.kind == "static":
                    with open(str(page.key), "rb") as fh:
                        outputs[page.output] = fh.read()
                else:
                    outputs[page.output] = renderer.render(page)
            except TemplateFailure:
                failed.add(str(page.template))
                continue
            rendered.append(page.output)
        if failed or report.errors:
            return None
        outputs[".nojekyll"] = b""
        if content.site.cname:
            outputs["CNAME"] = content.site.cname.encode() + b"\n"
        removed = sorted(set(self.outputs) - set(outputs))
        written = [p for p in (*rendered, ".nojekyll", "CNAME") if p in outputs and self.outputs.get(p) != outputs[p]]
        self.outputs, self.deps, self.shared = outputs, deps, shared
        return Rendered(outputs, rendered, written, removed)


@dataclass
class Rendered:
    outputs: dict[str, bytes]   # the whole site
    rendered: list[str]         # pages rendered this time
    written: list[str]          # of those, the ones whose bytes differ from the previous site
    removed: list[str]          # pages of the previous site that no longer exist


def build(content_dir: str, templates_dir: str, out_dir: str, base_url: str | None = None,
          strict: bool = False) -> BuildResult:
    started = time.perf_counter()
    content, report = load_and_check(content_dir)
    files = content.files if content else 0
    if content is None or report.errors or (strict and report.items):
        return BuildResult(False, report.sorted(), files=files, seconds=time.perf_counter() - started)
    rendered = Builder(templates_dir, base_url).render(content, report)
    if rendered is None:
        return BuildResult(False, report.sorted(), files=files, seconds=time.perf_counter() - started)
    write_site(out_dir, rendered.outputs)
    pages = sum(1 for p in rendered.outputs if p.endswith((".html", ".xml", ".json", ".txt")))
    return BuildResult(True, report.sorted(), pages=pages, files=files,
                       seconds=time.perf_counter() - started, outputs=rendered.outputs)
