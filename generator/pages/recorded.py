"""Recorded dependencies (Lektor's model): the content a page's context reads, field by field, as it is built.

`Views` reads the model through a `RecordedContent`: each entry, comparison or page document it looks up, the
site configuration and the guide come back wrapped (`RecordedModel`), and each top-level field the views read of
one adds `<file>\0<field>` to the current page's record (`Recorder`): `codes/412.yaml\0summary`. A property or
method of the model (`Entry.klass`, `Comparison.slug`) runs on the wrapper, so the fields it reads are recorded.
A top-level field is the unit: its nested values (a FAQ's answers, a decision's branches) are shown together
by the pages that show it. A page that shows a file as a whole (an entry's JSON) records the bare file.

What is only the site's structure (which codes, comparisons and pages exist: `Entry.code`, `Comparison.codes`,
`Page.slug`, whether there is a guide) is not recorded: the views' shared fingerprint holds it, and every page is
made again when it changes. So no list of dependencies is written by hand: what a page shows is what it read.

A recorded field's part of a page's key is its `FieldDigests` digest, made from the loaded value: editing one
field of a file makes again only the pages that read that field.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields
from types import MethodType
from typing import Any, Generic, Protocol, TypeVar

from markupsafe import escape

from statusdocs.content.model import Comparison, Content, Decision, Guide, Site
from statusdocs.pages.dependency import FIELD


class _Sourced(Protocol):
    """A model object read from one file (Entry, Comparison, Page)."""

    @property
    def source(self) -> str: ...


STRUCTURE = frozenset({"code", "codes", "slug"})  # which pages exist: in the shared fingerprint, not recorded
UNSHOWN = frozenset({"source", "locs"})           # where a value is, not what it is


@functools.cache  # one string per dependency, shared by every page's record (not one per page that reads it)
def field_dep(source: str, name: str) -> str:
    """The recorded dependency of a page on one top-level field of a content file."""
    return f"{source}{FIELD}{name}"


def _kinds(cls: type) -> dict[str, Any]:
    """How a wrapper reads each attribute of a model class: "field" (recorded), "plain" (not recorded), or the
    property or function to run on the wrapper (whatever fields it reads are then recorded)."""
    kinds: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, property) or callable(value) and not isinstance(value, type):
                kinds[name] = value
    for f in fields(cls):
        kinds[f.name] = "plain" if f.name in STRUCTURE or f.name in UNSHOWN else "field"
    return kinds


_KINDS: dict[type, dict[str, Any]] = {}


class RecordedModel:
    """A model object (Entry, Comparison, Page, Site, Guide) whose fields, read, are recorded as the current
    page's dependencies (see the module's docstring)."""

    __slots__ = ("_model", "_recorder")

    def __init__(self, model: Any, recorder: Recorder):
        self._model, self._recorder = model, recorder

    def __getattr__(self, name: str) -> Any:
        model = self._model
        cls = type(model)
        kinds = _KINDS.get(cls) or _KINDS.setdefault(cls, _kinds(cls))
        kind = kinds.get(name, "plain")
        if kind == "field":
            self._recorder.read(field_dep(model.source, name))
        elif isinstance(kind, property):
            return kind.fget(self)  # type: ignore[misc]
        elif callable(kind):
            return MethodType(kind, self)
        return getattr(model, name)


class Shown(str):
    """A field's text in a view that many pages hold but few show (an entry's summary in every link to it): the
    field is recorded when a template shows the text, by the page being made then, not by every page whose context
    holds it. The views made once per build (`Views._once`) are shared by pages that show different parts of them.

    A template that looks the text up records it (`read_if_shown`, from the renderer's `getattr` and `getitem`):
    whatever it then does with it (`tojson`, `wordcount`, a filter of a user's theme) reads a recorded field. So do
    Python's own ways to the text (shown by `__html__`, made a string, formatted, a method, slice, length,
    iteration, concatenation). Recording more than needed only makes a page again; less would leave it stale."""

    dep: str
    recorder: Recorder

    def __new__(cls, text: str, dep: str, recorder: Recorder) -> Shown:
        made = super().__new__(cls, text)
        made.dep, made.recorder = dep, recorder
        return made

    def _read(self) -> str:
        object.__getattribute__(self, "recorder").read(object.__getattribute__(self, "dep"))
        return str.__str__(self)

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("__") and name not in ("dep", "recorder", "_read"):
            object.__getattribute__(self, "_read")()  # a str method: whatever it returns comes from the text
        return object.__getattribute__(self, name)

    def __html__(self) -> str:
        return str(escape(self._read()))

    def __str__(self) -> str:
        return self._read()

    def __format__(self, spec: str) -> str:
        return format(self._read(), spec)

    def __getitem__(self, key: Any) -> str:
        return self._read()[key]

    def __len__(self) -> int:
        return len(self._read())

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __contains__(self, part: str) -> bool:  # type: ignore[override]
        return part in self._read()

    def __add__(self, other: str) -> str:
        return self._read() + other

    def __radd__(self, other: str) -> str:
        return other + self._read()

    def __mod__(self, values: Any) -> str:
        return self._read() % values

    def __reduce__(self) -> Any:  # to a forked worker's parent or a pickle: the text alone
        return (str, (str.__str__(self),))


def read_if_shown(value: Any) -> Any:
    """`value`, recorded first if it is a `Shown` text: what a template looks up it reads."""
    if type(value) is Shown:
        value._read()
    return value


def unwrapped(value: Any) -> Any:
    """The model object itself, from a wrapper (as an identity, or to read unrecorded); anything else as is."""
    return value._model if isinstance(value, RecordedModel) else value


def field_digest(value: Any) -> str:
    """A field's value, by content: its repr (a dataclass's shows every field but the source locations)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=10).hexdigest()


