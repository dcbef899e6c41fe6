"""The build, start to finish, as MkDocs' `commands/build.py` reads: load -> check -> plan -> render -> write.

`run` below is the whole of it, one stage a line. Two layers sit around the stages without changing what they
make: the build cache (`build/cache.py`: which pages can be kept from the previous site, and the Markdown already
rendered) and the forked workers (`build/workers.py`: the check in a child of its own, pages rendered on every
core). The output is byte-identical whatever the cache holds and however many processes render.

Everything one build works with lives in its `BuildContext`, not in module globals: a caller that exits right
after the build (the CLI) keeps the context until then, and the process's exit frees it.

`build`, `deploy` and `serve` all run these stages (`run`); they differ only in their options. The preview's
(`preview_context`) keep the Builder, the parsed files and the last site's page keys in memory between its builds
(`Session`) instead of in the cache folder, write the first build as a build does and then update the folder in
place (`InPlace`), and leave the check to the preview's linter process: that serve layer is `build/preview.py`.

Which pages a change affects is known one way for `build` and `serve` alike: each page records the files it read
while it is rendered (`pages/recorded.py`, `Builder.render_recorded`), and a page is kept when those files, by
content hash, give the key it had (`cache.PageKeys`): the build's previous keys are in the cache folder, the
preview's in its `Session`.

The caches, each for one reason:
- across builds, beside the output (`build/cache.py`): the manifest (input hashes, findings, the check's findings
  by the hash of every content file and each file's own by its hash and the site's outline (`build/checking.py`:
  after an edit, the rules that read one file run only on the files that changed), and each page's recorded files,
  key and file state: a page is kept, or the whole build skipped), each content file's loaded model by its content
  hash (`ParsedStore`: only edited files are parsed) and the rendered Markdown by text (`ProseLog`), all
  checksummed;
- within a process: rendered Markdown by text (`pages/prose.py`), the views' pieces that several pages show
  (`Views._once`, with the files they read), the templates each template reads (`pages/render.py`);
- across the preview's rebuilds only (`Session`): parsed files (`content/load.FileCache`), entries' JSON
  (`Views.lasting`), the inputs' hashes and the last site's page keys and recorded files.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from statusdocs.build.cache import (
    Absolute,
    BuildCache,
    PageKeys,
    ParsedStore,
    ProseLog,
    Written,
    check_key,
    digest,
    file_state,
)
from statusdocs.build.output import MARKER, Staging, check_output, holds
from statusdocs.build.preview import InPlace, Session, changed_inputs, field_digests, keep_unaffected, names_inputs
from statusdocs.diagnostics import Diagnostic, Report
from statusdocs.pages.depth import bounded

if TYPE_CHECKING:
    from statusdocs.build.builder import Builder
    from statusdocs.build.checking import Checked
    from statusdocs.build.kept_views import StoredViews
    from statusdocs.build.workers import Forked
    from statusdocs.content.load import Workers
    from statusdocs.content.model import Content
    from statusdocs.pages.plan import PlannedPage
    from statusdocs.pages.recorded import FieldDigests

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
    changed: list[str] = field(default_factory=list)  # the preview's rebuilds: files whose bytes changed
    removed: list[str] = field(default_factory=list)  # and files the site no longer has


@dataclass
class BuildContext:
    """One build: its options, and what each stage has made so far."""

    content_dir: str
    templates_dir: str | None
    out_dir: str
    base_url: str | None = None
    strict: bool = False
    jobs: int | None = None                      # processes; None: one per core
    use_cache: bool = True
    search: bool = True                          # Pagefind's full-text index, when it is installed
    check: bool = True                           # run the check (the preview's linter does it in a process of its own)
    session: Session | None = None               # the preview's state between its builds (the serve layer)
    changed: set[str] | None = None              # the preview's rebuilds: the files changed (absolute), None: unknown
    report: Report = field(default_factory=Report)
    started: float = field(default_factory=time.perf_counter)
    stages: dict[str, float] = field(default_factory=dict)
    # The cache layer: the previous build's record, and every input file by content hash.
    cache: BuildCache | None = None
    inputs: dict[str, str] | None = None
    loaded_digests: dict[str, str] | None = None  # hashes of the files as the loader read them (first build)
    states: dict[str, list[int]] = field(default_factory=dict)  # each input's file state when hashed
    since: int = field(default_factory=time.time_ns)  # before any input was read (`BuildCache.trusted`)
    # The stages' products.
    content: Content | None = None
    builder: Builder | None = None
    pages: list[PlannedPage] = field(default_factory=list)
    keys: dict[str, str | None] = field(default_factory=dict)   # page -> cache key (what it is made from)
    deps: dict[str, Sequence[str]] = field(default_factory=dict)  # page -> the files it was made from
    keep: set[str] = field(default_factory=set)                  # pages kept from the previous site
    todo: list[PlannedPage] = field(default_factory=list)        # pages to render
    checking: Forked | None = None                               # the check, running in a child
    checked: list[Diagnostic] | None = None                      # the check's findings, once known
    reported: bool = False                                       # and added to the report (`finish_check`)
    check_key: str = ""                                          # the content they are found in (cache layer)
    checked_files: Checked | None = None                         # each file's findings, for the next build
    parsed: ParsedStore | None = None                            # the loaded files, to record (cache layer)
    workers: Workers | None = None                               # when forking pays (None: load.WORKERS)
    fields: FieldDigests | None = None                           # the digests of the fields pages read
    stored_views: StoredViews | None = None                      # the views' pieces of the last build (cache layer)
    made: dict = field(default_factory=dict)                     # the views' pieces made now, for the next build
    page_key: PageKeys | None = None                             # the preview's page keys (one per build)

    def failing(self) -> bool:
        return bool(self.report.errors or (self.strict and self.report.items))

    def result(self, ok: bool, **kwargs: object) -> BuildResult:
        return BuildResult(ok, self.report.sorted(), seconds=time.perf_counter() - self.started,
                           stages=self.stages, **kwargs)  # type: ignore[arg-type]


def preview_context(content_dir: str, templates_dir: str | None, out_dir: str, base_url: str | None,
                    session: Session, changed: set[str] | None) -> BuildContext:
    """The options of one of `statusdocs serve`'s builds (`run`): into the preview's folder, with the session's
    state, in this process (a forked worker would lose what it renders: the session keeps nothing of it), without
    the full-text index and without the check (the preview's linter runs it, after the pages are written)."""
    return BuildContext(content_dir, templates_dir, out_dir, base_url, jobs=1, use_cache=False, search=False,
                        check=False, session=session, changed=changed)


def load_and_check(content_dir: str, select: set[str] | None = None, ignore: set[str] | None = None,
                   jobs: int = 1, workers: Workers | None = None) -> tuple[Content | None, Report]:
    """`statusdocs check`: load and check in `jobs` processes. On a large site each process loads and checks its
    own share of the comparisons (`checking.load_and_check_in_shares`): the content returned then holds none of
    them (its `files` counts them)."""
    from statusdocs.build.checking import load_and_check_in_shares

    if jobs > 1:
        shared = load_and_check_in_shares(content_dir, select, ignore, jobs, workers)
        if shared is not None:
            return shared
    from statusdocs.checks import check_content, filter_loader
    from statusdocs.content.load import load_content

    report = Report()
    content = load_content(content_dir, report, jobs=jobs, workers=workers)
    report.items = filter_loader(report, select, ignore)
    if content is not None:
        report.extend(check_content(content, select, ignore, jobs=jobs, workers=workers))
    return content, report


# ---------------------------------------------------------------- statusdocs build


def build(content_dir: str, templates_dir: str | None, out_dir: str, base_url: str | None = None,
          strict: bool = False, jobs: int | None = None, use_cache: bool = True, search: bool = True,
          workers: Workers | None = None) -> BuildResult:
    """Build the site into `out_dir` (see `run`).

    Raises `output.OutputRefused` before reading or writing anything if `out_dir` is not a folder statusdocs may
    replace (`output.check_output`)."""
    return run(BuildContext(content_dir, templates_dir, out_dir, base_url, strict, jobs, use_cache, search,
                            workers=workers))


def run(ctx: BuildContext) -> BuildResult:
    """load -> check -> plan -> render -> write; the check runs beside the render when it can."""
    check_output(ctx.out_dir, ctx.content_dir, ctx.templates_dir, cache=ctx.use_cache)  # OutputRefused
    if open_cache(ctx):
        return up_to_date(ctx)
    staging = open_output(ctx)  # before loading: a new staging folder's folders are made meanwhile
    committed = False
    try:
        if not load(ctx):
            return ctx.result(False, files=ctx.content.files if ctx.content else 0)
        start_check(ctx)
        if ctx.parsed is not None:  # pickled beside the check (a child of its own by now), not before it starts
            ctx.parsed.seal()
        hash_inputs_read(ctx)
        plan(ctx)
        result = render_and_write(ctx, staging)
        committed = result.ok
        return result
    finally:
        if not committed:
            staging.abort()
        if ctx.checking is not None:
            ctx.checking.close()


def open_output(ctx: BuildContext) -> Staging | InPlace:
    """Where the pages go: a staging folder beside the site (with the cache on, the site the last build replaced:
    the spare in the cache's folder; one process only with `--jobs 1`), or, for the preview once it has a site,
    that site's folder itself."""
    from statusdocs.build.workers import available_cores

    session = ctx.session
    if session is not None and session.site:
        return InPlace(ctx.out_dir, session.site)
    return Staging(ctx.out_dir, reuse=ctx.cache is not None, fork=(ctx.jobs or available_cores()) > 1)


def _stage(ctx: BuildContext, name: str, since: float) -> float:
    now = time.perf_counter()
    ctx.stages[name] = now - since
    return now


# ---------------------------------------------------------------- the cache layer, before loading


def open_cache(ctx: BuildContext) -> bool:
    """Open the previous build's record; True if none of its inputs changed (nothing to do). With no previous
    build, the inputs are hashed from the bytes the loader reads (the same bytes, not read twice)."""
    from statusdocs.build.cache import generator_fingerprint, hash_inputs
    from statusdocs.shipped import theme_dirs

    if ctx.session is not None:  # the serve layer: the previous build is in memory; hash what the loader reads
        ctx.loaded_digests = {}
        return False
    if not ctx.use_cache:
        return False
    key = digest(json.dumps([generator_fingerprint(), os.path.abspath(ctx.content_dir), ctx.content_dir,
                             theme_dirs(ctx.templates_dir), ctx.base_url, ctx.search]).encode())
    ctx.cache = BuildCache.open(ctx.out_dir, key)
    if not ctx.cache.inputs:
        ctx.loaded_digests = {}
        return False
    ctx.inputs = hash_inputs(ctx.content_dir, ctx.templates_dir, trusted=ctx.cache.trusted(), states=ctx.states)
    if ctx.inputs is None:
        ctx.cache = None  # inputs the cache cannot vouch for: build without it
    return ctx.cache is not None and ctx.cache.up_to_date(ctx.inputs)


def up_to_date(ctx: BuildContext) -> BuildResult:
    cache = ctx.cache
    assert cache is not None
    return BuildResult(not (ctx.strict and cache.findings), cache.findings, files=cache.files, up_to_date=True,
                       pages=cache.count,
                       seconds=time.perf_counter() - ctx.started)


def hash_inputs_read(ctx: BuildContext) -> None:
    """A first build hashes the inputs the loader did not read (templates, other files) after loading; so does
    each of the preview's builds, which also knows the hashes of the files that did not change since its last."""
    from statusdocs.build.cache import hash_inputs

    if ctx.loaded_digests is None or (ctx.cache is None and ctx.session is None):
        return
    loaded = {os.path.abspath(p): d for p, d in ctx.loaded_digests.items()}
    if ctx.session is not None:
        ctx.inputs = changed_inputs(ctx, ctx.session, loaded)
        if ctx.inputs is not None:
            return
    known = ctx.session.unchanged(ctx.changed) if ctx.session is not None else {}
    known.update(loaded)
    ctx.inputs = hash_inputs(ctx.content_dir, ctx.templates_dir, known, states=ctx.states)
    if ctx.inputs is None:
        ctx.cache = None


# ---------------------------------------------------------------- load and check


def load(ctx: BuildContext) -> bool:
    """Load the content (imported only now: a build with nothing to do is done before YAML, Jinja, Markdown).
    False if it has errors."""
    from statusdocs.build.workers import available_cores
    from statusdocs.content.load import FileCache, load_content

    ctx.jobs = ctx.jobs or available_cores()
    since = time.perf_counter()
    files = None
    if ctx.session is not None:
        files = ctx.session.files = ctx.session.files or FileCache()
        files.changed = ctx.changed if names_inputs(ctx) else None  # the others are as the last load left them
    # The cache layer: each file's model from an earlier build, by its bytes' hash (the inputs hashed already).
    store = ParsedStore(ctx.cache.folder, ctx.cache.key, ctx.inputs) if ctx.cache is not None else None
    ctx.content = load_content(ctx.content_dir, ctx.report, files, jobs=ctx.jobs, digests=ctx.loaded_digests,
                               store=store, workers=ctx.workers)
    ctx.parsed = store  # sealed before anything but the check (in a child) has used the model (`run`)
    _stage(ctx, "load", since)
    return ctx.content is not None and not ctx.report.errors


def _check(content: Content, hashes: dict[str, str] | None, previous: Checked | None, jobs: int = 1,
           workers: Workers | None = None) -> tuple[list[Diagnostic], Checked | None]:
    """The check of a build; with the cache layer (`hashes`: each content file's hash by its source path), file by
    file (`build/checking.py`): only the files changed since the last build (`previous`), and the rules that read
    the whole site. The rules are imported here, by the process that runs them: when that is a child, the parent
    goes on without waiting for the import."""
    if hashes is None:
        from statusdocs.checks import check_content

        return check_content(content, jobs=jobs, workers=workers), None
    from statusdocs.build.checking import check

    return check(content, hashes, previous, jobs, workers)


def _previous_findings(ctx: BuildContext) -> Checked | None:
    """Each file's findings in the last build (the cache layer), for the check to keep those of unchanged files."""
    return ctx.cache.checked_files if ctx.cache is not None else None


def _content_hashes(ctx: BuildContext) -> dict[str, str] | None:
    """Each content file's hash by the path its findings name (the cache layer), from the inputs or, on a first
    build, from the bytes the loader read."""
    if ctx.cache is None or ctx.content is None:
        return None
    from statusdocs.build.checking import sources

    absolute = Absolute()
    known = ctx.inputs if ctx.inputs is not None else \
        {absolute(p): d for p, d in (ctx.loaded_digests or {}).items()}
    return {s: known[a] for s in sources(ctx.content) if (a := absolute(s)) in known}


def start_check(ctx: BuildContext) -> None:
    """Run the check in a forked child of its own from now on, beside the planning, the rendering and the writing
    (on more than one core). Otherwise `finish_check` runs it here. The cache layer: findings the last build's check
    made from the same content files (by content hash) are the findings; else only the files changed since are
    checked again by the rules that read one file (`build/checking.py`)."""
    from statusdocs.build.workers import Forked, can_fork

    content = ctx.content
    if ctx.check and ctx.cache is not None and ctx.inputs is not None:
        ctx.check_key = check_key(ctx.content_dir, ctx.inputs)
        if ctx.cache.checked[0] == ctx.check_key:
            ctx.checked = list(ctx.cache.checked[1])
            ctx.checked_files = ctx.cache.checked_files
    if ctx.check and ctx.checked is None and ctx.checking is None and content is not None and \
            (ctx.jobs or 1) > 1 and can_fork():
        # What the check starts from is found by the child too: this process goes on to plan meanwhile.
        ctx.checking = Forked(lambda: _check(content, _content_hashes(ctx), _previous_findings(ctx)))


def finish_check(ctx: BuildContext) -> bool:
    """The check's findings, from the cache, from the child or checked here; False if the build has failed. Once:
    called again, only the answer."""
    assert ctx.content is not None
    if ctx.check and not ctx.reported:
        if ctx.checked is None:
            ctx.checked, ctx.checked_files = ctx.checking.result() if ctx.checking else \
                _check(ctx.content, _content_hashes(ctx), _previous_findings(ctx), ctx.jobs or 1, ctx.workers)
        ctx.report.extend(ctx.checked)
        ctx.reported = True
    return not ctx.failing()


# ---------------------------------------------------------------- plan


def plan(ctx: BuildContext) -> None:
    """Plan the site, and (the cache layer) keep every page whose key is the one of the file in place; the pages
    that read the most sources are rendered first (the search index, the sitemap and the indexes take tens of
    milliseconds each: left to the end, one process would still render them while the others wait)."""
    assert ctx.content is not None
    since = time.perf_counter()
    cache = ctx.cache
    ctx.builder = builder(ctx)
    stored = cache.prose(ctx.content.entries) if cache is not None else None
    ctx.pages = ctx.builder.prepare(ctx.content, ctx.report, stored)
    if ctx.session is not None and ctx.inputs is not None:  # the serve layer: views kept while what they read is
        views = ctx.builder.views
        assert views is not None
        views.carry(ctx.inputs, ctx.session.fields.stamper(ctx.inputs, views.content.models))
    previous = cache if cache is not None else ctx.session
    if previous is not None and previous.deps and ctx.inputs is not None:
        keep(ctx, previous)
    if cache is not None and ctx.inputs is not None:
        stored_views(ctx, cache)
    ctx.todo = sorted((p for p in ctx.pages if p.output not in ctx.keep), key=lambda p: p.kind not in WIDE)
    ctx.builder.compile(ctx.todo)
    _stage(ctx, "plan", since)


def keep(ctx: BuildContext, previous: BuildCache | Session) -> None:
    """Keep every page whose key is the one it had, and whose file (the build's) is the one written then. The pages
    that read none of the files changed since have the key they had, known without making it again (their
    files' parts of it are the same); the others' keys are made."""
    assert ctx.inputs is not None
    key = page_keys(ctx)
    session, cache = ctx.session, ctx.cache
    known: tuple[set[str], set[str]] | None = None
    if session is not None:
        affected = session.affected(ctx, key)
        if affected is not None:
            keep_unaffected(ctx, session, affected)
            return
    else:
        assert cache is not None and key.fields is not None
        known = cache.unaffected(ctx.inputs, key.prefix, key.fields)
    same, gone = known or (set(), set())
    for page in ctx.pages:
        out = page.output
        deps = previous.deps.get(out)
        if deps is None or out in gone:  # a key known to have changed: the page is made again
            continue
        if out in same and cache is not None and (out in cache.framed) == page.shows_frame:
            page_key: str | None = cache.pages[out][0]
        else:
            page_key = key(out, deps, page.shows_frame)
        if page_key is not None and previous.current(out, page_key):
            ctx.keep.add(out)
            ctx.keys[out], ctx.deps[out] = page_key, deps if session is None else tuple(deps)


def stored_views(ctx: BuildContext, cache: BuildCache) -> None:
    """The cache layer of the views (`build/kept_views.py`): what the wide pages read of each entry and comparison,
    from the last build while what it was made from is unchanged."""
    from statusdocs.build.kept_views import StoredViews, written_json

    views = ctx.builder.views if ctx.builder is not None else None
    assert views is not None and ctx.inputs is not None
    ctx.stored_views = StoredViews(cache.folder, cache.key, views.shared_fingerprint)
    views.stored = ctx.stored_views.lookup(ctx.inputs)
    if ctx.keep:
        views.written_json = written_json(ctx.out_dir, ctx.keep)


def builder(ctx: BuildContext) -> Builder:
    """A new Builder; the preview's, kept from its last build, whose templates are read again if one changed (a
    template may now read differently, or extend or include others)."""
    from statusdocs.build.builder import Builder
    from statusdocs.pages.search import available

    session = ctx.session
    if session is None or session.builder is None:
        bytecode, reads = None, None
        if ctx.cache is not None:  # compiled templates, and which read which, kept by the build cache
            from statusdocs.build.bytecode import bytecode_cache

            bytecode = bytecode_cache(ctx.cache.folder, ctx.cache.key)
            reads = ctx.cache.template_reads[1] if ctx.cache.template_reads[0] == templates_digest(ctx) else None
        made = Builder(ctx.templates_dir, ctx.base_url, full_text=ctx.search and available(), bytecode=bytecode,
                       reads=reads)
        if session is not None:
            session.builder = made
        return made
    kept = session.builder
    theme = tuple(d + os.sep for d in kept.theme)
    if kept.renderer is not None and (ctx.changed is None or any(p.startswith(theme) for p in ctx.changed)):
        kept.renderer.forget()
    return kept


def templates_digest(ctx: BuildContext) -> str:
    """Every template file, by path and content hash ("" when the inputs are not known)."""
    from statusdocs.shipped import theme_dirs

    if ctx.inputs is None:
        return ""
    theme = tuple(d + os.sep for d in theme_dirs(ctx.templates_dir))
    return digest("\0".join(f"{p}\0{h}" for p, h in sorted(ctx.inputs.items()) if p.startswith(theme)).encode())


# Pages that read every entry or comparison: rendered first (they take tens of milliseconds each; left to the end,
# one process would still render them while the others wait).
WIDE = frozenset({"search", "sitemap", "index", "compare-index", "api"})


def page_keys(ctx: BuildContext) -> PageKeys:
    """Each page's cache key, from the files it was made from: what it is made from, by content."""
    assert ctx.builder is not None and ctx.builder.views is not None
    # Which templates exist, by path: one added to the user's folder replaces the built-in one of that name for
    # pages whose recorded files (the built-in template) did not change.
    theme = tuple(d + os.sep for d in ctx.builder.theme)
    templates = digest("\0".join(sorted(p for p in (ctx.inputs or {}) if p.startswith(theme))).encode())
    build_key = ctx.cache.key if ctx.cache is not None else ""  # the preview's keys live as long as its options
    if ctx.fields is None:  # the digests of the files unchanged since the previous build are known
        ctx.fields = ctx.session.fields if ctx.session is not None else \
            field_digests(ctx.cache.fields if ctx.cache is not None else None)
    views = ctx.builder.views
    if ctx.page_key is not None:
        return ctx.page_key
    key = PageKeys(build_key, views.shared_fingerprint() + templates, ctx.inputs or {},
                   ctx.fields.resolver(ctx.inputs or {}, views.content.models))
    if ctx.session is not None and ctx.inputs is not None:  # the serve layer: one per build, with the parts kept
        ctx.session.carry_parts(key, ctx.inputs)
        ctx.page_key = key
    return key


# ---------------------------------------------------------------- render and write


@dataclass
class Chunk:
    """What rendering a chunk of pages made (in this process or a worker)."""

    written: dict[str, Written] = field(default_factory=dict)      # page -> its file
    deps: dict[str, tuple[str, ...]] = field(default_factory=dict)  # page -> the files it was made from
    findings: list[Diagnostic] = field(default_factory=list)       # template errors
    prose: str | None = None                                       # the file of Markdown this process recorded
    keys: dict[str, str | None] = field(default_factory=dict)      # page -> its cache key (the cache layer)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # the field digests the keys were made from
    made: dict = field(default_factory=dict)                       # the views' pieces made (`Views.take_made`)


class PageWriter:
    """Renders pages into the staging folder; runs in the parent, or in forked workers. Returns per chunk the
    files written, the template findings, and the name of the file where this process records the Markdown it
    used (`ProseLog`, with the cache on); with `key` (the inputs are hashed), each page's key too, made as it is
    rendered (in the worker, beside the other pages, not after all of them in the parent alone), with the field
    digests this process made for them."""

    def __init__(self, builder: Builder, pages: list[PlannedPage], staging: Staging | InPlace, cache: BuildCache | None,
                 prose_log: ProseLog | None, key: PageKeys | None = None):
        self.builder, self.pages, self.staging, self.cache, self.prose_log = builder, pages, staging, cache, prose_log
        self.key = key

    @bounded  # templates that call themselves without end fail at one depth, in this process or a worker
    def __call__(self, indices: range) -> Chunk:
        from statusdocs.pages.render import TemplateFailure

        report = Report()
        assert self.builder.renderer is not None
        self.builder.renderer.report = report
        chunk = Chunk()
        failed: set[str] = set()
        for i in indices:
            page = self.pages[i]
            if page.template in failed:
                continue  # one finding per broken template, not one per page
            try:
                data, deps = self.builder.render_recorded(page)
            except TemplateFailure:
                failed.add(str(page.template))
                continue
            chunk.deps[page.output] = deps
            chunk.written[page.output] = self.write(page.output, data)
            if self.key is not None:
                chunk.keys[page.output] = self.key(page.output, deps, page.shows_frame)
        if self.key is not None:
            chunk.fields = self.key.take_found()
        chunk.findings = report.items
        chunk.prose = self.prose_log.flush() if self.prose_log else None
        if self.builder.views is not None and self.cache is not None:
            chunk.made = self.builder.views.take_made()
        return chunk

    def write(self, rel: str, data: bytes) -> Written:
        """Write a file, or link the previous site's when the bytes are the same: unchanged files keep their
        modification time (rsync, Pages deploys and browsers' caches see nothing new) and cost no write.
        The previous file is read only if it is as the last build wrote it and has the same size; a first build
        (nothing to compare with) does not hash what it writes."""
        old = self.cache.current(rel) if self.cache else None
        previous = os.path.join(self.staging.out, rel)
        if old is not None and old.state[0] == len(data) and holds(previous, data) and \
                self.staging.link(rel, previous):
            return Written(old.state, linked=True)
        return _written(self.staging.write(rel, data))


def _written(st: os.stat_result | None) -> Written:
    """A file written into the staging folder by its state; a file the preview writes later (`InPlace`) has none
    yet (only the build cache's record uses it)."""
    return Written(file_state(st) if st is not None else [])


class ProseRecord:
    """The cache layer's record of the Markdown this build uses, for the next one: one file per render process
    (`ProseLog`). When most pages are kept, the files that hold theirs are kept too, and only what was rendered
    now is added."""

    def __init__(self, ctx: BuildContext):
        cache, builder = ctx.cache, ctx.builder
        assert builder is not None
        self.add = bool(cache is not None and builder.prose and builder.prose.stored) and len(ctx.keep) > len(ctx.todo)
        if cache is not None:
            cache.remove_stale()  # what builds that were killed left
        self.log = ProseLog(cache.folder, builder.prose, fresh_only=self.add) \
            if cache is not None and builder.prose else None
        self.files: set[str | None] = set()

    def flush(self) -> None:
        if self.log is not None:
            self.files.add(self.log.flush())

    def names(self, cache: BuildCache) -> list[str]:
        kept = cache.kept_prose() if self.add else []
        return sorted({*kept, *(name for name in self.files if name)})

    def close(self, committed: bool) -> None:
        if self.log is not None:
            self.log.close()
            if not committed:  # failed or interrupted: no cache growth left behind (the workers have exited)
                self.log.discard()


def render_and_write(ctx: BuildContext, staging: Staging | InPlace) -> BuildResult:
    """Render the pages to make into the staging folder, link the kept ones, and swap it in for the site (the
    preview, once it has a site: update its folder in place); then record, for the next build, what was made
    from what. A build that fails here leaves `staging` to the caller (`run` aborts it)."""
    assert ctx.content is not None and ctx.builder is not None
    since = time.perf_counter()
    prose = ProseRecord(ctx)
    session = ctx.session
    committed = False
    try:
        writer = PageWriter(ctx.builder, ctx.todo, staging, ctx.cache, prose.log,
                            page_keys(ctx) if ctx.inputs is not None else None)
        results = render(ctx, writer, prose)
        for chunk in results:
            ctx.report.extend(chunk.findings)
            prose.files.add(chunk.prose)
            _keys_made(ctx, chunk)
            ctx.made.update(chunk.made)
        if ctx.failing():
            finish_check(ctx)  # its findings too
            return ctx.result(False, files=ctx.content.files)
        since = _stage(ctx, "check and render", since)
        prose.flush()
        staged = write(ctx, staging, writer, results)
        if staged is None:  # the check failed
            return ctx.result(False, files=ctx.content.files)
        written = staged
        committed = True
    finally:
        prose.close(committed)
    # The site's pages: those planned and those made from the configuration (not the search index's files).
    outputs = {p.output for p in ctx.pages} | set(ctx.builder.extras(ctx.content))
    pages = sum(1 for p in outputs if p.endswith(PAGE_SUFFIXES))
    record(ctx, written, prose, pages, writer.key)
    _stage(ctx, "write", since)
    changed, removed = (staging.changed, staging.removed) if isinstance(staging, InPlace) else \
        (sorted(written) if session is not None else [], [])
    return ctx.result(True, pages=pages, files=ctx.content.files, rendered=len(ctx.todo), changed=changed,
                      removed=removed)


def _keys_made(ctx: BuildContext, chunk: Chunk) -> None:
    """The keys of a chunk's pages, and the field digests they were made from, into the build's record (a forked
    worker's digests are its own until then)."""
    ctx.keys.update(chunk.keys)
    if chunk.fields and ctx.fields is not None and ctx.inputs is not None:
        known = ctx.fields.known
        for path, digests in chunk.fields.items():
            file_hash = ctx.inputs[path]
            held = known.get(path)
            if held is None or held[0] != file_hash:
                held = known[path] = (file_hash, {})
            held[1].update(digests)


def record(ctx: BuildContext, written: dict[str, Written], prose: ProseRecord, pages: int,
           key: PageKeys | None = None) -> None:
    """What the next build compares with: each page's key and the files it was made from, in the cache's
    folder (`build`) or the preview's session (`serve`); `pages`: how many the site has (for a build with
    nothing to do to say). `key`: what made the keys of the pages rendered (`PageWriter`); any page without one
    gets it here."""
    assert ctx.content is not None
    prefix = ""
    framed = {p.output for p in ctx.pages if p.shows_frame}
    if ctx.inputs is not None:
        key = key or page_keys(ctx)
        prefix = key.prefix
        ctx.keys.update({rel: key(rel, deps, rel in framed) for rel, deps in ctx.deps.items()
                         if rel not in ctx.keep and rel not in ctx.keys})
    if ctx.cache is not None:
        _save(ctx, ctx.cache, {rel: (ctx.keys.get(rel) or "", w, ctx.deps.get(rel, ()), rel in framed)
                               for rel, w in written.items()}, prose, pages, prefix)
    if ctx.session is not None:
        ctx.session.remember(ctx, written, prefix, key)


def _save(ctx: BuildContext, cache: BuildCache, records: dict[str, tuple[str, Written, Sequence[str], bool]],
          prose: ProseRecord, pages: int, prefix: str) -> None:
    """The cache layer's record of a good build, in the cache folder."""
    assert ctx.content is not None
    if not ctx.check_key and ctx.inputs is not None:  # a first build: its inputs are known only now
        ctx.check_key = check_key(ctx.content_dir, ctx.inputs)
    checked = (ctx.check_key, ctx.checked) if ctx.check and ctx.checked is not None else ("", [])
    cache.save(ctx.inputs or {}, ctx.report.sorted(), ctx.content.files, records, prose.names(cache),
               ctx.content.entries, checked, ctx.checked_files if checked[0] else None,
               ctx.fields.known if ctx.fields is not None else None, prefix, _template_reads(ctx), pages,
               (ctx.states, ctx.since))
    if ctx.parsed is not None:
        ctx.parsed.save()
    if ctx.stored_views is not None and ctx.inputs is not None:
        ctx.stored_views.save(ctx.inputs, ctx.made)
    if ctx.builder is not None and ctx.builder.bytecode is not None:
        ctx.builder.bytecode.save()


def _template_reads(ctx: BuildContext) -> tuple[str, dict[str, list[str]]]:
    """What the next build's renderer may start from: the templates each template read, by the template files."""
    renderer = ctx.builder.renderer if ctx.builder is not None else None
    if renderer is None or ctx.inputs is None:
        return "", {}
    return templates_digest(ctx), {name: sorted(names) for name, names in renderer.reads().items()}


def render(ctx: BuildContext, writer: PageWriter, prose: ProseRecord) -> list[Chunk]:
    """The workers layer: the pages in chunks, in forked workers beside the check (in a child of its own) when
    there are enough of them; nothing if the check fails. One process per core: the check takes one until it is
    done, then this process takes its place (a third process on two cores only adds switching)."""
    from statusdocs.build.workers import can_fork, run_chunks

    assert ctx.builder is not None and ctx.builder.views is not None
    todo, jobs = ctx.todo, ctx.jobs or 1
    chunks = [range(i, min(i + CHUNK_PAGES, len(todo))) for i in range(0, len(todo), CHUNK_PAGES)]
    if jobs > 1 and len(todo) >= PARALLEL_MIN_PAGES and can_fork():
        ctx.builder.views.before_fork(todo)
        ctx.made.update(ctx.builder.views.take_made())  # the workers' are their own
        prose.flush()  # the workers inherit what is recorded so far, and leave it to this process
        return run_chunks(writer, chunks, max(1, jobs - 1), meanwhile=lambda: finish_check(ctx))
    if ctx.checking is None and not finish_check(ctx):  # checked here: nothing to render if it failed
        return []
    # Beside the check, if it runs in a child: its findings are awaited once the new site is staged, before it is
    # swapped in (`write`).
    return [writer(chunk) for chunk in chunks]


def write(ctx: BuildContext, staging: Staging | InPlace, writer: PageWriter, results: list[Chunk]) \
        -> dict[str, Written] | None:
    """Finish the staging folder (the kept pages, linked from the previous site; the files made from the
    configuration) and, once the check has passed (it may still run in a child meanwhile), make it the site.
    Returns every file of the site by its state; None if the check failed (nothing is swapped in)."""
    assert ctx.content is not None and ctx.builder is not None
    written: dict[str, Written] = {}
    for chunk in results:
        written.update(chunk.written)
        ctx.deps.update(chunk.deps)
    for rel in sorted(ctx.keep) if not isinstance(staging, InPlace) else ():
        if not staging.link(rel, os.path.join(staging.out, rel)):  # e.g. no hard links on this file system
            with open(os.path.join(staging.out, rel), "rb") as fh:
                written[rel] = writer.write(rel, fh.read())
    if isinstance(staging, InPlace):
        staging.keep(ctx.keep)
    for rel, data in ctx.builder.extras(ctx.content).items():
        written[rel] = writer.write(rel, data)
    from statusdocs.pages.search import index_files

    if ctx.search:
        staging.prune(written.keys() | ctx.keep)  # a reused folder holds only this site's pages when indexed
    for rel, data in (index_files(staging.path) if ctx.search else {}).items():  # Pagefind's, if installed
        written[rel] = writer.write(rel, data)
    written[MARKER] = _written(staging.marked)  # recorded: a site without it is not up to date
    if not finish_check(ctx):
        return None
    staging.commit(written.keys() | ctx.keep)
    if ctx.cache is not None:  # linking, and then removing the previous site, changed the inodes' change time
        for rel in ctx.keep:  # a file in place already (`unmoved`) has the state the last build recorded
            if rel not in written:
                written[rel] = Written(ctx.cache.pages[rel][1].state, linked=rel not in staging.unmoved)
        _restat(staging.out, written)
    return written


def _restat(out: str, written: dict[str, Written]) -> None:
    """The state of each linked file as it is now, in the finished site: what the next build compares with."""
    for rel, w in written.items():
        if w.linked:
            with contextlib.suppress(OSError):  # gone already: the next build makes it again
                w.state = file_state(os.stat(os.path.join(out, rel)))
