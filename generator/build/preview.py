"""The serve layer of the pipeline: what `statusdocs serve` keeps in memory from one build to the next, and how a
build of the preview knows what changed without looking at every file.

A preview's build is `pipeline.run` with the preview's options (`pipeline.preview_context`). Its `Session` holds,
in place of the build cache's folder, the Builder, the parsed files and the last good site's page keys and
recorded files; the same page keys decide what is kept. The watcher names the files that changed, so only those are
hashed again (`changed_inputs`) and only the pages that read them are looked at (`Session.affected`,
`keep_unaffected`). Once the preview has a site, a build updates that folder in place (`InPlace`) instead of
swapping a staging folder in for it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from statusdocs.build.cache import CONTENT_FOLDERS, PageKeys, Written, digest, is_content_file, read_regular
from statusdocs.build.output import MARKER, holds, update_site
from statusdocs.pages.dependency import FIELD
from statusdocs.shipped import theme_dirs

if TYPE_CHECKING:
    from statusdocs.build.builder import Builder
    from statusdocs.build.pipeline import BuildContext
    from statusdocs.content.load import FileCache
    from statusdocs.pages.recorded import FieldDigests


@dataclass
class Session:
    """The serve layer: what a preview keeps in memory from one build to the next, in place of the build cache's
    folder. The same page keys decide what is kept (`plan`); only where they are held differs."""

    builder: Builder | None = None                  # its renderer, views and Markdown, kept warm
    files: FileCache | None = None                  # parsed files, by their state
    inputs: dict[str, str] = field(default_factory=dict)          # the last good build's inputs, by content hash
    keys: dict[str, str | None] = field(default_factory=dict)     # page -> its key in the last good build
    deps: dict[str, Sequence[str]] = field(default_factory=dict)  # page -> the files it was made from
    site: set[str] = field(default_factory=set)                    # every file of the last good site
    fields: FieldDigests = field(default_factory=lambda: field_digests())  # the content's field digests, by file
    prefix: str = ""                                               # the last good build's keys' shared part
    readers: dict[str, set[str]] = field(default_factory=dict)     # file -> the pages made from it (`deps`)
    then: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # `fields` in the last good build
    parts: dict[str, str] | None = None  # the last good build's page keys' parts (`PageKeys.parts`), while unused

    def carry_parts(self, key: PageKeys, inputs: dict[str, str]) -> None:
        """Give a build's page keys the parts of the last good build's that still hold: a field's part is made from
        its file's field digest, the same while the file's hash is (a wide page reads thousands of fields, and
        making each part again costs more than the rest of its key). The parts of a changed file's fields (those
        `then` knows) are dropped, the files' own parts are the new ones. Taken once: a failed build's parts are
        never carried (they may hold a file's fields as that build saw them)."""
        parts, self.parts = self.parts, None
        if parts is None:
            return
        before = self.inputs
        for path in before.keys() | inputs.keys():
            if before.get(path) != inputs.get(path):
                parts.pop(path, None)
                for name in self.then.get(path, ("", {}))[1]:
                    parts.pop(f"{path}{FIELD}{name}", None)
        parts.update(key.parts)
        key.parts = parts

    def unchanged(self, changed: set[str] | None) -> dict[str, str]:
        """The inputs' hashes that still hold: all but the changed files' (none when what changed is unknown)."""
        if changed is None:
            return {}
        return {path: known for path, known in self.inputs.items() if path not in changed}

    def current(self, rel: str, page_key: str) -> bool:
        return self.keys.get(rel) == page_key

    def remember(self, ctx: BuildContext, written: dict[str, Written], prefix: str, key: PageKeys | None) -> None:
        """A good build: what the next one compares with."""
        self.inputs = ctx.inputs or {}
        self.parts = key.parts if key is not None and ctx.inputs is not None else None
        self.keys = dict(ctx.keys) if ctx.inputs is not None else {}  # no hashes: no keys, every page is made
        before, self.deps = self.deps, dict(ctx.deps)
        self.site = set(written) | ctx.keep  # kept pages are in place, not written
        self.prefix = prefix if self.keys else ""
        self.then = dict(self.fields.known)
        if not ctx.keep:
            self.readers = {}
        for page in (p.output for p in ctx.todo) if ctx.keep else self.deps:  # what the pages made now read
            self._index(page, before.get(page, ()) if ctx.keep else (), self.deps.get(page, ()))

    def _index(self, page: str, then: Iterable[str], now: Iterable[str]) -> None:
        """`readers` after a page that read `then` (files and fields) was made again and read `now`: most of what a
        page read it reads again, and only the difference is looked at (a wide page reads thousands of fields)."""
        gone, new = set(then) - set(now), set(now) - set(then)
        if gone:  # a file of which a field is no longer read may still be read otherwise
            files = {dep.partition(FIELD)[0] for dep in now}
            for path in {dep.partition(FIELD)[0] for dep in gone} - files:
                self.readers.get(path, set()).discard(page)
        for path in {dep.partition(FIELD)[0] for dep in new}:
            self.readers.setdefault(path, set()).add(page)

    def affected(self, ctx: BuildContext, key: PageKeys) -> set[str] | None:
        """The pages whose key may have changed: a changed file's readers that read it whole or read a field of it
        whose digest changed. Every other page's key is the one it had (none but those read a changed file, and
        nothing every page shows changed), known without making it again. None if that cannot be known (what changed
        is not known, or named otherwise than the inputs are: `names_inputs`; or what every page shows changed):
        then each page's key is made again."""
        if not names_inputs(ctx) or not self.prefix or key.prefix != self.prefix or key.fields is None:
            return None
        from statusdocs.pages.recorded import reads_a_change, unchanged_fields

        assert ctx.changed is not None  # `names_inputs`
        same = unchanged_fields(self.then, ctx.changed, key.fields)
        return {page for page in set().union(*(self.readers.get(path, ()) for path in ctx.changed))
                if page not in self.deps or reads_a_change(self.deps[page], same)}


def field_digests(known: dict[str, tuple[str, dict[str, str]]] | None = None) -> FieldDigests:
    """Imported only when a build makes page keys: a build with nothing to do needs neither the content model nor
    the page recorder."""
    from statusdocs.pages.recorded import FieldDigests

    return FieldDigests(known)


def changed_inputs(ctx: BuildContext, session: Session, loaded: dict[str, str]) -> dict[str, str] | None:
    """The serve layer: the inputs' hashes without looking at every file. The watcher has said which files changed
    (added, edited or removed) since the last good build: the others keep the hash they had; a changed file is
    hashed again (an entry's from the bytes the loader read) if the build reads it, and dropped if it is gone. None
    when that cannot be known so (nothing is known of what changed, or the change is one `hash_inputs` alone can
    judge: a folder, a symlink, a file outside the watched folders, a content file the loader did not read): then
    every file is looked at."""
    if ctx.changed is None or not session.inputs:
        return None
    content = os.path.abspath(ctx.content_dir)
    theme = tuple(d + os.sep for d in theme_dirs(ctx.templates_dir))
    inputs = dict(session.inputs)
    for path in ctx.changed:
        where = _input_place(path, content, theme)
        if where is None:
            return None
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if path not in inputs and any(p.startswith(path + os.sep) for p in inputs):
                return None  # a folder of inputs removed or moved away
            inputs.pop(path, None)
            continue
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        if where == "theme":
            try:
                inputs[path] = digest(read_regular(path))
            except (OSError, ValueError):
                return None
        elif where == "content":
            if path not in loaded:
                return None  # not read by the loader (over the size limit, unreadable): `hash_inputs` decides
            inputs[path] = loaded[path]
        else:
            inputs.pop(path, None)
    return inputs


def names_inputs(ctx: BuildContext) -> bool:
    """Does the watcher's change set name the files as the loader and `hash_inputs` do (absolute, under the content
    folder or the templates as given)? Otherwise (a relative content folder, one reached through another name) it
    cannot say which of them did not change."""
    content = ctx.content_dir
    if ctx.changed is None or content != os.path.abspath(content):
        return False
    theme = tuple(d + os.sep for d in theme_dirs(ctx.templates_dir))
    return all(_input_place(path, content, theme) is not None for path in ctx.changed)


def _input_place(path: str, content: str, theme: tuple[str, ...]) -> str | None:
    """Where a changed file (absolute) is, for the build's inputs: "theme" (every file under the templates is one),
    "content" (a file the loader reads), "other" (in a watched folder, not an input); None if that is not plain (a
    content folder itself, or outside the watched folders)."""
    if path.startswith(theme):
        return "theme"
    if path + os.sep in theme:
        return None
    folder, name = os.path.split(path)
    if folder == content:
        if name in CONTENT_FOLDERS:
            return None
        return "content" if is_content_file("", name) else "other"
    parent, sub = os.path.split(folder)
    if parent == content and sub in CONTENT_FOLDERS:
        return "content" if is_content_file(sub, name) else "other"
    return "other" if path.startswith(content + os.sep) else None


def keep_unaffected(ctx: BuildContext, session: Session, affected: set[str]) -> None:
    """The serve layer: keep the pages of the last good build that no change affected (`Session.affected`): their
    key is the one they had. Every other page's key has changed, and is made once the page is."""
    keys, deps = session.keys, session.deps
    kept = [out for out in (page.output for page in ctx.pages) if out in keys and out in deps and out not in affected]
    ctx.keep.update(kept)
    ctx.keys.update({out: keys[out] for out in kept})
    ctx.deps.update({out: tuple(deps[out]) for out in kept})


class InPlace:
    """Where the preview writes once it has a site (the serve layer's output, in place of `Staging`): its folder,
    which the server goes on serving, is updated when the build has succeeded (`commit`): only the files whose
    bytes changed are written, each renamed over the old one (a reader sees the old page or the new one), and the
    files the site no longer has are removed. A failed build writes nothing: the last good pages stay."""

    marked = None  # the marker stays as the first build wrote it
    unmoved: frozenset[str] = frozenset()

    def __init__(self, out: str, previous: set[str]):
        self.out = self.path = os.path.abspath(out)
        self.previous = previous
        self.files: dict[str, bytes] = {}
        self.seen = {MARKER}
        self.changed: list[str] = []
        self.removed: list[str] = []

    def write(self, rel: str, data: bytes) -> None:
        self.seen.add(rel)
        if not holds(os.path.join(self.out, rel), data):
            self.files[rel] = data

    def link(self, rel: str, _existing: str) -> bool:
        self.seen.add(rel)
        return True  # a kept page is in place already

    def keep(self, rels: Iterable[str]) -> None:
        """The kept pages: in place already."""
        self.seen.update(rels)

    def prune(self, files: Iterable[str]) -> None:
        """Nothing to prune: `commit` removes what the site no longer has."""

    def commit(self, files: Iterable[str] | None = None) -> None:
        """Write the changed files and remove the pages not made this time (`files` is `Staging`'s contract:
        the files written and linked are known here already)."""
        self.changed, self.removed = sorted(self.files), sorted(self.previous - self.seen)
        update_site(self.out, self.files, self.removed)

    def abort(self) -> None:
        self.files.clear()
