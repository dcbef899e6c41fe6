"""The build cache, kept beside the output (`site/` -> `.site.cache/`): what the last good build read and wrote.

- `manifest.marshal`: a hash of every input file (content and templates) with the state the file had when hashed
  (a file still in that state is not read again: `BuildCache.trusted`), the findings of the build and, apart,
  those of the check with the hash of the content files they were found in (`checked`), each content file's
  findings by the rules of scope "file" with its hash and the site's outline (`build/checking.py`), and for every
  page the files it was made from (its content files and templates, as recorded while it was rendered), its key
  (those files by content hash, and everything all pages show) and the size, modification time, inode and change
  time of the file written. A page is kept when the files it was made from last time still give its key.
- `prose-*.marshal`: rendered Markdown by source text, for the set of codes that prose links to, in the files
  the manifest names (one per render process of the build that wrote it, see `ProseLog`).
- `parsed-NN.pickle`: each content file's loaded model and loader findings, by the file's path and content hash
  (`ParsedStore`), in 64 files by a hash of the path: a build after an edit parses only the changed files, and
  rewrites only the files of the store that hold them.
- `jinja-<key>/`: the templates compiled by the last good build (`build/bytecode.py`, Jinja's bytecode cache),
  each file checksummed, in a folder named by the cache key.
- `site-spare/`: the site the last build replaced, the next build's staging folder (`output.Staging`). Nothing
  here reads it: what it holds decides nothing about the output.

Whatever the folder holds, the output is what a build without it writes: the manifest and each record of Markdown
carry a SHA-256 of their bytes, checked on every read. A manifest that fails it is ignored (the build starts
afresh); a record of Markdown that fails it is not used, with the rest of its file, and that Markdown is rendered
again from its source, so that no damaged or edited byte of the cache reaches a page. (A checksum, not a
signature: whoever can write the cache can write the site beside it.)

A failed or interrupted build leaves the folder as it was: the Markdown files its processes wrote are deleted
(`ProseLog.discard`), and those of a build that was killed are deleted by the next one (`remove_stale`).

A build whose inputs are all unchanged, with every output file as it was written, writes nothing. Otherwise
pages whose key is unchanged are linked from the previous site, and only the others are rendered. Any change to
the generator's own files, to the versions of the libraries that shape the output, or to the build's options
gives a different cache key: the cache is then ignored and rewritten.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import functools
import hashlib
import importlib.util
import io
import marshal
import os
import pickle
import stat
import struct
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statusdocs.diagnostics import Diagnostic, Loc
from statusdocs.pages.dependency import FIELD

if TYPE_CHECKING:
    from statusdocs.build.checking import Checked
    from statusdocs.pages.prose import Prose, ProseKey

FORMAT = 13
# marshal, like the prose files: several times quicker to write and read than JSON (a build with nothing to do
# reads it first). Its format may change with Python's version, which the cache key
# holds; a manifest it cannot read is a damaged one, and is ignored.
MANIFEST = "manifest.marshal"
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the whole package: any change to it
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "pagefind")  # pagefind: the search index
# What the loader reads: these files at the top of the content folder, and in each subfolder the files whose
# names end so (not hidden, not an editor's backup ending in ~), up to a size.
TOP_FILES = ("site.yaml", "guide.yaml")
CONTENT_SUFFIXES = {"codes": (".yaml", ".yml"), "comparisons": (".yaml", ".yml"), "pages": (".md",)}
CONTENT_FOLDERS = tuple(CONTENT_SUFFIXES)
MAX_CONTENT_BYTES = 1_000_000
PROSE_PREFIX = "prose-"
MAX_PROSE_FILES = 16  # builds that add to the recorded Markdown add files; past this many they are merged
TEMP_PREFIX = ".tmp-"  # a file being written (`_replace`), renamed once whole
SUM = 32  # bytes of SHA-256 before each record
TRUST_NS = 2_000_000_000  # coarser than any file system's clock tick (FAT's is 2 s): see `BuildCache.trusted`


def _sha1() -> Any:
    return hashlib.sha1(usedforsecurity=False)


def digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def checksum(*parts: bytes | memoryview) -> bytes:
    """What a record of the cache is checked against when read: SHA-256, which CPUs with SHA
    instructions compute quickest."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.digest()


def sealed(data: bytes) -> bytes:
    """`data` behind its checksum, as the manifest is written."""
    return checksum(data) + data


def unsealed(blob: bytes) -> memoryview | None:
    """The data of a `sealed` blob, or None if it does not match its checksum."""
    view = memoryview(blob)
    return view[SUM:] if len(view) >= SUM and checksum(view[SUM:]) == view[:SUM] else None