class FieldDigests:
    """The digest of each recorded field, per file: made from the loaded model once per version of the file (its
    content hash), and kept as long as the file is not changed (across the preview's builds, and in the build
    cache's record)."""

    def __init__(self, known: dict[str, tuple[str, dict[str, str]]] | None = None):
        self.known: dict[str, tuple[str, dict[str, str]]] = known or {}  # file -> (its hash, field -> digest)

    def resolver(self, inputs: Mapping[str, str], models: Callable[[], Mapping[str, Any]]) \
            -> Callable[[str, str], str | None]:
        """A field's digest by (file, field name); None for a file that is not among `inputs`. `models()`: the
        loaded model objects by absolute path, asked for only when a file's digests are not known."""
        found: list[Mapping[str, Any]] = []

        def digest(path: str, name: str) -> str | None:
            file_hash = inputs.get(path)
            if file_hash is None:
                return None
            known = self.known.get(path)
            if known is None or known[0] != file_hash:
                known = self.known[path] = (file_hash, {})
            made = known[1].get(name)
            if made is None:
                if not found:
                    found.append(models())
                model = found[0].get(path)
                if model is None:
                    return None
                made = known[1][name] = field_digest(getattr(model, name, None))
            return made
        return digest

    def stamper(self, inputs: Mapping[str, str], models: Callable[[], Mapping[str, Any]]) \
            -> Callable[[str], str | None]:
        """A recorded dependency's digest: a field's (`file\0field`, see `resolver`), or a whole file's content
        hash; None for a file that is not among `inputs`."""
        field = self.resolver(inputs, models)
        absolute: dict[str, str] = {}

        def stamp(dep: str) -> str | None:
            path, sep, name = dep.partition(FIELD)
            path = absolute.get(path) or absolute.setdefault(path, os.path.abspath(path))
            return field(path, name) if sep else inputs.get(path)
        return stamp


def unchanged_fields(then: Mapping[str, tuple[str, dict[str, str]]], paths: Iterable[str],
                     digest: Callable[[str, str], str | None]) -> dict[str, set[str]]:
    """For each file of `paths` (absolute), the fields whose digest now (`digest`, a `FieldDigests.resolver`) is the
    one in `then` (a `FieldDigests.known` as the last good build left it); none for a file it does not hold."""
    same: dict[str, set[str]] = {}
    for path in paths:
        known = then.get(path)
        same[path] = {name for name, made in known[1].items() if digest(path, name) == made} if known else set()
    return same


def reads_a_change(deps: Iterable[str], same: Mapping[str, set[str]]) -> bool:
    """Does a page's record (`deps`) hold one of the files of `same` as a whole, or one of its fields not among
    those that stayed the same (`unchanged_fields`)?"""
    for path, unchanged in same.items():
        size = len(path)
        for dep in deps:
            if dep.startswith(path) and (len(dep) == size or dep[size] == FIELD and dep[size + 1:] not in unchanged):
                return True
    return False


