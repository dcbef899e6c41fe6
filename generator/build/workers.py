"""Work on every core: forked workers take chunks of a task in turn while the parent does something else.

Fork, because the workers need the loaded content, the plan and the compiled templates, and a forked child
has them already; pickling them across would cost more than the rendering saves. Where fork is missing
(Windows, or a platform where it is unsafe) the caller runs the chunks itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

_PR_SET_PDEATHSIG = 1


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def become_worker(parent: int) -> None:
    """Make this process a worker of `parent`: it dies with the parent, whatever kills the parent, and leaves
    Ctrl-C to the parent (a terminal sends SIGINT to every process of the group; a worker would print a
    KeyboardInterrupt traceback). Run first thing in a forked or spawned child started in `starting_worker()`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # also drops a Ctrl-C that came while the child was starting
    for name in ("SIGTERM", "SIGHUP"):  # a forked child may have inherited the parent's handlers
        with contextlib.suppress(AttributeError, ValueError, OSError):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    with contextlib.suppress(AttributeError):  # not on Windows
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    watched = False
    with contextlib.suppress(OSError, AttributeError, TypeError):  # libc's prctl, found as in output.py
        watched = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    if os.getppid() != parent:  # the parent died before the line above took effect
        # os._exit, not sys.exit: a forked child must not run the atexit handlers, flush the copies of buffered
        # streams or unwind into the code it inherited from its parent (multiprocessing's children end so too).
        os._exit(1)
    if not watched:  # no prctl (not Linux): notice the parent's death by being handed to another parent
        threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="statusdocs-parent-watch").start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.1)
    os._exit(1)  # the parent is gone: end the whole child from this thread, as in become_worker


@contextlib.contextmanager
def starting_worker() -> Iterator[None]:
    """Start child processes inside this: SIGINT is blocked in the calling thread meanwhile, so a child (which
    inherits the mask, through exec too) cannot be interrupted before `become_worker` ignores it. A Ctrl-C that
    comes meanwhile reaches this process when the block ends."""
    try:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except AttributeError:  # not on Windows
        yield
        return
    try:
        yield
    finally:
        if signal.SIGINT not in blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _take(task: Callable[[Any], Any], chunks: Sequence[Any], counter: Any) -> Iterator[tuple[int, Any]]:
    """Run the next chunk not yet taken by any process, until none is left."""
    while True:
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        if i >= len(chunks):
            return
        yield i, task(chunks[i])


def _run_one(task: Callable[[], Any], conn: Any, parent: int, stream: bool) -> None:
    """A worker: run the task, then send its result back in one message, so the parent, busy with its own work
    meanwhile, never has to keep up with a stream of results. With `stream`, the task returns an iterator and
    each item goes as soon as it is made, then `_END`."""
    become_worker(parent)
    try:
        if stream:
            for item in task():
                conn.send((True, item))
            conn.send((True, _END))
        else:
            conn.send((True, task()))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        conn.send((False, exc))
    finally:
        conn.close()


_END = "end of stream"
_F_SETPIPE_SZ = 1031


class Forked:
    """`task()` in a forked child, started now; `result()` waits for what it returns (or raises what it raised).
    With `stream`, `task()` returns an iterator whose items `ready()` and `rest()` hand over as they come.
    `close()` stops the child if it is still running."""

    def __init__(self, task: Callable[[], Any], stream: bool = False):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        if stream:
            # A bigger pipe (Linux: up to 1 MiB unprivileged) lets the child send a few items ahead of a parent
            # busy with its own; with the default 64 KiB it would wait for each to be read.
            with contextlib.suppress(ImportError, OSError, AttributeError):
                import fcntl

                fcntl.fcntl(send.fileno(), _F_SETPIPE_SZ, 1 << 20)
        self._proc = context.Process(target=_run_one, args=(task, send, os.getpid(), stream), daemon=True)
        with starting_worker():
            self._proc.start()
        send.close()
        self.done = False

    def result(self) -> Any:
        try:
            ok, payload = self._receive.recv()
        except EOFError:
            self._proc.join()
            raise RuntimeError(f"a worker died (exit status {self._proc.exitcode})") from None
        if not ok:
            raise payload
        return payload

    def ready(self) -> Iterator[Any]:
        """The streamed items that have arrived, without waiting for more."""
        while not self.done and self._receive.poll():
            yield from self._item()

    def rest(self) -> Iterator[Any]:
        """The streamed items still to come, waiting for each."""
        while not self.done:
            yield from self._item()

    def _item(self) -> Iterator[Any]:
        item = self.result()
        if item == _END:
            self.done = True
        else:
            yield item

    @property
    def connection(self) -> Any:
        """The end this process receives on (to wait on several workers at once)."""
        return self._receive

    def take(self) -> Iterator[Any]:
        """The next streamed item, once it has come (none for the end of the stream)."""
        return self._item()

    def stop(self) -> None:
        """End the child (if it still runs) and wait for it: its end of the pipe is closed then."""
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()

    def close(self) -> None:
        self._receive.close()
        self.stop()


def run_chunks(task: Callable[[Any], Any], chunks: Sequence[Any], jobs: int,
               meanwhile: Callable[[], bool] | None = None) -> list[Any]:
    """`task(chunk)` for every chunk, in `jobs` forked workers, while the parent runs `meanwhile` and then takes
    chunks too (a worker blocked on the disk leaves a core to it). Results come back in the order of `chunks`;
    none if `meanwhile` returns False (the workers are stopped). An exception in a worker is raised here.

    Workers send each chunk's result as soon as it is made, and a thread of the parent takes them as they come:
    their pickling and unpickling overlap the work instead of following it, a worker holds no more than the chunk
    it works on, and a parent busy with `meanwhile` (waiting for the check) or its own chunks never leaves a worker
    waiting on a full pipe."""
    counter = multiprocessing.get_context("fork").Value("l", 0)
    workers: list[Forked] = []
    results: list[Any] = [None] * len(chunks)
    failed: list[BaseException] = []
    reader: threading.Thread | None = None
    try:
        for _ in range(jobs):
            workers.append(Forked(lambda: _take(task, chunks, counter), stream=True))
        reader = threading.Thread(target=_receive_all, args=(workers, results, failed), daemon=True,
                                  name="statusdocs-results")
        reader.start()
        if meanwhile is not None and not meanwhile():
            return []  # the results are not wanted any more: the workers are stopped below
        for i, result in _take(task, chunks, counter):  # then lend a hand with what is left
            results[i] = result
        reader.join()
        reader = None
        if failed:
            raise failed[0]
        return results
    finally:
        for worker in workers:
            worker.stop()
        if reader is not None:
            reader.join()  # its pipes are at their end now: it stops before they are closed
        for worker in workers:
            worker.close()


def _receive_all(workers: list[Forked], results: list[Any], failed: list[BaseException]) -> None:
    """The parent's thread that takes the workers' streamed results as they come, until every stream ends or one
    fails (its exception is kept in `failed`)."""
    from multiprocessing.connection import wait

    live = list(workers)
    try:
        while live:
            ready = wait([worker.connection for worker in live])
            for worker in [w for w in live if w.connection in ready]:
                for i, result in worker.take():
                    results[i] = result
                if worker.done:
                    live.remove(worker)
    except BaseException as exc:  # noqa: BLE001 - raised in the parent's own thread
        failed.append(exc)