def read_manifest(folder: str) -> Any:
    """The manifest in the cache folder, unmarshalled; None if it is missing, or damaged (its checksum fails, or it
    is not a regular file: a FIFO would block the read)."""
    try:
        data = unsealed(read_regular(os.path.join(folder, MANIFEST)))
        return None if data is None else marshal.loads(data)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def generator_fingerprint() -> str:
    """The generator's own files by content, and the libraries by their installed files (without importing
    them: a build with nothing to do must not pay for importing Jinja and Markdown)."""
    h = _sha1()
    h.update(f"{FORMAT} {sys.version}".encode())
    for folder, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".yaml", ".json")):
                path = os.path.join(folder, name)
                with open(path, "rb") as fh:
                    h.update(f"{os.path.relpath(path, _PACKAGE)}\0".encode() + fh.read() + b"\0")
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        st = os.stat(origin) if origin else None
        h.update(f"{name} {origin} {st.st_size if st else 0} {st.st_mtime_ns if st else 0}\0".encode())
    return h.hexdigest()


def is_content_file(sub: str, name: str) -> bool:
    """Whether the loader reads a file named `name` in the content folder's subfolder `sub` ("": the top)."""
    if not sub:
        return name in TOP_FILES
    return not name.startswith(".") and not name.endswith("~") and name.endswith(CONTENT_SUFFIXES[sub])


def hash_inputs(content_dir: str, templates_dir: str | None, known: dict[str, str] | None = None,
                trusted: Mapping[str, tuple[list[int], str]] | None = None,
                states: dict[str, list[int]] | None = None) -> dict[str, str] | None:
    """Every file the build may read (absolute path -> content hash): the content files where the loader looks
    for them, and everything under the templates. None when that cannot be trusted to be everything the build
    reads (a symlink, an unreadable file or folder): the build then uses no cache, and the loader reports what
    it cannot read. `known` holds hashes of files the loader has read (absolute path -> hash of the bytes it
    read), which are not read again. Other files in the content folders (a video, `412.yaml.bak`) are not read:
    the build never reads them either; nor is a content file over the loader's size limit, which it refuses.

    `trusted`: hashes of files by the `file_state` they had when hashed (`BuildCache.trusted`): a file still in that
    state is not read again. `states`, if given, gets the state of each file hashed (what `trusted` is made of)."""
    from statusdocs.shipped import theme_dirs  # the user's templates and the built-in theme they override

    content_dir = os.path.abspath(content_dir)
    folders = [(content_dir, ""), *((os.path.join(content_dir, sub), sub) for sub in CONTENT_FOLDERS),
               *((folder, None) for folder in theme_dirs(templates_dir))]
    found: dict[str, str] = {}
    try:
        for top, sub in folders:
            if not os.path.isdir(top):
                if os.path.lexists(top) and sub is not None:
                    return None  # a file where a content folder belongs, or one that cannot be looked at
                continue
            for folder, names in _input_files(top, sub):
                for name in names:
                    path = os.path.join(folder, name)
                    found[path] = _input_hash(path, MAX_CONTENT_BYTES if sub is not None else None, known or {},
                                              trusted or {}, states if states is not None else {})
    except (OSError, ValueError):
        return None
    return found


def _input_files(top: str, sub: str | None) -> Iterator[tuple[str, list[str]]]:
    """The folders under `top` and the input files in each: in a content folder (`sub`: its name, "" for the
    top), only the files the loader reads, not below; under the templates (`sub` None), everything. ValueError
    for a symlinked folder the build would read through."""
    for folder, dirs, files in os.walk(top, onerror=_raise):
        if sub is not None:
            dirs[:] = []
            files = [name for name in files if is_content_file(sub, name)]
        if any(os.path.islink(os.path.join(folder, name)) for name in dirs if sub != "" or name in CONTENT_FOLDERS):
            raise ValueError(folder)
        yield folder, files


def _input_hash(path: str, limit: int | None, known: dict[str, str], trusted: Mapping[str, tuple[list[int], str]],
                states: dict[str, list[int]]) -> str:
    """The hash of an input file: the loader's (`known`), the one it had in the same state (`trusted`), or its
    bytes' (a file over `limit` bytes is not read: its size, modification time and inode stand for it); its state
    goes to `states`. ValueError for anything but a regular file."""
    if path in known or path in trusted:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(path)  # a symlink: as `_read_file` refuses it
        state = file_state(st)
        before = trusted.get(path)
        if path in known or (before is not None and before[0] == state):
            states[path] = state
            return known[path] if path in known else before[1]  # type: ignore[index]
    data, st = _read_file(path, limit)
    states[path] = file_state(st)
    return digest(data) if data is not None else digest(f"over the limit: {file_state(st)}".encode())


def _raise(error: OSError) -> None:
    raise error


def read_regular(path: str) -> bytes:
    """A regular file's bytes (ValueError for anything else: a symlink, or a FIFO, whose read would block)."""
    data, _ = _read_file(path, None)
    assert data is not None
    return data