K = TypeVar("K")
T = TypeVar("T")
V = TypeVar("V", bound=_Sourced)


class Recorder:
    """The source files read since `recording` began (None: not recording, as between pages), and the fields
    whose text a view being made (`collected`) holds for a template to show (`Shown`): a view kept across builds
    is made again when one of those changes, though no page made with it has read them yet."""

    def __init__(self) -> None:
        self.reads: set[str] | None = None
        self.held: set[str] | None = None

    def read(self, *sources: str) -> None:
        if self.reads is not None:
            self.reads.update(sources)

    def hold(self, *deps: str) -> None:
        if self.held is not None:
            self.held.update(deps)

    def collected(self, make: Callable[[], T]) -> tuple[T, set[str], set[str]]:
        """`make()`, with the files read and the fields held while it ran, which the outer sets (if any) get too: as
        `recording` does, with no context manager (the views make thousands of pieces a build)."""
        outer_reads, outer_held = self.reads, self.held
        reads: set[str] = set()
        held: set[str] = set()
        self.reads, self.held = reads, held
        try:
            value = make()
        finally:
            self.reads, self.held = outer_reads, outer_held
            if outer_held is not None:
                outer_held.update(held)
            if outer_reads is not None:
                outer_reads.update(reads)
        return value, reads, held

    @contextlib.contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Record into a new set (the one yielded) inside the block; the outer record, if any, gets it too."""
        outer = self.reads
        reads: set[str] = set()
        self.reads = reads
        try:
            yield reads
        finally:
            self.reads = outer
            if outer is not None:
                outer.update(reads)


class RecordedMapping(Mapping[K, V], Generic[K, V]):
    """A mapping of model objects (each with a `source`) whose lookups give them wrapped (`RecordedModel`). Membership,
    iteration over the keys and the length are the site's structure: not recorded."""

    def __init__(self, items: dict[K, V], recorder: Recorder):
        self._items, self._recorder = items, recorder

    def __getitem__(self, key: K) -> V:
        return RecordedModel(self._items[key], self._recorder)  # type: ignore[return-value]

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

    def __init__(self, content: Content, recorder: Recorder, absolute: dict[str, str] | None = None):
        self.raw, self.recorder = content, recorder
        # Each file's absolute path by its source path: given, it outlives this build (the preview's `Lasting`).
        self.absolute: dict[str, str] = {} if absolute is None else absolute
        self.entries = RecordedMapping(content.entries, recorder)
        self.comparisons = RecordedMapping(content.comparisons, recorder)
        self.pages = RecordedMapping(content.pages, recorder)
        self._models: dict[str, Any] | None = None

    @property
    def site(self) -> Site:
        return self.recorded(self.raw.site)

    @property
    def guide(self) -> Guide | None:
        guide = self.raw.guide
        return None if guide is None else self.recorded(guide)

    def recorded(self, model: Any) -> Any:
        """A model object reached otherwise (an index of the views), wrapped: its fields read are recorded."""
        return RecordedModel(unwrapped(model), self.recorder)

    def shown(self, model: Any, name: str) -> Shown:
        """A text field of a model object, recorded when a template shows it (`Shown`)."""
        model = unwrapped(model)
        dep = field_dep(model.source, name)
        self.recorder.hold(dep)
        return Shown(getattr(model, name), dep, self.recorder)

    def models(self) -> dict[str, Any]:
        """Every content file's model object by its absolute path (`FieldDigests`), made once."""
        if self._models is None:
            raw = self.raw
            found = [raw.site, *raw.entries.values(), *raw.comparisons.values(), *raw.pages.values()]
            found += [raw.guide] if raw.guide is not None else []
            absolute = self.absolute
            folders: dict[str, str] = {}  # thousands of files in a few folders: each folder's made absolute once
            self._models = {}
            for m in found:
                path = absolute.get(m.source)
                if path is None:
                    folder, name = os.path.split(m.source)
                    made = folders.get(folder)
                    if made is None:
                        made = folders[folder] = os.path.abspath(folder)
                    path = absolute[m.source] = os.path.join(made, name) if name not in ("", ".", "..") else \
                        os.path.abspath(m.source)
                self._models[path] = m
        return self._models

    def __getattr__(self, name: str) -> Any:  # root, files: not content a page shows
        return getattr(self.raw, name)
