"""The build cache, kept beside the output (`site/` -> `.site.cache/`): what the last good build read and wrote.

- `manifest.marshal`: a hash of every input file (content and templates), the findings of the check, and for every
  page the key of what it was made from (its sources and templates, by content hash, and everything all pages
  show) with the size, modification time and inode of the file written.
- `prose-*.marshal`: rendered Markdown by source text, for the set of codes that prose links to, in the files
  the manifest names (one per render process of the build that wrote it, see `ProseLog`).

A build whose inputs are all unchanged, with every output file as it was written, writes nothing. Otherwise
pages whose key is unchanged are linked from the previous site, and only the others are rendered. Any change to
the generator's own files, to the versions of the libraries that shape the output, or to the build's options
gives a different cache key: the cache is then ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, Loc

if TYPE_CHECKING:
    from .prose import Prose, ProseKey

FORMAT = 4
# marshal, like the prose files: 1 ms to write and 4 ms to read at 5,000 pages, against 12 ms each way for JSON
# (a build with nothing to do reads it first). Its format may change with Python's version, which the cache key
# holds; a manifest it cannot read is a damaged one, and is ignored.
MANIFEST = "manifest.marshal"
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml")
# What the loader reads: these files at the top of the content folder, and in each subfolder the files whose
# names end so (not hidden, not an editor's backup ending in ~), up to a size.
TOP_FILES = ("site.yaml", "guide.yaml")
CONTENT_SUFFIXES = {"codes": (".yaml", ".yml"), "comparisons": (".yaml", ".yml"), "pages": (".md",)}
CONTENT_FOLDERS = tuple(CONTENT_SUFFIXES)
MAX_CONTENT_BYTES = 1_000_000
PROSE_PREFIX = "prose-"
MAX_PROSE_FILES = 16  # builds that add to the recorded Markdown add files; past this many they are merged


def _sha1() -> Any:
    return hashlib.sha1(usedforsecurity=False)


def digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


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


def hash_inputs(content_dir: str, templates_dir: str | None,
                known: dict[str, str] | None = None) -> dict[str, str] | None:
    """Every file the build may read (absolute path -> content hash): the content files where the loader looks
    for them, and everything under the templates. None when that cannot be trusted to be everything the build
    reads (a symlink, an unreadable file or folder): the build then uses no cache, and the loader reports what
    it cannot read. `known` holds hashes of files the loader has read (absolute path -> hash of the bytes it
    read), which are not read again. Other files in the content folders (a video, `412.yaml.bak`) are not read:
    the build never reads them either; nor is a content file over the loader's size limit, which it refuses."""
    known = known or {}
    from .shipped import theme_dirs  # the user's templates and the built-in theme they override

    content_dir = os.path.abspath(content_dir)
    folders = [(content_dir, ""), *((os.path.join(content_dir, sub), sub) for sub in CONTENT_FOLDERS),
               *((folder, None) for folder in theme_dirs(templates_dir))]
    found: dict[str, str] = {}
    for top, sub in folders:
        if not os.path.isdir(top):
            if os.path.lexists(top) and sub is not None:
                return None  # a file where a content folder belongs, or one that cannot be looked at
            continue
        try:
            for folder, dirs, files in os.walk(top, onerror=_raise):
                if sub is not None:
                    dirs[:] = []
                    files = [name for name in files if is_content_file(sub, name)]
                if any(os.path.islink(os.path.join(folder, name)) for name in dirs
                       if sub != "" or name in CONTENT_FOLDERS):
                    return None
                for name in files:
                    path = os.path.join(folder, name)
                    if path in known:
                        if os.path.islink(path):  # as _hash_regular refuses it
                            return None
                        found[path] = known[path]
                    else:
                        found[path] = _hash_regular(path, MAX_CONTENT_BYTES if sub is not None else None)
        except (OSError, ValueError):
            return None
    return found