def _read_file(path: str, limit: int | None) -> tuple[bytes | None, os.stat_result]:
    """A regular file's bytes and stat, or None for the bytes of a file over `limit`. ValueError for anything but a
    regular file: a symlink, or a FIFO, whose read would block."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(path)
        if limit is not None and st.st_size > limit:
            return None, st
        chunks = [os.read(fd, st.st_size + 1)]
        if len(chunks[0]) <= st.st_size:  # one read, as a rule
            return chunks[0], st
        while chunks[-1]:  # the file grew since fstat
            chunks.append(os.read(fd, 1 << 20))
        return b"".join(chunks), st
    finally:
        os.close(fd)


class Absolute:
    """Absolute paths of many files in few folders: each folder's made once (`os.path.abspath` normalises the
    whole path every time). A name that is not a plain file name goes the long way."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        if path[:1] == "/" == os.sep and "/." not in path and "//" not in path and path[-1] != "/":
            return path  # absolute already, and nothing for abspath to change (no `.`, `..` or empty part)
        folder, name = os.path.split(path)
        if not folder or name in ("", ".", ".."):
            return os.path.abspath(path)
        made = self._folders.get(folder)
        if made is None:
            made = self._folders[folder] = os.path.abspath(folder)
        return os.path.join(made, name)


def file_state(st: os.stat_result) -> list[int]:
    """What says a written file is still the one we wrote: size, modification time, inode, and the inode's change
    time, which, unlike the modification time, nobody can set back (`touch -r`, `cp -p` and `rsync -t` over the
    file do): as git's index, which keeps it for the same reason. Linking and unlinking the file change it too,
    so a file linked from the previous site is looked at again once that site is gone (`linked`)."""
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]


@dataclass
class Written:
    """A page file of the site, by its `file_state`: a file in that state is the one the build wrote. `linked`:
    the previous site's file, linked into the new one, whose state is that of before (see `file_state`)."""

    state: list[int]
    linked: bool = False


class Sources(Sequence[str]):
    """The files a page of the last build was made from, as the manifest records them: numbers into the table of
    every page's files (`BuildCache.sources`), read as paths only when asked (most pages' never are: they are kept,
    and written back as the same numbers)."""

    __slots__ = ("table", "ids")

    def __init__(self, table: list[str], ids: list[int]):
        self.table, self.ids = table, ids

    def __getitem__(self, i: Any) -> Any:
        return self.table[self.ids[i]] if isinstance(i, int) else [self.table[n] for n in self.ids[i]]

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        table = self.table
        return (table[n] for n in self.ids)


