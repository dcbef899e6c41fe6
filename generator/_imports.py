"""Import-time helpers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_module(name: str) -> Iterator[None]:
    """Within the block, `import name` fails as if `name` were not installed, unless it is imported already;
    afterwards it can be imported again."""
    if name in sys.modules:
        yield
        return
    sys.modules[name] = None  # type: ignore[assignment]  # None here makes an import raise ImportError
    try:
        yield
    finally:
        if sys.modules.get(name, ...) is None:
            del sys.modules[name]
