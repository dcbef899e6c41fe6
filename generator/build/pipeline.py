"""The build, start to finish: load -> check -> plan -> render -> write."""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from statusdocs.build.cache import BuildCache, ProseLog, Written, digest, file_state
from statusdocs.diagnostics import Diagnostic, Report
from statusdocs.pages.depth import bounded

if TYPE_CHECKING:
    from statusdocs.build.builder import Builder
    from statusdocs.build.output import Staging
    from statusdocs.build.workers import Forked
    from statusdocs.content.model import Content
    from statusdocs.pages.plan import PlannedPage

# Below this many pages to render, forking workers costs more than it saves.
PARALLEL_MIN_PAGES = 64
CHUNK_PAGES = 24



PAGE_SUFFIXES = (".html", ".xml", ".json", ".txt")


@dataclass
class BuildResult:
    ok: bool
    diagnostics: list[Diagnostic]
    pages: int = 0              # pages of the site (HTML, XML, JSON, text)
    seconds: float = 0.0
    files: int = 0              # content files read
    rendered: int = 0           # pages rendered this time; the others were kept from the previous build
    up_to_date: bool = False    # nothing changed since the last build: nothing was written
    stages: dict[str, float] = field(default_factory=dict)  # seconds by stage, for `build -v`


def load_and_check(content_dir: str, select: set[str] | None = None, ignore: set[str] | None = None,
                   jobs: int = 1) -> tuple[Content | None, Report]:
    """`statusdocs check`: load and check in `jobs` processes."""
    from statusdocs.checks import check_content, filter_loader
    from statusdocs.content.load import load_content

    report = Report()
    content = load_content(content_dir, report, jobs=jobs)
    report.items = filter_loader(report, select, ignore)
    if content is not None:
        report.extend(check_content(content, select, ignore, jobs=jobs))
    return content, report


# ---------------------------------------------------------------- statusdocs build


class PageWriter:
    """Renders pages into the staging folder; runs in the parent, or in forked workers (`parallel`). Returns
    per chunk the files written, the template findings, and the name of the file where this process records
    the Markdown it used (`ProseLog`, with the cache on)."""

    def __init__(self, builder: Builder, pages: list[PlannedPage], staging: Staging, cache: BuildCache | None,
                 prose_log: ProseLog | None):
        self.builder, self.pages, self.staging, self.cache, self.prose_log = builder, pages, staging, cache, prose_log

    @bounded  # templates that call themselves without end fail at one depth, in this process or a worker
    def __call__(self, indices: range) -> tuple[dict[str, Written], list[Diagnostic], str | None]:
        from statusdocs.pages.render import TemplateFailure

        report = Report()
        assert self.builder.renderer is not None
        self.builder.renderer.report = report
        written: dict[str, Written] = {}
        failed: set[str] = set()
        for i in indices:
            page = self.pages[i]
            if page.template in failed:
                continue  # one finding per broken template, not one per page
            try:
                data = self.builder.render_page(page)
            except TemplateFailure:
                failed.add(str(page.template))
                continue
            written[page.output] = self.write(page.output, data)
        return written, report.items, self.prose_log.flush() if self.prose_log else None

    def write(self, rel: str, data: bytes) -> Written:
        """Write a file, or link the previous site's when the bytes are the same: unchanged files keep their
        modification time (rsync, Pages deploys and browsers' caches see nothing new) and cost no write.
        The previous file is read only if it is as the last build wrote it and has the same size; a first build
        (nothing to compare with) does not hash what it writes (~60 ms at 5,000 pages)."""
        old = self.cache.current(rel) if self.cache else None
        previous = os.path.join(self.staging.out, rel)
        if old is not None and old.state[0] == len(data) and _reads(previous, data) and \
                self.staging.link(rel, previous):
            return Written(old.state, linked=True)
        return Written(file_state(self.staging.write(rel, data)))


def _restat(out: str, written: dict[str, Written]) -> None:
    """The state of each linked file as it is now, in the finished site: what the next build compares with."""
    for rel, w in written.items():
        if w.linked:
            with contextlib.suppress(OSError):  # gone already: the next build makes it again
                w.state = file_state(os.stat(os.path.join(out, rel)))


