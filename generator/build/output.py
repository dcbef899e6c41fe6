"""Write: the whole site goes into a fresh folder beside the output, which then replaces it in one step.

An interrupted or failed build therefore leaves the previous site whole. On Linux the swap is a
single renameat2(RENAME_EXCHANGE); elsewhere two renames, with the old site kept until the new one is in place.

Replacing a folder deletes what was in it, so only a folder statusdocs wrote is ever replaced: every site (and
every staging folder) holds the marker file `.statusdocs-site`, and `check_output` refuses any other output
before anything is written or the cache is opened (see its docstring for the rules).

With the build cache on (`Staging(out, reuse=True)`), the replaced site is not deleted: it is moved into the
cache's folder (`.site.cache/site-spare/`) and becomes the next build's staging folder, so a build after a small
edit costs what changed, not a folder made and removed for every page. The spare shares files (hard links) with
the live site, so no file in it is ever written in place: a file is unlinked and made anew, or linked from the site
(`write`, `link`), and the folders leading to it are checked to be real folders, not symlinks. `commit` removes
what the new site does not hold. What the spare held decides nothing but which files are already in place: a file
is kept only when it is the site's own (the same inode) and the build keeps that page.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from statusdocs.shipped import BUILTIN_THEME

if TYPE_CHECKING:
    from statusdocs.build.workers import Forked

# In every site statusdocs writes, and published with it (a dotfile, as .nojekyll: Pages serves it as it is).
MARKER = ".statusdocs-site"
MARKER_TEXT = b"This folder is a site written by statusdocs. Every build replaces it whole: keep nothing else here.\n"
# What a site written before the marker existed left: its build cache beside it (name as of statusdocs 0.x).
LEGACY_MANIFEST = "manifest.marshal"

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
# Inside the build cache's folder: the site a build replaced, kept to become the next build's staging folder.
SPARE = "site-spare"
_AT_FDCWD = -100


def _libc_renameat2():
    try:
        # The running program's symbols, libc's among them: no search for the library (ctypes.util runs
        # ldconfig and imports subprocess, a cost paid at every start).
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):  # TypeError: Windows has no such handle
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn


_renameat2 = _libc_renameat2()


def _exchange(a: str, b: str) -> bool:
    """Atomically swap two paths. False where the platform or file system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), b)


def _move_aside(src: str, dst: str) -> bool:
    """Rename folder `src` to `dst` unless something is there (renameat2's RENAME_NOREPLACE where the platform has
    it, else a check first). False if not moved."""
    if _renameat2 is not None:
        if _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE) == 0:
            return True
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            return False
    if os.path.lexists(dst):
        return False
    try:
        os.rename(src, dst)
    except OSError:
        return False
    return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutputRefused(ValueError):
    """The output folder is not one statusdocs may replace. The CLI exits 2 with `error: {this}`."""

    def __init__(self, folder: str, reason: str):
        super().__init__(f"refusing to write the site into '{_shown(folder)}': {reason}")
        self.folder, self.reason = folder, reason


def _shown(path: str) -> str:
    """A path as typed, with control characters made visible (they would act on the terminal)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)


def _within(path: str, folder: str) -> bool:
    """Whether real path `path` is `folder` or below it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_real_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def cache_folder(out: str) -> str:
    """The build cache's folder beside the output: `site/` -> `.site.cache/` (BuildCache.folder)."""
    from statusdocs.build.cache import BuildCache

    return BuildCache(os.path.abspath(out), "").folder


