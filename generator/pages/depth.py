"""How deep templates may go: a bound on the Python stack while pages render, set once around a loop of pages.

Only the standard library here: build.py imports it, and a build with nothing to do never imports Jinja."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

# The Python frames a page's templates may take on the stack: the layout, a template, the macros and a recursive
# macro such as decision_tree take a few each. Past this, the templates call themselves without end (an include
# or extends loop, a macro that never stops), and the page fails with T001 long before Python's own limit.
TEMPLATE_FRAMES = 600

_P = ParamSpec("_P")
_R = TypeVar("_R")


def bounded(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorates a function that renders pages: in it, templates get at most TEMPLATE_FRAMES frames on top of its
    own. Templates that call themselves without end then fail there, well below Python's own limit, and at the
    same depth in the build, in a render worker or in the preview's thread. Set once around a loop of pages,
    not per page: each time, the frames are counted and the limit is set and set back."""

    @functools.wraps(func)
    def in_bounds(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        depth, frame = 0, inspect.currentframe()
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(min(limit, depth + TEMPLATE_FRAMES))  # never above the limit the program runs with
        try:
            return func(*args, **kwargs)
        finally:
            sys.setrecursionlimit(limit)

    return in_bounds
