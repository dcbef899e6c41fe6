"""Forked workers (`statusdocs.build.workers.run_chunks`): results in the order of the chunks whichever process
made them, streamed while the parent takes chunks too or kept until the end while it is busy, and a worker's
exception raised in the parent."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from statusdocs.build import workers as parallel
from tests.browser import descendants, still_running
from tests.conftest import CONTENT, ROOT, TEMPLATES

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked")


def _square(chunk: range) -> list[tuple[int, int]]:
    time.sleep(0.002)  # long enough for every process to take chunks: 0.4 s in all
    return [(i * i, os.getpid()) for i in chunk]


@pytest.mark.parametrize("busy", [False, True], ids=["streamed", "kept"])
def test_results_come_back_in_chunk_order_from_every_process(busy):
    chunks = [range(i, i + 3) for i in range(0, 600, 3)]
    # Results of a few MB in all: more than a pipe holds, whether streamed or sent at the end.
    results = parallel.run_chunks(lambda r: (_square(r), "x" * 30_000), chunks, 2,
                                  meanwhile=(lambda: True) if busy else None)
    values = [v for part, _ in results for v, _ in part]
    assert values == [i * i for i in range(600)]
    pids = {pid for part, _ in results for _, pid in part}
    assert len(pids) >= 2, "the workers took chunks"


@pytest.mark.parametrize("busy", [False, True], ids=["streamed", "kept"])
def test_an_exception_in_a_worker_is_raised_in_the_parent(busy):
    parent = os.getpid()

    def task(chunk: range) -> int:
        if os.getpid() != parent:
            raise ValueError(f"chunk {chunk.start}")
        time.sleep(0.005)  # the parent is slow: the worker, once started, surely takes a chunk
        return chunk.start

    chunks = [range(i, i + 1) for i in range(200)]
    with pytest.raises(ValueError, match="chunk"):
        parallel.run_chunks(task, chunks, 1, meanwhile=(lambda: True) if busy else None)


@pytest.mark.parametrize("how", ["ctrl-c", "SIGTERM", "SIGKILL"])
def test_a_stopped_build_leaves_no_worker(tmp_path, how):
    """`statusdocs build` stopped while its forked workers run: they end with it, and print nothing."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "statusdocs", "build", "--no-cache", "--jobs", "2", "--content",
                             str(CONTENT), "--templates", str(TEMPLATES), "--out", str(tmp_path / "site")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)  # a group of its own, as in a terminal
    left: set[tuple[int, str]] = set()
    try:
        deadline = time.monotonic() + 60
        children = descendants(proc.pid)
        while not children and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
            children = descendants(proc.pid)
        assert children, "the build forks a worker (the check runs in one)"
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole group gets it
        else:
            proc.send_signal(getattr(signal, how))
        _, err = proc.communicate(timeout=30)
        left = still_running(children, 2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        for pid, _ in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} of {len(children)} workers still running 2 s after the build ended"
    assert "Traceback" not in err, err