def check_output(out: str, content_dir: str | None = None, templates_dir: str | None = None,
                 cache: bool = False) -> None:
    """Raise OutputRefused unless `out` is a folder statusdocs may replace whole: a missing path, an empty
    folder, or a site statusdocs wrote (it holds MARKER). Refused, whatever it holds: the empty path, the
    current folder or any parent of it, the content or templates folder, anything inside them or holding them
    (real paths: symlinks resolved), a symlink, something that is not a folder, a folder with `.git` (a
    repository, or a worktree's `.git` file). A non-empty folder without the marker is accepted only if it is
    the site of a statusdocs from before the marker (its `.nojekyll`, and the build cache beside it). With
    `cache`, the build cache's folder beside the output must be a plain folder (not a symlink) if it exists."""
    if out == "":
        raise OutputRefused(out, "the path is empty (an unset variable?)")
    path = os.path.abspath(out)  # "site/" is "site": the folder replaced, not what a symlink there points to
    if os.path.islink(path):
        raise OutputRefused(out, "it is a symbolic link; give the folder itself")
    if os.path.lexists(path) and not os.path.isdir(path):
        raise OutputRefused(out, "it exists and is not a folder")
    real, here = os.path.realpath(path), os.path.realpath(os.getcwd())
    if real == here:
        raise OutputRefused(out, "it is the current folder")
    if _within(here, real):
        raise OutputRefused(out, "it is a parent of the current folder")
    for what, folder in (("content", content_dir), ("templates", templates_dir), ("built-in theme", BUILTIN_THEME)):
        if folder is not None:
            _check_apart(out, real, what, folder)
    if os.path.lexists(os.path.join(path, ".git")):
        raise OutputRefused(out, "it holds .git (a git repository or worktree); choose another --out")
    if os.path.isdir(path) and not _is_regular(os.path.join(path, MARKER)):
        with os.scandir(path) as entries:
            empty = next(entries, None) is None
        legacy = _is_regular(os.path.join(path, ".nojekyll")) and \
            _is_regular(os.path.join(cache_folder(path), LEGACY_MANIFEST))
        if not empty and not legacy:
            raise OutputRefused(out, f"it is not empty and has no {MARKER} file, so statusdocs did not write it; "
                                     "delete it or choose another --out")
    if cache:
        folder = cache_folder(path)
        if os.path.lexists(folder) and not _is_real_folder(folder):
            raise OutputRefused(out, f"the build cache beside it, '{_shown(folder)}', is not a folder "
                                     "(a symlink or a file); remove it, or build with --no-cache")


def _check_apart(out: str, real: str, what: str, folder: str) -> None:
    """Refuse an output (real path `real`) that is, holds or is inside an input folder."""
    inputs = os.path.realpath(folder)
    if inputs == real:
        raise OutputRefused(out, f"it is the {what} folder")
    if _within(inputs, real):
        raise OutputRefused(out, f"it holds the {what} folder '{_shown(folder)}'")
    if _within(real, inputs):
        raise OutputRefused(out, f"it is inside the {what} folder '{_shown(folder)}'")


def staging_prefix(out: str) -> str:
    return f".{os.path.basename(out)}.build-"


# A staging folder's name after the prefix: the pid of its build, mkdtemp's 8 characters, and `.old` for the
# previous site during a commit with two renames.
_STAGING_TAIL = re.compile(r"(\d+)-[a-z0-9_]{8}(\.old)?")


def remove_stale_staging(out: str) -> None:
    """Staging folders of builds that were killed (their process is gone) are removed: only folders with exactly
    a staging folder's name that hold the marker (written first into every one), or nothing at all."""
    parent, prefix = os.path.dirname(out), staging_prefix(out)
    for name in os.listdir(parent):
        found = _STAGING_TAIL.fullmatch(name[len(prefix):]) if name.startswith(prefix) else None
        if found is None or _pid_alive(int(found.group(1))):
            continue
        path = os.path.join(parent, name)
        if not _is_real_folder(path):
            continue
        if _is_regular(os.path.join(path, MARKER)):
            _remove_site(path)
        else:
            with contextlib.suppress(OSError):
                os.rmdir(path)  # killed before its marker: only if empty