def _raise(error: OSError) -> None:
    raise error


def _hash_regular(path: str, limit: int | None) -> str:
    """The hash of a regular file's bytes (ValueError for anything else: a symlink, or a FIFO, whose read would
    block). A file over `limit` bytes is not read: its size, modification time and inode stand for it."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(path)
        if limit is not None and st.st_size > limit:
            return digest(f"over the limit: {file_state(st)}".encode())
        chunks = [os.read(fd, st.st_size + 1)]
        if len(chunks[0]) <= st.st_size:  # one read, as a rule
            return digest(chunks[0])
        while chunks[-1]:  # the file grew since fstat
            chunks.append(os.read(fd, 1 << 20))
        return digest(b"".join(chunks))
    finally:
        os.close(fd)


def file_state(st: os.stat_result) -> list[int]:
    """What says a written file is still the one we wrote: size, modification time, inode."""
    return [st.st_size, st.st_mtime_ns, st.st_ino]


@dataclass
class Written:
    """A page file of the site, by its `file_state` (size, modification time, inode): a file in that state is the
    one the build wrote."""

    state: list[int]


@dataclass
class BuildCache:
    out: str                                     # the output folder (absolute)
    key: str                                     # generator, libraries, options
    inputs: dict[str, str] = field(default_factory=dict)
    findings: list[Diagnostic] = field(default_factory=list)
    files: int = 0                               # content files loaded, for the summary line
    pages: dict[str, tuple[str, Written]] = field(default_factory=dict)   # output -> (page key, file)
    prose_codes: str = ""                        # the codes prose was rendered for
    prose_files: list[str] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return os.path.join(os.path.dirname(self.out), f".{os.path.basename(self.out)}.cache")

    # ------------------------------------------------------------ reading
    @classmethod
    def open(cls, out: str, key: str) -> BuildCache:
        """The last build's record for `out`, or an empty one if there is none for this key."""
        cache = cls(os.path.abspath(out), key)
        try:
            with open(os.path.join(cache.folder, MANIFEST), "rb") as fh:
                data = marshal.load(fh)
            if type(data) is not dict or data.get("format") != FORMAT or data.get("key") != key:
                return cache
            cache.inputs = data["inputs"]
            cache.files = data["files"]
            cache.findings = [Diagnostic(d[0], d[1], Loc(d[2], d[3], d[4]), d[5], d[6], d[7], tuple(d[8]))
                              for d in data["findings"]]
            cache.pages = {out: (rec[0], Written(rec[1])) for out, rec in data["pages"].items()}
            cache.prose_codes, cache.prose_files = str(data["prose"]["codes"]), list(map(str, data["prose"]["files"]))
        except (OSError, ValueError, EOFError, KeyError, TypeError, IndexError, AttributeError):
            return cls(os.path.abspath(out), key)  # missing or damaged: start afresh
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

    def up_to_date(self, inputs: dict[str, str] | None) -> bool:
        """Nothing to do: the same inputs as the last good build, and its output untouched since."""
        return bool(self.pages) and inputs == self.inputs and all(self.current(rel) for rel in self.pages)

    def prose(self, codes: Iterable[int]) -> dict[ProseKey, str]:
        """Rendered Markdown from earlier builds, for this set of codes (prose links the codes that exist)."""
        if not self.prose_files or self.prose_codes != _codes_key(codes):
            return {}
        try:
            return read_prose(self.folder, self.prose_files)
        except (OSError, ValueError, EOFError, TypeError):
            self.prose_files = []
            return {}

    # ------------------------------------------------------------ writing
    def save(self, inputs: dict[str, str], findings: list[Diagnostic], files: int,
             pages: dict[str, tuple[str, Written]], prose_files: list[str], codes: Iterable[int]) -> None:
        """Record a good build, and delete the Markdown files it no longer names. Best effort: a cache that
        cannot be written only makes the next build slower."""
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            if len(prose_files) > MAX_PROSE_FILES:
                name = f"{PROSE_PREFIX}{os.urandom(4).hex()}.marshal"
                self._replace(name, _record(read_prose(self.folder, prose_files)))
                prose_files = [name]
        data = {"format": FORMAT, "key": self.key, "inputs": inputs, "files": files,
                "findings": [[d.rule, d.severity, d.loc.path, d.loc.line, d.loc.col, d.message, d.hint, d.field,
                              list(d.codes)] for d in findings],
                "pages": {out: [k, w.state] for out, (k, w) in sorted(pages.items())},
                "prose": {"codes": _codes_key(codes), "files": sorted(prose_files)}}
        with contextlib.suppress(OSError):
            os.makedirs(self.folder, exist_ok=True)
            self._replace(MANIFEST, marshal.dumps(data))
            keep = set(prose_files)
            for name in os.listdir(self.folder):
                if name.startswith(PROSE_PREFIX) and name.endswith(".marshal") and name not in keep:
                    os.unlink(os.path.join(self.folder, name))

    def _replace(self, name: str, data: bytes) -> None:
        """Write beside, then rename over: a reader (or a build killed midway) never sees half a file."""
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, os.path.join(self.folder, name))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _codes_key(codes: Iterable[int]) -> str:
    return ",".join(map(str, sorted(codes)))


