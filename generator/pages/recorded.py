"""Recorded dependencies (Lektor's model): the content a page's context reads, file by file, as it is built.

`Views` reads the model through a `RecordedContent`: each entry, comparison or page document it looks up, the
site configuration and the guide add their source file to the current page's record (`Recorder`). What is only
the site's structure (which codes, comparisons and pages exist, whether there is a guide) is not recorded: the
views' shared fingerprint holds it, and every page is made again when it changes. So no list of dependencies is
written by hand: what a page shows is what it read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, Generic, Protocol, TypeVar

from statusdocs.content.model import Comparison, Content, Decision, Guide, Site


class _Sourced(Protocol):
    """A model object read from one file (Entry, Comparison, Page)."""

    @property
    def source(self) -> str: ...


K = TypeVar("K")
V = TypeVar("V", bound=_Sourced)


class Recorder:
    """The source files read since `recording` began (None: not recording, as between pages)."""

    def __init__(self) -> None:
        self.reads: set[str] | None = None

    def read(self, *sources: str) -> None:
        if self.reads is not None:
            self.reads.update(sources)

    @contextlib.contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Record into a new set (the one yielded) inside the block; the outer record, if any, gets it too."""
        outer, self.reads = self.reads, set()
        reads = self.reads
        try:
            yield reads
        finally:
            self.reads = outer
            self.read(*reads)


class RecordedMapping(Mapping[K, V], Generic[K, V]):
    """A mapping of model objects (each with a `source`) whose lookups record the object's file. Membership,
    iteration over the keys and the length are the site's structure: not recorded."""

    def __init__(self, items: dict[K, V], recorder: Recorder):
        self._items, self._recorder = items, recorder

    def __getitem__(self, key: K) -> V:
        value = self._items[key]
        self._recorder.read(value.source)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class Grafts(Mapping[str, Decision]):
    """The comparisons' decisions by slug, as a guide's walk grafts them in (`model.trail`): only those it
    reaches are read (and recorded)."""

    def __init__(self, comparisons: Mapping[str, Comparison]):
        self._comparisons = comparisons

    def __getitem__(self, slug: str) -> Decision:
        return self._comparisons[slug].decision

    def __contains__(self, slug: object) -> bool:
        return slug in self._comparisons

    def __iter__(self) -> Iterator[str]:
        return iter(self._comparisons)

    def __len__(self) -> int:
        return len(self._comparisons)


class RecordedContent:
    """The content model as the views read it: what they look up is recorded (see the module's docstring)."""

    def __init__(self, content: Content, recorder: Recorder):
        self.raw, self.recorder = content, recorder
        self.entries = RecordedMapping(content.entries, recorder)
        self.comparisons = RecordedMapping(content.comparisons, recorder)
        self.pages = RecordedMapping(content.pages, recorder)

    @property
    def site(self) -> Site:
        self.recorder.read(self.raw.site.source)
        return self.raw.site

    @property
    def guide(self) -> Guide | None:
        guide = self.raw.guide
        if guide is not None:
            self.recorder.read(guide.source)
        return guide

    def __getattr__(self, name: str) -> Any:  # root, files: not content a page shows
        return getattr(self.raw, name)