class Staging:
    """A folder beside the output that becomes the complete new site in one step (`commit`).

    Pages are written into it (also by forked render workers), or linked from the previous site when their
    bytes are unchanged, so an unchanged file keeps its inode and modification time and costs no write.
    With `reuse`, it is the site the previous build replaced (the spare in the cache's folder) when there is one
    (`claimed`), else a new folder in which a child makes the previous site's folders meanwhile (if `fork`);
    either way `commit` must be given every file of the new site: the others are removed from it."""

    def __init__(self, out: str, reuse: bool = False, fork: bool = True):
        check_output(out)  # whoever writes: no folder statusdocs did not make is ever replaced
        self.out = os.path.abspath(out)
        parent = os.path.dirname(self.out)
        try:
            os.makedirs(parent, exist_ok=True)
        except FileExistsError:  # a file stands where a folder of the path should be
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), parent) from None
        remove_stale_staging(self.out)
        try:
            self.path = tempfile.mkdtemp(prefix=f"{staging_prefix(self.out)}{os.getpid()}-", dir=parent)
        except OSError as exc:  # name the folder the user can fix, not the random staging name
            raise OSError(exc.errno, exc.strerror, parent) from None
        self.spare = os.path.join(cache_folder(self.out), SPARE) if reuse else None
        self.claimed = self.reused = self._claim_spare()
        os.chmod(self.path, 0o755)
        self._made: set[str] = set()
        self._folders: Forked | None = None
        if reuse and fork and not self.reused:
            self._make_folders_beside()
        # Files of the reused folder that were the site's already (the same inode): no link made, so their state
        # (change time included) is what it was. Those this process linked; a worker's are not known here.
        self.unmoved: set[str] = set()
        self.marked = self._mark()

    def _make_folders_beside(self) -> None:
        """No spare (the first build after a clean one): a child makes the previous site's folders in the new
        one while this process loads, plans and renders (a folder's inode costs far more than a file's link).
        The folder is then used as a reused one: `commit` prunes what the new site does not hold. Only in a
        process with no other thread: a child forked beside one may deadlock on a lock that thread held."""
        from statusdocs.build.workers import Forked, can_fork

        if can_fork() and threading.active_count() == 1 and _is_real_folder(self.out) \
                and _is_regular(os.path.join(self.out, MARKER)):
            out, path = self.out, self.path
            self._folders = Forked(lambda: _make_folders(out, path))
            self.reused = True

    def _settle(self) -> None:
        """Wait for the child making folders, if any (before a prune or a commit)."""
        if self._folders is not None:
            with contextlib.suppress(RuntimeError):  # it died: the pages' folders were made as they were written
                self._folders.result()
            self._folders.close()
            self._folders = None

    def _spare_place(self) -> str | None:
        """Where the spare lives, if the cache's folder is a real folder (not a symlink to someone's data)."""
        return self.spare if self.spare is not None and _is_real_folder(os.path.dirname(self.spare)) else None

    def _claim_spare(self) -> bool:
        """Move the spare in place of the new, empty staging folder, if it is a folder statusdocs wrote."""
        spare = self._spare_place()
        if spare is None or not _is_real_folder(spare) or not _is_regular(os.path.join(spare, MARKER)) \
                or os.path.lexists(os.path.join(spare, ".git")):
            return False
        try:
            os.rename(spare, self.path)  # onto the empty folder mkdtemp made: atomic, one build gets it
        except OSError:
            return False
        return True

    def _mark(self) -> os.stat_result:
        """The marker, first of all (remove_stale_staging knows a staging folder by it): linked from the previous
        site when it is the same, so it keeps its modification time as unchanged pages do."""
        previous = os.path.join(self.out, MARKER)
        try:
            with open(previous, "rb") as fh:
                same = _is_regular(previous) and fh.read(len(MARKER_TEXT) + 1) == MARKER_TEXT
        except OSError:
            same = False
        if same and self.link(MARKER, previous):
            return os.lstat(os.path.join(self.path, MARKER))
        return self.write(MARKER, MARKER_TEXT)

    def _target(self, rel: str) -> str:
        path = os.path.join(self.path, rel)
        folder = os.path.dirname(path)
        if self.reused:
            self._real_folder(folder)
        elif folder not in self._made:
            try:  # one mkdir for a page's own folder when its parent exists, as it mostly does
                os.mkdir(folder)
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            except FileExistsError:  # made by another worker
                pass
            self._made.add(folder)
        return path

    def _real_folder(self, folder: str) -> None:
        """In a reused folder: make `folder` a real folder, each folder on the way too. Whatever stands in the
        way (a file, a symlink) is unlinked, never followed: nothing is written outside the staging folder."""
        if folder in self._made or folder == self.path:
            return
        self._real_folder(os.path.dirname(folder))
        try:
            found = os.lstat(folder).st_mode
        except FileNotFoundError:
            found = None
        if found is not None and not stat.S_ISDIR(found):
            os.unlink(folder)
            found = None
        if found is None:
            with contextlib.suppress(FileExistsError):  # made by another worker
                os.mkdir(folder)
        self._made.add(folder)

    @staticmethod
    def _clear(path: str) -> None:
        """Unlink what a reused folder holds at `path`: its file may be the live site's too (a hard link), so it
        is never written in place."""
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            shutil.rmtree(path)

    def write(self, rel: str, data: bytes) -> os.stat_result:
        """Write one file; returns its stat. A failed write (full disk, EFBIG) names the output's path."""
        try:
            target, flags = self._target(rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
            if self.reused:
                self._clear(target)
                flags |= os.O_EXCL  # a new file, whatever appeared meanwhile
            # os.open, not open(): no buffer, and none of the isatty/seek calls a file object makes per file.
            fd = os.open(target, flags, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                return os.fstat(fd)
            finally:
                os.close(fd)
        except OSError as exc:  # the error itself carries no name, or the random staging one
            raise OSError(exc.errno, exc.strerror, os.path.join(self.out, rel)) from None

    def link(self, rel: str, existing: str) -> bool:
        """Reuse a file of the previous site. False if it cannot be linked (then write it instead)."""
        try:
            target = self._target(rel)
            if self.reused:
                if _same_file(target, existing):
                    self.unmoved.add(rel)
                    return True  # in place already: the reused folder is the site before, and this file unchanged
                self._clear(target)
            os.link(existing, target)
        except OSError:
            return False
        return True

    def commit(self, files: Iterable[str] | None = None) -> None:
        """Make the staged folder the output: one renameat2(RENAME_EXCHANGE) where the platform has it. `files`:
        every file of the new site (paths below it); required for a reused folder, which may hold others."""
        out, staging = self.out, self.path
        self._settle()
        if self.reused:
            if files is None:
                raise ValueError("a reused staging folder is committed with the list of the site's files")
            self.prune(files)
        check_output(out)  # again: the folder may have been replaced by someone else's while the pages were made
        if os.path.isdir(out) and not os.path.islink(out):
            if _exchange(staging, out):
                self._retire(staging)
                return
            old = staging + ".old"
            os.rename(out, old)
            os.rename(staging, out)
            self._retire(old)
        else:
            if os.path.lexists(out):
                raise OSError(errno.ENOTDIR, "output path exists and is not a folder", out)
            os.rename(staging, out)

    def prune(self, files: Iterable[str]) -> None:
        """Remove from a reused folder every file not in `files` (paths below the site), and the folders left
        empty: before a tool reads the staged pages (Pagefind), and by `commit`."""
        self._settle()
        if self.reused:
            _prune(self.path, {os.path.join(self.path, rel) for rel in files} | {os.path.join(self.path, MARKER)})

    def _retire(self, path: str) -> None:
        """A replaced site, or a staging folder not committed: kept as the spare when reusing, else removed."""
        spare = self._spare_place()
        if spare is None or not _move_aside(path, spare):
            _remove_site(path)

    def abort(self) -> None:
        """A failed build: a claimed spare goes back to being the spare (the disk holds what it held), a new
        folder is removed."""
        if self._folders is not None:
            self._folders.close()  # stopped where it is
            self._folders = None
        if self.claimed:
            self._retire(self.path)
        else:
            _remove_site(self.path)


def _make_folders(site: str, staging: str) -> None:
    """Make in `staging` the folders `site` has (real folders: symlinks are not followed). The build may make
    some of them first (`Staging._real_folder`); on any other error this stops, and the folders still missing are
    made as pages are written."""
    todo = [""]
    with contextlib.suppress(OSError):
        while todo:
            rel = todo.pop()
            with os.scandir(os.path.join(site, rel)) as entries:
                found = [os.path.join(rel, entry.name) for entry in entries if entry.is_dir(follow_symlinks=False)]
            for sub in found:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(os.path.join(staging, sub))
            todo.extend(found)


def _same_file(a: str, b: str) -> bool:
    """Whether `a` (not followed if a symlink) is the regular file `b` leads to."""
    try:
        x, y = os.lstat(a), os.stat(b)
    except OSError:
        return False
    return stat.S_ISREG(x.st_mode) and (x.st_dev, x.st_ino) == (y.st_dev, y.st_ino)


def _prune(folder: str, keep: set[str]) -> bool:
    """Remove from `folder` every file not in `keep` (absolute paths), and the folders left empty; symlinks are
    unlinked, never followed. True if `folder` is now empty."""
    empty = True
    with os.scandir(folder) as entries:
        found = list(entries)
    for entry in found:
        if entry.is_dir(follow_symlinks=False):
            if _prune(entry.path, keep):
                os.rmdir(entry.path)
                continue
        elif entry.path not in keep:
            os.unlink(entry.path)
            continue
        empty = False
    return empty


def _remove_site(path: str) -> None:
    """Remove a staging folder or a replaced site, its marker last: a build killed halfway through leaves a folder
    that still holds the marker, which the next build then recognises as its own to remove."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(path):
            if entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.unlink(os.path.join(path, MARKER))
    with contextlib.suppress(OSError):
        os.rmdir(path)


def holds(path: str, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data`."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


def update_site(out: str, files: dict[str, bytes], removed: list[str]) -> None:
    """Replace some files of an existing site (the preview's incremental rebuild). Each file is written
    beside its target and renamed over it, so a reader sees the old page or the new one, never half."""
    for rel in sorted(files):
        path = os.path.join(out, rel)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(files[rel])
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    for rel in removed:
        path = os.path.join(out, rel)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        folder = os.path.dirname(path)
        while folder != os.path.abspath(out) and folder.startswith(os.path.abspath(out)):
            try:
                os.rmdir(folder)  # only succeeds when empty
            except OSError:
                break
            folder = os.path.dirname(folder)