class PageKeys:
    """What each page of a build is made from, by content: a digest of the build's key, the shared fingerprint,
    the page's path and each file it reads with that file's hash (sorted by path). None for a page that reads a
    file missing from the hashed inputs. Each input's part of the digested text is made once per build, not once
    per page that reads it (the search index, the sitemap and the indexes read every content file)."""

    def __init__(self, build_key: str, shared: str, inputs: dict[str, str]):
        self.prefix = f"{build_key}\0{shared}\0"
        self.parts = {path: f"{path}\0{known}\0" for path, known in inputs.items()}

    def __call__(self, output: str, deps: Iterable[str]) -> str | None:
        parts = self.parts
        try:
            body = "".join([parts[path] for path in sorted(deps)])
        except KeyError:
            return None
        return digest(f"{self.prefix}{output}\0{body}".encode())


class ProseLog:
    """Records the Markdown a build rendered or reused (`Prose.used`) in the cache folder, one file per render
    process: a forked worker appends to its own file after each chunk instead of sending its Markdown to the
    parent, which only collects the file names. Each append is one length-prefixed marshal record.

    With `fresh_only`, what came from the stored files is left out (those files are kept, see `build`)."""

    def __init__(self, folder: str, prose: Prose, fresh_only: bool):
        self.folder, self.prose, self.fresh_only = folder, prose, fresh_only
        self.token = os.urandom(4).hex()
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


def _record(prose: dict[ProseKey, str]) -> bytes:
    """One record of a ProseLog file: its length in 8 bytes, then the marshalled dict (read_prose reads it)."""
    data = marshal.dumps(prose, 2)  # version 2 keeps no table of objects written: half the time of version 4
    return len(data).to_bytes(8, "little") + data


def read_prose(folder: str, names: Iterable[str]) -> dict[ProseKey, str]:
    """The records of ProseLog files, merged; ValueError if one is damaged or cut short."""
    merged: dict[ProseKey, str] = {}
    for name in names:
        if os.sep in name or not name.startswith(PROSE_PREFIX):
            raise ValueError(name)
        with open(os.path.join(folder, name), "rb") as fh:
            data = memoryview(fh.read())
        at = 0
        while at < len(data):
            size = int.from_bytes(data[at:at + 8], "little")
            if at + 8 + size > len(data):
                raise ValueError(f"{name} is cut short")
            part = marshal.loads(data[at + 8:at + 8 + size])
            if not isinstance(part, dict):
                raise ValueError(name)
            merged.update(part)
            at += 8 + size
    return merged