def _reads(path: str, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data`."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


def _check(content: Content, jobs: int = 1) -> list[Diagnostic]:
    """The check of a build. The rules are imported here, by the process that runs them: when that is a child,
    the parent goes on without waiting for the import (~20 ms)."""
    from statusdocs.checks import check_content

    return check_content(content, jobs=jobs)


def build(content_dir: str, templates_dir: str | None, out_dir: str, base_url: str | None = None,
          strict: bool = False, jobs: int | None = None, use_cache: bool = True,
          retain: list[object] | None = None) -> BuildResult:
    """load -> check -> plan -> render -> write, with the cache beside the output: pages made from unchanged
    inputs are kept; on `jobs` cores (default: every one) the check runs in a forked child while forked workers
    and this process render. The output is byte-identical whatever the cache holds and however many render.

    `retain`: a list to which the build adds its model and views instead of freeing them when it returns, for a
    caller that exits right after (the CLI): freeing them object by object takes ~40 ms at 5,000 pages.

    Raises `write.OutputRefused` before reading or writing anything if `out_dir` is not a folder statusdocs may
    replace (`write.check_output`)."""
    from statusdocs.build.cache import generator_fingerprint, hash_inputs
    from statusdocs.build.output import check_output
    from statusdocs.shipped import theme_dirs

    check_output(out_dir, content_dir, templates_dir, cache=use_cache)  # OutputRefused: nothing is touched
    started = time.perf_counter()
    key = digest(json.dumps([generator_fingerprint(), os.path.abspath(content_dir), content_dir,
                             theme_dirs(templates_dir), base_url]).encode())
    cache = BuildCache.open(out_dir, key) if use_cache else None
    inputs: dict[str, str] | None = None
    if cache is not None and cache.inputs:  # a previous build: nothing to do if none of its inputs changed
        inputs = hash_inputs(content_dir, templates_dir)
        if inputs is None:
            cache = None
        elif cache.up_to_date(inputs):
            return BuildResult(not (strict and cache.findings), cache.findings, files=cache.files, up_to_date=True,
                               pages=sum(1 for p in cache.pages if p.endswith(PAGE_SUFFIXES)),
                               seconds=time.perf_counter() - started)
    # With no previous build, the inputs are hashed from the bytes the loader reads (the same bytes, and not
    # read twice), and the rest after loading.
    read: dict[str, str] | None = {} if cache is not None and inputs is None else None

    from statusdocs.build.workers import Forked, available_cores, can_fork
    from statusdocs.content.load import (
        load_content,  # only now: a build with nothing to do is done before YAML, Jinja, Markdown
    )

    jobs = jobs or available_cores()
    report = Report()
    content = load_content(content_dir, report, jobs=jobs, digests=read)
    loaded = time.perf_counter()
    if retain is not None:
        retain.append(content)
    if content is None or report.errors:
        return BuildResult(False, report.sorted(), files=content.files if content else 0,
                           seconds=time.perf_counter() - started)
    # load_content has frozen the model out of the collector's view (gc.freeze): no collection walks it again
    # while pages render, and forked workers do not copy it page by page as a collection touches each object.
    checking: Forked | None = None
    if jobs > 1 and can_fork() and (cache is None or not cache.pages):
        # No previous build: every page will be rendered. Check in a child of its own from now on, beside the
        # hashing of the other inputs, the planning and the rendering.
        checking = Forked(lambda: _check(content))
    try:
        if read is not None:
            inputs = hash_inputs(content_dir, templates_dir, {os.path.abspath(p): d for p, d in read.items()})
            if inputs is None:
                cache = None
        result = _check_render_write(content, report, templates_dir, out_dir, base_url, strict, jobs, cache,
                                     inputs or {}, checking, retain)
    finally:
        if checking is not None:
            checking.close()
    result.seconds = time.perf_counter() - started
    # The check runs beside the render (in a child), so they are one stage.
    result.stages = {"cache and load": loaded - started, "check, plan, render and write": result.seconds -
                     (loaded - started)}
    return result


def _check_render_write(content: Content, report: Report, templates_dir: str | None, out_dir: str, base_url: str | None,
                        strict: bool, jobs: int, cache: BuildCache | None, inputs: dict[str, str],
                        checking: Forked | None, retain: list[object] | None = None) -> BuildResult:
    """The build after loading; `checking` is the check already running in a child, if it is."""
    from statusdocs.build.builder import Builder
    from statusdocs.build.cache import PageKeys
    from statusdocs.build.output import MARKER, Staging
    from statusdocs.build.workers import Forked, can_fork, run_chunks

    # Plan, and keep every page whose key (what it is made from, by content) is the one of the file in place.
    builder = Builder(templates_dir, base_url)
    if retain is not None:
        retain.append(builder)
    stored = cache.prose(content.entries) if cache is not None else None
    pages = builder.prepare(content, report, stored)
    assert builder.views is not None
    keys: dict[str, str | None] = {}

    def key_pages() -> None:
        assert cache is not None and builder.views is not None
        key = PageKeys(cache.key, builder.views.shared_fingerprint(), inputs)
        keys.update({p.output: key(p.output, builder.page_deps(p)) for p in pages})

    if cache is not None and cache.pages:
        key_pages()
    keep = {p.output for p in pages if keys.get(p.output) and cache and cache.current(p.output, keys[p.output])}
    # The pages that read the most sources first (the search index, the sitemap and the indexes take tens of
    # milliseconds each): left to the end, one process would still render them while the others wait.
    todo = sorted((p for p in pages if p.output not in keep), key=lambda p: -len(p.sources))

    # Render the others into a staging folder, in forked workers while the check runs in a child of its own;
    # this process collects the check's findings (and, with no previous build to compare with, works out the
    # keys to record), then renders too.
    def failing() -> bool:
        return bool(report.errors or (strict and report.items))

    def check() -> bool:
        """Check the content; False if the build has failed (then nothing more is rendered)."""
        report.extend(checking.result() if checking else _check(content, jobs))
        if cache is not None and not keys:
            key_pages()
        return not failing()

    # The Markdown this build uses, recorded for the next one. When most pages are kept, the files that hold
    # theirs are kept too, and only what was rendered now is added.
    add_prose = bool(stored) and len(keep) > len(todo)
    if cache is not None:
        cache.remove_stale()  # what builds that were killed left
    prose_log = ProseLog(cache.folder, builder.prose, fresh_only=add_prose) if cache and builder.prose else None
    prose_files: set[str | None] = set()
    committed = False
    staging = Staging(out_dir)
    try:
        writer = PageWriter(builder, todo, staging, cache, prose_log)
        chunks = [range(i, min(i + CHUNK_PAGES, len(todo))) for i in range(0, len(todo), CHUNK_PAGES)]
        if jobs > 1 and len(todo) >= PARALLEL_MIN_PAGES and can_fork():
            # The check in a child of its own (if it is not running yet), beside the views made before the render
            # workers fork; this process collects its findings, then renders too. One process per core: the check
            # takes one until it is done, then this process takes its place (a third process on two cores only
            # adds switching, and its own copy of the views).
            if checking is None:
                checking = Forked(lambda: _check(content))
            builder.views.before_fork(todo)
            if prose_log is not None:
                prose_files.add(prose_log.flush())  # the workers inherit these, and leave them to this process
            results = run_chunks(writer, chunks, max(1, jobs - 1), meanwhile=check)
        else:
            results = [writer(chunk) for chunk in chunks] if check() else []
        for _, diags, _ in results:
            report.extend(diags)  # template errors
        if failing():
            staging.abort()
            return BuildResult(False, report.sorted(), files=content.files)
        written: dict[str, Written] = {}
        for chunk_written, _, chunk_prose in results:
            written.update(chunk_written)
            prose_files.add(chunk_prose)
        if prose_log is not None:
            prose_files.add(prose_log.flush())
            prose_log.close()
        for rel in sorted(keep):
            if not staging.link(rel, os.path.join(staging.out, rel)):  # e.g. no hard links on this file system
                with open(os.path.join(staging.out, rel), "rb") as fh:
                    written[rel] = writer.write(rel, fh.read())
        for rel, data in builder.extras(content).items():
            written[rel] = writer.write(rel, data)
        from statusdocs.pages.search import index_files

        for rel, data in index_files(staging.path).items():  # Pagefind's index of the pages above, if installed
            written[rel] = writer.write(rel, data)
        written[MARKER] = Written(file_state(staging.marked))  # recorded: a site without it is not up to date
        staging.commit()
        committed = True
        if cache is not None:  # linking, and then removing the previous site, changed the inodes' change time
            for rel in keep:
                if rel not in written:
                    written[rel] = Written(cache.pages[rel][1].state, linked=True)
            _restat(staging.out, written)
    except BaseException:
        staging.abort()
        raise
    finally:
        if checking is not None:
            checking.close()
        if prose_log is not None:
            prose_log.close()
            if not committed:  # failed or interrupted: no cache growth left behind (the workers have exited)
                prose_log.discard()

    # Record what was made from what, for the next build.
    if cache is not None:
        records = {rel: (keys.get(rel) or "", w) for rel, w in written.items()}  # the kept pages among them
        kept_prose = cache.prose_files if add_prose else []
        cache.save(inputs, report.sorted(), content.files, records,
                   sorted({*kept_prose, *(name for name in prose_files if name)}), content.entries)
    outputs = {p.output for p in pages} | set(builder.extras(content))
    if retain is not None:
        retain.append((pages, todo, keys, results, written))  # as said in `build`
    return BuildResult(True, report.sorted(), pages=sum(1 for p in outputs if p.endswith(PAGE_SUFFIXES)),
                       files=content.files, rendered=len(todo))
