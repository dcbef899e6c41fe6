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


def _work(task: Callable[[Any], Any], chunks: Sequence[Any], counter: Any, conn: Any, parent: int) -> None:
    """A worker: take the next chunk until none is left, then send everything back in one message, so the
    parent, busy with its own work meanwhile, never has to keep up with a stream of results."""
    _start_worker(parent)
    done: list[tuple[int, Any]] = []
    try:
        while True:
            with counter.get_lock():
                i = counter.value
                counter.value += 1
            if i >= len(chunks):
                break
            done.append((i, task(chunks[i])))
        conn.send((True, done))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        conn.send((False, exc))
    finally:
        conn.close()


def run_chunks(task: Callable[[Any], Any], chunks: Sequence[Any], jobs: int,
               meanwhile: Callable[[], None] | None = None) -> list[Any]:
    """`task(chunk)` for every chunk, in `jobs` forked workers, while the parent runs `meanwhile`. Results come
    back in the order of `chunks`. An exception in a worker is raised here. Call gc.freeze() first: a child's
    garbage collections would otherwise walk every object it inherited, copying each page of memory it touches."""
    context = multiprocessing.get_context("fork")
    counter = context.Value("l", 0)
    workers = []
    try:
        for _ in range(jobs):
            receive, send = context.Pipe(duplex=False)
            proc = context.Process(target=_work, args=(task, chunks, counter, send, os.getpid()), daemon=True)
            proc.start()
            send.close()
            workers.append((proc, receive))
        if meanwhile is not None:
            meanwhile()
        results: list[Any] = [None] * len(chunks)
        for proc, receive in workers:
            try:
                ok, payload = receive.recv()
            except EOFError:
                proc.join()
                raise RuntimeError(f"a render worker died (exit status {proc.exitcode})") from None
            if not ok:
                raise payload
            for i, result in payload:
                results[i] = result
        return results
    finally:
        for proc, receive in workers:
            receive.close()
            if proc.is_alive():
                proc.kill()
            proc.join()
