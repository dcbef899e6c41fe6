"""The build cache's layer of the views: what the wide pages read of every entry and comparison, kept from the last
build, so that a build after an edit makes again only what the edited files changed.

- The pieces of plain text only the search index reads (`contexts.STORED`: each entry's and comparison's item, each
  comparison's description) are in `views.marshal` in the cache folder: per piece its value, the files and fields
  it read and holds (as recorded while it was made: a page that uses it records them again), and the hash of each
  of those files then. A piece is used while the cache key (the generator, its libraries, the options) and the
  shared fingerprint (the site's structure and base URL, which the pieces also show) are the same and each of
  those files has that hash still: as a page is kept by its key. Checksummed like the manifest: a damaged or
  foreign file is ignored, and its pieces are made again.
- An entry's JSON (`api/codes.json` joins them all) is the JSON page the last build wrote for it, `api/<code>.json`
  (its text and a newline), when this build keeps that page: the page's key is made of what the JSON is made from
  (the entry's file and the base URL), and its file is as the last build wrote it (`pipeline.keep`).
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Callable, Mapping
from typing import Any

from statusdocs.build.cache import FORMAT, Absolute, read_regular, replace_file, sealed, unsealed
from statusdocs.pages.dependency import FIELD

VIEWS = "views.marshal"
MemoKey = tuple[str, object]
Made = tuple[Any, tuple[str, ...], tuple[str, ...]]
# A stored piece: its value, what it read and holds, and each file of those (absolute) with its hash then.
Record = tuple[str, tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]


class StoredViews:
    """The pieces of `views.marshal` (read when first asked for), and the writing of the next build's."""

    def __init__(self, folder: str, key: str, fingerprint: Callable[[], str]):
        self.folder, self.key, self.fingerprint = folder, key, fingerprint
        self._records: dict[MemoKey, Record] | None = None
        self._absolute = Absolute()

    def records(self) -> dict[MemoKey, Record]:
        """The last build's pieces, if made under this key and fingerprint."""
        if self._records is None:
            self._records = {}
            with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
                data = unsealed(read_regular(os.path.join(self.folder, VIEWS)))
                stored = marshal.loads(data) if data is not None else None
                if type(stored) is dict and stored.get("format") == FORMAT and stored.get("key") == self.key and \
                        stored.get("fingerprint") == self.fingerprint() and type(stored.get("pieces")) is dict:
                    self._records = stored["pieces"]
        return self._records

    def lookup(self, inputs: Mapping[str, str]) -> Callable[[MemoKey], Made | None]:
        """`Views.stored` for a build whose input files have these hashes (absolute path -> hash)."""
        def stored(memo_key: MemoKey) -> Made | None:
            record = self.records().get(memo_key)
            if not _holds(record, inputs):
                return None
            assert record is not None
            return record[0], record[1], record[2]
        return stored

    def save(self, inputs: Mapping[str, str], made: Mapping[MemoKey, Made]) -> None:
        """Record, with what this build made (`made`), the last build's pieces that still hold. Nothing made: the
        file is left as it is (what it holds is checked when read). Best effort, as the whole cache."""
        if not made:
            return
        records = {k: r for k, r in self.records().items() if _holds(r, inputs)}
        for memo_key, (value, reads, held) in made.items():
            files = self._files(reads, held, inputs)
            if type(value) is str and files is not None:
                records[memo_key] = (value, tuple(reads), tuple(held), files)
            else:  # read a file the inputs do not hold (or not plain text): made again when asked for
                records.pop(memo_key, None)
        data = {"format": FORMAT, "key": self.key, "fingerprint": self.fingerprint(), "pieces": records}
        with contextlib.suppress(OSError, ValueError):
            os.makedirs(self.folder, exist_ok=True)
            replace_file(self.folder, VIEWS, sealed(marshal.dumps(data)))

    def _files(self, reads: tuple[str, ...], held: tuple[str, ...], inputs: Mapping[str, str]) \
            -> tuple[tuple[str, str], ...] | None:
        """The files a piece read or holds (absolute, sorted) with their hashes; None if one is not an input."""
        found = []
        for path in sorted({self._absolute(dep.partition(FIELD)[0]) for dep in (*reads, *held)}):
            known = inputs.get(path)
            if known is None:
                return None
            found.append((path, known))
        return tuple(found)


def _holds(record: Record | None, inputs: Mapping[str, str]) -> bool:
    """Whether a stored piece is as it would be made now: each file it read or holds has the hash it had."""
    if type(record) is not tuple or len(record) != 4 or type(record[0]) is not str or type(record[1]) is not tuple \
            or type(record[2]) is not tuple:
        return False
    try:
        return all(inputs.get(path) == known for path, known in record[3])
    except (TypeError, ValueError):  # not pairs: damaged
        return False


def written_json(out: str, kept: set[str]) -> Callable[[int], str | None]:
    """`Views.written_json`: an entry's JSON from its page in the site the last build wrote, when this build keeps
    that page (`kept`: the pages kept)."""
    def text(code: int) -> str | None:
        rel = f"api/{code}.json"
        if rel not in kept:
            return None
        with contextlib.suppress(OSError, ValueError):
            data = read_regular(os.path.join(out, rel))
            if data.endswith(b"\n"):
                return data[:-1].decode("utf-8")
        return None
    return text
