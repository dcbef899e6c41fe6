"""The YAML loader the content loader composes with: PyYAML's CSafeLoader, with a faster `resolve`.

libyaml's composer calls the loader's public `resolve(kind, value, implicit)` from C for every node of every content
file, and PyYAML's `BaseResolver.resolve` does several lookups and builds a list for each, although almost every
node of a content file is text (a scalar whose first character starts no implicit resolver, or a quoted one) or a
collection: their tags are the loader's defaults. `Loader.resolve` answers those at once and hands every other
scalar to `BaseResolver.resolve`, remembering the tags of short ones (mapping keys such as `title`, values such as
`false`), which repeat in every file. It returns what `BaseResolver.resolve` returns, by that method's documented
steps: implicit resolvers are looked up by a plain scalar's first character (and under None for every scalar),
then path resolvers, then the default tags; so the fast path holds only while the loader's class declares no
wildcard or path resolver, which is checked when the class is made.

Checked against PyYAML 6 (`CHECKED_MAJORS`); on any other release, without libyaml, or if the loader's tables
are not as assumed, `Loader` is the plain loader. tests/test_yaml_loader.py compares the tags of both on every
scalar of the bundled content and the benchmark corpus, and on scalars at the resolvers' boundaries.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

CHECKED_MAJORS = {"6"}  # the major releases of PyYAML whose `BaseResolver.resolve` was read

try:  # libyaml is several times faster and keeps the same marks
    PLAIN: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    PLAIN = yaml.SafeLoader

_MEMO_LENGTH = 24     # scalars up to this length have their tag remembered: keys and short values repeat
_MEMO_SIZE = 10_000   # and at most this many (a long-running preview reads many files)
_RESOLVE = yaml.resolver.BaseResolver.resolve


def _applies(loader: Any) -> bool:
    """Whether the fast path gives `BaseResolver.resolve`'s answers for this loader class."""
    return (yaml.__version__.split(".")[0] in CHECKED_MAJORS and loader.resolve is _RESOLVE
            and not loader.yaml_path_resolvers and None not in loader.yaml_implicit_resolvers)


class FastLoader(PLAIN):
    """PLAIN with the fast `resolve` described above. No resolver may be added to it (`add_implicit_resolver`):
    its table of first characters is made once, from PLAIN's."""

    # Every first character with an implicit resolver ('' for the empty scalar): a plain scalar starting with
    # another has no resolver to try, so its tag is the default one.
    _first = frozenset(PLAIN.yaml_implicit_resolvers)
    _memo: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if not implicit[0] or value[:1] not in self._first:
                return self.DEFAULT_SCALAR_TAG
            memo = self._memo
            tag = memo.get(value)
            if tag is None:
                tag = _RESOLVE(self, kind, value, implicit)
                if len(value) <= _MEMO_LENGTH and len(memo) < _MEMO_SIZE:
                    memo[value] = tag
            return tag
        if kind is MappingNode:
            return self.DEFAULT_MAPPING_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return _RESOLVE(self, kind, value, implicit)


ENABLED = _applies(PLAIN)
Loader: Any = FastLoader if ENABLED else PLAIN