@dataclass
class BuildCache:
    out: str                                     # the output folder (absolute)
    key: str                                     # generator, libraries, options
    inputs: dict[str, str] = field(default_factory=dict)
    states: dict[str, list[int]] = field(default_factory=dict)  # each input's `file_state` when it was hashed
    since: int = 0                               # the time (ns) before any input of the last build was read
    findings: list[Diagnostic] = field(default_factory=list)
    checked: tuple[str, list[Diagnostic]] = ("", [])  # the check's findings, by the content they were found in
    checked_record: list = field(default_factory=list)  # the manifest's "checked" (`checked_files` reads it)
    files: int = 0                               # content files loaded, for the summary line
    count: int = 0                               # the site's pages (not the search index's files)
    pages: dict[str, tuple[str, Written]] = field(default_factory=dict)   # output -> (page key, file)
    deps: dict[str, Sources] = field(default_factory=dict)   # output -> the files it was made from
    sources: list[str] = field(default_factory=list)  # every file a page was made from (`Sources` number them)
    framed: set[str] = field(default_factory=set)     # the pages whose key holds the shared fingerprint
    prefix: str = ""                             # a digest of the keys' shared part (`PageKeys.prefix`)
    # the templates each template reads (`Renderer.reads`), by a digest of every template file
    template_reads: tuple[str, dict[str, list[str]]] = ("", {})
    fields: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # file -> (hash, field digests)
    prose_codes: str = ""                        # the codes prose was rendered for
    prose_files: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)   # the Markdown files the manifest names, whatever its key
    prose_store: ProseStore | None = None            # what `prose` opened of them

    @functools.cached_property
    def checked_files(self) -> Checked | None:
        """Each content file's findings by the rules of scope "file" (`build/checking.py`), read only by a build
        that checks: a build with nothing to do does not import the check. None if the record is damaged."""
        try:
            return _checked_files(self.checked_record)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    @property
    def folder(self) -> str:
        return os.path.join(os.path.dirname(self.out), f".{os.path.basename(self.out)}.cache")

    # ------------------------------------------------------------ reading
    @classmethod
    def open(cls, out: str, key: str) -> BuildCache:
        """The last build's record for `out`, or an empty one if there is none for this key (or it is damaged)."""
        cache = cls(os.path.abspath(out), key)
        try:
            data = read_manifest(cache.folder)
            with contextlib.suppress(KeyError, TypeError, AttributeError):
                cache.named = [name for name in data["prose"]["files"] if type(name) is str]
            if type(data) is not dict or data.get("format") != FORMAT or data.get("key") != key:
                return cache
            cache.inputs = data["inputs"]
            cache.states, cache.since = data["states"], int(data["since"])
            cache.files = data["files"]
            cache.count = int(data["count"])
            cache.findings = _diagnostics(data["findings"])
            cache.checked = (str(data["checked"][0]), _diagnostics(data["checked"][1]))
            cache.checked_record = list(data["checked"])
            cache.pages = {out: (rec[0], Written(rec[1])) for out, rec in data["pages"].items()}
            sources = cache.sources = [str(s) for s in data["sources"]]
            cache.deps = {out: Sources(sources, list(rec[2])) for out, rec in data["pages"].items()}
            cache.framed = {out for out, rec in data["pages"].items() if rec[3]}
            cache.prefix = str(data["prefix"])
            reads = data["templates"]
            cache.template_reads = (str(reads[0]), {str(n): [str(t) for t in names] for n, names in reads[1].items()})
            cache.fields = {path: (str(known[0]), dict(known[1])) for path, known in data["fields"].items()}
            cache.prose_codes, cache.prose_files = str(data["prose"]["codes"]), list(map(str, data["prose"]["files"]))
        except (OSError, ValueError, EOFError, KeyError, TypeError, IndexError, AttributeError):
            return cls(os.path.abspath(out), key, named=cache.named)  # damaged: start afresh
        return cache

    def current(self, rel: str, page_key: str | None = None) -> Written | None:
        """The previous site's file for `rel`, if it is still exactly what the last build wrote there (and, given
        a page key, was made from the same inputs)."""
        record = self.pages.get(rel)
        if record is None or (page_key is not None and record[0] != page_key):
            return None
        try:
            st = os.stat(os.path.join(self.out, rel))
        except OSError:
            return None
        return record[1] if file_state(st) == record[1].state else None

    def unaffected(self, inputs: Mapping[str, str], prefix: str, fields: Callable[[str, str], str | None]) \
            -> tuple[set[str], set[str]] | None:
        """The pages whose key is the one recorded, known without making it again: the keys' shared part
        (`prefix`, a `PageKeys.prefix`) is the same, and nothing a page was made from changed (a file's hash, or
        for a field of a changed file, that field's digest, `fields`). Their files are still to be looked at. And
        the pages whose key is known to have changed without making it: made from a file whose hash changed or a
        field whose digest changed, or recorded without a key. None if the shared part changed: no key is known."""
        if not self.prefix or digest(prefix.encode()) != self.prefix:
            return None
        changed = {path for path, known in inputs.items() if self.inputs.get(path) != known}
        changed.update(path for path in self.inputs if path not in inputs)
        before = {path: self.fields.get(path) for path in changed}  # read before `fields` makes the new digests
        stale, unknown = set(), set()
        starts = tuple(changed)
        for n, source in enumerate(self.sources):
            if not source.startswith(starts):  # most of the table: a file not changed, or a field of one
                continue
            path, sep, name = source.partition(FIELD)
            if path not in changed:
                continue
            old = before[path]
            if not sep:
                stale.add(n)  # the file's hash, in the key, has changed
            elif old is None or old[0] != self.inputs.get(path) or old[1].get(name) is None:
                unknown.add(n)  # the field's digest then is not known: the key is made to know
            elif fields(path, name) != old[1][name]:
                stale.add(n)
        same, gone = set(), set()
        for out, deps in self.deps.items():
            if not self.pages[out][0] or not stale.isdisjoint(deps.ids):
                gone.add(out)
            elif unknown.isdisjoint(deps.ids):
                same.add(out)
        return same, gone

    def trusted(self) -> dict[str, tuple[list[int], str]]:
        """The inputs' hashes that a file in the same state still has, with that state (`hash_inputs`): those of
        files changed last before the last build began reading them, by more than a clock tick of any file system.
        A file changed in the same tick as it was read could keep its size and times with other bytes (git's "racy"
        files); one changed later has a later change time, which nobody can set."""
        before = self.since - TRUST_NS
        return {path: (state, self.inputs[path]) for path, state in self.states.items()
                if path in self.inputs and type(state) is list and len(state) == 4 and state[1] < before and
                state[3] < before}

    def up_to_date(self, inputs: dict[str, str] | None) -> bool:
        """Nothing to do: the same inputs as the last good build, and its output untouched since."""
        return bool(self.pages) and inputs == self.inputs and all(self.current(rel) for rel in self.pages)

    def prose(self, codes: Iterable[int]) -> ProseStore | None:
        """Rendered Markdown from earlier builds, for this set of codes (prose links the codes that exist), read as
        it is looked up."""
        if not self.prose_files or self.prose_codes != _codes_key(codes):
            return None
        self.prose_store = ProseStore(self.folder, self.prose_files)
        return self.prose_store

    def kept_prose(self) -> list[str]:
        """The Markdown files of the last build still sound as far as this build read them: a damaged file is named
        no more, and the next save deletes it (its Markdown is recorded again as rendered)."""
        damaged = self.prose_store.damaged if self.prose_store is not None else set()
        return [name for name in self.prose_files if name not in damaged]

    # ------------------------------------------------------------ writing
    def save(self, inputs: dict[str, str], findings: list[Diagnostic], files: int,
             pages: Mapping[str, tuple[str, Written, Iterable[str], bool]], prose_files: list[str],
             codes: Iterable[int], checked: tuple[str, list[Diagnostic]] = ("", []),
             checked_files: Checked | None = None,
             fields: Mapping[str, tuple[str, dict[str, str]]] | None = None, prefix: str = "",
             template_reads: tuple[str, dict[str, list[str]]] = ("", {}), count: int = 0,
             states: tuple[dict[str, list[int]], int] = ({}, 0)) -> None:
        """Record a good build, and delete the Markdown files it no longer names. Best effort: a cache that
        cannot be written only makes the next build slower."""
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            if len(prose_files) > MAX_PROSE_FILES:
                name = f"{PROSE_PREFIX}{os.getpid()}-{os.urandom(4).hex()}.marshal"
                self._replace(name, _record(ProseStore(self.folder, prose_files).everything()))
                prose_files = [name]
        table, numbered = self._numbered(pages)
        data = {"format": FORMAT, "key": self.key, "inputs": inputs, "files": files, "count": count,
                "states": {path: state for path, state in states[0].items() if path in inputs}, "since": states[1],
                "findings": _plain(findings), "checked": [checked[0], _plain(checked[1]), *_files_plain(checked_files)],
                "pages": {out: [k, w.state, numbered[out], framed] for out, (k, w, _, framed) in sorted(pages.items())},
                "sources": table,  # each file a page was made from, once: pages name them by number
                "prefix": digest(prefix.encode()) if prefix else "",
                "templates": list(template_reads),
                # The field digests of the files as they are now (pages' keys are made from them): the next build
                # makes those of the files changed only.
                "fields": {path: known for path, known in (fields or {}).items() if inputs.get(path) == known[0]},
                "prose": {"codes": _codes_key(codes), "files": sorted(prose_files)}}
        with contextlib.suppress(OSError):
            os.makedirs(self.folder, exist_ok=True)
            self._replace(MANIFEST, sealed(marshal.dumps(data)))
            keep = set(prose_files)
            for name in os.listdir(self.folder):
                if name.startswith(PROSE_PREFIX) and name.endswith(".marshal") and name not in keep:
                    os.unlink(os.path.join(self.folder, name))

    def _numbered(self, pages: Mapping[str, tuple[str, Written, Iterable[str], bool]]) \
            -> tuple[list[str], dict[str, list[int]]]:
        """The table of every page's files, and each page's by number in it. A page kept from the last build keeps
        its numbers in the last table (a `Sources` of it), unless most of that table is no longer used. A page's
        files in any order (its key sorts them): sorting each page's here cost more than the rest."""
        kept = {out: deps.ids for out, (_, _, deps, _) in pages.items()
                if isinstance(deps, Sources) and deps.table is self.sources}
        used = set().union(*kept.values()) if kept else set()
        table = self.sources if len(used) * 2 > len(self.sources) else []
        if not table:
            kept = {}
        index = {source: n for n, source in enumerate(table)}
        numbered = {out: kept.get(out) or [index.setdefault(p, len(index)) for p in deps]
                    for out, (_, _, deps, _) in pages.items()}
        return [*table, *list(index)[len(table):]], numbered

    def _replace(self, name: str, data: bytes) -> None:
        replace_file(self.folder, name, data)

    def remove_stale(self) -> None:
        """Delete the Markdown files and half-written files of builds that were killed: not named by the
        manifest, and written by a process that is gone (each name holds its build's process id)."""
        _remove_stale(self.folder, set(self.named))


