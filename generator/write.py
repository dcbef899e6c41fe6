"""Write: the whole site goes into a fresh folder beside the output, which then replaces it in one step.

An interrupted or failed build therefore leaves the previous site whole. On Linux the swap is a
single renameat2(RENAME_EXCHANGE); elsewhere two renames, with the old site kept until the new one is in place.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _libc_renameat2():
    try:
        # The running program's symbols, libc's among them: no search for the library (ctypes.util runs
        # ldconfig and imports subprocess, ~15 ms at every start).
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def staging_prefix(out: str) -> str:
    return f".{os.path.basename(out)}.build-"


def remove_stale_staging(out: str) -> None:
    """Staging folders of builds that were killed (their process is gone) are removed."""
    parent, prefix = os.path.dirname(out), staging_prefix(out)
    for name in os.listdir(parent):
        if name.startswith(prefix):
            pid = name[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


class Staging:
    """A fresh folder beside the output that becomes the complete new site in one step (`commit`).

    Pages are written into it (also by forked render workers), or linked from the previous site when their
    bytes are unchanged, so an unchanged file keeps its inode and modification time and costs no write."""

    def __init__(self, out: str):
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
        os.chmod(self.path, 0o755)
        self._made: set[str] = set()

    def _target(self, rel: str) -> str:
        path = os.path.join(self.path, rel)
        folder = os.path.dirname(path)
        if folder not in self._made:
            try:  # one mkdir for a page's own folder when its parent exists, as it mostly does
                os.mkdir(folder)
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            except FileExistsError:  # made by another worker
                pass
            self._made.add(folder)
        return path

    def write(self, rel: str, data: bytes) -> os.stat_result:
        """Write one file; returns its stat. A failed write (full disk, EFBIG) names the output's path."""
        try:
            # os.open, not open(): no buffer, and none of the isatty/seek calls a file object makes per file.
            fd = os.open(self._target(rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
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
            os.link(existing, self._target(rel))
        except OSError:
            return False
        return True

    def commit(self) -> None:
        """Make the staged folder the output: one renameat2(RENAME_EXCHANGE) where the platform has it."""
        out, staging = self.out, self.path
        if os.path.isdir(out) and not os.path.islink(out):
            if _exchange(staging, out):
                shutil.rmtree(staging, ignore_errors=True)
                return
            old = staging + ".old"
            os.rename(out, old)
            os.rename(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if os.path.lexists(out):
                raise OSError(errno.ENOTDIR, "output path exists and is not a folder", out)
            os.rename(staging, out)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def write_site(out: str, files: dict[str, bytes]) -> None:
    """Write `files` (relative path -> bytes) as the complete new content of folder `out`."""
    staging = Staging(out)
    try:
        for rel in sorted(files):
            staging.write(rel, files[rel])
        staging.commit()
    except BaseException:
        staging.abort()
        raise


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
