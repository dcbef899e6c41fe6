"""Forked workers' results while the parent is busy (`statusdocs.build.workers.run_chunks` with `meanwhile`, as the
build renders while the check runs): they are taken as each chunk is made, so a worker never holds more than the
chunk it works on (its peak memory is the build's when it renders most pages)."""

from __future__ import annotations

import os
import time

import pytest

from statusdocs.build import workers as parallel

pytestmark = [pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked"),
              pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads peak memory from /proc")]

MIB = 1 << 20


def _peak_mib() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmHWM:"))


def test_a_busy_parent_takes_results_as_they_are_made(tmp_path):
    parent = os.getpid()
    chunks = [range(i, i + 1) for i in range(48)]
    made = tmp_path / "made"  # a byte per chunk the worker made

    def task(chunk: range) -> tuple[int, int, bytes]:
        payload = os.urandom(MIB)  # a chunk's result: 1 MiB, 48 MiB in all
        if os.getpid() != parent:
            with open(made, "ab") as fh:
                fh.write(b".")
        return os.getpid(), _peak_mib(), payload

    def meanwhile() -> bool:  # busy until the worker has made (nearly) every chunk, as a long check would be
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not made.exists() or made.stat().st_size < len(chunks) - 1):
            time.sleep(0.02)
        return True

    results = parallel.run_chunks(task, chunks, 1, meanwhile=meanwhile)
    assert [len(payload) for _, _, payload in results] == [MIB] * len(chunks)
    theirs = [peak for pid, peak, _ in results if pid != parent]
    assert len(theirs) >= len(chunks) - 1, "the worker made the chunks while the parent was busy"
    assert max(theirs) - min(theirs) < 16, f"the worker's peak grew from {min(theirs)} to {max(theirs)} MiB"
