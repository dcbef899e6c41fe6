"""Work on every core: forked workers take chunks of a task in turn while the parent does something else.

Fork, because the workers need the loaded content, the plan and the compiled templates, and a forked child
has them already; pickling them across would cost more than the rendering saves. Where fork is missing
(Windows, or a platform where it is unsafe) the caller runs the chunks itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

_TASK: Callable[[Any], Any] | None = None
_PR_SET_PDEATHSIG = 1


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _start_worker(parent: int) -> None:
    # A build killed with SIGKILL must not leave workers behind writing into its staging folder.
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _run(chunk: Any) -> Any:
    assert _TASK is not None
    return _TASK(chunk)


def run_chunks(task: Callable[[Any], Any], chunks: Sequence[Any], jobs: int,
               meanwhile: Callable[[], None] | None = None) -> list[Any]:
    """`task(chunk)` for every chunk, in `jobs` forked workers, while the parent runs `meanwhile`. Results come
    back in the order of `chunks`. An exception in a worker is raised here. Call gc.freeze() first: a child's
    garbage collections would otherwise walk every object it inherited, copying each page of memory it touches."""
    global _TASK
    _TASK = task
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
            pending = pool.map_async(_run, chunks, chunksize=1)
            if meanwhile is not None:
                meanwhile()
            return pending.get()
    finally:
        _TASK = None
