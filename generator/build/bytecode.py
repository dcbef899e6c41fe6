"""Compiled templates kept across builds, in the build cache's folder: Jinja's own bytecode cache
(`jinja2.BytecodeCache`, its public extension point), so that a build after an edit does not parse and compile the
layout and the macros again.

Jinja finds a template's code by its name and file and checks it against the source's hash itself; what it does not
know is the options its code was compiled with (the environment's, the generator's, Jinja's version). So the code
lives in a folder named by the build cache's key, which holds all of those (`BuildCache.key`), and each file carries
a SHA-256 of its bytes as every record of the cache does: a damaged file is compiled again, never run. (Code, unlike
the cache's other records, is run: a checksum, not a signature, as for the rest of the cache; whoever can write the
cache folder can write the site beside it.)
"""

from __future__ import annotations

import contextlib
import os

import jinja2
import jinja2.bccache

from statusdocs.build.cache import read_regular, replace_file, sealed, unsealed

PREFIX = "jinja-"
KEY_CHARS = 20  # of the cache key, in the folder's name


class SealedBytecodeCache(jinja2.BytecodeCache):
    """One file per template, `<folder>/<bucket key>.code`, sealed by its checksum. What a build compiles is written
    when it has succeeded (`save`): a failed build leaves the cache folder as it was."""

    def __init__(self, folder: str):
        self.folder = folder
        self.made: dict[str, bytes] = {}  # file -> its sealed bytes, to write

    def _file(self, bucket: jinja2.bccache.Bucket) -> str:
        return os.path.join(self.folder, f"{bucket.key}.code")

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = unsealed(read_regular(self._file(bucket)))
        except (OSError, ValueError):
            return
        if data is not None:
            bucket.bytecode_from_string(bytes(data))  # a wrong magic or source checksum leaves it empty

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.made[os.path.basename(self._file(bucket))] = sealed(bucket.bytecode_to_string())

    def save(self) -> None:
        """Write the code compiled since the last call, and remove the code kept for other cache keys (the
        generator, a library or an option has changed since: never read again). Best effort, as the whole cache."""
        parent, mine = os.path.split(self.folder)
        with contextlib.suppress(OSError):
            for other in os.listdir(parent):
                if other != mine and _made_here(other):
                    _remove_code(os.path.join(parent, other))
            if self.made:
                os.makedirs(self.folder, exist_ok=True)
            for name, data in sorted(self.made.items()):
                replace_file(self.folder, name, data)
        self.made.clear()


def _made_here(name: str) -> bool:
    """A folder name `bytecode_cache` gives: "jinja-" and 20 hex digits (nothing else in the cache folder is
    touched)."""
    key = name[len(PREFIX):]
    return name.startswith(PREFIX) and len(key) == KEY_CHARS and all(c in "0123456789abcdef" for c in key)


def _remove_code(folder: str) -> None:
    """The compiled templates of another cache key: their `.code` files, then the folder if that emptied it (a
    file statusdocs did not write there is left, and the folder with it)."""
    if os.path.islink(folder) or not os.path.isdir(folder):
        return
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.endswith(".code") and os.path.isfile(path) and not os.path.islink(path):
            os.unlink(path)
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def bytecode_cache(cache_folder: str, key: str) -> SealedBytecodeCache:
    """The compiled templates of builds with this cache key."""
    return SealedBytecodeCache(os.path.join(cache_folder, f"{PREFIX}{key[:KEY_CHARS]}"))
