"""The renderer of pages, shared by `statusdocs build` and `statusdocs serve`: plan the site, render a page."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from statusdocs.build.cache import Absolute
from statusdocs.content.model import Content
from statusdocs.diagnostics import Loc, Report
from statusdocs.pages.contexts import Lasting, Views
from statusdocs.pages.plan import PlannedPage, plan_site
from statusdocs.pages.prose import Prose, ProseKey
from statusdocs.pages.render import Renderer, TemplateFailure, UnsafeFile, file_problem, link_problem, read_file
from statusdocs.shipped import owning_dir, theme_dirs

if TYPE_CHECKING:
    from statusdocs.build.bytecode import SealedBytecodeCache


def static_pages(theme: tuple[str, ...], report: Report) -> list[PlannedPage]:
    """The files under static/ of the theme folders, merged: a file of an earlier folder (the user's) replaces the
    one at the same path of a later one (the built-in theme)."""
    merged: dict[str, PlannedPage] = {}
    for folder in reversed(theme):
        for page in _static_pages(folder, report):
            merged[page.output] = page  # keeps the built-in theme's order, with the user's file
    return list(merged.values())


def _static_pages(templates_dir: str, report: Report) -> list[PlannedPage]:
    """Files under templates/static/ are copied as they are, with the rules of content files: a symlink must lead
    to a file inside the templates folder, and only regular files are read (a FIFO would block the build, a
    device never ends). Anything else is a T002 finding, never read. Symlinked folders are not followed."""
    root = os.path.join(templates_dir, "static")
    real_root = os.path.realpath(templates_dir)
    problem = link_problem(root, real_root) if os.path.islink(root) else None
    if problem:
        report.error("T002", Loc(root), problem)
        return []
    out = []
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            if os.path.islink(os.path.join(folder, name)):
                report.error("T002", Loc(os.path.join(folder, name)),
                             "symlinked folder: not followed; make it a folder of its own")
        dirs.sort()
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            problem = file_problem(path, real_root)
            if problem:
                report.error("T002", Loc(path), problem)
                continue
            rel = os.path.relpath(path, templates_dir).replace(os.sep, "/")
            out.append(PlannedPage("static", rel, None, path, (path,), in_sitemap=False))
    return out


class Builder:
    """Plans the site and renders its pages, recording what each read.

    As in Lektor's builder, every page records what it read as it is made: its content files (recorded by
    the views, `pages/recorded.py`) and its templates (extends, includes, imports). Anything every page shows
    (the navigation, the set of codes that prose links to) is fingerprinted. Which pages to render again is the
    pipeline's decision (`build/pipeline.py`), the same for `build` and `serve`: a page is kept when the files it
    read, by content hash, give the key it had. A preview keeps its Builder between builds (`preview.Session`).
    """

    def __init__(self, templates_dir: str | None, base_url: str | None = None, full_text: bool = False,
                 bytecode: SealedBytecodeCache | None = None, reads: dict[str, list[str]] | None = None):
        """`templates_dir`: the user's templates, overriding the built-in theme file by file (None: none).
        `full_text`: the site will have Pagefind's index (the search box then loads it). `bytecode`: where
        compiled templates are kept across builds (`build/bytecode.py`); `reads`: the templates each template reads,
        found by a build from the same template files (`Renderer.reads`)."""
        self.full_text = full_text
        self.bytecode = bytecode
        self.reads = reads
        self.theme = theme_dirs(templates_dir)
        self.templates_dir = self.theme[0]
        self.base_url = base_url
        self.renderer: Renderer | None = None
        self.prose: Prose | None = None
        self.views: Views | None = None
        self.lasting = Lasting()                        # what Views keeps between rebuilds
        self._absolute: dict[str, str] = {}             # source path -> absolute (every page names many)
        self._folders = Absolute()                      # and a field's (`file\0field`): its file's folder's

    def prepare(self, content: Content, report: Report, stored_prose: Mapping[ProseKey, str] | None = None) \
            -> list[PlannedPage]:
        """Plan the site and set up the views and the renderer for its pages; findings go to `report`."""
        base_url = self.base_url or content.site.base_url
        if self.prose is None or self.prose.codes != set(content.entries):
            self.prose = Prose(set(content.entries))
        self.prose.stored = stored_prose or {}
        self.views = views = Views(content, base_url, self.prose, self.lasting)
        views.full_text = self.full_text
        pages = plan_site(content, views.slugs) + static_pages(self.theme, report)  # the views' order
        views.plan = pages
        if self.renderer is None:
            self.renderer = Renderer(self.theme, views, report, self.bytecode, self.reads)
        self.renderer.new_build(views, report)
        return pages

    def compile(self, pages: list[PlannedPage]) -> None:
        """Compile the templates of the pages to render, ahead of them: forked workers then inherit them instead
        of each compiling them again. The templates of pages kept from the last build are not read."""
        assert self.renderer is not None
        for name in sorted({p.template for p in pages if p.template}):
            self.renderer.compile(name)

    def page_deps(self, page: PlannedPage, reads: set[str]) -> tuple[str, ...]:
        """Every file (or file and field) a page was made from, sorted (absolute paths): the content its context
        read (`reads`, recorded as it was made), a static page's file, and its templates. A tuple, not a set: a
        site's pages hold hundreds of thousands of them, and a tuple takes a fifth of a set's memory."""
        absolute, folders = self._absolute, self._folders
        deps = {absolute.get(s) or absolute.setdefault(s, folders(s)) for s in (*reads, *page.sources)}
        if page.template and self.renderer:
            deps |= self.renderer.template_deps(page.template)
        return tuple(sorted(deps))

    def render_recorded(self, page: PlannedPage) -> tuple[bytes, tuple[str, ...]]:
        """A page's bytes, and the files it was made from (`page_deps`)."""
        assert self.views is not None
        with self.views.recording() as reads:
            data = self.render_page(page)
        return data, self.page_deps(page, reads)

    def render_page(self, page: PlannedPage) -> bytes:
        """One page's bytes. Raises TemplateFailure, with the finding in the report given to `prepare`."""
        assert self.renderer is not None
        if page.kind == "static":
            try:  # checked when planned; read without blocking, in case it has become a FIFO since
                return read_file(str(page.key), os.path.realpath(owning_dir(str(page.key), self.theme)))
            except UnsafeFile as exc:
                self.renderer.report.error("T002", Loc(exc.path), exc.problem)
                raise TemplateFailure(exc.problem) from None
        return self.renderer.render(page)

    @staticmethod
    def extras(content: Content) -> dict[str, bytes]:
        """Files made from the configuration alone: .nojekyll (Pages must not run Jekyll) and CNAME."""
        extras = {".nojekyll": b""}
        if content.site.cname:
            extras["CNAME"] = content.site.cname.encode() + b"\n"
        return extras
