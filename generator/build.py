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


def render_site(content: Content, templates_dir: str, base_url: str, report: Report) -> dict[str, bytes]:
    views = Views(content, base_url)
    pages = plan_site(content) + static_pages(templates_dir)
    views.plan = pages
    renderer = Renderer(templates_dir, views, report)
    outputs: dict[str, bytes] = {}
    failed_templates: set[str] = set()
    for page in pages:
        if page.template in failed_templates:
            continue  # one finding per broken template, not one per page
        if page.kind == "static":
            with open(str(page.key), "rb") as fh:
                outputs[page.output] = fh.read()
            continue
        try:
            outputs[page.output] = renderer.render(page)
        except TemplateFailure:
            failed_templates.add(str(page.template))
    outputs[".nojekyll"] = b""
    if content.site.cname:
        outputs["CNAME"] = content.site.cname.encode() + b"\n"
    return outputs


def build(content_dir: str, templates_dir: str, out_dir: str, base_url: str | None = None,
          strict: bool = False) -> BuildResult:
    started = time.perf_counter()
    content, report = load_and_check(content_dir)
    files = content.files if content else 0
    if content is None or report.errors or (strict and report.items):
        return BuildResult(False, report.sorted(), files=files, seconds=time.perf_counter() - started)
    outputs = render_site(content, templates_dir, base_url or content.site.base_url, report)
    if report.errors:
        return BuildResult(False, report.sorted(), files=files, seconds=time.perf_counter() - started)
    write_site(out_dir, outputs)
    pages = sum(1 for p in outputs if p.endswith((".html", ".xml", ".json", ".txt")))
    return BuildResult(True, report.sorted(), pages=pages, files=files,
                       seconds=time.perf_counter() - started, outputs=outputs)