def _plain(findings: list[Diagnostic]) -> list[list]:
    return [[d.rule, d.severity, d.loc.path, d.loc.line, d.loc.col, d.message, d.hint, d.field, list(d.codes)]
            for d in findings]


def _diagnostics(plain: list[list]) -> list[Diagnostic]:
    return [Diagnostic(d[0], d[1], Loc(d[2], d[3], d[4]), d[5], d[6], d[7], tuple(d[8])) for d in plain]


def _files_plain(checked: Checked | None) -> list:
    """The manifest's record of `checking.Checked`: its outline, per file its hash and findings (most have none:
    one empty list for all of them), and per file V005's sentence records (bytes)."""
    if checked is None:
        return []
    return [checked.outline, {s: [h, _plain(found) if found else None] for s, (h, found) in checked.files.items()},
            checked.sentences]


def _checked_files(record: list) -> Checked | None:
    from statusdocs.build.checking import Checked

    if len(record) < 4:
        return None
    return Checked(str(record[2]), {str(s): (str(h), _diagnostics(found) if found else [])
                                    for s, (h, found) in record[3].items()},
                   {str(s): r for s, r in record[4].items() if type(r) is bytes} if len(record) > 4 else {})


def check_key(content_dir: str, inputs: Mapping[str, str]) -> str:
    """What the check's findings are a function of, besides the build's key (the generator and the options): every
    content file the loader reads, by path and content hash."""
    top = os.path.abspath(content_dir) + os.sep
    return digest("\0".join(f"{p}\0{h}" for p, h in sorted(inputs.items()) if p.startswith(top)).encode())


def replace_file(folder: str, name: str, data: bytes) -> None:
    """Write beside, then rename over: a reader (or a build killed midway) never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, os.path.join(folder, name))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_stale(folder: str, keep: set[str]) -> None:
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        for prefix in (PROSE_PREFIX, TEMP_PREFIX):
            pid = name[len(prefix):].split("-", 1)[0] if name.startswith(prefix) else ""
            if pid.isdigit() and name not in keep and not _pid_alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _codes_key(codes: Iterable[int]) -> str:
    return ",".join(map(str, sorted(codes)))


class PageKeys:
    """What each page of a build is made from, by content: a digest of the build's key, the shared fingerprint
    (for a page made from a template: the shared context is every template's), the page's path and each file it
    reads with that file's hash, or each field of a file it reads with that field's digest (`fields`: see
    `pages/recorded.py`), sorted. None for a page that reads a file missing from the hashed inputs. Each input's part
    of the digested text is made once per build, not once per page that reads it (the search index, the sitemap and
    the indexes read every content file)."""

    def __init__(self, build_key: str, shared: str, inputs: dict[str, str],
                 fields: Callable[[str, str], str | None] | None = None):
        self.prefix = f"{build_key}\0{shared}\0"
        self.bare = f"{build_key}\0\0"
        self.parts = {path: f"{path}\0{known}\0" for path, known in inputs.items()}
        self.fields = fields
        self.found: dict[str, dict[str, str]] = {}  # the field digests made here, by file (`take_found`)

    def __call__(self, output: str, deps: Iterable[str], templated: bool = True) -> str | None:
        parts = self.parts
        try:
            body = "".join([parts.get(dep) or self._field_part(dep) for dep in sorted(deps)])
        except KeyError:
            return None
        return digest(f"{self.prefix if templated else self.bare}{output}\0{body}".encode())

    def _field_part(self, dep: str) -> str:
        """A recorded field's part (`file\0field`), made once; KeyError if it is not known."""
        path, sep, name = dep.partition(FIELD)
        made = self.fields(path, name) if sep and self.fields is not None else None
        if made is None:
            raise KeyError(dep)
        self.found.setdefault(path, {})[name] = made
        part = self.parts[dep] = f"{dep}\0{made}\0"
        return part

    def take_found(self) -> dict[str, dict[str, str]]:
        """The field digests made since the last call, by file: a forked worker that makes pages' keys sends them
        to the parent, whose record of the build holds them (`FieldDigests.known`)."""
        found, self.found = self.found, {}
        return found


class ProseLog:
    """Records the Markdown a build rendered or reused (`Prose.used`) in the cache folder, one file per render
    process: a forked worker appends to its own file after each chunk instead of sending its Markdown to the
    parent, which only collects the file names. Each append is one record: its length, its checksum, its data.

    With `fresh_only`, what came from the stored files is left out (those files are kept, see `build`). Every file
    of the log is named `prose-<build's process id>-<token>-<process id>.marshal`: `discard` finds them all, and
    `remove_stale` those of a build that was killed."""

    def __init__(self, folder: str, prose: Prose, fresh_only: bool):
        self.folder, self.prose, self.fresh_only = folder, prose, fresh_only
        self.token = f"{os.getpid()}-{os.urandom(4).hex()}"
        self._made_folder = not os.path.isdir(folder)  # then `discard` removes it
        self._pid = os.getpid()
        self._fd = -1                  # this process's file, once it has something to write
        self._name: str | None = None
        self._done = 0                 # prose.used[:_done] is written (by this process or, before a fork, its parent)

    def flush(self) -> str | None:
        """Write what this process used since the last call; the name of its file, if it has one."""
        if self._pid != os.getpid():  # a forked worker: the parent's file is not its to write
            self._pid, self._fd, self._name = os.getpid(), -1, None
        prose = self.prose
        keys = prose.used[self._done:]
        self._done = len(prose.used)
        if self.fresh_only:
            keys = [k for k in keys if k not in prose.stored]
        if keys and self._fd != -2:
            record = _record(prose.rendered(keys))
            try:
                if self._fd == -1:
                    os.makedirs(self.folder, exist_ok=True)
                    name = f"{PROSE_PREFIX}{self.token}-{self._pid}.marshal"
                    self._fd = os.open(os.path.join(self.folder, name),
                                       os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
                    self._name = name
                view = memoryview(record)
                while view:
                    view = view[os.write(self._fd, view):]
            except OSError:  # best effort, as the whole cache: a file cut short is ignored when read
                self._fd = -2
        return self._name

    def close(self) -> None:
        if self._pid == os.getpid() and self._fd >= 0:
            os.close(self._fd)
        self._fd = -2

    def discard(self) -> None:
        """For a build that failed: delete the files of this log (written by this process and its workers, which
        have all exited), and the cache folder if the log made it and it is empty, so that the cache is as it was
        before the build (a failing build, run again and again, must not fill the disk)."""
        self.close()
        mine = f"{PROSE_PREFIX}{self.token}-"
        with contextlib.suppress(OSError):
            for name in os.listdir(self.folder):
                if name.startswith(mine):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(self.folder, name))
            if self._made_folder:
                os.rmdir(self.folder)


# A record of Markdown is split into shards by a hash of each text, each shard checksummed on its own, so that a
# build that looks up a few texts reads and checks only their shards: about this many texts a shard.
SHARD_TEXTS = 8
_OFFSET = struct.Struct("<Q")


def _hash(key: ProseKey) -> int:
    """A text's hash, the same in every process (not Python's str hash); its shard in a record of n: hash % n."""
    return zlib.crc32(key[0].encode("utf-8", "surrogatepass")) ^ key[1]


def _record(prose: dict[ProseKey, str]) -> bytes:
    """One record of a ProseLog file: its number of shards, the length of its shards' bytes and its number of texts
    (8 bytes each), the offset of each shard's end in those bytes (8 bytes each), the sorted hashes of its texts (4
    bytes each, native order: a cache from another machine finds none, and its texts are rendered again), the
    checksum of all that; then the shards, each its checksum and its texts' dict, marshalled (empty for a shard
    without texts). `ProseStore` reads it."""
    shards = 1 << max(0, (len(prose) // SHARD_TEXTS).bit_length())
    parts: list[dict[ProseKey, str]] = [{} for _ in range(shards)]
    hashes = set()
    for key, html in prose.items():
        h = _hash(key)
        hashes.add(h)
        parts[h % shards][key] = html
    blobs = []
    for part in parts:
        # version 2 keeps no table of objects written: quicker than version 4
        data = marshal.dumps(part, 2) if part else b""
        blobs.append(checksum(data) + data if part else b"")
    ends, at = [], 0
    for blob in blobs:
        at += len(blob)
        ends.append(at)
    head = struct.pack(f"<QQQ{shards}Q", shards, at, len(hashes), *ends) + array.array("I", sorted(hashes)).tobytes()
    return head + checksum(head) + b"".join(blobs)


@dataclass
class _Shards:
    """One record of a ProseLog file, as `ProseStore` finds it: its shards' ends and bytes, checked when read, and
    the hashes of its texts (a record without a text's hash does not hold it)."""

    name: str
    ends: memoryview  # of 8-byte offsets
    data: memoryview
    hashes: array.array


def _records(name: str, data: memoryview) -> tuple[list[_Shards], bool]:
    """The records of a ProseLog file whose heads pass their checksum, and whether the file is whole. Of a damaged
    file, the records before the first bad head are used (each shard is checked when read); nothing after it is,
    as its lengths may be what was damaged."""
    found: list[_Shards] = []
    at = 0
    while at < len(data):
        if at + 24 > len(data):
            return found, False
        shards, size, count = struct.unpack_from("<QQQ", data, at)
        start = at + 24 + 8 * shards + 4 * count + SUM
        if shards > len(data) or count > len(data) or start + size > len(data) or \
                checksum(data[at:start - SUM]) != data[start - SUM:start]:
            return found, False
        hashes = array.array("I")
        hashes.frombytes(data[at + 24 + 8 * shards:start - SUM])
        found.append(_Shards(name, data[at + 24:at + 24 + 8 * shards], data[start:start + size], hashes))
        at = start + size
    return found, True


class ProseStore(Mapping[tuple[str, bool], str]):  # a ProseKey's type, known here at run time
    """Rendered Markdown of earlier builds, by text, read from the ProseLog files as it is looked up: a text's
    shard in each record that holds its hash, checked against its checksum (a shard that fails it is not used, and
    that Markdown is rendered again). The files named are read whole when the store is made (a read of each, no
    parsing). Its length and iteration read every shard."""

    def __init__(self, folder: str, names: Iterable[str]):
        self.records: list[_Shards] = []
        self.damaged: set[str] = set()
        self._found: dict[tuple[int, int], dict[ProseKey, str]] = {}  # (record, shard) -> its texts
        for name in names:
            try:
                if os.sep in name or not name.startswith(PROSE_PREFIX):
                    raise ValueError(name)
                data = memoryview(read_regular(os.path.join(folder, name)))
            except (OSError, ValueError):
                self.damaged.add(name)
                continue
            records, whole = _records(name, data)
            self.records += records
            if not whole:
                self.damaged.add(name)

    def __bool__(self) -> bool:
        return bool(self.records)

    def get(self, key: ProseKey, default: str | None = None) -> str | None:  # type: ignore[override]
        """`key`'s HTML, from the last record that holds it."""
        found = default
        h = _hash(key)
        for n, record in enumerate(self.records):
            hashes = record.hashes
            i = bisect.bisect_left(hashes, h)
            if i < len(hashes) and hashes[i] == h:
                found = self._shard(n, record, h % (len(record.ends) // 8)).get(key, found)
        return found

    def __contains__(self, key: object) -> bool:
        return type(key) is tuple and self.get(key) is not None

    def __getitem__(self, key: ProseKey) -> str:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[ProseKey]:
        return iter(self.everything())

    def __len__(self) -> int:
        return len(self.everything())

    def _shard(self, n: int, record: _Shards, shard: int) -> dict[ProseKey, str]:
        texts = self._found.get((n, shard))
        if texts is None:
            texts = self._found[(n, shard)] = self._read(record, shard)
        return texts

    def _read(self, record: _Shards, shard: int) -> dict[ProseKey, str]:
        start = _OFFSET.unpack_from(record.ends, 8 * (shard - 1))[0] if shard else 0
        end = _OFFSET.unpack_from(record.ends, 8 * shard)[0]
        blob = record.data[start:end]
        if not blob:
            return {}
        try:
            if len(blob) < SUM or checksum(blob[SUM:]) != blob[:SUM]:
                raise ValueError(record.name)
            texts = marshal.loads(blob[SUM:])
        except (ValueError, EOFError, TypeError):  # marshal: not expected of bytes that passed their checksum
            texts = None
        if type(texts) is not dict:
            self.damaged.add(record.name)
            return {}
        return texts

    def everything(self) -> dict[ProseKey, str]:
        """Every text of the files, each from the last record that holds it."""
        merged: dict[ProseKey, str] = {}
        for n, record in enumerate(self.records):
            for shard in range(len(record.ends) // 8):
                merged.update(self._shard(n, record, shard))
        return merged


# ---------------------------------------------------------------- parsed content files

PARSED_PREFIX = "parsed-"
PARSED_SEGMENTS = 64
# The only classes a record of the store may name: the loaded model's, the loader's result and findings, and dates.
# Anything else in a record (a function to call, another class) makes it damaged, so that no byte of the cache can
# run code or read files, whatever its checksum says.
_PARSED_CLASSES = {"statusdocs.content.load": frozenset({"Loaded"}),
                   "statusdocs.diagnostics": frozenset({"Diagnostic", "Loc"}), "datetime": frozenset({"date"})}
_PARSED_MODEL = "statusdocs.content.model"


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if name in _PARSED_CLASSES.get(module, ()) or module == _PARSED_MODEL and not name.startswith("_"):
            found = super().find_class(module, name)
            if isinstance(found, type) and (module != _PARSED_MODEL or found.__module__ == module):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of the loaded model")


class ParsedStore:
    """The loader's result for each content file, kept across builds (in the cache folder) and reused for a file
    whose bytes have the same hash: parsing is a function of the bytes, the path and the kind of file, under a
    cache key (the generator's files and its libraries) that every record carries. Each file of the store is
    checksummed like the manifest; a damaged one is ignored (its files are parsed again) and rewritten."""

    def __init__(self, folder: str, key: str, hashes: Mapping[str, str] | None):
        self.folder, self.key = folder, key
        self.hashes = hashes or {}              # absolute path -> content hash, of the files as they are now
        self._absolute = Absolute()
        self._segments: dict[int, dict[str, tuple]] = {}
        self._dirty: set[int] = set()
        self._seen: set[str] = set()            # the files looked up or recorded: what `seal` keeps
        self._sealed: dict[int, bytes] = {}     # the files of the store to write

    @staticmethod
    def _segment(path: str) -> int:
        return zlib.crc32(path.encode("utf-8", "surrogateescape")) % PARSED_SEGMENTS

    def _name(self, n: int) -> str:
        return os.path.join(self.folder, f"{PARSED_PREFIX}{n:02d}.pickle")

    def _get(self, n: int) -> dict[str, tuple]:
        if n not in self._segments:
            self._segments[n] = self._read(n)
        return self._segments[n]

    def _read(self, n: int) -> dict[str, tuple]:
        try:
            data = unsealed(read_regular(self._name(n)))
            if data is None:
                return {}
            stored = _ModelUnpickler(io.BytesIO(data)).load()
        except Exception:  # noqa: BLE001 - a damaged record, whatever it raises, is only parsed again
            return {}
        if type(stored) is not dict or stored.get("format") != FORMAT or stored.get("key") != self.key or \
                type(stored.get("items")) is not dict:
            return {}
        return stored["items"]

    def lookup(self, path: str, tag: str) -> tuple[list[Diagnostic], Any] | None:
        """The findings and loaded value of `path` (a file of this `tag`), if it was loaded with these bytes."""
        self._seen.add(path)
        known = self.hashes.get(self._absolute(path))
        if known is None:
            return None
        record = self._get(self._segment(path)).get(path)
        if type(record) is not tuple or len(record) != 4 or record[0] != tag or record[1] != known or \
                type(record[2]) is not list or not all(type(d) is Diagnostic for d in record[2]):
            return None
        return record[2], record[3]

    def record(self, path: str, tag: str, file_hash: str, findings: list[Diagnostic], value: Any) -> None:
        """What loading `path` gave from bytes of this hash; written by `save`."""
        n = self._segment(path)
        self._seen.add(path)
        self._get(n)[path] = (tag, file_hash, list(findings), value)
        self._dirty.add(n)

    def seal(self) -> None:
        """Make the files of the store that changed, without the records of files not loaded this time (deleted, or
        no longer read), as the model is now: what later stages of the build do with it never reaches the store."""
        keep = self._seen
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError, RecursionError):
            for n in sorted(self._dirty):
                items = {p: r for p, r in self._get(n).items() if p in keep}
                data = pickle.dumps({"format": FORMAT, "key": self.key, "items": items}, pickle.HIGHEST_PROTOCOL)
                self._sealed[n] = sealed(data)
        self._dirty.clear()

    def save(self) -> None:
        """Write what `seal` made (a good build's; a failed one leaves the cache as it was). Best effort, as the
        whole cache."""
        with contextlib.suppress(OSError):
            if self._sealed:
                os.makedirs(self.folder, exist_ok=True)
            for n, data in sorted(self._sealed.items()):
                replace_file(self.folder, os.path.basename(self._name(n)), data)
        self._sealed.clear()
